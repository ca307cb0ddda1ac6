//! The JSON API over real HTTP on loopback, on SQLite and (when configured) PostgreSQL.

use crate::common;

use common::{error_code, json};
use serde_json::{Value, json};

common::each_backend!(public_checks, worker_threads = 2);
async fn public_checks(db: common::TestDb) {
    let server = common::start(db).await;
    let r = server
        .get_anon_expect("/api/v1/isrc/us-rc1-76-07839", 200)
        .await;
    let report = json(r).await;
    assert_eq!(report["isrc"], "USRC17607839");
    assert_eq!(report["valid"], true);

    let r = server
        .post_json_anon("/api/v1/validate", &json!(["USRC17607839", "usrc176o7839"]))
        .await;
    let reports = json(r).await;
    assert_eq!(reports.as_array().unwrap().len(), 2);
    assert_eq!(reports[1]["valid"], false);

    let r = server
        .post_body_anon(
            "/api/v1/validate",
            Some("text/plain"),
            "USRC17607839\r\n\r\nGBAYE0601498\n",
        )
        .await;
    assert_eq!(json(r).await.as_array().unwrap().len(), 2);

    let catalogue =
        "ISRC,Title,Artist\nUSRC17607839,Yesterday,The Band\nGBAYE06O1499,Other,Someone\n";
    let r = server
        .post_body_anon("/api/v1/check?name=catalogue.csv", None, catalogue)
        .await;
    let summary = json(r).await;
    assert_eq!(summary["records"], 2);
    assert_eq!(summary["invalid"], 1);

    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::text(catalogue).file_name("catalogue.csv"),
    );
    let r = server
        .http
        .post(server.url("/api/v1/check?output=csv"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("ISRC,Title,Artist,isrc_normalized"),
        "{csv}"
    );
    assert!(csv.contains("letter_in_digits"));

    let r = server
        .post_body_anon(
            "/api/v1/check?name=x.bin",
            None,
            vec![0u8, 159, 146, 150, 0, 0, 1, 2],
        )
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
}

