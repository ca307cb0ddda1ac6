//! Issue 15's cursor pages over HTTP, on SQLite and PostgreSQL: recordings, registrants and
//! the audit log give every row once while rows are added between pages, in any sort order;
//! limits out of bounds, unknown sort columns and forged cursors answer 400.

use crate::common;

use serde_json::{Value, json};

async fn allocate(server: &common::TestServer, who: &common::Session, title: &str, secs: u32) {
    let r = server
        .post(
            "/api/v1/allocations",
            who,
            json!({"title": title, "artist": "Ariane", "duration_ms": secs * 1000, "force": true}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

/// Walks `path` page by page (limit 3), allocating one recording between pages; the ISRCs seen.
async fn walk(server: &common::TestServer, who: &common::Session, path: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut url = format!("{path}&limit=3");
    let mut between = 0;
    loop {
        let r = server.get(&url, who).await;
        assert_eq!(r.status(), 200, "{url}");
        let page = common::json(r).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3, "{page}");
        seen.extend(
            items
                .iter()
                .map(|r| r["isrc"].as_str().unwrap().to_string()),
        );
        let Some(next) = page["next"].as_str() else {
            break;
        };
        allocate(server, who, &format!("Entre {between}"), 100 + between).await;
        between += 1;
        url = format!("{path}&limit=3&after={next}");
    }
    assert!(between >= 3, "several pages");
    seen
}

common::each_backend!(recording_pages, worker_threads = 2);
async fn recording_pages(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    // Titles out of code order, two equal (the ISRC breaks the tie).
    for (i, title) in [
        "Mai", "Avril", "Zéphyr", "Brume", "Avril", "Neige", "Été", "Ciel",
    ]
    .iter()
    .enumerate()
    {
        allocate(&server, &ana, title, 200 + i as u32 * 20).await;
    }
    let before: Vec<Value> = common::json(server.get("/api/v1/recordings?limit=1000", &ana).await)
        .await["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(before.len(), 8);
    for (sort, dir) in [
        ("isrc", "asc"),
        ("title", "asc"),
        ("title", "desc"),
        ("duration", "desc"),
    ] {
        let seen = walk(
            &server,
            &ana,
            &format!("/api/v1/recordings?sort={sort}&dir={dir}"),
        )
        .await;
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            seen.len(),
            "no row twice ({sort} {dir}): {seen:?}"
        );
        for r in &before {
            assert!(
                seen.contains(&r["isrc"].as_str().unwrap().to_string()),
                "every row there at the start ({sort} {dir})"
            );
        }
        // The order asked for: the full list in one page, sorted the same way.
        let all = common::json(
            server
                .get(
                    &format!("/api/v1/recordings?sort={sort}&dir={dir}&limit=1000"),
                    &ana,
                )
                .await,
        )
        .await;
        let all: Vec<String> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["isrc"].as_str().unwrap().to_string())
            .collect();
        let order: Vec<&String> = all.iter().filter(|i| seen.contains(i)).collect();
        assert_eq!(order, seen.iter().collect::<Vec<_>>(), "{sort} {dir}");
    }
    // Byte order of titles on both databases: "Été" (É, U+00C9) after "Zéphyr".
    let page = common::json(
        server
            .get("/api/v1/recordings?sort=title&dir=desc&limit=2", &ana)
            .await,
    )
    .await;
    assert_eq!(page["items"][0]["title"], "Été", "{page}");
    assert_eq!(page["items"][1]["title"], "Zéphyr", "{page}");
    let page = common::json(
        server
            .get("/api/v1/recordings?sort=title&limit=2", &ana)
            .await,
    )
    .await;
    assert_eq!(
        (
            page["items"][0]["title"].as_str(),
            page["items"][1]["title"].as_str()
        ),
        (Some("Avril"), Some("Avril"))
    );

    // Refusals: 400 with a clear message, never a panic.
    for (path, says) in [
        ("/api/v1/recordings?sort=colour", "sort by isrc, title"),
        ("/api/v1/recordings?dir=up", "use asc or desc"),
        ("/api/v1/recordings?limit=0", "1 to 1000"),
        ("/api/v1/recordings?limit=1001", "1 to 1000"),
        ("/api/v1/recordings?after=xyz", "not a cursor of this list"),
        ("/api/v1/registrants?sort=isrc", "sort by prefix"),
        ("/api/v1/audit?after=%22%22", "not a cursor"),
    ] {
        let r = server.get(path, &ana).await;
        assert_eq!(r.status(), 400, "{path}");
        let body = common::json(r).await;
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{path}: {body}"
        );
    }
    // A recordings cursor is no cursor of the audit log, nor of another sort order.
    let page = common::json(
        server
            .get("/api/v1/recordings?limit=2&sort=title", &ana)
            .await,
    )
    .await;
    let next = page["next"].as_str().unwrap();
    let r = server
        .get(&format!("/api/v1/audit?after={next}"), &ana)
        .await;
    assert_eq!(r.status(), 400);
    let r = server
        .get(
            &format!("/api/v1/recordings?sort=artist&after={next}"),
            &ana,
        )
        .await;
    assert_eq!(r.status(), 400);
}

common::each_backend!(registrant_and_audit_pages, worker_threads = 2);
async fn registrant_and_audit_pages(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    for p in ["CBAAB", "CBAAC", "CBAAD", "CBAAE"] {
        server.registrant(p).await;
    }
    let mut prefixes = Vec::new();
    let mut url = "/api/v1/registrants?limit=2".to_string();
    loop {
        let page = common::json(server.get(&url, &admin).await).await;
        prefixes.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["prefix"].as_str().unwrap().to_string()),
        );
        match page["next"].as_str() {
            Some(next) => url = format!("/api/v1/registrants?limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(prefixes, ["CBAAB", "CBAAC", "CBAAD", "CBAAE", "CBXYZ"]);
    // A registrant user sees its own only.
    let own = common::json(server.get("/api/v1/registrants", &ana).await).await;
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    assert_eq!(own["items"][0]["prefix"], "CBXYZ");

    allocate(&server, &ana, "Première neige", 205).await;
    allocate(&server, &ana, "Dégel", 190).await;
    // The admin's whole log, newest first; ana's own prefix only; one recording.
    let all = common::json(
        server
            .get("/api/v1/audit?dir=desc&limit=1000", &admin)
            .await,
    )
    .await;
    let ids: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let mine = common::json(server.get("/api/v1/audit", &ana).await).await;
    let subjects: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert!(
        subjects.iter().all(|s| s.starts_with("CBXYZ")),
        "{subjects:?}"
    );
    assert!(subjects.contains(&"CBXYZ2600002"));
    let one = common::json(server.get("/api/v1/audit?isrc=CB-XYZ-26-00002", &ana).await).await;
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert_eq!(one["items"][0]["action"], "allocate");
    assert_eq!(one["items"][0]["actor"], "user:ana@xyz.example");
    // Another registrant's log, or the whole log, is not ana's to read.
    let r = server.get("/api/v1/audit?prefix=CBAAB", &ana).await;
    assert_eq!(r.status(), 403);
    let r = server.get("/api/v1/audit?isrc=CBAAB2600001", &ana).await;
    assert_eq!(r.status(), 403);
}
