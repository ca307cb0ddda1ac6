//! The budget of the expensive endpoints over real HTTP, on SQLite and PostgreSQL: a flood of
//! large validate and check requests gets 503 with `Retry-After` once the bytes in flight reach
//! the budget, while health checks and allocations are all answered; anonymous checks are
//! capped in unpacked bytes and records (413 with a JSON error); validate answers in chunks,
//! byte for byte what one buffer gave. An xlsx (a zip) is capped the same way: by the sizes its
//! entries declare, by what they really unpack to, and by its rows.

use crate::common;

use std::collections::HashSet;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::error_code;
use serde_json::{Value, json};

fn lines(n: usize) -> String {
    (0..n)
        .map(|i| format!("USRC176{:05}\n", i % 100_000))
        .collect()
}

common::each_backend!(
    a_flood_gets_503_while_health_and_allocations_are_answered,
    worker_threads = 4
);
async fn a_flood_gets_503_while_health_and_allocations_are_answered(db: common::TestDb) {
    let server = common::start_with(db, |c| {
        c.limits.in_flight_bytes = 300 * 1024;
        c.limits.public_per_minute = 1_000_000;
        // No waiting for room: on a quiet machine the flood's requests are served within the
        // default half-second wait, and the budget would never be seen to refuse.
        c.limits.budget_wait = std::time::Duration::ZERO;
    })
    .await;
    let name = server.db_name;
    server.user("admin@agency.example", None).await;
    let admin = server.login("admin@agency.example").await;
    let ana = server
        .registrant_user(&admin, "CBFLD", "ana@flood.example")
        .await;
    let server = Arc::new(server);
    // 100 KB bodies: three fit in the budget at once.
    let body = Arc::new(lines(100 * 1024 / 13));
    let stop = Arc::new(AtomicBool::new(false));
    let (busy, ok) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut flood = Vec::new();
    for client in 0..12 {
        let (server, body, stop) = (server.clone(), body.clone(), stop.clone());
        let (busy, ok) = (busy.clone(), ok.clone());
        flood.push(tokio::spawn(async move {
            let path = if client % 2 == 0 {
                "/api/v1/validate"
            } else {
                "/api/v1/check"
            };
            while !stop.load(Ordering::SeqCst) {
                let r = server
                    .post_body_anon(path, Some("text/plain"), body.to_string())
                    .await;
                match r.status().as_u16() {
                    200 => {
                        r.bytes().await.unwrap();
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                    503 => {
                        assert_eq!(
                            r.headers().get("retry-after").unwrap().to_str().unwrap(),
                            "1"
                        );
                        assert_eq!(error_code(r).await, "busy");
                        busy.fetch_add(1, Ordering::SeqCst);
                    }
                    other => panic!("{path}: {other} {}", r.text().await.unwrap()),
                }
            }
        }));
    }
    // While the flood runs: health checks and single allocations, every one answered.
    let mut codes = HashSet::new();
    for i in 0..40 {
        let r = server.get_anon("/healthz").await;
        assert_eq!(r.status(), 200, "[{name}] healthz under the flood");
        let r = server
            .post(
                "/api/v1/allocations",
                &ana,
                json!({"title": format!("Flood {i}"), "artist": "Ana"}),
            )
            .await;
        assert_eq!(r.status(), 201, "[{name}] allocation under the flood");
        let answer: Value = r.json().await.unwrap();
        assert!(codes.insert(answer["isrcs"][0].as_str().unwrap().to_string()));
    }
    // Enough flood requests to be sure the budget was reached.
    for _ in 0..3000 {
        if busy.load(Ordering::SeqCst) >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        busy.load(Ordering::SeqCst) >= 5,
        "[{name}] the flood never reached the budget"
    );
    stop.store(true, Ordering::SeqCst);
    for task in flood {
        task.await.unwrap();
    }
    assert!(
        ok.load(Ordering::SeqCst) > 0,
        "[{name}] some of the flood is served"
    );
    assert_eq!(codes.len(), 40);
    // The budget comes back: once the flood is over, a large request passes again.
    let r = server
        .post_body_anon("/api/v1/validate", Some("text/plain"), body.to_string())
        .await;
    assert_eq!(r.status(), 200, "[{name}] after the flood");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_checks_are_capped_in_unpacked_bytes_and_records() {
    let server = common::start_with(common::sqlite(), |c| {
        c.limits.check_decompressed_bytes = 1024 * 1024;
        c.limits.check_records = 1000;
        c.limits.anonymous_body_bytes = 64 * 1024;
    })
    .await;
    let check = |body: Vec<u8>, name: &str| {
        server
            .http
            .post(server.url(&format!("/api/v1/check?name={name}")))
            .body(body)
            .send()
    };
    // A gzip bomb: a few KB that unpack to 8 MB of long lines (800 of them: under the record
    // cap), and the same inside a second gzip layer.
    let mut text = Vec::with_capacity(8 * 1024 * 1024);
    while text.len() < 8 * 1024 * 1024 {
        text.extend_from_slice(&[b'A'; 10_239]);
        text.push(b'\n');
    }
    let bomb = gzip(&text);
    assert!(bomb.len() < 64 * 1024);
    for (body, layers) in [(bomb.clone(), "one"), (gzip(&bomb), "two")] {
        let r = check(body, "list.txt.gz").await.unwrap();
        assert_eq!(r.status(), 413, "{layers} gzip layers");
        let error: Value = r.json().await.unwrap();
        assert_eq!(error["code"], "decompressed_too_large", "{error}");
        assert!(
            error["message"].as_str().unwrap().contains("1048576 bytes"),
            "{error}"
        );
    }
    // Records: 1000 pass (plus the header), 1001 do not, packed or not.
    let catalogue = |n: usize| format!("isrc\n{}", lines(n));
    let r = check(catalogue(1000).into_bytes(), "c.csv").await.unwrap();
    assert_eq!(r.status(), 200);
    let summary: Value = r.json().await.unwrap();
    assert_eq!(summary["records"], 1000, "{summary}");
    for body in [
        catalogue(1001).into_bytes(),
        gzip(catalogue(1001).as_bytes()),
    ] {
        let r = check(body, "c.csv").await.unwrap();
        assert_eq!(r.status(), 413);
        let error: Value = r.json().await.unwrap();
        assert_eq!(error["code"], "too_many_records", "{error}");
    }
    // The anonymous body cap, with and without Content-Length.
    let r = check(lines(10_000).into_bytes(), "c.txt").await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(error_code(r).await, "body_too_large");
    // Chunked, without Content-Length: cut off at the cap all the same.
    let addr = server.base.trim_start_matches("http://").to_string();
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::Read as _;
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        let mut request = format!(
            "POST /api/v1/validate HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        let chunk = lines(100);
        for _ in 0..80 {
            request.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
        }
        request.push_str("0\r\n\r\n");
        let _ = stream.write_all(request.as_bytes());
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("body_too_large"), "{answer}");
    // A signed-in caller is not held to the anonymous caps.
    server.user("admin@agency.example", None).await;
    let admin = server.login("admin@agency.example").await;
    let r = server
        .with_session(
            server.http.post(server.url("/api/v1/check?name=c.csv")),
            &admin,
        )
        .body(catalogue(5000))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let summary: Value = r.json().await.unwrap();
    assert_eq!(summary["records"], 5000, "{summary}");
}

/// An xlsx workbook with inline strings, its parts deflated.
fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    isrc_test_support::xlsx::workbook(rows, true)
}

/// A catalogue sheet: a header, then `n` records, each with a `pad`-byte title.
fn sheet_rows(n: usize, pad: usize) -> Vec<Vec<String>> {
    let mut rows = vec![vec!["isrc".to_string(), "title".to_string()]];
    rows.extend((0..n).map(|i| vec![format!("USRC176{:05}", i % 100_000), "T".repeat(pad)]));
    rows
}

/// The zip with the uncompressed size that `entry` declares (in its local header and in the
/// central directory) replaced by `size`: a lie.
fn declare_size(mut zip: Vec<u8>, entry: &str, size: u32) -> Vec<u8> {
    let u16_at = |z: &[u8], i: usize| usize::from(u16::from_le_bytes([z[i], z[i + 1]]));
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        // (signature, offset of the name length, of the name, of the uncompressed size)
        let header = match &zip[i..i + 4] {
            b"PK\x03\x04" => (26, 30, 22),
            b"PK\x01\x02" => (28, 46, 24),
            _ => continue,
        };
        let len = u16_at(&zip, i + header.0);
        if zip.get(i + header.1..i + header.1 + len) == Some(entry.as_bytes()) {
            zip[i + header.2..i + header.2 + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "the local header and the central directory");
    zip
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_xlsx_checks_are_capped_in_unpacked_bytes_and_records() {
    let server = common::start_with(common::sqlite(), |c| {
        c.limits.check_decompressed_bytes = 256 * 1024;
        c.limits.check_records = 1000;
        c.limits.anonymous_body_bytes = 64 * 1024;
    })
    .await;
    let check = |body: Vec<u8>, token: Option<&str>| {
        let mut request = server
            .http
            .post(server.url("/api/v1/check?name=catalogue.xlsx"))
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    // A small, ordinary workbook: checked anonymously.
    let r = check(xlsx(&sheet_rows(20, 10)), None).await.unwrap();
    assert_eq!(r.status(), 200);
    let summary: Value = r.json().await.unwrap();
    assert_eq!(summary["records"], 20, "{summary}");
    // A workbook that packs into a few KB and unpacks to about 1 MB (under the record cap).
    let big = xlsx(&sheet_rows(900, 1000));
    assert!(big.len() < 64 * 1024, "{} bytes packed", big.len());
    let r = check(big.clone(), None).await.unwrap();
    assert_eq!(r.status(), 413);
    let error: Value = r.json().await.unwrap();
    assert_eq!(error["code"], "decompressed_too_large", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("262144 bytes"),
        "{error}"
    );
    // The same inside gzip.
    let r = check(gzip(&big), None).await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(error_code(r).await, "decompressed_too_large");
    // A sheet that declares 1000 bytes and holds about 1 MB: refused, not trusted.
    let liar = declare_size(big.clone(), "xl/worksheets/sheet1.xml", 1000);
    let r = check(liar, None).await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(error_code(r).await, "decompressed_too_large");
    // Records: rows, not lines. 1000 pass, 1001 do not (in both outputs).
    let r = check(xlsx(&sheet_rows(1000, 1)), None).await.unwrap();
    assert_eq!(r.status(), 200);
    let summary: Value = r.json().await.unwrap();
    assert_eq!(summary["records"], 1000, "{summary}");
    for output in ["json", "csv"] {
        let r = server
            .post_body_anon(
                &format!("/api/v1/check?name=catalogue.xlsx&output={output}"),
                None,
                xlsx(&sheet_rows(1001, 1)),
            )
            .await;
        assert_eq!(r.status(), 413, "{output}");
        assert_eq!(error_code(r).await, "too_many_records", "{output}");
    }
    // With an API token, the big workbook is checked.
    server.user("admin@agency.example", None).await;
    let admin = server.login("admin@agency.example").await;
    let ana = server
        .registrant_user(&admin, "CBXLS", "ana@xlsx.example")
        .await;
    // A POST with a token needs the allocate scope; with too few it counts as anonymous.
    let r = server
        .post_expect(
            "/api/v1/tokens",
            &ana,
            json!({"name": "ci", "scopes": ["allocate"]}),
            201,
        )
        .await;
    let body: Value = r.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    let r = check(big, Some(token)).await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let summary: Value = r.json().await.unwrap();
    assert_eq!(summary["records"], 900, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_streams_the_same_answer_as_one_report_per_code() {
    let server = common::start_with(common::sqlite(), |_| {}).await;
    // Several chunks, the last one short; valid and invalid codes.
    let codes: Vec<String> = (0..2500)
        .map(|i| {
            if i % 7 == 0 {
                format!("usrc176o{i:04}")
            } else {
                format!("USRC176{i:05}")
            }
        })
        .collect();
    let r = server.post_json_anon("/api/v1/validate", &codes).await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    let mut expected = String::from("[");
    for (i, code) in codes.iter().enumerate() {
        if i > 0 {
            expected.push(',');
        }
        isrc::check(code, &policy).write_json(&mut expected);
    }
    expected.push(']');
    assert_eq!(text, expected);
    let r = server
        .post_json_anon("/api/v1/validate", &Vec::<String>::new())
        .await;
    assert_eq!(r.text().await.unwrap(), "[]");
}
