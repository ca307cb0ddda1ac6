//! Issue 20, "rules decided once": every rule of the registry's operations, called through
//! the three front ends (the real `isrc` binary on the database, the JSON API over real HTTP,
//! the web pages over real HTTP with a session and its CSRF token), leaves the same stored
//! result: the same rows (recordings, publications, applications, accounts, outbox) and the
//! same audit entries. Each front end gets its own fresh database, seeded alike.

use crate::common;

use std::process::Command;

use isrc_registry::{
    AllocationRequest, ListFilter, NewApplication, NewRegistrant, NewUser, RecordingInput,
    RegistrantKind, Role, Store,
};
use isrc_server::{AppState, Config};
use serde_json::{Value, json};

const ADMIN: &str = "admin@agency.example";
const ANA: &str = "ana@xyz.example";
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
enum Backend {
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
struct Calls {
    /// Who acts (signed in to the server; named in the CLI's audit entries alike).
    user: &'static str,
    /// The `isrc` arguments (the file, if any, is appended as the last argument).
    cli: Vec<&'static str>,
    /// The API's method (`POST`, `PUT`).
    api_method: &'static str,
    /// The API's path and JSON body.
    api: (String, Value),
    /// The page's path and form fields (the CSRF token is added).
    web: (String, Vec<(&'static str, &'static str)>),
    /// A file the CLI reads and the page uploads instead of the form fields (and the API takes
    /// as its body when its JSON body is null): name, text.
    file: Option<(&'static str, &'static str)>,
    /// `Some(words)`: every front end refuses, saying `words`.
    refused: Option<&'static str>,
}

/// Runs `calls` through each front end on its own seeded database and asserts the three
/// stored results are equal; returns the stored result for rule-specific checks.
fn same_everywhere(backend: Backend, calls: Calls) -> Value {
    same_everywhere_after(backend, &[], calls)
}

/// [`same_everywhere`], with the `isrc` arguments `before` (when any) run on every seeded
/// database first, as the agency.
fn same_everywhere_after(backend: Backend, before: &[&str], calls: Calls) -> Value {
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

const CODE: &str = "CBXYZ2600001";

/// The actions of the audit entries written by the operation.
fn actions(stored: &Value) -> Vec<&str> {
    stored["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

/// Voiding a published code unpublishes it, whoever voids it.
fn void_unpublishes(backend: Backend) {
    let reason = " allocated twice ";
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["void", CODE, "--reason", reason],
            api_method: "POST",
            api: (
                format!("/api/v1/recordings/{CODE}/void"),
                json!({ "reason": reason }),
            ),
            web: (
                format!("/portal/recordings/{CODE}/void"),
                vec![("reason", reason)],
            ),
            file: None,
            refused: None,
        },
    );
    assert_eq!(stored["recordings"][0]["status"], "void", "{stored}");
    assert_eq!(stored["recordings"][0]["void_reason"], "allocated twice");
    assert_eq!(stored["public"], json!([]), "a void code is not public");
    assert_eq!(actions(&stored), ["void", "recording.unpublish"]);
}

/// Approving issues the code, makes the applicant's account (to change its password at the
/// first sign-in) and mails the applicant, whoever approves.
fn approval_makes_the_account_and_mails(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ADMIN,
            cli: vec!["agency", "approve", "1", "--code", "RGE"],
            api_method: "POST",
            api: (
                "/api/v1/applications/1/approve".into(),
                json!({"code": "RGE"}),
            ),
            web: (
                "/agency/applications/1/approve".into(),
                vec![("code", "RGE"), ("country_prefix", "")],
            ),
            file: None,
            refused: None,
        },
    );
    assert_eq!(stored["applications"][0]["status"], "approved", "{stored}");
    assert_eq!(stored["applications"][0]["prefix"], "CBRGE");
    let account = &stored["users"][2];
    assert_eq!(account["email"], "rouge@label.example", "{stored}");
    assert_eq!(account["prefixes"], json!(["CBRGE"]));
    assert_eq!(account["must_change_password"], true);
    let mail = &stored["outbox"][0];
    assert_eq!(mail["to"], "rouge@label.example");
    let body = mail["body"].as_str().unwrap();
    assert!(
        body.contains("CB-RGE") && body.contains("http://isrc.test/login"),
        "{body}"
    );
    assert!(body.contains("[sent by e-mail; not kept]"), "{body}");
}

