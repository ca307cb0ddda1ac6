//! The web pages over real HTTP on loopback: every page answers, user text is escaped, every
//! form post needs its CSRF token, a registrant never reaches another's recordings, and public
//! pages never name a registrant.

use crate::common;

use common::{Session, TestServer};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

pub(crate) const XSS: &str = "<script>alert(1)</script>";
pub(crate) const XSS_ESCAPED: &str = "&#60;script&#62;alert(1)&#60;/script&#62;";

/// GET a page as a browser would (asking for HTML), signed in or not.
pub(crate) async fn get(
    server: &TestServer,
    path: &str,
    session: Option<&Session>,
) -> (StatusCode, String) {
    let mut request = server
        .http
        .get(server.url(path))
        .header("accept", "text/html");
    if let Some(s) = session {
        request = request.header("cookie", &s.cookie);
    }
    let r = request.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// POST a form with the session cookie; `csrf` is added as the hidden field when given.
pub(crate) async fn post(
    server: &TestServer,
    path: &str,
    session: &Session,
    csrf: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields: Vec<(&str, &str)> = fields.to_vec();
    if let Some(token) = csrf {
        fields.push(("csrf_token", token));
    }
    server
        .http
        .post(server.url(path))
        .header("cookie", &session.cookie)
        .header("accept", "text/html")
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// [`post`], expecting `status` (the body is in the failure).
pub(crate) async fn post_expect(
    server: &TestServer,
    path: &str,
    session: &Session,
    csrf: Option<&str>,
    fields: &[(&str, &str)],
    status: u16,
) -> reqwest::Response {
    common::expect(
        "POST",
        path,
        post(server, path, session, csrf, fields).await,
        status,
    )
    .await
}

/// The value of the first `<input ... name="NAME" value="...">` in a page.
pub(crate) fn field(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&key)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + key.len();
    html[start..].split('"').next().unwrap().to_string()
}

pub(crate) fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

/// An anonymous visitor's form cookie and token, from a form page.
pub(crate) async fn public_token(server: &TestServer, path: &str) -> (String, String) {
    let r = server.get_anon(path).await;
    let cookie = common::cookie(&r);
    let html = r.text().await.unwrap();
    (cookie, field(&html, "csrf_token"))
}

/// Allocates through the portal's two steps (explain, then confirm); returns the new code.
pub(crate) async fn allocate(
    server: &TestServer,
    session: &Session,
    fields: &[(&str, &str)],
) -> String {
    let mut preview: Vec<(&str, &str)> = fields.to_vec();
    preview.push(("step", "preview"));
    let r = post_expect(
        server,
        "/portal/allocate",
        session,
        Some(&session.csrf),
        &preview,
        200,
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"confirm\""), "{html}");
    let key = field(&html, "idempotency_key");
    let mut confirm: Vec<(&str, &str)> = fields.to_vec();
    confirm.push(("step", "confirm"));
    confirm.push(("idempotency_key", &key));
    let r = post(
        server,
        "/portal/allocate",
        session,
        Some(&session.csrf),
        &confirm,
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let to = location(&r);
    let code = to
        .strip_prefix("/portal/recordings/")
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    code.to_string()
}

common::each_backend!(public_pages_answer_and_escape, worker_threads = 2);
async fn public_pages_answer_and_escape(db: common::TestDb) {
    let server = common::start(db).await;
    let (status, html) = get(&server, "/?codes=USRC176O7839%0AUSRC17607839", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("letter_in_digits"), "rule ids shown");
    assert!(html.contains("USRC17607839"));
    // The validator's form posts (a long list does not fit in a URL), with its token.
    let codes = "USRC17607839\n".repeat(6000);
    let r = server
        .post_form_anon("/", &[("codes", codes.as_str())])
        .await;
    assert_eq!(r.status(), 403);
    let (cookie, token) = public_token(&server, "/").await;
    let r = server
        .post_form_cookie(
            "/",
            &cookie,
            &[("codes", codes.as_str()), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert_eq!(html.matches("<td>valid</td>").count(), 5000);
    assert!(html.contains("Only the first 5,000 lines were checked"));
    for path in ["/check", "/apply", "/lookup", "/login"] {
        let (status, html) = get(&server, path, None).await;
        assert_eq!(status, 200, "{path}");
        if path != "/lookup" {
            assert!(html.contains("name=\"csrf_token\""), "{path} has a token");
        }
    }
    let (status, html) = get(
        &server,
        &format!("/lookup?codes={}", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(!html.contains(XSS) && html.contains(XSS_ESCAPED));

    // Errors are pages for browsers and JSON for programs.
    let (status, html) = get(&server, "/portal/recordings/USRC17607839", None).await;
    assert_eq!(status, 401);
    assert!(html.contains("<html") && html.contains("/login"));
    let r = server.get_anon_expect("/nothing-here", 404).await;
    assert_eq!(common::error_code(r).await, "not_found");
}

common::each_backend!(
    application_form_files_and_needs_its_token,
    worker_threads = 2
);
async fn application_form_files_and_needs_its_token(db: common::TestDb) {
    let server = common::start(db).await;
    let fields = [
        ("name", XSS),
        ("contact", "Owner@Label.example"),
        ("address", "1 Rue X\nMontréal"),
        ("country", "CA"),
        ("kind", "own"),
    ];
    // No token, or a token without its cookie: refused.
    let r = server.post_form_anon("/apply", &fields).await;
    assert_eq!(r.status(), 403);
    assert_eq!(common::error_code(r).await, "csrf");
    let (cookie, token) = public_token(&server, "/apply").await;
    let mut with_token = fields.to_vec();
    with_token.push(("csrf_token", &token));
    let r = server.post_form_anon("/apply", &with_token).await;
    assert_eq!(r.status(), 403, "token without the cookie");

    let r = server
        .post_form_cookie("/apply", &cookie, &with_token)
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let id = field(
        &html
            .replace("<strong id=\"application-id\">", "name=\"id\" value=\"")
            .replace("</strong>", "\""),
        "id",
    );
    let application = server.store.application(id.parse().unwrap()).await.unwrap();
    assert_eq!(application.name, XSS);
    assert_eq!(application.contact, "owner@label.example");

    // A bad field shows the form again with the message and the (escaped) values.
    let mut bad = with_token.clone();
    bad[3] = ("country", "Canada");
    let r = server.post_form_cookie("/apply", &cookie, &bad).await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("two-letter country code"), "{html}");
    assert!(!html.contains(XSS) && html.contains(XSS_ESCAPED));
}

/// The check page has the API's caps for visitors who are not signed in: a gzip that unpacks
/// past the byte cap, and more lines than the record cap, are refused with the reason (413).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_page_checks_are_capped_in_unpacked_bytes_and_records() {
    use std::io::Write as _;
    let server = common::start_with(common::sqlite(), |c| {
        c.limits.check_decompressed_bytes = 64 * 1024;
        c.limits.check_records = 1000;
    })
    .await;
    let (cookie, token) = public_token(&server, "/check").await;
    let post = |name: &'static str, bytes: Vec<u8>| {
        let form = Form::new()
            .part("file", Part::bytes(bytes).file_name(name))
            .text("action", "report")
            .text("csrf_token", token.clone());
        server
            .http
            .post(server.url("/check"))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
    };
    // 500 rows (within the record cap) of 200 KB, packed into a few KB of gzip.
    let title = "la ".repeat(130);
    let big: String = std::iter::once("isrc,title\n".to_string())
        .chain((0..500).map(|i| format!("USRC176{i:05},{title}\n")))
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(big.as_bytes()).unwrap();
    let packed = gz.finish().unwrap();
    assert!(packed.len() < 64 * 1024);
    let r = post("codes.txt.gz", packed).await.unwrap();
    assert_eq!(r.status(), 413);
    let html = r.text().await.unwrap();
    assert!(html.contains("65536 bytes"), "{html}");

    let many: String = (0..1001).map(|i| format!("USRC176{i:05}\n")).collect();
    let r = post("codes.txt", many.into_bytes()).await.unwrap();
    assert_eq!(r.status(), 413);
    let html = r.text().await.unwrap();
    assert!(html.contains("more than 1000 records"), "{html}");

    let few: String = (0..1000).map(|i| format!("USRC176{i:05}\n")).collect();
    let r = post("codes.txt", few.into_bytes()).await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<tr><th>Records</th><td>1,000</td></tr>")
            || html.contains("<tr><th>Records</th><td>1000</td></tr>"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_check_reports_and_annotates() {
    let server = common::start_with(common::sqlite(), |_| {}).await;
    let catalogue = "ISRC,Title,Artist\nUSRC17607839,Song,Band\nUSRC176O7839,<b>x</b>,Band\nUSRC17607839,Song,Band\n";
    let upload = |token: Option<&str>, action: &str| {
        let mut form = Form::new()
            .part(
                "file",
                Part::bytes(catalogue.as_bytes().to_vec()).file_name("cat.csv"),
            )
            .text("action", action.to_string());
        if let Some(t) = token {
            form = form.text("csrf_token", t.to_string());
        }
        form
    };
    let r = server
        .http
        .post(server.url("/check"))
        .multipart(upload(None, "report"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (cookie, token) = public_token(&server, "/check").await;
    let r = server
        .http
        .post(server.url("/check"))
        .header("cookie", &cookie)
        .multipart(upload(Some(&token), "report"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<tr><th>Records</th><td>3</td></tr>"),
        "{html}"
    );
    assert!(html.contains("<tr><th>Invalid</th><td>1</td></tr>"));
    assert!(html.contains("letter_in_digits"));
    assert!(html.contains("data:text/csv;charset=utf-8;base64,"));
    assert!(!html.contains("<b>x</b>"));

    let r = server
        .http
        .post(server.url("/check"))
        .header("cookie", &cookie)
        .multipart(upload(Some(&token), "csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("cat.annotated.csv")
    );
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with(
            "ISRC,Title,Artist,isrc_normalized,isrc_valid,isrc_findings,isrc_fix,duplicate_of\n"
        ),
        "{csv}"
    );
    assert!(csv.contains("USRC176O7839,<b>x</b>,Band,,false,letter_in_digits,USRC17607839,"));
}

common::each_backend!(portal_escapes_scopes_and_checks_csrf, worker_threads = 2);
async fn portal_escapes_scopes_and_checks_csrf(db: common::TestDb) {
    let server = common::start(db).await;
    server.registrant("CBAAA").await;
    server.registrant("CBBBB").await;
    let ana = server
        .login(&server.user("ana@a.example", Some("CBAAA")).await)
        .await;
    let bob = server
        .login(&server.user("bob@b.example", Some("CBBBB")).await)
        .await;
    let admin = server
        .login(&server.user("boss@agency.example", None).await)
        .await;

    let fields = [
        ("kind", "new"),
        ("title", XSS),
        ("artist", "Band"),
        ("duration", "3:30"),
    ];
    // Without the token nothing is explained or allocated.
    post_expect(&server, "/portal/allocate", &ana, None, &fields, 403).await;
    let code = allocate(&server, &ana, &fields).await;
    assert!(code.starts_with("CBAAA26"), "{code}");

    for path in [
        "/portal".to_string(),
        format!("/portal/recordings/{code}"),
        "/portal?q=script".to_string(),
    ] {
        let (status, html) = get(&server, &path, Some(&ana)).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains(XSS), "{path} escapes");
        assert!(html.contains(XSS_ESCAPED), "{path} shows the title");
    }

    // Publishing needs the token; then the lookup shows it, escaped and anonymous.
    let show = format!("/portal/recordings/{code}");
    post_expect(
        &server,
        &format!("{show}/publish"),
        &ana,
        Some("forged"),
        &[("public", "1")],
        403,
    )
    .await;
    let (_, html) = get(&server, &format!("/lookup?codes={code}"), None).await;
    assert!(
        html.contains("no recording published"),
        "unpublished stays private"
    );
    post_expect(
        &server,
        &format!("{show}/publish"),
        &ana,
        Some(&ana.csrf),
        &[("public", "1")],
        303,
    )
    .await;
    let (_, html) = get(&server, &format!("/lookup?codes={code}"), None).await;
    assert!(html.contains(XSS_ESCAPED) && !html.contains(XSS));
    for identity in [
        "Label CBAAA",
        "isrc@cbaaa.example",
        "ana@a.example",
        "CBAAA</",
    ] {
        assert!(
            !html.contains(identity),
            "lookup shows no registrant identity ({identity})"
        );
    }

    // Bob sees none of it and can change none of it, even with his own valid token.
    let (status, _) = get(&server, &show, Some(&bob)).await;
    assert_eq!(status, 404);
    for (path, fields) in [
        (format!("{show}/void"), vec![("reason", "mine now")]),
        (format!("{show}/publish"), vec![("public", "0")]),
    ] {
        let r = post(&server, &path, &bob, Some(&bob.csrf), &fields).await;
        assert_eq!(r.status(), 404, "{path}");
    }
    let derive = [
        ("kind", "version"),
        ("parent", code.as_str()),
        ("change", "remix"),
        ("step", "preview"),
    ];
    let r = post(&server, "/portal/allocate", &bob, Some(&bob.csrf), &derive).await;
    assert_eq!(r.status(), 404, "no deriving from another's recording");
    let (_, html) = get(&server, "/portal", Some(&bob)).await;
    assert!(!html.contains(&code));
    // Admins use the back office, registrants cannot.
    assert_eq!(get(&server, "/portal", Some(&admin)).await.0, 403);
    assert_eq!(
        get(&server, "/agency/applications", Some(&bob)).await.0,
        403
    );

    // Void: token and reason required; the code stays, marked void.
    post_expect(
        &server,
        &format!("{show}/void"),
        &ana,
        None,
        &[("reason", "typo")],
        403,
    )
    .await;
    post_expect(
        &server,
        &format!("{show}/void"),
        &ana,
        Some(&ana.csrf),
        &[("reason", "")],
        400,
    )
    .await;
    let r = post_expect(
        &server,
        &format!("{show}/void"),
        &ana,
        Some(&ana.csrf),
        &[("reason", "allocated twice")],
        303,
    )
    .await;
    let (_, html) = get(&server, &location(&r), Some(&ana)).await;
    assert!(html.contains("void (allocated twice)"));
}

common::each_backend!(allocation_explains_the_derive_rules, worker_threads = 2);
async fn allocation_explains_the_derive_rules(db: common::TestDb) {
    let server = common::start(db).await;
    server.registrant("CBAAA").await;
    let ana = server
        .login(&server.user("ana@a.example", Some("CBAAA")).await)
        .await;
    let parent = allocate(
        &server,
        &ana,
        &[
            ("kind", "new"),
            ("title", "Song"),
            ("artist", "Band"),
            ("duration", "3:30"),
        ],
    )
    .await;

    // A radio edit (shorter): a new ISRC, explained, then allocated and linked.
    let edit = [
        ("kind", "version"),
        ("parent", parent.as_str()),
        ("change", "edit"),
        ("policy", "ifpi"),
        ("version", "Radio Edit"),
        ("duration", "3:05"),
    ];
    let mut preview = edit.to_vec();
    preview.push(("step", "preview"));
    let html = post(&server, "/portal/allocate", &ana, Some(&ana.csrf), &preview)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<h2>New ISRC</h2>") && html.contains("ifpi.edit"),
        "{html}"
    );
    assert!(html.contains("differs by 25.0 s"));
    let child = allocate(&server, &ana, &edit).await;
    let recording = server
        .store
        .recording(child.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(recording.meta.parent.unwrap().to_string(), parent);
    assert_eq!(
        recording.meta.title, "Song",
        "the parent's metadata carried over"
    );
    assert_eq!(recording.meta.change.as_deref(), Some("edit"));

    // The same recording on another carrier keeps its ISRC: no allocate button, and a
    // forged confirmation allocates nothing.
    let carrier = [
        ("kind", "version"),
        ("parent", parent.as_str()),
        ("change", "carrier"),
        ("step", "confirm"),
        ("idempotency_key", "k"),
    ];
    let r = post_expect(
        &server,
        "/portal/allocate",
        &ana,
        Some(&ana.csrf),
        &carrier,
        200,
    )
    .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Keep the ISRC") && !html.contains("id=\"confirm\""));
    let before = server
        .store
        .recordings(&Default::default())
        .await
        .unwrap()
        .len();
    assert_eq!(before, 2);

    // An edit without a new duration is explained as a mistake, not a 500.
    let r = post_expect(
        &server,
        "/portal/allocate",
        &ana,
        Some(&ana.csrf),
        &[
            ("kind", "version"),
            ("parent", parent.as_str()),
            ("change", "edit"),
            ("step", "preview"),
        ],
        400,
    )
    .await;
    assert!(r.text().await.unwrap().contains("judged by its duration"));

    // A confirmation sent twice allocates once.
    let fields = [
        ("kind", "new"),
        ("title", "Twice"),
        ("artist", "Band"),
        ("idempotency_key", "same-key"),
        ("step", "confirm"),
    ];
    let a = location(&post(&server, "/portal/allocate", &ana, Some(&ana.csrf), &fields).await);
    let b = location(&post(&server, "/portal/allocate", &ana, Some(&ana.csrf), &fields).await);
    assert_eq!(a, b);
    assert_eq!(
        server
            .store
            .recordings(&Default::default())
            .await
            .unwrap()
            .len(),
        3
    );
}

common::each_backend!(bulk_allocation_is_all_or_nothing, worker_threads = 2);
async fn bulk_allocation_is_all_or_nothing(db: common::TestDb) {
    let server = common::start(db).await;
    server.registrant("CBAAA").await;
    let ana = server
        .login(&server.user("ana@a.example", Some("CBAAA")).await)
        .await;
    let send = |csv: &'static str, token: Option<String>| {
        let mut form = Form::new().part(
            "file",
            Part::bytes(csv.as_bytes().to_vec()).file_name("new.csv"),
        );
        if let Some(t) = token {
            form = form.text("csrf_token", t);
        }
        server
            .http
            .post(server.url("/portal/bulk"))
            .header("cookie", &ana.cookie)
            .multipart(form)
            .send()
    };
    let good = "title,artist,duration\nOne,Band,3:00\nTwo,Band,2:00\n";
    assert_eq!(send(good, None).await.unwrap().status(), 403);
    let r = send(
        "title,artist,duration\nOne,Band,3:00\nTwo,Band,3:7\nThree,,1:00\n",
        Some(ana.csrf.clone()),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("new.csv:3:3") && html.contains("new.csv:4"),
        "every bad line named: {html}"
    );
    assert!(
        server
            .store
            .recordings(&Default::default())
            .await
            .unwrap()
            .is_empty()
    );
    let r = send(good, Some(ana.csrf.clone())).await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("CBAAA2600001") && html.contains("CBAAA2600002"),
        "{html}"
    );

    // Export (the API's CSV, reached with the session cookie from the portal's link).
    let (_, page) = get(&server, "/portal", Some(&ana)).await;
    let href = field(
        &page.replace("id=\"export-distributor\"", "").replace(
            "<a href=\"/api/v1/export",
            "name=\"export\" value=\"/api/v1/export",
        ),
        "export",
    )
    .replace("&amp;", "&");
    let r = server
        .http
        .get(server.url(&href))
        .header("cookie", &ana.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("isrc,artist,title"), "{csv}");
    assert!(csv.contains("CBAAA2600002,Band,Two"));
}
