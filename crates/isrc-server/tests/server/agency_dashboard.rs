//! The agency dashboard over HTTP, on SQLite and PostgreSQL: registrants by country prefix,
//! codes used this year against each range, those near their range end, applications by state,
//! codes issued by year; the same numbers in `GET /api/v1/agency/dashboard` and on
//! `/agency/dashboard`.

use crate::common;

use serde_json::json;

common::each_backend!(agency_dashboard, worker_threads = 2);
async fn agency_dashboard(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    for (prefix, ranges) in [
        ("CBXYZ", "00001-00010"),
        ("CBAAA", "00001-99999"),
        ("FRAB1", "00001-99999"),
    ] {
        let r = server
            .post(
                "/api/v1/registrants",
                &admin,
                json!({"prefix": prefix, "name": format!("Label {prefix}"), "contact": "a@b.example", "ranges": ranges}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let batch: Vec<_> = (0..9)
        .map(|i| json!({"title": format!("Song {i}"), "artist": "Ariane"}))
        .collect();
    let r = server
        .post(
            "/api/v1/allocations",
            &admin,
            json!({"prefix": "CBXYZ", "recordings": batch}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = server
        .post(
            "/api/v1/allocations",
            &admin,
            json!({"prefix": "CBAAA", "title": "One", "artist": "B"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = server
        .post_json_anon(
            "/api/v1/applications",
            &json!({"name": "Neige", "contact": "n@neige.example", "address": "1 rue X", "country": "CA"}),
        )
        .await;
    assert_eq!(r.status(), 201);

    let d = common::json(server.get("/api/v1/agency/dashboard", &admin).await).await;
    assert_eq!(d["registrants"], 3, "{d}");
    assert_eq!(
        d["by_country"],
        json!([{"country": "CB", "registrants": 2}, {"country": "FR", "registrants": 1}])
    );
    assert_eq!(
        d["usage"][0],
        json!({"prefix": "CBXYZ", "name": "Label CBXYZ", "used": 9, "capacity": 10, "percent": 90})
    );
    assert_eq!(d["usage"][1]["used"], 1);
    assert_eq!(d["usage"][1]["capacity"], 99_999);
    assert_eq!(d["near_range_end"].as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d["near_range_end"][0]["prefix"], "CBXYZ");
    assert_eq!(d["applications_pending"], 1);
    assert_eq!(d["applications_by_state"], json!([["pending", 1]]));
    // Codes issued by year: the three registrant codes this (wall-clock) year, the ten ISRCs in
    // the year of reference the server allocated them in.
    let by_year = d["by_year"].as_array().unwrap();
    let sum = |field: &str| {
        by_year
            .iter()
            .map(|y| y[field].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!((sum("registrant_codes"), sum("isrcs")), (3, 10), "{d}");
    let allocated_in = d["year"].as_u64().unwrap();
    assert!(
        by_year
            .iter()
            .any(|y| y["year"] == allocated_in && y["isrcs"] == 10),
        "{d}"
    );
    assert!(
        by_year
            .windows(2)
            .all(|w| w[0]["year"].as_u64() > w[1]["year"].as_u64()),
        "newest first: {d}"
    );

    let page = server
        .get("/agency/dashboard", &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<strong>3</strong> registrants"), "{page}");
    assert!(
        page.contains("<strong>1</strong> applications pending"),
        "{page}"
    );
    assert!(
        page.contains(
            "<tr><td>CBXYZ</td><td>Label CBXYZ</td><td>9</td><td>10</td><td>90</td></tr>"
        ),
        "{page}"
    );
    assert!(page.contains("<table id=\"by-year\">"), "{page}");
    assert!(
        page.contains(&format!("<tr><td>{allocated_in}</td>")),
        "{page}"
    );
    // Registrant users see neither.
    let ana = server
        .registrant_user(&admin, "CBZZZ", "ana@zzz.example")
        .await;
    assert_eq!(
        server.get("/api/v1/agency/dashboard", &ana).await.status(),
        403
    );
    assert_eq!(server.get("/agency/dashboard", &ana).await.status(), 403);
}