/// Rejecting records the trimmed reason and mails it, whoever rejects.
fn rejection_mails_the_reason(backend: Backend) {
    let reason = " not a master owner ";
    let stored = same_everywhere(
        backend,
        Calls {
            user: ADMIN,
            cli: vec!["agency", "reject", "1", "--reason", reason],
            api_method: "POST",
            api: (
                "/api/v1/applications/1/reject".into(),
                json!({ "reason": reason }),
            ),
            web: (
                "/agency/applications/1/reject".into(),
                vec![("reason", reason)],
            ),
            file: None,
            refused: None,
        },
    );
    assert_eq!(stored["applications"][0]["status"], "rejected", "{stored}");
    assert_eq!(stored["applications"][0]["reason"], "not a master owner");
    let body = stored["outbox"][0]["body"].as_str().unwrap();
    assert!(body.contains("    not a master owner\n"), "{body}");
}

/// A remix derived with allocation gets the next code, linked to its parent with the
/// parent's metadata and without its date of first publication, whoever derives it.
fn derive_allocates_linked_to_the_parent(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec![
                "derive",
                "--from",
                CODE,
                "--change",
                "remix",
                "--allocate",
                "--version",
                "Club Mix",
            ],
            api_method: "POST",
            api: (
                format!("/api/v1/recordings/{CODE}/derive"),
                json!({"change": "remix", "allocate": true, "version": "Club Mix"}),
            ),
            web: (
                "/portal/allocate".into(),
                vec![
                    ("step", "confirm"),
                    ("kind", "version"),
                    ("parent", CODE),
                    ("change", "remix"),
                    ("version", "Club Mix"),
                ],
            ),
            file: None,
            refused: None,
        },
    );
    let derived = &stored["recordings"][1];
    assert_eq!(derived["isrc"], "CBXYZ2600002", "{stored}");
    assert_eq!(derived["parent"], CODE);
    assert_eq!(derived["change"], "remix");
    assert_eq!(derived["version"], "Club Mix");
    assert_eq!(derived["title"], "Neige");
}

/// A refusal leaves every ledger as it was: an edit is judged by its new duration, which must
/// be given (the API used to take the parent's, so the edit kept its ISRC there).
fn an_edit_without_its_duration_is_refused(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["derive", "--from", CODE, "--change", "edit", "--allocate"],
            api_method: "POST",
            api: (
                format!("/api/v1/recordings/{CODE}/derive"),
                json!({"change": "edit", "allocate": true}),
            ),
            web: (
                "/portal/allocate".into(),
                vec![
                    ("step", "confirm"),
                    ("kind", "version"),
                    ("parent", CODE),
                    ("change", "edit"),
                ],
            ),
            file: None,
            refused: Some("judged by its duration"),
        },
    );
    assert_eq!(stored["recordings"].as_array().unwrap().len(), 1);
    assert_eq!(stored["audit"], json!([]), "nothing written");
}

/// A batch is allocated in one transaction, in the order given, whoever sends it (a CSV file
/// to the command line or the portal's upload, a JSON array to the API).
fn batch_allocates_in_order(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["allocate", "--prefix", "CBXYZ", "--from-csv"],
            api_method: "POST",
            api: (
                "/api/v1/allocations".into(),
                json!({"prefix": "CBXYZ", "recordings": [
                    {"title": "Un", "artist": "Ariane", "duration": "3:00"},
                    {"title": "Deux", "artist": "Ariane", "duration": "3:10"},
                ]}),
            ),
            web: ("/portal/bulk".into(), vec![]),
            file: Some((
                "batch.csv",
                "title,artist,duration\nUn,Ariane,3:00\nDeux,Ariane,3:10\n",
            )),
            refused: None,
        },
    );
    let titles: Vec<(&str, &str)> = stored["recordings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["isrc"].as_str().unwrap(), r["title"].as_str().unwrap()))
        .collect();
    let expected = [
        ("CBXYZ2600001", "Neige"),
        ("CBXYZ2600002", "Un"),
        ("CBXYZ2600003", "Deux"),
    ];
    assert_eq!(titles, expected, "{stored}");
}