common::each_backend!(registry_flow_with_idempotent_allocation, worker_threads = 2);
async fn registry_flow_with_idempotent_allocation(db: common::TestDb) {
    let (server, _, ana) = common::start_with_ana(db).await;

    let body = json!({"title": "Première neige", "artist": "Ariane", "duration": "3:25"});
    let send = |key: &'static str, body: Value| {
        server
            .with_session(server.http.post(server.url("/api/v1/allocations")), &ana)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let first = send("k1", body.clone()).await.unwrap();
    assert_eq!(first.status(), 201, "{}", server.db_name);
    let first = json(first).await;
    assert_eq!(first["isrcs"][0], "CBXYZ2600001");
    let retry = send("k1", body.clone()).await.unwrap();
    assert_eq!(retry.status(), 200, "a retry is replayed");
    let retry = json(retry).await;
    assert_eq!(retry["isrcs"], first["isrcs"]);
    assert_eq!(retry["replayed"], true);
    let other = send("k1", json!({"title": "Other", "artist": "Ariane"}))
        .await
        .unwrap();
    assert_eq!(other.status(), 409);
    assert_eq!(error_code(other).await, "idempotency_mismatch");
    let duplicate = send("k2", body.clone()).await.unwrap();
    assert_eq!(duplicate.status(), 409);
    assert_eq!(error_code(duplicate).await, "duplicate_recording");

    let batch = server
        .post(
            "/api/v1/allocations",
            &ana,
            json!({"recordings": [{"title": "Two", "artist": "Ariane"}, {"title": "Three", "artist": "Ariane", "type": "video"}]}),
        )
        .await;
    assert_eq!(json(batch).await["isrcs"][1], "CBXYZ2600003");
    server
        .post_expect(
            "/api/v1/allocations",
            &ana,
            json!({"title": "No artist"}),
            400,
        )
        .await;

    let list = json(server.get("/api/v1/recordings?q=neige", &ana).await).await["items"].clone();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["public"], false);
    let all = json(server.get("/api/v1/recordings", &ana).await).await["items"].clone();
    assert_eq!(all.as_array().unwrap().len(), 3);
    let shown = json(server.get("/api/v1/recordings/CB-XYZ-26-00001", &ana).await).await;
    assert_eq!(shown["title"], "Première neige");
    assert!(!shown["history"].as_array().unwrap().is_empty());

    // Derive a radio edit: a new code linked to its parent.
    let derived = server.post_expect("/api/v1/recordings/CBXYZ2600001/derive", &ana, json!({"change": "edit", "duration": "2:50", "version": "Radio Edit", "allocate": true}), 201).await;
    let derived = json(derived).await;
    assert_eq!(derived["new_isrc"], true);
    assert_eq!(derived["isrc"], "CBXYZ2600004");
    let child = json(server.get("/api/v1/recordings/CBXYZ2600004", &ana).await).await;
    assert_eq!(child["parent"], "CBXYZ2600001");
    let keep = json(
        server
            .post(
                "/api/v1/recordings/CBXYZ2600001/derive",
                &ana,
                json!({"change": "remaster"}),
            )
            .await,
    )
    .await;
    assert!(keep["new_isrc"].is_boolean());

    // Public lookup: hidden until published, and never the registrant's identity.
    server
        .get_anon_expect("/api/v1/lookup/CBXYZ2600001", 404)
        .await;
    server
        .put_expect(
            "/api/v1/recordings/CBXYZ2600001/public",
            &ana,
            json!({"public": true}),
            200,
        )
        .await;
    let lookup = server.get_anon("/api/v1/lookup/cb-xyz-26-00001").await;
    let text = lookup.text().await.unwrap();
    assert!(text.contains("Première neige"), "{text}");
    for secret in ["Label CBXYZ", "ana@xyz.example", "client", "notes"] {
        assert!(!text.contains(secret), "{secret} disclosed: {text}");
    }

    // Void: kept, never reissued, hidden from the public.
    let void = server
        .post(
            "/api/v1/recordings/CBXYZ2600001/void",
            &ana,
            json!({"reason": "assigned in error"}),
        )
        .await;
    assert_eq!(json(void).await["status"], "void");
    server
        .post_expect(
            "/api/v1/recordings/CBXYZ2600001/void",
            &ana,
            json!({"reason": "twice"}),
            409,
        )
        .await;
    server
        .get_anon_expect("/api/v1/lookup/CBXYZ2600001", 404)
        .await;

    let csv = server.get_expect("/api/v1/export", &ana, 200).await;
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("isrc,artist,title,version,duration"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(csv.contains("CBXYZ2600004,Ariane,Première neige,Radio Edit,2:50"));
    let rep = json(
        server
            .get("/api/v1/export?format=json&profile=repertoire", &ana)
            .await,
    )
    .await;
    assert_eq!(rep.as_array().unwrap().len(), 3, "active codes only");
    // The same numbers as `isrc export --format json`, not digits in strings.
    let rows = rep.as_array().unwrap();
    assert!(
        rows.iter()
            .all(|r| r["duration_seconds"].is_u64() || r["duration_seconds"].is_null()),
        "{rep}"
    );
    // The Radio Edit's 2:50.
    assert!(rows.iter().any(|r| r["duration_seconds"] == 170), "{rep}");
    assert!(rows.iter().all(|r| r["isrc"].is_string()), "{rep}");
}

