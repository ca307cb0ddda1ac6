//! The bench of the three-front-end tests: a seeded database per front end, the calls of
//! one use case as each front end makes them, and the stored result they are compared by.

use crate::common;

use std::process::Command;

use isrc_registry::{
    AllocationRequest, ListFilter, NewApplication, NewRegistrant, NewUser, RecordingInput,
    RegistrantKind, Role, Store,
};
use isrc_server::{AppState, Config};
use serde_json::{Value, json};

pub(super) const ADMIN: &str = "admin@agency.example";
pub(super) const ANA: &str = "ana@xyz.example";
const PASSWORD: &str = "tulip-orbit-canvas-quarry";
const PUBLIC_URL: &str = "http://isrc.test";

/// The three front ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Front {
    Cli,
    Api,
    Web,
}

const FRONTS: [Front; 3] = [Front::Cli, Front::Api, Front::Web];

/// Which databases: SQLite files, or fresh PostgreSQL databases.
#[derive(Debug, Clone, Copy)]
pub(super) enum Backend {
    Sqlite,
    Postgres,
}

fn database(backend: Backend) -> common::Db {
    match backend {
        Backend::Sqlite => common::sqlite(),
        // Fails without ISRC_TEST_POSTGRES_URL: see common::postgres.
        Backend::Postgres => common::postgres(),
    }
}

/// A signed-in session: cookie and CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

/// One front end over its own database.
struct Bench {
    front: Front,
    db: common::Db,
    store: Store,
    base: String,
    http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The last audit entry before the operation under test.
    since: i64,
}

