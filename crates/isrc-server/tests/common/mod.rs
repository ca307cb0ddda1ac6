//! A real server on 127.0.0.1:0 over a real database, and helpers to talk to it.

#![allow(dead_code)]

/// Headless Chromium for the browser tests.
pub mod chromium;
/// The test databases and `each_backend!`, shared with the isrc-registry tests.
#[path = "../../../isrc-registry/tests/common/mod.rs"]
pub mod db;
pub mod smtp;

#[allow(unused_imports)]
pub(crate) use db::{TestDb, each_backend, postgres, sqlite};

use isrc_registry::{NewRegistrant, NewUser, RegistrantKind, Role, Store};
use isrc_server::{AppState, Config};
use serde_json::Value;

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

    /// Makes a user with password `tulip-orbit-canvas-quarry` and returns its e-mail address.
    pub async fn user(&self, email: &str, prefix: Option<&str>) -> String {
        self.store
            .create_user(
                &NewUser {
                    email: email.into(),
                    password_hash: isrc_server::auth::hash_password("tulip-orbit-canvas-quarry")
                        .unwrap(),
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

    /// Signs in over the API: (cookie header value, CSRF token).
    pub async fn login(&self, email: &str) -> Session {
        let response = self
            .http
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"email": email, "password": "tulip-orbit-canvas-quarry"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "sign-in of {email}");
        let cookie = response
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let body: Value = response.json().await.unwrap();
        Session {
            cookie,
            csrf: body["csrf_token"].as_str().unwrap().to_string(),
        }
    }
}

/// A signed-in browser session.
#[derive(Clone, Debug)]
pub struct Session {
    /// `isrc_session=...`
    pub cookie: String,
    pub csrf: String,
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
                serde_json::json!({"email": email, "prefix": prefix, "password": "tulip-orbit-canvas-quarry"}),
            )
            .await;
        assert_eq!(r.status(), 201, "add user {email}");
        self.login(email).await
    }
}
