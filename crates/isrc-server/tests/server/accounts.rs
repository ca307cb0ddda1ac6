//! Accounts that last (issue 14), over real HTTP on SQLite and (when configured) PostgreSQL:
//! several prefixes per account, the agency's choice of code, flagged admin addresses,
//! initial passwords, recovery, scoped expiring tokens that cannot mint tokens.

use crate::common;

use common::{Session, TestServer, error_code, json};
use isrc_registry::NewApplication;
use serde_json::{Value, json};

const STRONG: &str = "violet-kettle-harbour-91";

async fn apply(server: &TestServer, name: &str, contact: &str) -> i64 {
    server
        .store
        .apply(
            &NewApplication {
                name: name.into(),
                contact: contact.into(),
                address: "1 Rue du Port\nMontréal".into(),
                country: "CA".into(),
                kind: isrc_registry::RegistrantKind::Own,
            },
            "test",
        )
        .await
        .unwrap()
        .id
}

/// Approves with `body`; the decision.
async fn approve(server: &TestServer, admin: &Session, id: i64, body: Value) -> reqwest::Response {
    server
        .post(&format!("/api/v1/applications/{id}/approve"), admin, body)
        .await
}

/// Signs in with a generated password and chooses `STRONG`; the new session.
async fn first_sign_in(server: &TestServer, email: &str, generated: &str) -> Session {
    let (session, me) = server.login_with(email, generated).await.unwrap();
    assert_eq!(me["must_change_password"], true);
    server
        .put_expect(
            "/api/v1/session/password",
            &session,
            json!({"current": generated, "new": STRONG}),
            204,
        )
        .await;
    server.login_with(email, STRONG).await.unwrap().0
}

fn bearer(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    server
        .http
        .request(method, server.url(path))
        .bearer_auth(token)
}

