//! Issue 15 in headless Chromium: the registrant's usage page, the recordings table sorted by a
//! click on its header, a release added and changed on the release pages (the check digit
//! refused on the page, the tracks, an emptied label in the history), the agency dashboard, and
//! the audit log in the viewer's time zone (the browser runs in Asia/Tokyo, UTC+9).
//!
//! `#[ignore = "needs Chromium"]`: `cargo test -- --include-ignored` runs it, and then a missing
//! chromium or chromedriver fails it.

use crate::common;

use common::chromium::{
    click, fill, open_browser, programs, sign_in, start_driver_in_zone, text_of,
};
use fantoccini::Client;
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium"]
async fn usage_release_and_agency_dashboard_pages() {
    let (chromium, chromedriver) = programs();
    let server = common::start(common::sqlite()).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    let mut codes = Vec::new();
    for title in ["Première neige", "Dégel"] {
        let r = server
            .post(
                "/api/v1/allocations",
                &ana,
                json!({"title": title, "artist": "Ariane", "duration": "3:25"}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let body: serde_json::Value = r.json().await.unwrap();
        codes.push(body["isrcs"][0].as_str().unwrap().to_string());
    }
    let driver = start_driver_in_zone(&chromedriver, Some("Asia/Tokyo")).await;
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let browser = open_browser(&driver, &chromium, profile.path(), downloads.path()).await;
    let session = browser.clone();
    let base = server.base.clone();
    let result = tokio::spawn(async move { flow(&session, &base, &codes).await }).await;
    let _ = browser.close().await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
    drop(server);
}

async fn flow(browser: &Client, base: &str, codes: &[String]) {
    sign_in(browser, base, "ana@xyz.example", common::PASSWORD).await;
    text_of(browser, "#notice, h1").await;

    // The usage page: two codes of 99,999 this year.
    browser.goto(&format!("{base}/portal/usage")).await.unwrap();
    let used = text_of(browser, "#used").await;
    assert!(used.starts_with("2 of 99999"), "{used}");
    let months = text_of(browser, "#by-month").await;
    assert!(months.contains('2'), "{months}");

    // The recordings, sorted by a click on Title; a second click reverses.
    browser.goto(&format!("{base}/portal")).await.unwrap();
    text_of(browser, "#recordings").await;
    click(browser, "#recordings th:nth-child(3) a").await;
    let rows = text_of(browser, "#recordings tbody").await;
    assert!(
        rows.find("Dégel").unwrap() < rows.find("Première neige").unwrap(),
        "{rows}"
    );
    let url = browser.current_url().await.unwrap();
    assert!(
        url.as_str().ends_with("/portal?sort=title&dir=asc"),
        "{url}"
    );
    click(browser, "#recordings th:nth-child(3) a").await;
    text_of(browser, "#recordings th[aria-sort='descending']").await;
    let rows = text_of(browser, "#recordings tbody").await;
    assert!(
        rows.find("Première neige").unwrap() < rows.find("Dégel").unwrap(),
        "{rows}"
    );

    // A release: first a wrong check digit, shown on the page with the form kept.
    browser
        .goto(&format!("{base}/portal/releases"))
        .await
        .unwrap();
    text_of(browser, "#no-releases").await;
    fill(browser, "#upc", "036000291453").await;
    fill(browser, "#title", "Hiver").await;
    fill(browser, "#label", "Les Disques XYZ").await;
    fill(browser, "#tracks", &format!("{}\n{}", codes[1], codes[0])).await;
    click(browser, "#add-release").await;
    let error = text_of(browser, "#error").await;
    assert!(error.contains("check digit"), "{error}");
    fill(browser, "#upc", "036000291452").await;
    click(browser, "#add-release").await;
    let notice = text_of(browser, "#notice").await;
    assert!(notice.contains("added"), "{notice}");
    let tracks = text_of(browser, "#tracks-table").await;
    let first = tracks.find(codes[1].as_str()).expect("track 1");
    let second = tracks.find(codes[0].as_str()).expect("track 2");
    assert!(first < second, "in the order given: {tracks}");

    // Change it: empty the label; the history shows it before and —.
    click(browser, "#edit summary").await;
    fill(browser, "#label-box", "").await;
    click(browser, "#save").await;
    let notice = text_of(browser, "#notice").await;
    assert!(notice.contains("edited"), "{notice}");
    let history = text_of(browser, "#history").await;
    assert!(history.contains("release.edit"), "{history}");
    assert!(history.contains("Les Disques XYZ"), "{history}");
    assert!(history.contains('—'), "{history}");

    // The agency dashboard, as the admin.
    browser.delete_all_cookies().await.unwrap();
    sign_in(browser, base, "boss@agency.example", common::PASSWORD).await;
    text_of(browser, "h1").await;
    browser
        .goto(&format!("{base}/agency/dashboard"))
        .await
        .unwrap();
    let summary = text_of(browser, "#summary").await;
    assert!(summary.contains("1 registrants"), "{summary}");
    let usage = text_of(browser, "#usage").await;
    assert!(
        usage.contains("CBXYZ") && usage.contains("99999"),
        "{usage}"
    );
    let countries = text_of(browser, "#by-country").await;
    assert!(countries.contains("CB"), "{countries}");
    let by_year = text_of(browser, "#by-year").await;
    assert!(by_year.contains("Registrant codes"), "{by_year}");

    // The audit log, newest first, each time in Tokyo's time (UTC+9, no summer time).
    click(browser, "a[href='/agency/audit']").await;
    let first = text_of(browser, "#audit tbody tr").await;
    assert!(first.contains("release.edit"), "newest first: {first}");
    let time = browser
        .find(Locator::Css("#audit tbody tr time"))
        .await
        .unwrap();
    let title = time.attr("title").await.unwrap().unwrap_or_default();
    assert!(title.ends_with("(shown in Asia/Tokyo)"), "{title}");
    let utc = time.attr("datetime").await.unwrap().unwrap();
    let shown = time.text().await.unwrap();
    let utc_hour: u32 = utc[11..13].parse().unwrap();
    assert_eq!(
        shown_hour(&shown),
        (utc_hour + 9) % 24,
        "{utc} shown as {shown:?}"
    );
    // Sorted by what was done, by a click on its header.
    click(browser, "#audit th:nth-child(4) a").await;
    text_of(browser, "#audit th[aria-sort='ascending']").await;
    let url = browser.current_url().await.unwrap();
    assert!(url.as_str().contains("sort=action&dir=asc"), "{url}");
}

/// The hour (0-23) of a time shown as the browser's locale writes it (`10:25 AM`, `22:25`).
fn shown_hour(shown: &str) -> u32 {
    let colon = shown.rfind(':').expect("a time of day");
    let digits: String = shown[..colon]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let hour: u32 = digits.parse().unwrap();
    let rest = shown[colon..].to_ascii_uppercase();
    match (rest.contains("PM"), rest.contains("AM")) {
        (true, _) if hour < 12 => hour + 12,
        (_, true) if hour == 12 => 0,
        _ => hour,
    }
}