/// Taking a code back from the public lookup, whoever does it.
fn unpublishing_hides_the_code(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["publish", CODE, "--off"],
            api_method: "PUT",
            api: (
                format!("/api/v1/recordings/{CODE}/public"),
                json!({"public": false}),
            ),
            web: (
                format!("/portal/recordings/{CODE}/publish"),
                vec![("public", "0")],
            ),
            file: None,
            refused: None,
        },
    );
    assert_eq!(stored["public"], json!([]), "{stored}");
    assert_eq!(actions(&stored), ["recording.unpublish"]);
}

/// A void code is never published, whoever asks.
fn a_void_code_is_not_published(backend: Backend) {
    let stored = same_everywhere_after(
        backend,
        &["void", CODE, "--reason", "allocated twice"],
        Calls {
            user: ANA,
            cli: vec!["publish", CODE],
            api_method: "PUT",
            api: (
                format!("/api/v1/recordings/{CODE}/public"),
                json!({"public": true}),
            ),
            web: (
                format!("/portal/recordings/{CODE}/publish"),
                vec![("public", "1")],
            ),
            file: None,
            refused: Some("void"),
        },
    );
    assert_eq!(stored["public"], json!([]), "{stored}");
    assert_eq!(stored["audit"], json!([]), "nothing written");
}

/// The agency adds a registrant: own recordings and every designation unless said, whoever
/// adds it.
fn adding_a_registrant(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ADMIN,
            cli: vec![
                "registrant",
                "add",
                "--prefix",
                "CB-NEW",
                "--name",
                "Nouveau Label",
                "--contact",
                "new@label.example",
            ],
            api_method: "POST",
            api: (
                "/api/v1/registrants".into(),
                json!({"prefix": "CB-NEW", "name": "Nouveau Label", "contact": "new@label.example"}),
            ),
            web: (
                "/agency/registrants".into(),
                vec![
                    ("prefix", "CB-NEW"),
                    ("name", "Nouveau Label"),
                    ("contact", "new@label.example"),
                ],
            ),
            file: None,
            refused: None,
        },
    );
    let added = &stored["registrants"][0];
    assert_eq!(added["prefix"], "CBNEW", "{stored}");
    assert_eq!(added["name"], "Nouveau Label");
    assert_eq!(added["kind"], "own");
    assert_eq!(actions(&stored), ["registrant.add"]);
}

/// A prefix already in the ledger is refused, and nothing is written, whoever adds it.
fn a_registrant_is_added_once(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ADMIN,
            cli: vec!["registrant", "add", "--prefix", "CBXYZ", "--name", "Again"],
            api_method: "POST",
            api: (
                "/api/v1/registrants".into(),
                json!({"prefix": "CBXYZ", "name": "Again"}),
            ),
            web: (
                "/agency/registrants".into(),
                vec![("prefix", "CBXYZ"), ("name", "Again")],
            ),
            file: None,
            refused: Some("already in the ledger"),
        },
    );
    assert_eq!(
        stored["registrants"][0]["name"], "Les Disques XYZ",
        "{stored}"
    );
    assert_eq!(stored["audit"], json!([]), "nothing written");
}

