//! The server's foundation over real HTTP: JSON errors, sessions, CSRF, escaping, first admin.

use crate::common;

use common::error_code;

common::each_backend!(bad_input_gets_json_errors_never_a_500, worker_threads = 2);
async fn bad_input_gets_json_errors_never_a_500(db: common::TestDb) {
    let server = common::start(db).await;
    let http = &server.http;
    let r = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "ok");

    // Method, path, content type, body, bearer token; the status and the error code expected.
    use reqwest::Method;
    let cases = [
        (
            Method::POST,
            "/api/v1/validate",
            Some("application/json"),
            "{not json",
            None,
            400,
            Some("invalid_json"),
        ),
        (
            Method::POST,
            "/api/v1/session",
            Some("application/json"),
            r#"{"email": 3}"#,
            None,
            422,
            Some("invalid_json"),
        ),
        (
            Method::POST,
            "/api/v1/session",
            None,
            "email=x",
            None,
            415,
            Some("unsupported_media_type"),
        ),
        (
            Method::GET,
            "/api/v1/nothing",
            None,
            "",
            None,
            404,
            Some("not_found"),
        ),
        (
            Method::PUT,
            "/healthz",
            None,
            "",
            None,
            405,
            Some("method_not_allowed"),
        ),
        // No credentials is said before the bad query.
        (
            Method::GET,
            "/api/v1/outbox?limit=-1",
            None,
            "",
            None,
            401,
            Some("unauthorized"),
        ),
        (
            Method::GET,
            "/api/v1/session",
            None,
            "",
            Some("not-a-token"),
            401,
            None,
        ),
    ];
    for (method, path, content_type, body, token, status, code) in cases {
        let mut request = http.request(method.clone(), server.url(path));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if !body.is_empty() {
            request = request.body(body);
        }
        let r = common::expect(method.as_str(), path, request.send().await.unwrap(), status).await;
        if let Some(code) = code {
            assert_eq!(error_code(r).await, code, "{method} {path}");
        }
    }
}

common::each_backend!(sessions_sign_in_and_out_with_csrf, worker_threads = 2);
async fn sessions_sign_in_and_out_with_csrf(db: common::TestDb) {
    let server = common::start(db).await;
    let admin = server.user("boss@agency.example", None).await;
    let r = server
        .post_json_anon(
            "/api/v1/session",
            &serde_json::json!({"email": admin, "password": "wrong-password"}),
        )
        .await;
    assert_eq!(r.status(), 401);

    let session = server.login(&admin).await;
    let r = server
        .http
        .get(server.url("/api/v1/session"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["role"], "admin");

    // A change over the API with the cookie but without the CSRF header is refused.
    let r = server
        .http
        .delete(server.url("/api/v1/session"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(error_code(r).await, "csrf");

    // A form post without the hidden token is refused too, and the session survives.
    let r = server
        .post_form_cookie("/logout", &session.cookie, &[("other", "x")])
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(error_code(r).await, "csrf");
    let r = server
        .post_form_cookie("/logout", &session.cookie, &[("csrf_token", "forged")])
        .await;
    assert_eq!(r.status(), 403);

    let r = server
        .post_form_cookie(
            "/logout",
            &session.cookie,
            &[("csrf_token", session.csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", server.db_name);
    let r = server
        .http
        .get(server.url("/api/v1/session"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "signed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_is_secure_http_only_and_same_site() {
    let db = common::sqlite();
    let server = common::start_with(db, |c| c.insecure_cookies = false).await;
    let admin = server.user("boss@agency.example", None).await;
    let r = server
        .post_json_anon(
            "/api/v1/session",
            &serde_json::json!({"email": admin, "password": common::PASSWORD}),
        )
        .await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_escape_user_text() {
    let db = common::sqlite();
    let server = common::start_with(db, |_| {}).await;
    let html = server
        .http
        .get(server.url("/"))
        .query(&[("codes", "<script>alert(1)</script>\nUSRC17607839")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    let headers = server.get_anon("/").await;
    let headers = headers.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(html.contains("USRC17607839"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_makes_one_admin() {
    let db = common::sqlite();
    let store = isrc_registry::Store::open(&db.url).await.unwrap();
    let password = isrc_server::ensure_admin(&store).await.unwrap().unwrap();
    assert!(password.len() >= 20);
    assert!(isrc_server::ensure_admin(&store).await.unwrap().is_none());
    assert_eq!(store.admin_count().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_form_sets_the_cookie_and_the_page_shows_the_user() {
    let server = common::start_with(common::sqlite(), |_| {}).await;
    let admin = server.user("boss@agency.example", None).await;
    // The form carries a token bound to the `isrc_form` cookie (login CSRF).
    let form = server.get_anon("/login").await;
    let form_cookie = form.headers()["set-cookie"].to_str().unwrap();
    let form_cookie = form_cookie.split(';').next().unwrap().to_string();
    let html = form.text().await.unwrap();
    let token = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let wrong = server
        .post_form_cookie(
            "/login",
            &form_cookie,
            &[
                ("email", admin.as_str()),
                ("password", "nope"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("wrong e-mail address or password")
    );
    let r = server
        .post_form_cookie(
            "/login",
            &form_cookie,
            &[
                ("email", admin.as_str()),
                ("password", common::PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let html = server
        .http
        .get(server.url("/"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("boss@agency.example"));
    assert!(
        html.contains("name=\"csrf_token\""),
        "the sign-out form carries the token"
    );
}