/// A request with `token` as its bearer, with `body` as JSON when given, expecting `status`.
async fn bearer_expect(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
    status: u16,
) -> reqwest::Response {
    let what = method.to_string();
    let mut request = bearer(server, method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    common::expect(&what, path, common::send(request).await, status).await
}

common::each_backend!(
    an_account_holds_every_prefix_approved_for_its_address,
    worker_threads = 2
);
async fn an_account_holds_every_prefix_approved_for_its_address(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    let first = apply(&server, "Northern Lights", "owner@northern.example").await;
    let decision = json(approve(&server, &admin, first, json!({})).await).await;
    assert_eq!(decision["account_status"], "created", "{decision}");
    let password = decision["password"].as_str().unwrap().to_string();
    let owner = first_sign_in(&server, "owner@northern.example", &password).await;

    // The range-exhaustion warning sends them to apply again: same address.
    let second = apply(
        &server,
        "Northern Lights (second code)",
        "Owner@Northern.example",
    )
    .await;
    // The agency sees the code an approval would issue, and chooses another.
    let proposal = json(
        server
            .get(&format!("/api/v1/applications/{second}/proposal"), &admin)
            .await,
    )
    .await;
    assert_eq!(proposal["prefix"], "CBAAB");
    assert_eq!(proposal["existing_account"], true);
    let taken = approve(&server, &admin, second, json!({"code": "CBAAA"})).await;
    assert_eq!(taken.status(), 400, "an issued code cannot be chosen");
    let confusable = approve(&server, &admin, second, json!({"code": "AAO"})).await;
    assert_eq!(confusable.status(), 200, "AAO is free");
    let decision = json(confusable).await;
    assert_eq!(decision["application"]["prefix"], "CBAAO");
    assert_eq!(decision["account"], "owner@northern.example");
    assert_eq!(decision["account_status"], "extended");
    assert!(decision["password"].is_null(), "no new password");
    let mail = server.store.outbox(1).await.unwrap().remove(0);
    assert!(
        mail.body.contains("now holds this prefix too"),
        "{}",
        mail.body
    );
    assert!(!mail.body.contains("existing account."), "{}", mail.body);

    // The same session acts under both prefixes.
    let me = json(server.get("/api/v1/session", &owner).await).await;
    assert_eq!(me["prefixes"], json!(["CBAAA", "CBAAO"]));
    for prefix in ["CBAAA", "CBAAO"] {
        let r = server
            .post(
                "/api/v1/allocations",
                &owner,
                json!({"prefix": prefix, "title": "Song", "artist": "Band"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{prefix} on {}", server.db_name);
        server
            .get_expect(
                &format!("/api/v1/export?prefix={prefix}&format=json"),
                &owner,
                200,
            )
            .await;
    }
    let listed = json(server.get("/api/v1/registrants", &owner).await).await["items"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    server.registrant("FRABC").await;
    let r = server
        .post(
            "/api/v1/allocations",
            &owner,
            json!({"prefix": "FRABC", "title": "x", "artist": "y"}),
        )
        .await;
    assert_eq!(r.status(), 403, "not a prefix of the account");
    // An admin can give an account a prefix too.
    let id = server
        .store
        .user_by_email("owner@northern.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let r = server
        .post_expect(
            &format!("/api/v1/users/{id}/prefixes"),
            &admin,
            json!({"prefix": "FRABC"}),
            200,
        )
        .await;
    assert_eq!(
        json(r).await["prefixes"],
        json!(["CBAAA", "CBAAO", "FRABC"])
    );
}

common::each_backend!(
    an_application_from_an_admin_address_is_flagged_and_not_approved,
    worker_threads = 2
);
async fn an_application_from_an_admin_address_is_flagged_and_not_approved(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    let id = apply(&server, "Sneaky", "BOSS@agency.example").await;
    let list = json(server.get("/api/v1/applications", &admin).await).await;
    assert_eq!(list[0]["admin_address"], true);
    let r = approve(&server, &admin, id, json!({})).await;
    assert_eq!(r.status(), 409);
    assert_eq!(error_code(r).await, "admin_address");
    assert_eq!(
        server.store.application(id).await.unwrap().status.as_str(),
        "pending",
        "nothing issued"
    );
    let html = server
        .get("/agency/applications", &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("id=\"flag-{id}\"")),
        "the page flags it"
    );
}

common::each_backend!(
    generated_passwords_are_not_kept_and_must_be_changed,
    worker_threads = 2
);
async fn generated_passwords_are_not_kept_and_must_be_changed(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.admin_session().await;
    let id = apply(&server, "Label", "ana@label.example").await;
    let decision = json(approve(&server, &admin, id, json!({})).await).await;
    assert_eq!(decision["mail"], "kept");
    let password = decision["password"].as_str().unwrap().to_string();
    // The outbox copy (what admins read) has no password, though no SMTP took the mail.
    let outbox = json(server.get("/api/v1/outbox", &admin).await).await;
    let body = outbox[0]["body"].as_str().unwrap();
    assert!(!body.contains(&password), "{body}");
    assert!(body.contains("[sent by e-mail; not kept]"));

    // Signed in with it, nothing but the password change is allowed.
    let (session, me) = server
        .login_with("ana@label.example", &password)
        .await
        .unwrap();
    assert_eq!(me["must_change_password"], true);
    let r = server.get_expect("/api/v1/recordings", &session, 403).await;
    assert_eq!(error_code(r).await, "password_change_required");
    server.get_expect("/portal", &session, 403).await;
    let page = server
        .with_session(server.http.get(server.url("/portal")), &session)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303, "pages lead to the account page");
    assert_eq!(page.headers()["location"], "/account");
    // Weak passwords are refused: short, one repeated character, the address itself.
    for weak in [
        "short",
        "aaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaa",
        "ana@label.example",
        "password1234",
    ] {
        let r = server
            .put(
                "/api/v1/session/password",
                &session,
                json!({"current": password, "new": weak}),
            )
            .await;
        assert_eq!(r.status(), 400, "{weak}");
        assert_eq!(error_code(r).await, "weak_password", "{weak}");
    }
    server
        .put_expect(
            "/api/v1/session/password",
            &session,
            json!({"current": password, "new": STRONG}),
            204,
        )
        .await;
    let (session, me) = server
        .login_with("ana@label.example", STRONG)
        .await
        .unwrap();
    assert_eq!(me["must_change_password"], false);
    server.get_expect("/api/v1/recordings", &session, 200).await;

    // Accounts an admin makes without a password are the same.
    let r = server
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "bob@label.example", "prefix": "CBAAA"}),
        )
        .await;
    let made = json(r).await;
    assert_eq!(made["user"]["must_change_password"], true);
    let r = server
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "eve@label.example", "prefix": "CBAAA", "password": "aaaaaaaaaaaa"}),
        )
        .await;
    assert_eq!(r.status(), 400, "a weak given password is refused too");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let db = common::sqlite();
    let path = std::path::PathBuf::from(&db.url);
    let server = common::start_with(db, |_| {}).await;
    let admin = server.user("boss@agency.example", None).await;
    server.login(&admin).await;
    for file in [path.clone(), path.with_extension("db-wal")] {
        if let Ok(meta) = std::fs::metadata(&file) {
            assert_eq!(
                meta.permissions().mode() & 0o777,
                0o600,
                "{}",
                file.display()
            );
        }
    }
    assert!(path.exists());
}