/// Codes allocated elsewhere join the ledger, void ones as void, and are never allocated
/// again, whoever imports them (a CSV file to the command line, the API and the portal).
fn importing_codes(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["import"],
            api_method: "POST",
            api: ("/api/v1/imports?name=old.csv".into(), Value::Null),
            web: ("/portal/import".into(), vec![]),
            file: Some((
                "old.csv",
                "isrc,title,artist,duration,status\nCB-XYZ-26-00002,Vieux,Ariane,3:00,active\nCBXYZ2600003,Ancien,Ariane,,void\n",
            )),
            refused: None,
        },
    );
    let rows: Vec<(&str, &str, &str)> = stored["recordings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap();
            (text("isrc"), text("title"), text("status"))
        })
        .collect();
    let expected = [
        ("CBXYZ2600001", "Neige", "active"),
        ("CBXYZ2600002", "Vieux", "active"),
        ("CBXYZ2600003", "Ancien", "void"),
    ];
    assert_eq!(rows, expected, "{stored}");
}

/// An import is all or nothing: a code already in the ledger refuses the whole file, whoever
/// imports it.
fn an_import_with_a_known_code_is_refused(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["import"],
            api_method: "POST",
            api: ("/api/v1/imports?name=old.csv".into(), Value::Null),
            web: ("/portal/import".into(), vec![]),
            file: Some((
                "old.csv",
                "isrc,title,artist\nCBXYZ2600002,Vieux,Ariane\nCBXYZ2600001,Neige,Ariane\n",
            )),
            refused: Some("CBXYZ2600001 is already in the ledger"),
        },
    );
    assert_eq!(
        stored["recordings"].as_array().unwrap().len(),
        1,
        "{stored}"
    );
    assert_eq!(stored["audit"], json!([]), "nothing written");
}

/// A rule's test on SQLite, and the same on PostgreSQL as an ignored test.
macro_rules! on_both_backends {
    ($($rule:ident => $sqlite:ident, $postgres:ident;)*) => {$(
        #[test]
        fn $sqlite() {
            $rule(Backend::Sqlite);
        }

        #[test]
        #[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
        fn $postgres() {
            $rule(Backend::Postgres);
        }
    )*};
}

on_both_backends! {
    void_unpublishes => voiding_unpublishes_through_every_front_end_on_sqlite,
        voiding_unpublishes_through_every_front_end_on_postgres;
    approval_makes_the_account_and_mails =>
        approval_makes_the_account_and_mails_through_every_front_end_on_sqlite,
        approval_makes_the_account_and_mails_through_every_front_end_on_postgres;
    rejection_mails_the_reason => rejection_mails_the_reason_through_every_front_end_on_sqlite,
        rejection_mails_the_reason_through_every_front_end_on_postgres;
    derive_allocates_linked_to_the_parent =>
        derive_allocates_linked_to_the_parent_through_every_front_end_on_sqlite,
        derive_allocates_linked_to_the_parent_through_every_front_end_on_postgres;
    an_edit_without_its_duration_is_refused =>
        an_edit_without_its_duration_is_refused_by_every_front_end_on_sqlite,
        an_edit_without_its_duration_is_refused_by_every_front_end_on_postgres;
    batch_allocates_in_order => batch_allocates_in_order_through_every_front_end_on_sqlite,
        batch_allocates_in_order_through_every_front_end_on_postgres;
    unpublishing_hides_the_code => unpublishing_hides_the_code_through_every_front_end_on_sqlite,
        unpublishing_hides_the_code_through_every_front_end_on_postgres;
    a_void_code_is_not_published => a_void_code_is_not_published_by_any_front_end_on_sqlite,
        a_void_code_is_not_published_by_any_front_end_on_postgres;
    adding_a_registrant => adding_a_registrant_through_every_front_end_on_sqlite,
        adding_a_registrant_through_every_front_end_on_postgres;
    a_registrant_is_added_once => a_registrant_is_added_once_by_every_front_end_on_sqlite,
        a_registrant_is_added_once_by_every_front_end_on_postgres;
    importing_codes => importing_codes_through_every_front_end_on_sqlite,
        importing_codes_through_every_front_end_on_postgres;
    an_import_with_a_known_code_is_refused =>
        an_import_with_a_known_code_is_refused_by_every_front_end_on_sqlite,
        an_import_with_a_known_code_is_refused_by_every_front_end_on_postgres;
}
