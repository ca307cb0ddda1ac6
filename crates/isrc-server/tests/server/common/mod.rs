//! A real server on 127.0.0.1:0 over a real database, and helpers to talk to it.

#![allow(dead_code)]

/// The test databases and `each_backend!`, shared with the isrc-registry and isrc-cli tests.
pub use isrc_test_support as db;
/// Headless Chromium for the browser tests.
pub mod chromium;
pub mod smtp;

#[allow(unused_imports)]
pub(crate) use db::{TestDb, each_backend, postgres, sqlite};

use isrc_registry::{NewRegistrant, NewUser, RegistrantKind, Role, Store};
use isrc_server::{AppState, Config};
use serde::Serialize;
use serde_json::Value;

/// The password of the users the helpers make.
pub const PASSWORD: &str = "tulip-orbit-canvas-quarry";

/// A running server; stops when dropped.
pub struct TestServer {
    pub base: String,
    pub store: Store,
    pub db_name: &'static str,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _db: db::TestDb,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The test configuration: fixed date, no SMTP, insecure cookies on loopback.
pub fn config(url: &str) -> Config {
    let mut config = Config::new(url);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.today = Some("2026-11-22".parse().unwrap());
    config.insecure_cookies = true;
    config
}

/// Starts a server on `db` with the cast of most tests signed in: the agency admin
/// (`boss@agency.example`) and `ana@xyz.example`, the user of registrant CBXYZ.
pub async fn start_with_ana(db: db::TestDb) -> (TestServer, Session, Session) {
    let server = start(db).await;
    let admin = server.admin_session().await;
    let ana = server
        .registrant_user(&admin, "CBXYZ", "ana@xyz.example")
        .await;
    (server, admin, ana)
}

/// Starts a server on `db` with `tune` applied to the configuration.
pub async fn start_with(db: db::TestDb, tune: impl FnOnce(&mut Config)) -> TestServer {
    let mut config = config(&db.url);
    tune(&mut config);
    let store = Store::open(&db.url).await.expect("open store");
    let state = AppState::new(store.clone(), config).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        isrc_server::serve_on(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .expect("serve");
    });
    TestServer {
        base: format!("http://{addr}"),
        store,
        db_name: db.name,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        stop: Some(stop),
        _db: db,
    }
}

/// Starts a server on `db` with the test configuration.
pub async fn start(db: db::TestDb) -> TestServer {
    start_with(db, |_| {}).await
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Adds a registrant straight to the ledger.
    pub async fn registrant(&self, prefix: &str) {
        self.store
            .add_registrant(
                NewRegistrant {
                    prefix: prefix.parse().unwrap(),
                    name: format!("Label {prefix}"),
                    contact: format!("isrc@{}.example", prefix.to_lowercase()),
                    kind: RegistrantKind::Own,
                    ranges: vec![],
                },
                "test",
            )
            .await
            .unwrap();
    }

    /// Makes a user with password [`PASSWORD`] and returns its e-mail address.
    pub async fn user(&self, email: &str, prefix: Option<&str>) -> String {
        self.store
            .create_user(
                &NewUser {
                    email: email.into(),
                    password_hash: isrc_server::auth::hash_password(PASSWORD).unwrap(),
                    role: if prefix.is_some() {
                        Role::Registrant
                    } else {
                        Role::Admin
                    },
                    prefix: prefix.map(|p| p.parse().unwrap()),
                },
                "test",
            )
            .await
            .unwrap();
        email.to_string()
    }

    /// Signs in over the API with the test password.
    pub async fn login(&self, email: &str) -> Session {
        match self.login_with(email, PASSWORD).await {
            Ok((session, _)) => session,
            Err(response) => panic!("sign-in of {email}: {}", response.status()),
        }
    }

    /// Signs in over the API with `password`: the session and the answer's body, or the
    /// refusal.
    pub async fn login_with(
        &self,
        email: &str,
        password: &str,
    ) -> Result<(Session, Value), reqwest::Response> {
        let body = serde_json::json!({"email": email, "password": password});
        let response = self.post_json_anon("/api/v1/session", &body).await;
        if response.status() != 200 {
            return Err(response);
        }
        let cookie = cookie(&response);
        let me = json(response).await;
        let csrf = me["csrf_token"].as_str().unwrap().to_string();
        Ok((Session { cookie, csrf }, me))
    }

    /// GET without a session.
    pub async fn get_anon(&self, path: &str) -> reqwest::Response {
        send(self.http.get(self.url(path))).await
    }

    /// POST JSON without a session.
    pub async fn post_json_anon(&self, path: &str, body: &impl Serialize) -> reqwest::Response {
        send(self.http.post(self.url(path)).json(body)).await
    }

    /// POST a form without a session.
    pub async fn post_form_anon(&self, path: &str, fields: &impl Serialize) -> reqwest::Response {
        send(self.http.post(self.url(path)).form(fields)).await
    }

    /// POST a form with a cookie (an anonymous visitor's form cookie, or a session without
    /// its CSRF header).
    pub async fn post_form_cookie(
        &self,
        path: &str,
        cookie: &str,
        fields: &impl Serialize,
    ) -> reqwest::Response {
        let request = self.http.post(self.url(path)).header("cookie", cookie);
        send(request.form(fields)).await
    }

    /// POST a raw body without a session, with `content_type` when given.
    pub async fn post_body_anon(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        let mut request = self.http.post(self.url(path));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        send(request.body(body)).await
    }

    /// POST JSON as `session` and expect `status` (the body is in the failure); the response.
    pub async fn post_expect(
        &self,
        path: &str,
        session: &Session,
        body: Value,
        status: u16,
    ) -> reqwest::Response {
        expect("POST", path, self.post(path, session, body).await, status).await
    }

    /// PUT JSON as `session` and expect `status`; the response.
    pub async fn put_expect(
        &self,
        path: &str,
        session: &Session,
        body: Value,
        status: u16,
    ) -> reqwest::Response {
        expect("PUT", path, self.put(path, session, body).await, status).await
    }

    /// GET as `session` and expect `status`; the response.
    pub async fn get_expect(
        &self,
        path: &str,
        session: &Session,
        status: u16,
    ) -> reqwest::Response {
        expect("GET", path, self.get(path, session).await, status).await
    }

    /// GET without a session and expect `status`; the response.
    pub async fn get_anon_expect(&self, path: &str, status: u16) -> reqwest::Response {
        expect("GET", path, self.get_anon(path).await, status).await
    }
}