common::each_backend!(
    a_mailed_reset_link_works_once_and_ends_sessions_and_tokens,
    worker_threads = 2
);
async fn a_mailed_reset_link_works_once_and_ends_sessions_and_tokens(db: common::TestDb) {
    let (server, mut inbox) = common::start_with_smtp(db, |_| {}).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    let token = json(
        server
            .post(
                "/api/v1/tokens",
                &ana,
                json!({"name": "ci", "scopes": ["read"]}),
            )
            .await,
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();

    // Unknown and known addresses get the same answer.
    let unknown = server
        .post_json_anon(
            "/api/v1/password-reset",
            &json!({"email": "nobody@xyz.example"}),
        )
        .await;
    assert_eq!(unknown.status(), 202);
    let unknown = unknown.text().await.unwrap();
    let known = server
        .post_json_anon(
            "/api/v1/password-reset",
            &json!({"email": "ANA@xyz.example"}),
        )
        .await;
    assert_eq!(known.status(), 202);
    assert_eq!(known.text().await.unwrap(), unknown);

    let mail = tokio::time::timeout(std::time::Duration::from_secs(30), inbox.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(mail.to[0].contains("ana@xyz.example"));
    let secret: String = mail
        .data
        .split("/reset?token=")
        .nth(1)
        .expect("a link")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(secret.len(), 43);
    // The outbox keeps neither the link's secret nor a hash of it in the clear.
    let outbox = server.store.outbox(1).await.unwrap();
    assert!(!outbox[0].body.contains(&secret));

    let confirm = |token: &str, password: &str| {
        server
            .http
            .post(server.url("/api/v1/password-reset/confirm"))
            .json(&json!({"token": token, "password": password}))
            .send()
    };
    let weak = confirm(&secret, "aaaaaaaaaaaaaaa").await.unwrap();
    assert_eq!(weak.status(), 400);
    assert_eq!(confirm(&secret, STRONG).await.unwrap().status(), 204);
    let again = confirm(&secret, "another-lantern-meadow-77").await.unwrap();
    assert_eq!(again.status(), 400, "single use");
    assert_eq!(error_code(again).await, "invalid");
    assert_eq!(
        confirm("made-up-token", STRONG).await.unwrap().status(),
        400
    );
    // The old session and the token have ended; the new password signs in.
    server.get_expect("/api/v1/session", &ana, 401).await;
    let r = bearer(&server, reqwest::Method::GET, "/api/v1/recordings", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "tokens revoked on a password change");
    server.login_with("ana@xyz.example", STRONG).await.unwrap();

    // An expired link does not work.
    let user = server
        .store
        .user_by_email("ana@xyz.example")
        .await
        .unwrap()
        .unwrap();
    server
        .store
        .create_password_reset(
            user.id,
            &isrc_server::auth::secret_hash("expired-secret"),
            isrc_registry::unix_now() - 1,
        )
        .await
        .unwrap();
    assert_eq!(
        confirm("expired-secret", "another-lantern-meadow-77")
            .await
            .unwrap()
            .status(),
        400
    );
}

common::each_backend!(admins_reset_and_disable_accounts, worker_threads = 2);
async fn admins_reset_and_disable_accounts(db: common::TestDb) {
    let server = common::start(db).await;
    let admin_email = server.user("boss@agency.example", None).await;
    let admin = server.login(&admin_email).await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    let bob = server
        .registrant_user(&admin, "FRABC", "bob@abc.example")
        .await;
    let token = json(
        server
            .post(
                "/api/v1/tokens",
                &ana,
                json!({"name": "ci", "scopes": ["read", "allocate"]}),
            )
            .await,
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let id = server
        .store
        .user_by_email("ana@xyz.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    // A registrant cannot disable anyone.
    server
        .post_expect(&format!("/api/v1/users/{id}/disable"), &bob, json!({}), 403)
        .await;
    let admin_id = server
        .store
        .user_by_email(&admin_email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let r = server
        .post(
            &format!("/api/v1/users/{admin_id}/disable"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 409, "not one's own account");

    let r = server
        .post_expect(
            &format!("/api/v1/users/{id}/disable"),
            &admin,
            json!({}),
            200,
        )
        .await;
    assert_eq!(json(r).await["disabled"], true);
    server.get_expect("/api/v1/session", &ana, 401).await;
    let r = bearer(&server, reqwest::Method::GET, "/api/v1/recordings", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "the token ended with the account");
    let refused = server
        .login_with("ana@xyz.example", common::PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "account_disabled");
    // A reset link is not sent to a disabled account.
    server
        .post_json_anon(
            "/api/v1/password-reset",
            &json!({"email": "ana@xyz.example"}),
        )
        .await;
    assert!(
        !server
            .store
            .outbox(5)
            .await
            .unwrap()
            .iter()
            .any(|m| m.subject.contains("new password"))
    );

    server
        .post_expect(
            &format!("/api/v1/users/{id}/enable"),
            &admin,
            json!({}),
            200,
        )
        .await;
    let ana = server
        .login_with("ana@xyz.example", common::PASSWORD)
        .await
        .unwrap()
        .0;
    let r = bearer(&server, reqwest::Method::GET, "/api/v1/recordings", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "enabling gives no token back");

    // The admin's reset: a password shown once, to be changed; sessions end.
    let r = server
        .post_expect(
            &format!("/api/v1/users/{id}/password-reset"),
            &admin,
            json!({}),
            200,
        )
        .await;
    let password = json(r).await["password"].as_str().unwrap().to_string();
    server.get_expect("/api/v1/session", &ana, 401).await;
    let (session, me) = server
        .login_with("ana@xyz.example", &password)
        .await
        .unwrap();
    assert_eq!(me["must_change_password"], true);
    server.get_expect("/api/v1/recordings", &session, 403).await;
    // The audit log records who did it.
    let audit = server
        .store
        .audit_log(Some(&format!("user/{id}")))
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for action in ["user.disable", "user.enable", "user.password.reset"] {
        assert!(actions.contains(&action), "{actions:?}");
    }
}

common::each_backend!(
    tokens_have_scopes_and_an_expiry_and_cannot_mint_tokens,
    worker_threads = 2
);
async fn tokens_have_scopes_and_an_expiry_and_cannot_mint_tokens(db: common::TestDb) {
    let server = common::start(db).await;
    let admin_email = server.user("boss@agency.example", None).await;
    let admin = server.login(&admin_email).await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    let make = |session: &Session, body: Value| {
        let session = session.clone();
        let server = &server;
        async move { server.post("/api/v1/tokens", &session, body).await }
    };
    let made = json(make(&ana, json!({"name": "reader"})).await).await;
    assert_eq!(made["scopes"], json!(["read"]), "read is the default");
    assert!(made["expires_at"].as_i64().unwrap() > isrc_registry::unix_now() + 80 * 86_400);
    let reader = made["token"].as_str().unwrap().to_string();
    let writer = json(
        make(
            &ana,
            json!({"name": "writer", "scopes": ["read", "allocate"], "expires_in_days": 7}),
        )
        .await,
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = make(&ana, json!({"name": "x", "expires_in_days": 4000})).await;
    assert_eq!(r.status(), 400, "at most a year");
    let r = make(&ana, json!({"name": "x", "scopes": ["root"]})).await;
    assert_eq!(r.status(), 400);

    // A token cannot make, list-and-revoke its way to others.
    for token in [&reader, &writer] {
        let r = bearer_expect(
            &server,
            reqwest::Method::POST,
            "/api/v1/tokens",
            token,
            Some(json!({"name": "minted", "scopes": ["read", "allocate"]})),
            403,
        )
        .await;
        assert!(["session_required", "scope"].contains(&error_code(r).await.as_str()));
        bearer_expect(
            &server,
            reqwest::Method::DELETE,
            "/api/v1/tokens/1",
            token,
            None,
            403,
        )
        .await;
        let r = bearer(
            &server,
            reqwest::Method::PUT,
            "/api/v1/session/password",
            token,
        )
        .json(&json!({"current": common::PASSWORD, "new": STRONG}))
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), 403, "nor change the password");
    }
    // read reads, allocate allocates.
    bearer_expect(
        &server,
        reqwest::Method::GET,
        "/api/v1/recordings",
        &reader,
        None,
        200,
    )
    .await;
    let r = bearer_expect(
        &server,
        reqwest::Method::POST,
        "/api/v1/allocations",
        &reader,
        Some(json!({"title": "x", "artist": "y"})),
        403,
    )
    .await;
    assert_eq!(error_code(r).await, "scope");
    bearer_expect(
        &server,
        reqwest::Method::POST,
        "/api/v1/allocations",
        &writer,
        Some(json!({"title": "x", "artist": "y"})),
        201,
    )
    .await;

    // An admin's token acts as an admin only with the admin scope.
    let admin_read = json(make(&admin, json!({"name": "dash"})).await).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let admin_full = json(make(&admin, json!({"name": "ops", "scopes": ["read", "admin"]})).await)
        .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    bearer_expect(
        &server,
        reqwest::Method::GET,
        "/api/v1/applications",
        &admin_read,
        None,
        403,
    )
    .await;
    bearer_expect(
        &server,
        reqwest::Method::GET,
        "/api/v1/applications",
        &admin_full,
        None,
        200,
    )
    .await;

    // An expired token is refused.
    let user = server
        .store
        .user_by_email("ana@xyz.example")
        .await
        .unwrap()
        .unwrap();
    server
        .store
        .create_scoped_api_token(
            &isrc_server::auth::secret_hash("isrc_expired"),
            "old",
            user.id,
            &[isrc_registry::Scope::Read],
            Some(isrc_registry::unix_now() - 1),
            "test",
        )
        .await
        .unwrap();
    bearer_expect(
        &server,
        reqwest::Method::GET,
        "/api/v1/recordings",
        "isrc_expired",
        None,
        401,
    )
    .await;

    // The tokens page lists, makes and revokes, from a session only.
    let page = server.get_expect("/account/tokens", &ana, 200).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("reader") && html.contains("writer") && html.contains("old"));
    assert!(html.contains("expired"));
    let r = server
        .with_session(server.http.post(server.url("/account/tokens")), &ana)
        .form(&[
            ("csrf_token", ana.csrf.as_str()),
            ("name", "from the page"),
            ("read", "on"),
            ("allocate", "on"),
            ("days", "30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let secret: String = html
        .split("<code id=\"secret\">")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| *c != '<')
        .collect();
    bearer_expect(
        &server,
        reqwest::Method::POST,
        "/api/v1/allocations",
        &secret,
        Some(json!({"title": "page", "artist": "y"})),
        201,
    )
    .await;
    let id = server
        .store
        .api_tokens(user.id)
        .await
        .unwrap()
        .iter()
        .find(|t| t.name == "from the page")
        .unwrap()
        .id;
    let r = server
        .with_session(
            server
                .http
                .post(server.url(&format!("/account/tokens/{id}/revoke"))),
            &ana,
        )
        .form(&[("csrf_token", ana.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    bearer_expect(
        &server,
        reqwest::Method::GET,
        "/api/v1/recordings",
        &secret,
        None,
        401,
    )
    .await;
    let r = bearer(&server, reqwest::Method::GET, "/account/tokens", &writer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "the page is for sessions");
}
