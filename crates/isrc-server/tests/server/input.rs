//! What comes in and goes out (issue 14), over real HTTP on SQLite and (when configured)
//! PostgreSQL: CSV exports that a spreadsheet cannot run, control characters refused, a
//! derivation's own date of first publication, unknown JSON fields refused, literal search,
//! banners by message id, no caching of signed-in pages.

use crate::common;

use common::{error_code, json};
use serde_json::{Value, json};

common::each_backend!(
    csv_exports_neutralise_formulas_and_json_keeps_the_text,
    worker_threads = 2
);
async fn csv_exports_neutralise_formulas_and_json_keeps_the_text(db: common::TestDb) {
    let (server, _, ana) = common::start_with_ana(db).await;
    let r = server
        .post(
            "/api/v1/allocations",
            &ana,
            json!({
                "title": "=HYPERLINK(\"http://evil.example\",\"click\")",
                "artist": "+SUM(1,2)",
                "version": "-2+3",
                "language": "@A1",
                "duration": "3:05"
            }),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", server.db_name);
    for profile in ["distributor", "repertoire"] {
        let csv = server
            .get(&format!("/api/v1/export?profile={profile}"), &ana)
            .await
            .text()
            .await
            .unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let row = reader.records().next().unwrap().unwrap();
        for (name, value) in headers.iter().zip(row.iter()) {
            assert!(
                !value.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{profile} {name}: {value:?}"
            );
        }
        let cell = |name: &str| {
            row.get(headers.iter().position(|h| h == name).unwrap())
                .unwrap()
                .to_string()
        };
        assert_eq!(
            cell("title"),
            "'=HYPERLINK(\"http://evil.example\",\"click\")"
        );
        assert_eq!(cell("artist"), "'+SUM(1,2)");
        assert_eq!(cell("version"), "'-2+3");
    }
    let json = json(server.get("/api/v1/export?format=json", &ana).await).await;
    assert_eq!(
        json[0]["title"], "=HYPERLINK(\"http://evil.example\",\"click\")",
        "JSON keeps the text"
    );
}

common::each_backend!(
    control_characters_are_refused_with_the_field_named,
    worker_threads = 2
);
async fn control_characters_are_refused_with_the_field_named(db: common::TestDb) {
    let (server, admin, ana) = common::start_with_ana(db).await;
    for (field, value) in [
        ("title", "Evil\u{1b}[2J"),
        ("title", "Nul\u{0}byte"),
        ("artist", "Bell\u{7}"),
        ("version", "two\nlines"),
        ("notes", "esc \u{1b}]0;title\u{7}"),
    ] {
        let mut body = json!({"title": "Song", "artist": "Band"});
        body[field] = json!(value);
        let r = server.post("/api/v1/allocations", &ana, body).await;
        assert_eq!(r.status(), 400, "{field} {value:?}");
        let error = json(r).await;
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(field), "{message}");
        assert!(message.contains("control character"), "{message}");
    }
    // Multi-line notes are fine.
    server
        .post_expect(
            "/api/v1/allocations",
            &ana,
            json!({"title": "Song", "artist": "Band", "notes": "line one\nline two"}),
            201,
        )
        .await;
    let r = server.post_json_anon("/api/v1/applications", &json!({"name": "Label\u{1b}[31m", "contact": "a@b.example", "address": "1 Road\nTown", "country": "FR"})).await;
    assert_eq!(r.status(), 400);
    assert!(json(r).await["message"].as_str().unwrap().contains("name"));
    server
        .post_expect(
            "/api/v1/registrants",
            &admin,
            json!({"prefix": "FRABC", "name": "A\u{7}B"}),
            400,
        )
        .await;
}

