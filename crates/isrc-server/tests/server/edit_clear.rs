//! Clearing a recording's field by edit over HTTP, on SQLite and PostgreSQL: JSON `null` in
//! `PATCH /api/v1/recordings/{isrc}`, and an emptied box on the portal's edit page; the history
//! shows the value before and `—` after.

use crate::common;

use serde_json::{Value, json};

common::each_backend!(clearing_by_api_and_page, worker_threads = 2);
async fn clearing_by_api_and_page(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    let r = server
        .post(
            "/api/v1/allocations",
            &ana,
            json!({"title": "Neige", "artist": "Ariane", "version": "Live", "language": "fr",
                   "iswc": "T-034.524.680-1", "duration": "3:25"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let code = common::json(r).await["isrcs"][0]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/recordings/{code}");
    let patch = |body: Value| {
        server
            .with_session(server.http.patch(server.url(&path)), &ana)
            .json(&body)
            .send()
    };
    // null empties; a field left out stays.
    let r = patch(json!({"version": null, "language": null}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let edited = common::json(r).await;
    assert_eq!(edited["version"], "");
    assert_eq!(edited["language"], Value::Null);
    assert_eq!(edited["iswc"], "T-034.524.680-1");
    let shown = common::json(server.get(&path, &ana).await).await;
    let last = shown["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "recording.edit");
    let before: Value = serde_json::from_str(last["before"].as_str().unwrap()).unwrap();
    let after: Value = serde_json::from_str(last["after"].as_str().unwrap()).unwrap();
    assert_eq!(
        (before["version"].clone(), after["version"].clone()),
        (json!("Live"), json!(""))
    );
    // Never the title; not a field at all.
    let r = patch(json!({"title": null})).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        common::json(r).await["message"]
            .as_str()
            .unwrap()
            .contains("never empty")
    );
    let r = patch(json!({"colour": null})).await.unwrap();
    assert_eq!(r.status(), 400);

    // The page: the ISWC box emptied; the recording page's history shows ISWC -> —.
    let form = [
        ("csrf_token", ana.csrf.as_str()),
        ("full", "1"),
        ("title", "Neige"),
        ("artist", "Ariane"),
        ("version", ""),
        ("duration", "3:25"),
        ("published", ""),
        ("recording_year", ""),
        ("language", ""),
        ("iswc", ""),
        ("notes", ""),
    ];
    let r = server
        .with_session(
            server
                .http
                .post(server.url(&format!("/portal/recordings/{code}/edit"))),
            &ana,
        )
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let page = server
        .get(&format!("/portal/recordings/{code}"), &ana)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(
            "<th>iswc</th><td class=\"before\">T-034.524.680-1</td><td class=\"after\">—</td>"
        ),
        "{page}"
    );
    let page = server
        .get(&format!("/portal/recordings/{code}/edit"), &ana)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"full\" value=\"1\""), "{page}");
}
