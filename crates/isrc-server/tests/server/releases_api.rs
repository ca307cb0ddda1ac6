//! Issue 15's releases over HTTP, on SQLite and PostgreSQL: add, replace and show with history,
//! cursor pages that give every release once while releases are added between pages, and the
//! exports (CSV per profile, ERN 4.3 read back by `isrc check`'s reader).

use crate::common;

use serde_json::{Value, json};

async fn allocate(server: &common::TestServer, who: &common::Session, title: &str) -> String {
    let r = server
        .post(
            "/api/v1/allocations",
            who,
            json!({"title": title, "artist": "Ariane", "duration": "3:25"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    common::json(r).await["isrcs"][0]
        .as_str()
        .unwrap()
        .to_string()
}

/// A valid EAN-13 whose first twelve digits are `n`.
fn barcode(n: u64) -> String {
    (0..10)
        .map(|d| format!("{n:012}{d}"))
        .find(|t| t.parse::<isrc_registry::Upc>().is_ok())
        .unwrap()
}

common::each_backend!(releases_over_http, worker_threads = 2);
async fn releases_over_http(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    let bob = server
        .registrant_user(&admin, "CBAAA", "bob@aaa.example")
        .await;
    let one = allocate(&server, &ana, "Première neige").await;
    let two = allocate(&server, &ana, "Dégel").await;
    let theirs = allocate(&server, &bob, "Ailleurs").await;

    let body = json!({
        "upc": "036000291452", "title": "Hiver", "label": "Les Disques XYZ",
        "p_line": "2026 Les Disques XYZ", "release_date": "2026-03-01", "tracks": [one, two],
    });
    let r = server.post("/api/v1/releases", &ana, body.clone()).await;
    assert_eq!(r.status(), 201);
    let added = common::json(r).await;
    assert_eq!(added["prefix"], "CBXYZ");
    assert_eq!(added["tracks"], json!([one, two]));
    // Refusals: the barcode again (as an EAN-13), a wrong check digit, another's track.
    let mut again = body.clone();
    again["upc"] = json!("0036000291452");
    let r = server.post("/api/v1/releases", &ana, again).await;
    assert_eq!(r.status(), 409);
    assert_eq!(common::error_code(r).await, "release_exists");
    let mut bad = body.clone();
    bad["upc"] = json!("036000291453");
    let r = server.post("/api/v1/releases", &ana, bad).await;
    assert_eq!(r.status(), 400);
    assert!(
        common::json(r).await["message"]
            .as_str()
            .unwrap()
            .contains("check digit")
    );
    let mut foreign = body.clone();
    foreign["upc"] = json!("4006381333931");
    foreign["tracks"] = json!([one, theirs]);
    let r = server.post("/api/v1/releases", &ana, foreign).await;
    assert_eq!(r.status(), 400);
    let r = server.get("/api/v1/releases/036000291452", &bob).await;
    assert_eq!(r.status(), 403);
    let r = server.get("/api/v1/releases/4006381333931", &ana).await;
    assert_eq!(r.status(), 404);
    assert_eq!(common::error_code(r).await, "release_not_found");

    // Replace: reorder and retitle; the history has before and after.
    let mut changed = body.clone();
    changed["title"] = json!("Hiver (édition)");
    changed["tracks"] = json!([two, one]);
    changed["contributors"] = json!(["Ariane:MainArtist", "Luc:Remixer:2"]);
    let mut bad = changed.clone();
    bad["contributors"] = json!(["Luc:Drummer"]);
    let r = server.put("/api/v1/releases/036000291452", &ana, bad).await;
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("Drummer") && text.contains("is not a contributor role"),
        "{text}"
    );
    let r = server
        .put("/api/v1/releases/0036000291452", &ana, changed)
        .await;
    assert_eq!(r.status(), 200);
    let shown = common::json(server.get("/api/v1/releases/036000291452", &ana).await).await;
    assert_eq!(shown["tracks"], json!([two, one]));
    assert_eq!(
        shown["contributors"],
        json!([
            {"name": "Ariane", "role": "MainArtist", "track": null},
            {"name": "Luc", "role": "Remixer", "track": 2}
        ])
    );
    let history = shown["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{shown}");
    let edit = &history[1];
    assert_eq!(edit["action"], "release.edit");
    assert_eq!(edit["actor"], "user:ana@xyz.example");
    let before: Value = serde_json::from_str(edit["before"].as_str().unwrap()).unwrap();
    let after: Value = serde_json::from_str(edit["after"].as_str().unwrap()).unwrap();
    assert_eq!(
        (before["title"].as_str(), after["title"].as_str()),
        (Some("Hiver"), Some("Hiver (édition)"))
    );

    // Exports.
    let r = server
        .get(
            "/api/v1/releases/036000291452/export?profile=repertoire",
            &ana,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with(
            "upc,release_title,label,p_line,release_date,contributors,track,isrc,title,version,artist"
        ),
        "{csv}"
    );
    assert!(
        lines[1].contains(&format!(",Ariane:MainArtist,1,{two},Dégel,")),
        "{csv}"
    );
    assert!(
        lines[2].contains(&format!(",Ariane:MainArtist; Luc:Remixer,2,{one},")),
        "{csv}"
    );
    let r = server
        .get("/api/v1/releases/036000291452/export?format=ern", &ana)
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("release-036000291452-ern43.xml")
    );
    let xml = r.bytes().await.unwrap();
    let message = isrc_check::formats::ern::read_message(&xml).expect("ERN reads back");
    let codes: Vec<&str> = message
        .resources
        .iter()
        .map(|r| r.isrcs[0].value.as_str())
        .collect();
    assert_eq!(codes, vec![two.as_str(), one.as_str()]);
    assert_eq!(message.resources[0].duration, "PT3M25S");
    let r = server
        .get("/api/v1/releases/036000291452/export?format=pdf", &ana)
        .await;
    assert_eq!(r.status(), 400);

    // Cursor pages: every release once, in barcode order, releases added between pages.
    let mut expected = vec!["036000291452".to_string()];
    for n in (10..30).step_by(3) {
        let mut b = body.clone();
        b["upc"] = json!(barcode(n));
        assert_eq!(server.post("/api/v1/releases", &ana, b).await.status(), 201);
        expected.push(barcode(n));
    }
    let mut seen: Vec<String> = Vec::new();
    let mut path = "/api/v1/releases?limit=3".to_string();
    let mut between = 0;
    loop {
        let page = common::json(server.get(&path, &ana).await).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3, "{page}");
        seen.extend(items.iter().map(|r| r["upc"].as_str().unwrap().to_string()));
        let Some(next) = page["next"].as_str() else {
            break;
        };
        // One before the cursor (not seen in this walk), one after it (seen later).
        for n in [1 + between, 100 + between] {
            let mut b = body.clone();
            b["upc"] = json!(barcode(n));
            assert_eq!(server.post("/api/v1/releases", &ana, b).await.status(), 201);
        }
        expected.push(barcode(100 + between));
        between += 1;
        path = format!("/api/v1/releases?limit=3&after={next}");
    }
    assert!(between >= 2);
    let mut sorted = expected.clone();
    sorted.sort_by_key(|u| format!("{u:0>13}"));
    assert_eq!(seen, sorted);
    // Bob sees only his (none); the admin sees every registrant's; a forged cursor is refused.
    let page = common::json(server.get("/api/v1/releases", &bob).await).await;
    assert_eq!(page["items"], json!([]));
    let page = common::json(server.get("/api/v1/releases?limit=1000", &admin).await).await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        seen.len() + between as usize
    );
    let r = server.get("/api/v1/releases?after=xyz", &ana).await;
    assert_eq!(r.status(), 400);
}