impl Drop for Bench {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The seed every front end starts from: registrant CBXYZ, an admin and ana (CBXYZ's user),
/// one recording with a duration (published), and one pending application.
async fn seed(store: &Store) {
    store
        .add_registrant(
            NewRegistrant {
                prefix: "CBXYZ".parse().unwrap(),
                name: "Les Disques XYZ".into(),
                contact: ANA.into(),
                kind: RegistrantKind::Own,
                ranges: vec![],
            },
            "seed",
        )
        .await
        .unwrap();
    for (email, role, prefix) in [
        (ADMIN, Role::Admin, None),
        (ANA, Role::Registrant, Some("CBXYZ".parse().unwrap())),
    ] {
        store
            .create_user(
                &NewUser {
                    email: email.into(),
                    password_hash: isrc_server::auth::hash_password(PASSWORD).unwrap(),
                    role,
                    prefix,
                },
                "seed",
            )
            .await
            .unwrap();
    }
    let allocation = store
        .allocate(&AllocationRequest {
            prefix: "CBXYZ".parse().unwrap(),
            year: 2026,
            recordings: vec![RecordingInput {
                title: "Neige".into(),
                artist: "Ariane".into(),
                duration_ms: Some(205_000),
                ..Default::default()
            }],
            force: false,
            actor: "seed".into(),
            idempotency_key: None,
            labels: vec![],
        })
        .await
        .unwrap();
    store
        .set_public(allocation.isrcs[0], true, "seed")
        .await
        .unwrap();
    store
        .apply(
            &NewApplication {
                name: "Label Rouge".into(),
                contact: "rouge@label.example".into(),
                address: "1 rue de la Paix, Montréal".into(),
                country: "CA".into(),
                kind: RegistrantKind::Own,
            },
            "seed",
        )
        .await
        .unwrap();
}

fn config(url: &str) -> Config {
    let mut config = Config::new(url);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.today = Some("2026-03-01".parse().unwrap());
    config.insecure_cookies = true;
    config.public_url = PUBLIC_URL.into();
    config
}

impl Bench {
    /// `db` seeded for `front`, with a server for the API and the pages.
    async fn new(front: Front, db: common::Db) -> Bench {
        let store = Store::open(&db.url).await.expect("open store");
        seed(&store).await;
        let mut bench = Bench {
            front,
            store: store.clone(),
            base: String::new(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            stop: None,
            since: 0,
            db,
        };
        if front != Front::Cli {
            let state = AppState::new(store, config(&bench.db.url)).expect("state");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            bench.base = format!("http://{}", listener.local_addr().unwrap());
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(async move {
                isrc_server::serve_on(listener, state, async {
                    let _ = stopped.await;
                })
                .await
                .expect("serve");
            });
            bench.stop = Some(stop);
        }
        bench
    }

    /// Marks the start of the operation under test (after any sign-in).
    async fn mark(&mut self) {
        self.since = self
            .store
            .audit_log(None)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .max()
            .unwrap_or(0);
    }

    /// Signs `email` in over the API.
    async fn login(&self, email: &str) -> Session {
        let r = self
            .http
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "sign-in of {email}");
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let body: Value = r.json().await.unwrap();
        Session {
            cookie,
            csrf: body["csrf_token"].as_str().unwrap().to_string(),
        }
    }

    /// Performs `calls` through this bench's front end as `calls.user`, from the mark on,
    /// and checks the outcome: success, or a refusal saying `calls.refused`.
    async fn call(&mut self, calls: &Calls) {
        let session = match self.front {
            Front::Cli => None,
            _ => Some(self.login(calls.user).await),
        };
        self.mark().await;
        let (ok, text) = match session {
            None => self.run_cli(calls),
            Some(s) => {
                let response = match self.front {
                    Front::Api => {
                        let (path, body) = &calls.api;
                        let method = calls.api_method.parse().unwrap();
                        let request = self.request(method, path, &s);
                        match (&calls.file, body) {
                            (Some((_, text)), Value::Null) => request.body(text.to_string()),
                            _ => request.json(body),
                        }
                    }
                    _ => self.post_page(calls, &s),
                }
                .send()
                .await
                .unwrap();
                // A page that explains a refusal answers 4xx; a done action 200, 201 or 303.
                (
                    response.status().as_u16() < 400,
                    response.text().await.unwrap(),
                )
            }
        };
        match calls.refused {
            None => assert!(ok, "{:?}: {text}", self.front),
            Some(words) => {
                assert!(!ok, "{:?} should refuse: {text}", self.front);
                assert!(text.contains(words), "{:?}: {text}", self.front);
            }
        }
    }

    /// The real `isrc` binary on this database, acting as `calls.user` (named as the server
    /// names its users in the audit log, so the entries compare): success, and stderr.
    fn run_cli(&self, calls: &Calls) -> (bool, String) {
        let mut args: Vec<String> = calls.cli.iter().map(|a| a.to_string()).collect();
        if let Some((name, text)) = &calls.file {
            let path = self.db.file(name, text);
            args.push(path.to_string_lossy().into_owned());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut command: Command = self.db.cmd(&args);
        command
            .env("ISRC_ACTOR", format!("user:{}", calls.user))
            .env("ISRC_PUBLIC_URL", PUBLIC_URL)
            .env_remove("ISRC_SMTP");
        let out = command.output().expect("run isrc");
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!text.contains("panicked"), "{text}");
        (out.status.success(), text)
    }

    /// The page's form post (or upload of `calls.file`), with the session's CSRF token.
    fn post_page(&self, calls: &Calls, session: &Session) -> reqwest::RequestBuilder {
        let (path, fields) = &calls.web;
        let request = self.post(path, session).header("accept", "text/html");
        match &calls.file {
            None => {
                let mut fields = fields.to_vec();
                fields.push(("csrf_token", &session.csrf));
                request.form(&fields)
            }
            Some((name, text)) => {
                let part = reqwest::multipart::Part::bytes(text.as_bytes().to_vec())
                    .file_name(name.to_string());
                let form = reqwest::multipart::Form::new()
                    .text("csrf_token", session.csrf.clone())
                    .part("file", part);
                request.multipart(form)
            }
        }
    }

    /// A POST to the server with the session's cookie and CSRF header.
    fn post(&self, path: &str, session: &Session) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, path, session)
    }

