// Shows every <time datetime="..."> in the viewer's time zone (the server writes UTC).
document.addEventListener("DOMContentLoaded", function () {
  var format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) {
      el.textContent = format.format(when);
      el.title = el.getAttribute("datetime") + " (shown in " + zone + ")";
      el.dataset.local = "1";
    }
  });
});