common::each_backend!(release_pages, worker_threads = 2);
async fn release_pages(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    let one = allocate(&server, &ana, "Première neige").await;
    let two = allocate(&server, &ana, "Dégel").await;
    let form = |fields: &[(&str, &str)]| {
        let mut all: Vec<(String, String)> = vec![("csrf_token".into(), ana.csrf.clone())];
        all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all
    };
    let post = |path: &str, fields: Vec<(String, String)>| {
        server
            .with_session(server.http.post(server.url(path)), &ana)
            .form(&fields)
            .send()
    };
    let r = server.get("/portal", &ana).await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("href=\"/portal/releases\"")
    );
    let page = server
        .get("/portal/releases", &ana)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"no-releases\""), "{page}");

    // A wrong check digit is shown on the page, the form kept.
    let tracks = format!("{one}\n{two}");
    let bad = form(&[
        ("upc", "036000291453"),
        ("title", "Hiver"),
        ("label", "XYZ"),
        ("release_date", "2026-03-01"),
        ("tracks", &tracks),
    ]);
    let r = post("/portal/releases", bad).await.unwrap();
    assert_eq!(r.status(), 400);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("id=\"error\"") && page.contains("check digit"),
        "{page}"
    );
    assert!(page.contains("value=\"Hiver\""), "the form is kept: {page}");

    let good = form(&[
        ("upc", "036000291452"),
        ("title", "Hiver"),
        ("label", "XYZ"),
        ("p_line", "2026 Les Disques XYZ"),
        ("release_date", "2026-03-01"),
        ("tracks", &tracks),
    ]);
    let r = post("/portal/releases", good).await.unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, "/portal/releases/036000291452?notice=added");
    let page = server.get(&to, &ana).await.text().await.unwrap();
    assert!(page.contains("id=\"notice\""), "{page}");
    assert!(page.contains(&format!("<code>{one}</code>")), "{page}");
    assert!(page.contains("℗ 2026 Les Disques XYZ"), "{page}");
    assert!(page.contains("/api/v1/releases/036000291452/export?format=ern"));

    // An edit that empties the label: the history shows XYZ -> —.
    let edit = form(&[
        ("title", "Hiver"),
        ("label", ""),
        ("p_line", "2026 Les Disques XYZ"),
        ("release_date", "2026-03-01"),
        ("tracks", &tracks),
    ]);
    let r = post("/portal/releases/036000291452", edit).await.unwrap();
    assert_eq!(r.status(), 303);
    let page = server
        .get("/portal/releases/036000291452", &ana)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-action=\"release.edit\""), "{page}");
    assert!(
        page.contains("<th>label</th><td class=\"before\">XYZ</td><td class=\"after\">—</td>"),
        "{page}"
    );
    let list = server
        .get("/portal/releases", &ana)
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("<code>036000291452</code>"), "{list}");
    // Another registrant's user cannot open it.
    let bob = server
        .registrant_user(&admin, "CBAAA", "bob@aaa.example")
        .await;
    let r = server.get("/portal/releases/036000291452", &bob).await;
    assert_eq!(r.status(), 403);
}