    /// A request to the server with the session's cookie and CSRF header.
    fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        session: &Session,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
    }

    /// What the ledger holds, with the times (which differ between runs) blanked, and the
    /// audit entries since [`Bench::mark`].
    async fn stored(&self) -> Value {
        let store = &self.store;
        let recordings = store
            .recordings(&ListFilter {
                include_void: true,
                ..ListFilter::default()
            })
            .await
            .unwrap();
        let mut public: Vec<String> = store
            .public_isrcs(None)
            .await
            .unwrap()
            .iter()
            .map(|i| i.to_string())
            .collect();
        public.sort();
        let audit: Vec<Value> = store
            .audit_log(None)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.id > self.since)
            .map(|e| {
                let state = |s: &Option<String>| {
                    s.as_deref()
                        .map(|t| serde_json::from_str::<Value>(t).unwrap_or(Value::from(t)))
                };
                json!({
                    "actor": e.actor, "action": e.action, "subject": e.subject,
                    "before": state(&e.before), "after": state(&e.after),
                })
            })
            .collect();
        let outbox: Vec<Value> = store
            .outbox(100)
            .await
            .unwrap()
            .into_iter()
            .map(|m| json!({"to": m.recipient, "subject": m.subject, "body": m.body}))
            .collect();
        let mut value = json!({
            "recordings": recordings,
            "public": public,
            "applications": store.applications(None).await.unwrap(),
            "registrants": store.registrants().await.unwrap(),
            "users": store.users().await.unwrap(),
            "outbox": outbox,
            "audit": audit,
        });
        blank_times(&mut value);
        value
    }
}

/// Replaces every timestamp (`2026-...T...`) with `<time>`.
fn blank_times(value: &mut Value) {
    match value {
        Value::String(s) => {
            let b = s.as_bytes();
            if b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' {
                *s = "<time>".into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(blank_times),
        Value::Object(map) => map.values_mut().for_each(blank_times),
        _ => {}
    }
}

/// One use case as each front end asks for it.
pub(super) struct Calls {
    /// Who acts (signed in to the server; named in the CLI's audit entries alike).
    pub(super) user: &'static str,
    /// The `isrc` arguments (the file, if any, is appended as the last argument).
    pub(super) cli: Vec<&'static str>,
    /// The API's method (`POST`, `PUT`).
    pub(super) api_method: &'static str,
    /// The API's path and JSON body.
    pub(super) api: (String, Value),
    /// The page's path and form fields (the CSRF token is added).
    pub(super) web: (String, Vec<(&'static str, &'static str)>),
    /// A file the CLI reads and the page uploads instead of the form fields (and the API takes
    /// as its body when its JSON body is null): name, text.
    pub(super) file: Option<(&'static str, &'static str)>,
    /// `Some(words)`: every front end refuses, saying `words`.
    pub(super) refused: Option<&'static str>,
}

/// Runs `calls` through each front end on its own seeded database and asserts the three
/// stored results are equal; returns the stored result for rule-specific checks.
pub(super) fn same_everywhere(backend: Backend, calls: Calls) -> Value {
    same_everywhere_after(backend, &[], calls)
}

/// [`same_everywhere`], with the `isrc` arguments `before` (when any) run on every seeded
/// database first, as the agency.
pub(super) fn same_everywhere_after(backend: Backend, before: &[&str], calls: Calls) -> Value {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut results = Vec::new();
    for front in FRONTS {
        // Made outside the runtime: a PostgreSQL database is created on a runtime of its own.
        let db = database(backend);
        let result = runtime.block_on(async {
            let mut bench = Bench::new(front, db).await;
            if !before.is_empty() {
                let out = bench.db.run(before);
                assert!(out.status.success(), "isrc {before:?}: {out:?}");
            }
            bench.call(&calls).await;
            let stored = bench.stored().await;
            bench.store.close().await;
            stored
        });
        results.push((front, result));
    }
    let (_, cli) = &results[0];
    for (front, result) in &results[1..] {
        assert_eq!(
            result,
            cli,
            "{front:?} stored something else than the CLI:\n{front:?}: {}\nCLI: {}",
            serde_json::to_string_pretty(result).unwrap(),
            serde_json::to_string_pretty(cli).unwrap()
        );
    }
    results.remove(0).1
}
