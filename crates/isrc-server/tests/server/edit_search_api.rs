//! Issue 15 over HTTP, on SQLite and PostgreSQL: correcting a recording
//! (`PATCH /api/v1/recordings/{isrc}`, its history in `GET`), the duplicate refusal naming the
//! existing code with a link, and the public search with cursor pages (`GET /api/v1/search`).

use crate::common;

use serde_json::{Value, json};

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

common::each_backend!(edit_search_and_duplicate_links, worker_threads = 2);
async fn edit_search_and_duplicate_links(db: common::TestDb) {
    let (server, admin, ana) = common::start_with_ana(db).await;
    let bob = server
        .registrant_user(&admin, "CBAAA", "bob@aaa.example")
        .await;

    let r = server
        .post_expect(
            "/api/v1/allocations",
            &ana,
            json!({"title": "Premiere neige", "artist": "Ariane", "duration": "3:25"}),
            201,
        )
        .await;
    let code = json_of(r).await["isrcs"][0].as_str().unwrap().to_string();

    // Search before assigning: the same recording is refused, naming its code with a link.
    let r = server
        .post_expect(
            "/api/v1/allocations",
            &ana,
            json!({"title": "PREMIERE  neige", "artist": "ariane", "duration": "3:30"}),
            409,
        )
        .await;
    let body = json_of(r).await;
    assert_eq!(body["code"], "duplicate_recording");
    assert_eq!(body["existing"], code.as_str());
    assert_eq!(body["link"], format!("/api/v1/recordings/{code}"));

    // A correction, then the history shows it with before and after.
    let patch = |path: String, session: &common::Session, body: Value| {
        server
            .with_session(server.http.patch(server.url(&path)), session)
            .json(&body)
            .send()
    };
    let path = format!("/api/v1/recordings/{code}");
    let r = patch(
        path.clone(),
        &ana,
        json!({"title": "Première neige", "duration": "3:29", "language": "fr"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let edited = json_of(r).await;
    assert_eq!(edited["title"], "Première neige");
    assert_eq!(edited["isrc"], code.as_str());
    let shown = json_of(server.get(&path, &ana).await).await;
    let history = shown["history"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!(last["action"], "recording.edit");
    assert_eq!(last["actor"], "user:ana@xyz.example");
    let before: Value = serde_json::from_str(last["before"].as_str().unwrap()).unwrap();
    let after: Value = serde_json::from_str(last["after"].as_str().unwrap()).unwrap();
    assert_eq!(
        (before["title"].as_str(), after["title"].as_str()),
        (Some("Premiere neige"), Some("Première neige"))
    );
    assert_eq!(
        (before["language"].clone(), after["language"].clone()),
        (Value::Null, json!("fr"))
    );

    // Another recording is refused with a pointer to derive; bad fields, strangers, unknown fields.
    let r = patch(path.clone(), &ana, json!({"duration": "4:10"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let body = json_of(r).await;
    assert_eq!(body["code"], "needs_derive");
    assert!(
        body["message"].as_str().unwrap().contains("/derive"),
        "{body}"
    );
    let r = patch(path.clone(), &ana, json!({"version": "Live"}))
        .await
        .unwrap();
    assert_eq!(common::error_code(r).await, "needs_derive");
    let r = patch(path.clone(), &ana, json!({"duration": "3:7"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = patch(path.clone(), &bob, json!({"title": "Mine"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = patch(path.clone(), &ana, json!({"isrc": "CBXYZ2600009"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "the ISRC is not a field of an edit");
    let r = patch(path.clone(), &ana, json!({"title": "Première neige"}))
        .await
        .unwrap();
    assert_eq!(common::error_code(r).await, "invalid", "nothing to change");

    // The public search: published codes only, cursor pages, no sign-in.
    let mut codes = vec![code.clone()];
    for i in 0..4 {
        let r = server
            .post(
                "/api/v1/allocations",
                &ana,
                json!({"title": format!("Neige {i}"), "artist": "Ariane"}),
            )
            .await;
        codes.push(json_of(r).await["isrcs"][0].as_str().unwrap().to_string());
    }
    for c in &codes[..4] {
        server
            .put_expect(
                &format!("/api/v1/recordings/{c}/public"),
                &ana,
                json!({"public": true}),
                200,
            )
            .await;
    }
    let mut found = Vec::new();
    let mut url = server.url("/api/v1/search?q=neige%20ARIANE&limit=3");
    loop {
        let page = json_of(server.http.get(&url).send().await.unwrap()).await;
        for item in page["items"].as_array().unwrap() {
            assert!(
                item.get("notes").is_none() && item.get("prefix").is_none(),
                "{item}"
            );
            found.push(item["isrc"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(next) => {
                url = server.url(&format!(
                    "/api/v1/search?q=neige%20ARIANE&limit=3&cursor={next}"
                ))
            }
            None => break,
        }
    }
    assert_eq!(
        found,
        codes[..4],
        "published only, in code order, each once"
    );
    let r = server
        .http
        .get(server.url("/api/v1/search?q=%2C%2C"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = server
        .http
        .get(server.url("/api/v1/search?q=neige&cursor=nonsense"))
        .send()
        .await
        .unwrap();
    assert_eq!(common::error_code(r).await, "invalid_isrc");

    // The export as a workbook, beside CSV.
    let r = server
        .get_expect("/api/v1/export?format=xlsx&profile=distributor", &ana, 200)
        .await;
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("isrc-CBXYZ.xlsx")
    );
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");

    // The dashboard: 5 codes of 99,999 used in 2026, all allocated this month.
    let usage = json_of(server.get("/api/v1/registrants/CBXYZ/usage", &ana).await).await;
    assert_eq!(
        (
            usage["year"].as_u64(),
            usage["used"].as_u64(),
            usage["capacity"].as_u64()
        ),
        (Some(2026), Some(5), Some(99_999))
    );
    assert_eq!(usage["remaining"], 99_994);
    let months = usage["by_month"].as_array().unwrap();
    assert_eq!(months.len(), 1);
    assert_eq!(months[0]["codes"], 5);
    server
        .get_expect("/api/v1/registrants/CBXYZ/usage", &bob, 403)
        .await;
    let page = server
        .get("/portal/usage", &ana)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<strong>5</strong> of 99999"), "{page}");

    // The OpenAPI document names both routes.
    let doc = json_of(
        server
            .http
            .get(server.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(doc["paths"]["/api/v1/recordings/{isrc}"]["patch"].is_object());
    assert!(doc["paths"]["/api/v1/search"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/registrants/{prefix}/usage"]["get"].is_object());
}