common::each_backend!(
    a_derived_version_does_not_inherit_the_date_of_first_publication,
    worker_threads = 2
);
async fn a_derived_version_does_not_inherit_the_date_of_first_publication(db: common::TestDb) {
    let (server, _, ana) = common::start_with_ana(db).await;
    let r = server
        .post(
            "/api/v1/allocations",
            &ana,
            json!({"title": "Song", "artist": "Band", "duration": "3:05", "published": "2019-05-01"}),
        )
        .await;
    let parent = json(r).await["isrcs"][0].as_str().unwrap().to_string();
    let derive = |body: Value| {
        let path = format!("/api/v1/recordings/{parent}/derive");
        let server = &server;
        let ana = ana.clone();
        async move { server.post(&path, &ana, body).await }
    };
    let remix =
        json(derive(json!({"change": "remix", "allocate": true, "version": "2026 Remix"})).await)
            .await;
    let remix = remix["isrc"].as_str().unwrap().to_string();
    let shown = json(
        server
            .get(&format!("/api/v1/recordings/{remix}"), &ana)
            .await,
    )
    .await;
    assert!(shown["published"].is_null(), "{shown}");
    assert_eq!(shown["title"], "Song", "the rest is inherited");
    let live = json(
        derive(json!({"change": "live", "allocate": true, "version": "Live", "published": "2026-11-01"}))
            .await,
    )
    .await;
    let live = live["isrc"].as_str().unwrap().to_string();
    let shown = json(
        server
            .get(&format!("/api/v1/recordings/{live}"), &ana)
            .await,
    )
    .await;
    assert_eq!(shown["published"], "2026-11-01");
}

common::each_backend!(smaller_holes_are_closed, worker_threads = 2);
async fn smaller_holes_are_closed(db: common::TestDb) {
    let (server, admin, ana) = common::start_with_ana(db).await;
    // Unknown JSON fields are refused, by name, not silently dropped.
    let r = server
        .post_expect(
            "/api/v1/allocations",
            &ana,
            json!({"title": "Song", "artist": "Band", "titel": "typo"}),
            422,
        )
        .await;
    assert!(json(r).await["message"].as_str().unwrap().contains("titel"));
    let r = server.post_expect("/api/v1/allocations", &ana, json!({"recordings": [{"title": "A", "artist": "B"}, {"title": "C", "artist": "D", "durartion": "3:00"}]}), 422).await;
    let message = json(r).await["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("recordings[1]") && message.contains("durartion"),
        "{message}"
    );
    let r = server
        .post_json_anon(
            "/api/v1/session",
            &json!({"email": "ana@xyz.example", "password": "x", "remember": true}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(error_code(r).await, "invalid_json");
    // A refused batch names every conflict, not only the first.
    for title in ["One", "Two"] {
        server
            .post_expect(
                "/api/v1/allocations",
                &ana,
                json!({"title": title, "artist": "A"}),
                201,
            )
            .await;
    }
    let r = server.post_expect("/api/v1/allocations", &ana, json!({"recordings": [ {"title": "One", "artist": "A"}, {"title": "New", "artist": "A"}, {"title": "Two", "artist": "A"}, {"title": "New", "artist": "A"} ]}), 409).await;
    let message = json(r).await["message"].as_str().unwrap().to_string();
    for expected in [
        "recordings[0]",
        "recordings[2]",
        "recordings[3]",
        "3 recording(s)",
    ] {
        assert!(message.contains(expected), "{expected}: {message}");
    }
    // Durations have an upper bound.
    let r = server
        .post(
            "/api/v1/allocations",
            &ana,
            json!({"title": "Song", "artist": "Band", "duration_ms": 100_000_000_000u64}),
        )
        .await;
    assert_eq!(r.status(), 400, "a 3-year recording");
    // `%` and `_` in a search are letters.
    for title in ["100% Pure", "Plain", "snake_case", "snakeXcase"] {
        server
            .post_expect(
                "/api/v1/allocations",
                &ana,
                json!({"title": title, "artist": "Band"}),
                201,
            )
            .await;
    }
    for (q, expected) in [("%", 1), ("_", 1), ("snake_", 1), ("100%", 1)] {
        let found = json(
            server
                .get(
                    &format!("/api/v1/recordings?q={}", q.replace('%', "%25")),
                    &ana,
                )
                .await,
        )
        .await;
        assert_eq!(
            found["items"].as_array().unwrap().len(),
            expected,
            "q={q}: {found}"
        );
    }
    // The agency banner shows only messages of the server's own.
    let html = server
        .get(
            "/agency/applications?notice=Your+account+is+suspended.+Call+%2B1-555",
            &admin,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("suspended"), "arbitrary text is not shown");
    // Signed-in answers are not cached.
    for path in ["/portal", "/account", "/api/v1/recordings"] {
        let r = server.get(path, &ana).await;
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
    let r = server.get_anon("/").await;
    assert!(
        r.headers().get("cache-control").is_none(),
        "public pages may be cached"
    );
}
