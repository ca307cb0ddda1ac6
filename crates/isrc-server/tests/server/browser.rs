//! The whole web flow in headless Chromium, driven over WebDriver (chromedriver + fantoccini),
//! in ONE browser session: apply for a registrant code -> an admin approves -> the approval mail
//! arrives at an SMTP server on loopback -> the registrant signs in with the mailed password ->
//! allocates a code -> derives a radio edit (the page explains "new ISRC") -> exports CSV.
//!
//! The test is `#[ignore = "needs Chromium"]`: `cargo test -- --include-ignored` (what `.ci/run`
//! does) runs it, and then a missing chromium or chromedriver fails it. `ISRC_UPDATE_SCREENSHOTS=1` also writes the
//! screenshots of the main pages to `docs/screenshots/`.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::chromium::{
    click, fill, open_browser, programs, screenshot, sign_in, start_driver, text_of,
};
use fantoccini::{Client, Locator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium"]
async fn apply_approve_mail_sign_in_allocate_derive_export() {
    let (chromium, chromedriver) = programs();

    let (server, mut mail) = common::start_with_smtp(common::sqlite(), |_| {}).await;
    let admin = server.user("boss@agency.example", None).await;
    let base = server.base.clone();
    let driver = start_driver(&chromedriver).await;
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let browser = open_browser(&driver, &chromium, profile.path(), downloads.path()).await;
    let downloaded = downloads.path().join("catalogue.annotated.csv");
    // The flow runs in its own task so that the browser is closed even when it fails.
    let session = browser.clone();
    let result = tokio::spawn(async move {
        flow(&session, &server, &base, &admin, &mut mail, &downloaded).await;
    })
    .await;
    let _ = browser.close().await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn flow(
    browser: &Client,
    server: &common::TestServer,
    base: &str,
    admin: &str,
    mail: &mut tokio::sync::mpsc::UnboundedReceiver<common::smtp::Received>,
    downloaded: &Path,
) {
    // Public pages: the validator and a catalogue check.
    browser.goto(&format!("{base}/")).await.unwrap();
    fill(
        browser,
        "#codes",
        "USRC17607839\nusrc176o7839\nGB-AYE-06-01498\nCA-K40-99-00001\nUS-ABC",
    )
    .await;
    click(browser, "form[action='/'] button").await;
    assert!(
        text_of(browser, "#verdicts")
            .await
            .contains("letter_in_digits")
    );
    screenshot(browser, "validator").await;

    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("catalogue.csv");
    std::fs::write(
        &catalogue,
        "ISRC,Title,Artist,Duration\nUSRC17607839,Yesterday,The Band,3:05\nUS-RC1-76-07839,Yesterday (Live),The Band,3:40\nGBAYE0601498,Song,Someone,2:00\nGBAYE06O1499,Other,Someone,2:00\n",
    )
    .unwrap();
    browser.goto(&format!("{base}/check")).await.unwrap();
    browser
        .find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(&catalogue.display().to_string())
        .await
        .unwrap();
    click(browser, "button[value='report']").await;
    let summary = text_of(browser, "#summary").await;
    assert!(summary.contains("Records 4"), "{summary}");
    screenshot(browser, "check-report").await;
    // The annotated CSV link (a data: URL, no state on the server) downloads the file.
    click(browser, "#annotated").await;
    let mut annotated = String::new();
    for _ in 0..100 {
        if let Ok(text) = std::fs::read_to_string(downloaded)
            && text.ends_with('\n')
        {
            annotated = text;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        annotated.starts_with("ISRC,Title,Artist,Duration,isrc_normalized,isrc_valid"),
        "annotated CSV downloaded: {annotated:?}"
    );
    assert!(annotated.contains("GBAYE06O1499,Other,Someone,2:00,,false,letter_in_digits"));

    // Apply for a registrant code.
    browser.goto(&format!("{base}/apply")).await.unwrap();
    fill(browser, "#name", "Northern Lights Records").await;
    fill(browser, "#contact", "owner@northern.example").await;
    fill(browser, "#address", "12 Rue du Port\nMontréal QC").await;
    fill(browser, "#country", "CA").await;
    screenshot(browser, "application-form").await;
    click(browser, "form[action='/apply'] button").await;
    let id = text_of(browser, "#application-id").await;

    // The admin approves it.
    sign_in(browser, base, admin, common::PASSWORD).await;
    let queue = text_of(browser, &format!("#application-{id}")).await;
    assert!(queue.contains("Northern Lights Records"));
    screenshot(browser, "applications-queue").await;
    click(
        browser,
        &format!("#application-{id} form[action$='/approve'] button"),
    )
    .await;
    let notice = text_of(browser, "#notice").await;
    assert!(notice.contains("registrant code CBAAA issued"), "{notice}");
    assert!(notice.contains("the mail was sent"), "{notice}");

    // The mail arrives over SMTP, with the code, how to build ISRCs, and the sign-in.
    let received = tokio::time::timeout(Duration::from_secs(30), mail.recv())
        .await
        .expect("the approval mail within 30 s")
        .expect("a mail");
    assert!(received.to[0].contains("owner@northern.example"));
    let body = received.data;
    assert!(body.contains("CB-AAA"), "{body}");
    assert!(body.contains("How to construct your ISRCs"));
    let password: String = body
        .split("with the password ")
        .nth(1)
        .expect("a password in the mail")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();

    // The outbox copy admins read does not hold the password, though SMTP took the mail.
    let kept = server.store.outbox(10).await.unwrap();
    assert!(kept[0].body.contains("[sent by e-mail; not kept]"));
    assert!(!kept[0].body.contains(&password));

    // The registrant signs in with it, and must choose their own password first: every page
    // leads to the account page until then.
    click(browser, "form[action='/logout'] button").await;
    sign_in(browser, base, "owner@northern.example", &password).await;
    assert!(
        text_of(browser, "#must-change")
            .await
            .contains("choose your own")
    );
    browser.goto(&format!("{base}/portal")).await.unwrap();
    assert!(browser.current_url().await.unwrap().path() == "/account");
    // A weak one is refused, with the reason.
    fill(browser, "#current", &password).await;
    fill(browser, "#new", "aaaaaaaaaaaaaaaa").await;
    click(browser, "form[action='/account'] button").await;
    assert!(
        text_of(browser, ".error")
            .await
            .contains("too easy to guess")
    );
    fill(browser, "#current", &password).await;
    fill(browser, "#new", "northern-ferry-saffron-42").await;
    click(browser, "form[action='/account'] button").await;
    sign_in(
        browser,
        base,
        "owner@northern.example",
        "northern-ferry-saffron-42",
    )
    .await;
    assert!(text_of(browser, "h1").await.contains("CBAAA"));

    // Allocates a code for a new recording...
    click(browser, "a[href='/portal/allocate']").await;
    text_of(browser, "#question").await;
    click(browser, "#kind-new").await;
    fill(browser, "#title", "Midnight Train").await;
    fill(browser, "#artist", "Northern Lights").await;
    fill(browser, "#duration", "3:45").await;
    click(browser, "#explain").await;
    assert!(text_of(browser, "#decision").await.contains("New ISRC"));
    click(browser, "#confirm").await;
    assert!(text_of(browser, "#notice").await.contains("Allocated"));
    let parent = browser
        .current_url()
        .await
        .unwrap()
        .path()
        .trim_start_matches("/portal/recordings/")
        .to_string();
    assert_eq!(parent, "CBAAA2600001");

    // ...then a radio edit of it: shorter, so a new ISRC, explained before allocating.
    click(browser, "#derive").await;
    text_of(browser, "#question").await;
    browser
        .find(Locator::Css("#change"))
        .await
        .unwrap()
        .select_by_value("edit")
        .await
        .unwrap();
    fill(browser, "#version", "Radio Edit").await;
    fill(browser, "#duration", "3:10").await;
    click(browser, "#explain").await;
    let decision = text_of(browser, "#decision").await;
    assert!(decision.contains("New ISRC"), "{decision}");
    assert!(
        decision.contains("ifpi.edit") && decision.contains("35.0 s"),
        "{decision}"
    );
    screenshot(browser, "allocation-decision").await;
    click(browser, "#confirm").await;
    let shown = text_of(browser, "#recording").await;
    assert!(
        shown.contains("Radio Edit") && shown.contains(&parent),
        "{shown}"
    );

    // The list, and the export (the portal's link, with the browser's session cookie).
    browser.goto(&format!("{base}/portal")).await.unwrap();
    let list = text_of(browser, "#recordings").await;
    assert!(list.contains("CBAAA2600002") && list.contains("Radio Edit"));
    screenshot(browser, "registrant-recordings").await;
    // At a phone's width (390 px) no page is wider than the screen: wide tables scroll in
    // their own box.
    browser.set_window_size(390, 844).await.unwrap();
    for path in [
        "/portal",
        "/portal/recordings/CBAAA2600002",
        "/account",
        "/account/tokens",
        "/",
    ] {
        browser.goto(&format!("{base}{path}")).await.unwrap();
        let widths = browser
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (page, screen) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
        assert!(screen <= 400, "the window is phone-sized: {screen}");
        assert!(
            page <= screen,
            "{path} is {page} px wide on a {screen} px screen"
        );
    }
    browser.goto(&format!("{base}/portal")).await.unwrap();
    screenshot(browser, "registrant-recordings-390px").await;
    browser.set_window_size(1280, 1000).await.unwrap();
    let href = browser
        .find(Locator::Css("#export-distributor"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let cookie = browser.get_named_cookie("isrc_session").await.unwrap();
    let csv = server
        .http
        .get(format!("{base}{href}"))
        .header("cookie", format!("isrc_session={}", cookie.value()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "isrc,artist,title,version,duration,duration_seconds,type,published,client,parent,change,status"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        csv.contains("CBAAA2600001,Northern Lights,Midnight Train,,3:45,225,audio,,,,,active"),
        "{csv}"
    );
    assert!(csv.contains("CBAAA2600002,Northern Lights,Midnight Train,Radio Edit,3:10,190,audio,,,CBAAA2600001,edit,active"), "{csv}");
}
