//! Headless Chromium over WebDriver (chromedriver + fantoccini) for the browser tests: find the
//! programs, start chromedriver on a free loopback port, open a session, and the few actions
//! the tests take (fill, click, wait for text, sign in, screenshots).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// The first of `names` found on `PATH`.
pub fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// chromedriver on a free loopback port; killed when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_driver(program: &Path) -> Driver {
    start_driver_in_zone(program, None).await
}

/// [`start_driver`], with the browsers it starts in time zone `zone` (`TZ`, inherited by
/// Chromium), when given.
pub async fn start_driver_in_zone(program: &Path, zone: Option<&str>) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(program);
    if let Some(zone) = zone {
        command.env("TZ", zone);
    }
    let child = command
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let driver = Driver { child, port };
    // Ready when it accepts connections (a slow machine may take a few seconds).
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on port {port}");
}

pub async fn open_browser(
    driver: &Driver,
    chromium: &Path,
    profile: &Path,
    downloads: &Path,
) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
    ]
    .iter()
    .map(|a| a.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect::<Vec<_>>();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": args,
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
            },
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session in headless Chromium")
}

/// Saves a screenshot of the page when `ISRC_UPDATE_SCREENSHOTS` is set.
pub async fn screenshot(browser: &Client, name: &str) {
    if std::env::var_os("ISRC_UPDATE_SCREENSHOTS").is_none() {
        return;
    }
    let png = browser.screenshot().await.expect("screenshot");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

pub async fn fill(browser: &Client, css: &str, text: &str) {
    let field = browser.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

pub async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits for an element of the next page and returns its text (looking again when the page
/// was replaced between finding the element and reading it).
pub async fn text_of(browser: &Client, css: &str) -> String {
    let mut last = None;
    for _ in 0..50 {
        let element = browser
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match element.text().await {
            Ok(text) => return text,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}: {last:?}");
}

/// Waits until the element's text holds `needle` (a form just submitted may still show the
/// page it replaces) and returns that text; panics with the last text after 30 s.
pub async fn text_containing(browser: &Client, css: &str, needle: &str) -> String {
    let mut text = String::new();
    for _ in 0..300 {
        text = text_of(browser, css).await;
        if text.contains(needle) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {needle:?}; last: {text}");
}

/// Waits until `css` matches exactly `count` elements (the next page may not be there yet).
pub async fn wait_for_count(browser: &Client, css: &str, count: usize) {
    let mut seen = 0;
    for _ in 0..300 {
        seen = browser
            .find_all(Locator::Css(css))
            .await
            .map_or(0, |all| all.len());
        if seen == count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}: {seen} elements, not {count}");
}

pub async fn sign_in(browser: &Client, base: &str, email: &str, password: &str) {
    // A sign-out form posted just before may still be on its way: until its answer has cleared
    // the session, /login sends a signed-in browser on to its portal, which has no e-mail box.
    // So the login page is asked for again until its form is there.
    for attempt in 0.. {
        browser.goto(&format!("{base}/login")).await.unwrap();
        let form = browser
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css("#email"))
            .await;
        match form {
            Ok(_) => break,
            Err(e) if attempt == 5 => panic!("the login page shows no #email: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    fill(browser, "#email", email).await;
    fill(browser, "#password", password).await;
    click(browser, "form[action='/login'] button").await;
}

/// chromium and chromedriver from `PATH`; panics (the test needs them) when either is missing.
pub fn programs() -> (PathBuf, PathBuf) {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let chromedriver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        panic!(
            "this test needs Chromium: chromium or chromedriver is not on PATH \
             (apt-get install chromium chromium-driver), or run without --include-ignored"
        );
    };
    (chromium, chromedriver)
}
