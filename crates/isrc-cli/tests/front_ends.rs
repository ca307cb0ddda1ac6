//! Issue 20, "rules decided once": every rule of the registry's operations, called through
//! the three front ends (the real `isrc` binary on the database, the JSON API over real HTTP,
//! the web pages over real HTTP with a session and its CSRF token), leaves the same stored
//! result: the same rows (recordings, publications, applications, accounts, outbox) and the
//! same audit entries. Each front end gets its own fresh database, seeded alike.

mod common;

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
        Backend::Postgres => common::postgres().unwrap_or_else(|| {
            panic!("this test needs PostgreSQL: set ISRC_TEST_POSTGRES_URL to a server's admin URL")
        }),
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

    /// POST JSON to the API as `session`; returns the status.
    async fn api(&self, session: &Session, path: &str, body: Value) -> u16 {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(status < 300, "{path}: {status} {}", r.text().await.unwrap());
        status
    }

    /// POST a form to a page as `session`, with its CSRF token; returns the status.
    async fn page(&self, session: &Session, path: &str, fields: &[(&str, &str)]) -> u16 {
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &session.csrf));
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &session.cookie)
            .header("accept", "text/html")
            .form(&fields)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(status < 400, "{path}: {status} {}", r.text().await.unwrap());
        status
    }

    /// The real `isrc` binary on this database, acting as `actor` (named as the server names
    /// its users in the audit log, so the entries compare).
    fn cli(&self, actor: &str, args: &[&str]) {
        let mut command: Command = self.db.cmd(args);
        command
            .env("ISRC_ACTOR", format!("user:{actor}"))
            .env("ISRC_PUBLIC_URL", PUBLIC_URL)
            .env_remove("ISRC_SMTP");
        let out = command.output().expect("run isrc");
        assert!(
            out.status.success(),
            "isrc {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
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

/// Runs `operation` through each front end on its own seeded database and asserts the three
/// stored results are equal; returns the stored result for rule-specific checks.
fn same_everywhere<F>(backend: Backend, operation: F) -> Value
where
    F: for<'a> Fn(&'a mut Bench) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>,
{
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
            operation(&mut bench).await;
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

/// Voiding a published code unpublishes it, whoever voids it.
fn void_unpublishes(backend: Backend) {
    let stored = same_everywhere(backend, |bench| {
        Box::pin(async move {
            match bench.front {
                Front::Cli => {
                    bench.mark().await;
                    bench.cli(ANA, &["void", CODE, "--reason", " allocated twice "]);
                }
                Front::Api => {
                    let ana = bench.login(ANA).await;
                    bench.mark().await;
                    let path = format!("/api/v1/recordings/{CODE}/void");
                    bench
                        .api(&ana, &path, json!({"reason": " allocated twice "}))
                        .await;
                }
                Front::Web => {
                    let ana = bench.login(ANA).await;
                    bench.mark().await;
                    let path = format!("/portal/recordings/{CODE}/void");
                    bench
                        .page(&ana, &path, &[("reason", " allocated twice ")])
                        .await;
                }
            }
        })
    });
    assert_eq!(stored["recordings"][0]["status"], "void", "{stored}");
    assert_eq!(stored["recordings"][0]["void_reason"], "allocated twice");
    assert_eq!(stored["public"], json!([]), "a void code is not public");
    let actions: Vec<&str> = stored["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["void", "recording.unpublish"]);
}

#[test]
fn voiding_unpublishes_through_every_front_end_on_sqlite() {
    void_unpublishes(Backend::Sqlite);
}

#[test]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
fn voiding_unpublishes_through_every_front_end_on_postgres() {
    void_unpublishes(Backend::Postgres);
}

/// Approving issues the code, makes the applicant's account (to change its password at the
/// first sign-in) and mails the applicant, whoever approves.
fn approval_makes_the_account_and_mails(backend: Backend) {
    let stored = same_everywhere(backend, |bench| {
        Box::pin(async move {
            match bench.front {
                Front::Cli => {
                    bench.mark().await;
                    bench.cli(ADMIN, &["agency", "approve", "1", "--code", "RGE"]);
                }
                Front::Api => {
                    let admin = bench.login(ADMIN).await;
                    bench.mark().await;
                    let body = json!({"code": "RGE"});
                    bench
                        .api(&admin, "/api/v1/applications/1/approve", body)
                        .await;
                }
                Front::Web => {
                    let admin = bench.login(ADMIN).await;
                    bench.mark().await;
                    let fields = [("code", "RGE"), ("country_prefix", "")];
                    bench
                        .page(&admin, "/agency/applications/1/approve", &fields)
                        .await;
                }
            }
        })
    });
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

#[test]
fn approval_makes_the_account_and_mails_through_every_front_end_on_sqlite() {
    approval_makes_the_account_and_mails(Backend::Sqlite);
}

#[test]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
fn approval_makes_the_account_and_mails_through_every_front_end_on_postgres() {
    approval_makes_the_account_and_mails(Backend::Postgres);
}

/// Rejecting records the trimmed reason and mails it, whoever rejects.
fn rejection_mails_the_reason(backend: Backend) {
    let stored = same_everywhere(backend, |bench| {
        Box::pin(async move {
            let reason = " not a master owner ";
            match bench.front {
                Front::Cli => {
                    bench.mark().await;
                    bench.cli(ADMIN, &["agency", "reject", "1", "--reason", reason]);
                }
                Front::Api => {
                    let admin = bench.login(ADMIN).await;
                    bench.mark().await;
                    let body = json!({ "reason": reason });
                    bench
                        .api(&admin, "/api/v1/applications/1/reject", body)
                        .await;
                }
                Front::Web => {
                    let admin = bench.login(ADMIN).await;
                    bench.mark().await;
                    bench
                        .page(
                            &admin,
                            "/agency/applications/1/reject",
                            &[("reason", reason)],
                        )
                        .await;
                }
            }
        })
    });
    assert_eq!(stored["applications"][0]["status"], "rejected", "{stored}");
    assert_eq!(stored["applications"][0]["reason"], "not a master owner");
    assert!(
        stored["outbox"][0]["body"]
            .as_str()
            .unwrap()
            .contains("    not a master owner\n"),
        "{stored}"
    );
}

#[test]
fn rejection_mails_the_reason_through_every_front_end_on_sqlite() {
    rejection_mails_the_reason(Backend::Sqlite);
}

#[test]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
fn rejection_mails_the_reason_through_every_front_end_on_postgres() {
    rejection_mails_the_reason(Backend::Postgres);
}

/// A remix derived with allocation gets the next code, linked to its parent with the
/// parent's metadata and without its date of first publication, whoever derives it.
fn derive_allocates_linked_to_the_parent(backend: Backend) {
    let stored = same_everywhere(backend, |bench| {
        Box::pin(async move {
            match bench.front {
                Front::Cli => {
                    bench.mark().await;
                    bench.cli(
                        ANA,
                        &[
                            "derive",
                            "--from",
                            CODE,
                            "--change",
                            "remix",
                            "--allocate",
                            "--version",
                            "Club Mix",
                        ],
                    );
                }
                Front::Api => {
                    let ana = bench.login(ANA).await;
                    bench.mark().await;
                    let path = format!("/api/v1/recordings/{CODE}/derive");
                    let body = json!({"change": "remix", "allocate": true, "version": "Club Mix"});
                    assert_eq!(bench.api(&ana, &path, body).await, 201);
                }
                Front::Web => {
                    let ana = bench.login(ANA).await;
                    bench.mark().await;
                    let fields = [
                        ("step", "confirm"),
                        ("kind", "version"),
                        ("parent", CODE),
                        ("change", "remix"),
                        ("version", "Club Mix"),
                    ];
                    assert_eq!(bench.page(&ana, "/portal/allocate", &fields).await, 303);
                }
            }
        })
    });
    let derived = &stored["recordings"][1];
    assert_eq!(derived["isrc"], "CBXYZ2600002", "{stored}");
    assert_eq!(derived["parent"], CODE);
    assert_eq!(derived["change"], "remix");
    assert_eq!(derived["version"], "Club Mix");
    assert_eq!(derived["title"], "Neige");
}

#[test]
fn derive_allocates_linked_to_the_parent_through_every_front_end_on_sqlite() {
    derive_allocates_linked_to_the_parent(Backend::Sqlite);
}

#[test]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
fn derive_allocates_linked_to_the_parent_through_every_front_end_on_postgres() {
    derive_allocates_linked_to_the_parent(Backend::Postgres);
}

/// A batch is allocated in one transaction, in the order given, whoever sends it (a CSV file to
/// the command line or the portal's upload, a JSON array to the API).
fn batch_allocates_in_order(backend: Backend) {
    const CSV: &str = "title,artist,duration\nUn,Ariane,3:00\nDeux,Ariane,3:10\n";
    let stored = same_everywhere(backend, |bench| {
        Box::pin(async move {
            match bench.front {
                Front::Cli => {
                    bench.mark().await;
                    let file = bench.db.file("batch.csv", CSV);
                    let file = file.to_str().unwrap();
                    bench.cli(ANA, &["allocate", "--prefix", "CBXYZ", "--from-csv", file]);
                }
                Front::Api => {
                    let ana = bench.login(ANA).await;
                    bench.mark().await;
                    let body = json!({"prefix": "CBXYZ", "recordings": [
                        {"title": "Un", "artist": "Ariane", "duration": "3:00"},
                        {"title": "Deux", "artist": "Ariane", "duration": "3:10"},
                    ]});
                    assert_eq!(bench.api(&ana, "/api/v1/allocations", body).await, 201);
                }
                Front::Web => {
                    let ana = bench.login(ANA).await;
                    bench.mark().await;
                    let form = reqwest::multipart::Form::new()
                        .text("csrf_token", ana.csrf.clone())
                        .part(
                            "file",
                            reqwest::multipart::Part::bytes(CSV.as_bytes().to_vec())
                                .file_name("batch.csv"),
                        );
                    let r = bench
                        .http
                        .post(format!("{}/portal/bulk", bench.base))
                        .header("cookie", &ana.cookie)
                        .multipart(form)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
                }
            }
        })
    });
    let titles: Vec<(&str, &str)> = stored["recordings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["isrc"].as_str().unwrap(), r["title"].as_str().unwrap()))
        .collect();
    assert_eq!(
        titles,
        [
            ("CBXYZ2600001", "Neige"),
            ("CBXYZ2600002", "Un"),
            ("CBXYZ2600003", "Deux")
        ],
        "{stored}"
    );
}

#[test]
fn batch_allocates_in_order_through_every_front_end_on_sqlite() {
    batch_allocates_in_order(Backend::Sqlite);
}

#[test]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
fn batch_allocates_in_order_through_every_front_end_on_postgres() {
    batch_allocates_in_order(Backend::Postgres);
}

/// A refusal leaves every ledger as it was: an edit is judged by its new duration, which must
/// be given (the API used to take the parent's, so the edit kept its ISRC there).
fn an_edit_without_its_duration_is_refused(backend: Backend) {
    let stored = same_everywhere(backend, |bench| {
        Box::pin(async move {
            match bench.front {
                Front::Cli => {
                    bench.mark().await;
                    let args = ["derive", "--from", CODE, "--change", "edit", "--allocate"];
                    let out = bench.db.cmd(&args).output().unwrap();
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    assert_eq!(out.status.code(), Some(1), "{stderr}");
                    assert!(stderr.contains("judged by its duration"), "{stderr}");
                }
                Front::Api => {
                    let ana = bench.login(ANA).await;
                    bench.mark().await;
                    let r = bench
                        .http
                        .post(format!("{}/api/v1/recordings/{CODE}/derive", bench.base))
                        .header("cookie", &ana.cookie)
                        .header("x-csrf-token", &ana.csrf)
                        .json(&json!({"change": "edit", "allocate": true}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 400);
                    assert!(r.text().await.unwrap().contains("judged by its duration"));
                }
                Front::Web => {
                    let ana = bench.login(ANA).await;
                    bench.mark().await;
                    let fields = [
                        ("step", "confirm"),
                        ("kind", "version"),
                        ("parent", CODE),
                        ("change", "edit"),
                        ("csrf_token", ana.csrf.as_str()),
                    ];
                    let r = bench
                        .http
                        .post(format!("{}/portal/allocate", bench.base))
                        .header("cookie", &ana.cookie)
                        .form(&fields)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 400);
                    assert!(r.text().await.unwrap().contains("judged by its duration"));
                }
            }
        })
    });
    assert_eq!(stored["recordings"].as_array().unwrap().len(), 1);
    assert_eq!(stored["audit"], json!([]), "nothing written");
}

#[test]
fn an_edit_without_its_duration_is_refused_by_every_front_end_on_sqlite() {
    an_edit_without_its_duration_is_refused(Backend::Sqlite);
}

#[test]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
fn an_edit_without_its_duration_is_refused_by_every_front_end_on_postgres() {
    an_edit_without_its_duration_is_refused(Backend::Postgres);
}