common::each_backend!(registrants_cannot_touch_each_other, worker_threads = 2);
async fn registrants_cannot_touch_each_other(db: common::TestDb) {
    let (server, admin, ana) = common::start_with_ana(db).await;
    let bob = server
        .registrant_user(&admin, "FRABC", "bob@abc.example")
        .await;
    server
        .post_expect(
            "/api/v1/allocations",
            &ana,
            json!({"title": "Mine", "artist": "Ana"}),
            201,
        )
        .await;

    let steal = server
        .post(
            "/api/v1/allocations",
            &bob,
            json!({"prefix": "CBXYZ", "title": "Stolen", "artist": "Bob"}),
        )
        .await;
    assert_eq!(steal.status(), 403, "{}", server.db_name);
    assert_eq!(error_code(steal).await, "forbidden");
    for path in [
        "/api/v1/recordings/CBXYZ2600001",
        "/api/v1/recordings?prefix=CBXYZ",
        "/api/v1/registrants/CBXYZ",
        "/api/v1/export?prefix=CBXYZ",
        "/api/v1/applications",
        "/api/v1/outbox",
        "/api/v1/users",
    ] {
        let r = server.get(path, &bob).await;
        assert_eq!(r.status(), 403, "{path}");
    }
    server
        .post_expect(
            "/api/v1/recordings/CBXYZ2600001/void",
            &bob,
            json!({"reason": "sabotage"}),
            403,
        )
        .await;
    server
        .put_expect(
            "/api/v1/recordings/CBXYZ2600001/public",
            &bob,
            json!({"public": true}),
            403,
        )
        .await;
    server
        .post_expect(
            "/api/v1/recordings/CBXYZ2600001/derive",
            &bob,
            json!({"change": "remix", "allocate": true}),
            403,
        )
        .await;
    let mine = json(server.get("/api/v1/recordings", &bob).await).await["items"].clone();
    assert!(mine.as_array().unwrap().is_empty());
    let registrants = json(server.get("/api/v1/registrants", &bob).await).await["items"].clone();
    assert_eq!(registrants.as_array().unwrap().len(), 1);
    assert_eq!(registrants[0]["prefix"], "FRABC");
    // Registrants cannot make registrants or users either.
    server
        .post_expect(
            "/api/v1/registrants",
            &bob,
            json!({"prefix": "FRABD", "name": "x"}),
            403,
        )
        .await;
    // The admin sees everything.
    let all =
        json(server.get("/api/v1/recordings?prefix=CBXYZ", &admin).await).await["items"].clone();
    assert_eq!(all.as_array().unwrap().len(), 1);
}