/// `response` when its status is `status`; otherwise fails naming the request, the status and
/// the body.
pub async fn expect(
    method: &str,
    path: &str,
    response: reqwest::Response,
    status: u16,
) -> reqwest::Response {
    if response.status() != status {
        let got = response.status();
        panic!(
            "{method} {path}: {got}, not {status}: {}",
            response.text().await.unwrap()
        );
    }
    response
}

/// A signed-in browser session.
#[derive(Clone, Debug)]
pub struct Session {
    /// `isrc_session=...`
    pub cookie: String,
    pub csrf: String,
}

/// Sends a request; panics when it cannot be sent.
pub async fn send(request: reqwest::RequestBuilder) -> reqwest::Response {
    request.send().await.expect("send the request")
}

/// The body as JSON; the status and the text in the failure when it is not JSON.
pub async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: {e}: {text}"))
}

/// The `name=value` part of the response's first `Set-Cookie` header.
pub fn cookie(response: &reqwest::Response) -> String {
    let header = response.headers()["set-cookie"].to_str().unwrap();
    header.split(';').next().unwrap().to_string()
}

/// Starts a server on `db` that sends its mail to a local SMTP server, with `tune` applied to
/// the configuration; the server and the messages as they arrive.
pub async fn start_with_smtp(
    db: db::TestDb,
    tune: impl FnOnce(&mut Config),
) -> (TestServer, smtp::Inbox) {
    let (port, inbox) = smtp::start().await;
    let server = start_with(db, |c| {
        c.smtp = Some(isrc_server::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
        });
        tune(c);
    })
    .await;
    (server, inbox)
}

/// The JSON error body's code.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("JSON error body");
    assert!(body["message"].is_string(), "error has a message: {body}");
    body["code"].as_str().expect("error has a code").to_string()
}

impl TestServer {
    /// A request with the session cookie and CSRF header.
    pub fn with_session(
        &self,
        request: reqwest::RequestBuilder,
        session: &Session,
    ) -> reqwest::RequestBuilder {
        request
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
    }

    /// POST JSON as a signed-in user.
    pub async fn post(&self, path: &str, session: &Session, body: Value) -> reqwest::Response {
        self.with_session(self.http.post(self.url(path)), session)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// PUT JSON as a signed-in user.
    pub async fn put(&self, path: &str, session: &Session, body: Value) -> reqwest::Response {
        self.with_session(self.http.put(self.url(path)), session)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// GET as a signed-in user.
    pub async fn get(&self, path: &str, session: &Session) -> reqwest::Response {
        self.with_session(self.http.get(self.url(path)), session)
            .send()
            .await
            .unwrap()
    }

    /// Makes the agency admin `boss@agency.example` and signs it in over the API.
    pub async fn admin_session(&self) -> Session {
        let admin = self.user("boss@agency.example", None).await;
        self.login(&admin).await
    }

    /// Makes a registrant and a user of it through the API as `admin`; signs the user in.
    pub async fn registrant_user(&self, admin: &Session, prefix: &str, email: &str) -> Session {
        let r = self
            .post(
                "/api/v1/registrants",
                admin,
                serde_json::json!({"prefix": prefix, "name": format!("Label {prefix}"), "contact": email}),
            )
            .await;
        assert_eq!(r.status(), 201, "add registrant {prefix}");
        let r = self
            .post(
                "/api/v1/users",
                admin,
                serde_json::json!({"email": email, "prefix": prefix, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status(), 201, "add user {email}");
        self.login(email).await
    }
}
