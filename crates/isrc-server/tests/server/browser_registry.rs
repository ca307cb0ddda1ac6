//! Issue 15 in headless Chromium: search before assigning (the allocation page names the code
//! the recording already has, with a link), correcting a recording (the page shows the edit in
//! its history with before and after, in the viewer's time zone; an edit that makes another
//! recording points to a new version), and the public search with its pages.
//!
//! `#[ignore = "needs Chromium"]`: `cargo test -- --include-ignored` runs it, and then a missing
//! chromium or chromedriver fails it.

use crate::common;

use common::chromium::{
    click, fill, open_browser, programs, sign_in, start_driver, text_containing, text_of,
    wait_for_count,
};
use fantoccini::{Client, Locator};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium"]
async fn search_before_assigning_edit_with_history_public_search() {
    let (chromium, chromedriver) = programs();
    let server = common::start(common::sqlite()).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    // 23 published recordings "Snow N" and one the browser will allocate again.
    for i in 0..23 {
        let r = server
            .post_expect(
                "/api/v1/allocations",
                &ana,
                json!({"title": format!("Snow {i}"), "artist": "Ariane", "duration": "2:00"}),
                201,
            )
            .await;
        let body: serde_json::Value = r.json().await.unwrap();
        let code = body["isrcs"][0].as_str().unwrap().to_string();
        server
            .put_expect(
                &format!("/api/v1/recordings/{code}/public"),
                &ana,
                json!({"public": true}),
                200,
            )
            .await;
    }
    let driver = start_driver(&chromedriver).await;
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let browser = open_browser(&driver, &chromium, profile.path(), downloads.path()).await;
    let session = browser.clone();
    let base = server.base.clone();
    let result = tokio::spawn(async move { flow(&session, &base).await }).await;
    let _ = browser.close().await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
    drop(server);
}

async fn flow(browser: &Client, base: &str) {
    sign_in(
        browser,
        base,
        "ana@xyz.example",
        "tulip-orbit-canvas-quarry",
    )
    .await;
    text_of(browser, "#notice, h1").await;

    // Search before assigning: "Snow 0" by Ariane, 2:04, is CBXYZ2600001 already.
    browser
        .goto(&format!("{base}/portal/allocate"))
        .await
        .unwrap();
    click(browser, "#kind-new").await;
    fill(browser, "#title", "SNOW 0").await;
    fill(browser, "#artist", "ariane").await;
    fill(browser, "#duration", "2:04").await;
    click(browser, "#explain").await;
    let existing = text_of(browser, "#existing").await;
    assert!(
        existing.contains("already has ISRC CBXYZ2600001"),
        "{existing}"
    );
    click(browser, "#existing a").await;
    assert!(text_of(browser, "h1").await.contains("CBXYZ2600001"));

    // Correct the title and the duration (within 10 s), then see the history.
    click(browser, "#edit").await;
    fill(browser, "#title", "Snow 0 (corrected)").await;
    fill(browser, "#duration", "2:06").await;
    click(browser, "#save").await;
    assert!(text_of(browser, "#notice").await.contains("Corrected"));
    let history = text_of(browser, "#history li[data-action='recording.edit']").await;
    assert!(history.contains("Snow 0 (corrected)"), "{history}");
    assert!(
        history.contains("2:00") && history.contains("2:06"),
        "{history}"
    );
    // Shown in the viewer's time zone by the page's script (the UTC stamp is in the title).
    let time = browser
        .find(Locator::Css(
            "#history li[data-action='recording.edit'] time",
        ))
        .await
        .unwrap();
    assert_eq!(time.attr("data-local").await.unwrap().as_deref(), Some("1"));
    assert!(
        time.attr("title")
            .await
            .unwrap()
            .unwrap()
            .contains("shown in")
    );

    // A duration far away is another recording: refused, with the way to a new version.
    click(browser, "#edit").await;
    fill(browser, "#duration", "3:30").await;
    click(browser, "#save").await;
    assert!(text_of(browser, "#error").await.contains("more than 10 s"));
    click(browser, "#derive-instead a").await;
    assert!(text_of(browser, "#question").await.contains("version"));

    // The public search, signed out: 23 matches in pages of 20, the corrected title found.
    browser.goto(&format!("{base}/search")).await.unwrap();
    fill(browser, "#q", "snow ARIANE").await;
    click(browser, "#search").await;
    wait_for_count(browser, "#results tbody tr", 20).await;
    click(browser, "#next").await;
    wait_for_count(browser, "#results tbody tr", 3).await;
    assert!(
        browser.find(Locator::Css("#next")).await.is_err(),
        "the last page"
    );
    fill(browser, "#q", "corrected").await;
    click(browser, "#search").await;
    text_containing(browser, "#results", "CBXYZ2600001").await;
}