common::each_backend!(
    api_tokens_act_for_one_registrant_until_revoked,
    worker_threads = 2
);
async fn api_tokens_act_for_one_registrant_until_revoked(db: common::TestDb) {
    let (server, admin, ana) = common::start_with_ana(db).await;
    server
        .registrant_user(&admin, "FRABC", "bob@abc.example")
        .await;

    let refused = server
        .post(
            "/api/v1/tokens",
            &ana,
            json!({"name": "x", "scopes": ["read", "admin"]}),
        )
        .await;
    assert_eq!(
        refused.status(),
        403,
        "a registrant's token has no admin scope"
    );
    let made = server
        .post_expect(
            "/api/v1/tokens",
            &ana,
            json!({"name": "label system", "scopes": ["read", "allocate"]}),
            201,
        )
        .await;
    let made = json(made).await;
    let token = made["token"].as_str().unwrap().to_string();
    let listed = json(server.get("/api/v1/tokens", &ana).await).await;
    assert!(
        !listed.to_string().contains(&token),
        "secrets are shown once"
    );

    let allocate = |body: Value| {
        server
            .http
            .post(server.url("/api/v1/allocations"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let r = allocate(json!({"title": "By token", "artist": "Ana"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", server.db_name);
    assert_eq!(json(r).await["isrcs"][0], "CBXYZ2600001");
    let r = allocate(json!({"prefix": "FRABC", "title": "x", "artist": "y"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = server
        .http
        .get(server.url("/api/v1/applications"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a token is not an admin");

    let id = made["id"].as_i64().unwrap();
    let r = server
        .with_session(
            server
                .http
                .delete(server.url(&format!("/api/v1/tokens/{id}"))),
            &ana,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = allocate(json!({"title": "After", "artist": "Ana"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r).await, "unauthorized");
}

fn mail_text(mail: &common::smtp::Received) -> &str {
    &mail.data
}

common::each_backend!(approving_an_application_mails_the_code, worker_threads = 2);
async fn approving_an_application_mails_the_code(db: common::TestDb) {
    let (server, mut inbox) = common::start_with_smtp(db, |c| {
        c.mail_from = "agency@isrc.example".into();
    })
    .await;
    let r = server.post_json_anon("/api/v1/applications", &json!({"name": "Les Disques Neige", "contact": "Neige@Disques.example", "address": "1 rue X, Montréal", "country": "CA"})).await;
    assert_eq!(r.status(), 201, "{}", server.db_name);
    let id = json(r).await["id"].as_i64().unwrap();
    let bad = server
        .post_json_anon(
            "/api/v1/applications",
            &json!({"name": "x", "contact": "not an address", "address": "y", "country": "CA"}),
        )
        .await;
    assert_eq!(bad.status(), 400);

    let admin = server.admin_session().await;
    let queue = json(
        server
            .get("/api/v1/applications?status=pending", &admin)
            .await,
    )
    .await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let decided = server
        .post_expect(
            &format!("/api/v1/applications/{id}/approve"),
            &admin,
            json!({}),
            200,
        )
        .await;
    let decided = json(decided).await;
    assert_eq!(decided["mail"], "sent", "{decided}");
    let prefix = decided["application"]["prefix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(prefix.starts_with("CB"), "{prefix}");

    let mail = tokio::time::timeout(std::time::Duration::from_secs(30), inbox.recv())
        .await
        .expect("mail within 30 s")
        .expect("a mail");
    assert_eq!(mail.to, ["<neige@disques.example>"]);
    assert!(mail.from.contains("agency@isrc.example"));
    let text = mail_text(&mail);
    assert!(text.contains(&prefix), "the code is in the mail: {text}");
    assert!(
        text.contains("CC-XXX-YY-NNNNN"),
        "how to construct ISRCs: {text}"
    );
    assert!(text.contains(&format!("{prefix}2600001")), "{text}");

    // The applicant signs in with the password from the mail and allocates.
    let password = text
        .split("with the password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("password in the mail")
        .to_string();
    let r = server
        .post_json_anon(
            "/api/v1/session",
            &json!({"email": "neige@disques.example", "password": password}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let me = json(r).await;
    assert_eq!(me["prefix"], prefix.as_str());

    server
        .post_expect(
            &format!("/api/v1/applications/{id}/approve"),
            &admin,
            json!({}),
            409,
        )
        .await;

    // A rejection is mailed with its reason; everything is in the outbox.
    let r = server.post_json_anon("/api/v1/applications", &json!({"name": "Other", "contact": "other@x.example", "address": "z", "country": "FR"})).await;
    let other = json(r).await["id"].as_i64().unwrap();
    server
        .post_expect(
            &format!("/api/v1/applications/{other}/reject"),
            &admin,
            json!({"reason": "Please apply to SCPP in France"}),
            200,
        )
        .await;
    let mail = tokio::time::timeout(std::time::Duration::from_secs(30), inbox.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(mail.data.contains("Please apply to SCPP in France"));
    let outbox = json(server.get("/api/v1/outbox", &admin).await).await;
    assert_eq!(outbox.as_array().unwrap().len(), 2);
    assert!(outbox[0]["sent_at"].is_string());
    // The generated password went to the applicant only: the outbox copy of the approval
    // mail, which admins read, has it replaced once the SMTP server took the message.
    let approval = outbox[1]["body"].as_str().unwrap();
    assert!(!approval.contains(&password), "{approval}");
    assert!(
        approval.contains("[sent by e-mail; not kept]"),
        "{approval}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_mail_waits_in_the_outbox() {
    let server = common::start_with(common::sqlite(), |_| {}).await;
    let r = server
        .post_json_anon(
            "/api/v1/applications",
            &json!({"name": "N", "contact": "n@n.example", "address": "a", "country": "CA"}),
        )
        .await;
    let id = json(r).await["id"].as_i64().unwrap();
    let admin = server.admin_session().await;
    let decided = json(
        server
            .post(
                &format!("/api/v1/applications/{id}/approve"),
                &admin,
                json!({}),
            )
            .await,
    )
    .await;
    assert_eq!(decided["mail"], "kept");
    let outbox = json(server.get("/api/v1/outbox", &admin).await).await;
    assert_eq!(outbox[0]["recipient"], "n@n.example");
    assert!(outbox[0]["sent_at"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_answer_429_with_retry_after() {
    let server = common::start_with(common::sqlite(), |c| {
        c.limits.login_per_minute = 2;
        c.limits.public_per_minute = 3;
        c.limits.applications_per_hour = 1;
    })
    .await;
    let login = || {
        server
            .http
            .post(server.url("/api/v1/session"))
            .json(&json!({"email": "x@y.example", "password": "wrong-password"}))
            .send()
    };
    assert_eq!(login().await.unwrap().status(), 401);
    assert_eq!(login().await.unwrap().status(), 401);
    let limited = login().await.unwrap();
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(error_code(limited).await, "rate_limited");
    // The web sign-in form shares the login limit.
    let form = server
        .post_form_anon("/login", &[("email", "x@y.example"), ("password", "z")])
        .await;
    assert_eq!(form.status(), 429);

    for _ in 0..3 {
        server
            .get_anon_expect("/api/v1/isrc/USRC17607839", 200)
            .await;
    }
    let r = server
        .get_anon_expect("/api/v1/isrc/USRC17607839", 429)
        .await;
    assert!(r.headers().contains_key("retry-after"));
    // Health checks are never limited.
    server.get_anon_expect("/healthz", 200).await;

    let apply = || {
        server
            .http
            .post(server.url("/api/v1/applications"))
            .json(&json!({"name": "N", "contact": "n@n.example", "address": "a", "country": "CA"}))
            .send()
    };
    assert_eq!(apply().await.unwrap().status(), 201);
    let r = apply().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(error_code(r).await, "rate_limited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_are_refused_with_413() {
    let server = common::start_with(common::sqlite(), |c| c.limits.max_body_bytes = 1024).await;
    let big = "USRC17607839\n".repeat(200);
    let r = server
        .post_body_anon("/api/v1/validate", Some("text/plain"), big.clone())
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(error_code(r).await, "body_too_large");
    let r = server
        .post_body_anon("/api/v1/check", None, big.clone())
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(error_code(r).await, "body_too_large");
    let codes: Vec<String> = (0..200).map(|_| "USRC17607839".to_string()).collect();
    let r = server.post_json_anon("/api/v1/validate", &codes).await;
    assert_eq!(r.status(), 413);
    let r = server
        .post_json_anon("/api/v1/session", &json!({"email": big, "password": "x"}))
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(error_code(r).await, "body_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_proxy_limits_count_the_forwarded_address() {
    for trust in [false, true] {
        let server = common::start_with(common::sqlite(), |c| {
            c.limits.public_per_minute = 1;
            c.trust_forwarded_for = trust;
        })
        .await;
        let from = |ip: &'static str| {
            server
                .http
                .get(server.url("/api/v1/isrc/USRC17607839"))
                .header("x-forwarded-for", format!("203.0.113.9, {ip}"))
                .send()
        };
        assert_eq!(from("198.51.100.1").await.unwrap().status(), 200);
        let second = from("198.51.100.2").await.unwrap().status();
        // Trusted: another client, its own bucket. Not trusted: the header is ignored.
        assert_eq!(second, if trust { 200 } else { 429 }, "trust {trust}");
        assert_eq!(from("198.51.100.2").await.unwrap().status(), 429);
    }
}

common::each_backend!(
    concurrent_retries_with_one_key_allocate_once,
    worker_threads = 4
);
async fn concurrent_retries_with_one_key_allocate_once(db: common::TestDb) {
    let (server, _, ana) = common::start_with_ana(db).await;
    let attempts = (0..8).map(|_| {
        server
            .with_session(server.http.post(server.url("/api/v1/allocations")), &ana)
            .header("idempotency-key", "upload-42")
            .json(&json!({"title": "Once", "artist": "Ana"}))
            .send()
    });
    let answers = futures_join(attempts).await;
    let mut codes = std::collections::BTreeSet::new();
    for answer in answers {
        let answer = answer.unwrap();
        assert!(
            answer.status() == 201 || answer.status() == 200,
            "{}",
            answer.status()
        );
        codes.insert(json(answer).await["isrcs"][0].as_str().unwrap().to_string());
    }
    assert_eq!(codes.len(), 1, "{} {codes:?}", server.db_name);
    let all = json(server.get("/api/v1/recordings", &ana).await).await["items"].clone();
    assert_eq!(all.as_array().unwrap().len(), 1, "{}", server.db_name);
}

/// Runs the futures at the same time, answers in order.
async fn futures_join<F, T>(futures: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
