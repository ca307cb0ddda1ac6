//! Ledgers made by the hand-written migrator of isrc 0.1 (table `isrc_registry_migrations`)
//! open with today's `sqlx::migrate!` migrator: nothing is run twice, nothing is lost, the
//! missing versions are applied, and an old program then refuses the file ("upgrade isrc").
//!
//! `fixtures/ledger-145beea.db` was made by the `isrc` binary of commit 145beea (the last one
//! with the old migrator): `registrant add --prefix CBXYZ`, two `allocate` (2026), `void` of the
//! second, `admin create --email admin@agency.example`.
//!
//! `fixtures/ledger-b9e6b17.db` was made by the `isrc` binary of commit b9e6b17 (schema 21,
//! whose fold ran digits together across punctuation), with `ISRC_TODAY=2026-06-01`:
//! `registrant add --prefix CBXYZ`, `allocate --title "Take 1-12" --artist Ariane --duration
//! 3:10` and the same with `"Version 1.0"` (CBXYZ2600001, CBXYZ2600002); `"Take 11-2"` and
//! `"Version 10"` were refused as the same recordings.

use crate::common;

use isrc_registry::{AllocationRequest, ListFilter, RecordingInput, Status, Store};
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};

const SQLITE_SQL: [(i64, &str, &str); 4] = [
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "accounts",
        include_str!("../../migrations/sqlite/0002_accounts.sql"),
    ),
    (
        3,
        "counter_usage",
        include_str!("../../migrations/sqlite/0003_counter_usage.sql"),
    ),
    (
        5,
        "accounts_recovery",
        include_str!("../../migrations/sqlite/0005_accounts_recovery.sql"),
    ),
];
const POSTGRES_SQL: [(i64, &str, &str); 4] = [
    (
        1,
        "init",
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "accounts",
        include_str!("../../migrations/postgres/0002_accounts.sql"),
    ),
    (
        3,
        "counter_usage",
        include_str!("../../migrations/postgres/0003_counter_usage.sql"),
    ),
    (
        5,
        "accounts_recovery",
        include_str!("../../migrations/postgres/0005_accounts_recovery.sql"),
    ),
];

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn connect(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    let url = if url.contains("://") {
        url.to_string()
    } else {
        format!("sqlite://{url}?mode=rwc")
    };
    AnyConnection::connect(&url).await.expect("connect")
}

/// What the old migrator did, up to `upto`: its own table, each file as one script, one row
/// per version. Then one registrant, as `isrc registrant add` stored it.
async fn build_old_ledger(url: &str, files: &[(i64, &str, &str)], upto: i64) {
    let mut conn = connect(url).await;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS isrc_registry_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    for (version, name, sql) in files.iter().filter(|(v, _, _)| *v <= upto) {
        sqlx::raw_sql(AssertSqlSafe(*sql))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO isrc_registry_migrations (version, name, applied_at) VALUES ($1, $2, '2026-01-01T00:00:00.000Z')",
        )
        .bind(*version)
        .bind(*name)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO registrants (prefix, name, contact, kind, ranges, created_at) VALUES ('CBXYZ', 'Les Disques XYZ', 'isrc@xyz.example', 'own', '00001-99999', '2026-01-01T00:00:00.000Z')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    // A recording of 2025 with its match key in the form before migration 21 (lowercased,
    // spaces collapsed): the upgrade refolds it.
    sqlx::query(
        "INSERT INTO recordings (code, isrc, prefix, year, designation, artist, title, version, duration_ms, content_type, status, origin, match_key, created_at) VALUES (25167952500007, 'CBXYZ2500007', 'CBXYZ', 25, 7, 'Ariane', 'Don''t  Stop', 'Live', 190000, 'audio', 'active', 'imported', $1, '2026-01-01T00:00:00.000Z')",
    )
    .bind("don't stop\u{1f}ariane\u{1f}live\u{1f}audio")
    .execute(&mut conn)
    .await
    .unwrap();
    // One whose title has numbers apart ("Take 1-12"), keyed as before migration 21.
    sqlx::query(
        "INSERT INTO recordings (code, isrc, prefix, year, designation, artist, title, version, duration_ms, content_type, status, origin, match_key, created_at) VALUES (25167952500008, 'CBXYZ2500008', 'CBXYZ', 25, 8, 'Ariane', 'Take 1-12', '', 190000, 'audio', 'active', 'imported', $1, '2026-01-01T00:00:00.000Z')",
    )
    .bind("take 1-12\u{1f}ariane\u{1f}\u{1f}audio")
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.ok();
}

/// The stored match keys, by ISRC.
async fn match_keys(url: &str) -> Vec<(String, String)> {
    let mut conn = connect(url).await;
    let rows = sqlx::query("SELECT isrc, match_key FROM recordings ORDER BY code")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
}

/// A request for `title` by `artist` in 2025, with `version`.
fn same_as(title: &str, artist: &str, version: &str) -> AllocationRequest {
    let mut request = one(title);
    request.year = 2025;
    request.recordings[0].artist = artist.into();
    request.recordings[0].version = version.into();
    request
}

async fn versions(url: &str, table: &str) -> Vec<i64> {
    let mut conn = connect(url).await;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT version FROM {table} ORDER BY version"
    )))
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.ok();
    rows.iter().map(|r| r.get::<i64, _>(0)).collect()
}

fn one(title: &str) -> AllocationRequest {
    AllocationRequest {
        prefix: "CBXYZ".parse().unwrap(),
        year: 2026,
        recordings: vec![RecordingInput {
            title: title.into(),
            artist: "Ariane".into(),
            duration_ms: Some(190_000),
            ..Default::default()
        }],
        force: false,
        actor: "test".into(),
        idempotency_key: None,
        labels: vec![],
    }
}

/// Opens a ledger built by [`build_old_ledger`]: migration 21 refolded its old key, so the
/// same recording spelt otherwise is known.
async fn check_refold(url: &str) {
    let store = Store::open(url).await.expect("old ledger opens");
    assert!(
        match_keys(url).await.contains(&(
            "CBXYZ2500007".into(),
            "dontstop\u{1f}ariane\u{1f}live\u{1f}audio".into()
        )),
        "{:?}",
        match_keys(url).await
    );
    let error = store
        .allocate(&same_as("DONT STOP", "ariane", "(live)"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, isrc_registry::Error::Duplicate { existing, .. } if existing.to_string() == "CBXYZ2500007"),
        "{error}"
    );
    check_numbers_apart(&store, url, "CBXYZ2500008", 2025).await;
    store.close().await;
}

/// The ledger's "Take 1-12" (`code`, allocated under `year`) is keyed with its numbers apart
/// (migration 50): "Take 1 - 12" is the same recording, "Take 11-2" is another one.
async fn check_numbers_apart(store: &Store, url: &str, code: &str, year: u16) {
    assert!(
        match_keys(url)
            .await
            .contains(&(code.into(), "take1 12\u{1f}ariane\u{1f}\u{1f}audio".into())),
        "{:?}",
        match_keys(url).await
    );
    let mut request = same_as("TAKE 1 - 12", "Ariane", "");
    request.year = year;
    let error = store.allocate(&request).await.unwrap_err();
    assert!(
        matches!(&error, isrc_registry::Error::Duplicate { existing, .. } if existing.to_string() == code),
        "{error}"
    );
    let mut request = same_as("Take 11-2", "Ariane", "");
    request.year = year;
    let allocation = store.allocate(&request).await.expect("another recording");
    assert_eq!(allocation.isrcs.len(), 1);
}

/// Opens an old ledger twice with today's store and checks the adoption and the data.
async fn check_upgrade(url: &str, expected_next: &str) {
    let store = Store::open(url).await.expect("old ledger opens");
    assert_eq!(store.registrants().await.unwrap().len(), 1);
    let allocation = store.allocate(&one("Nouvelle")).await.unwrap();
    assert_eq!(allocation.isrcs[0].to_string(), expected_next);
    // Version 5's column is there whatever version the file was at.
    store.users().await.unwrap();
    store.close().await;
    assert_eq!(
        versions(url, "_sqlx_migrations").await,
        vec![1, 2, 3, 5, 15, 21, 30, 40, 50, 60, 70]
    );
    let old = versions(url, "isrc_registry_migrations").await;
    assert_eq!(
        old.last(),
        Some(&1000),
        "old programs are told to upgrade: {old:?}"
    );

    // A second open finds nothing to adopt or apply.
    let store = Store::open(url).await.expect("reopens");
    assert_eq!(store.allocate(&one("Encore")).await.unwrap().isrcs.len(), 1);
    store.close().await;
    assert_eq!(
        versions(url, "_sqlx_migrations").await,
        vec![1, 2, 3, 5, 15, 21, 30, 40, 50, 60, 70]
    );
    assert_eq!(
        versions(url, "isrc_registry_migrations")
            .await
            .iter()
            .filter(|v| **v == 1000)
            .count(),
        1
    );
}

#[test]
fn sqlite_ledger_made_by_145beea_opens_and_keeps_its_data() {
    let db = common::sqlite();
    std::fs::copy("tests/fixtures/ledger-145beea.db", &db.url).unwrap();
    runtime().block_on(async {
        let store = Store::open(&db.url).await.expect("145beea's ledger opens");
        let all = store
            .recordings(&ListFilter {
                include_void: true,
                ..Default::default()
            })
            .await
            .unwrap();
        let summary: Vec<(String, Status)> =
            all.iter().map(|r| (r.isrc.to_string(), r.status)).collect();
        assert_eq!(
            summary,
            vec![
                ("CBXYZ2600001".to_string(), Status::Active),
                ("CBXYZ2600002".to_string(), Status::Void)
            ]
        );
        assert_eq!(all[0].meta.title, "Première neige");
        assert_eq!(store.audit_log(None).await.unwrap().len(), 5);
        let users = store.users().await.unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].email, "admin@agency.example");
        // Its match keys, stored lowercased with spaces kept, are refolded.
        assert_eq!(
            match_keys(&db.url).await[0].1,
            "premi\u{e8}reneige\u{1f}artiste\u{1f}\u{1f}audio"
        );
        let mut request = one("PREMIÈRE-NEIGE");
        request.recordings[0].artist = "artiste".into();
        request.recordings[0].duration_ms = Some(205_000);
        let error = store.allocate(&request).await.unwrap_err();
        assert!(
            matches!(&error, isrc_registry::Error::Duplicate { existing, .. } if existing.to_string() == "CBXYZ2600001"),
            "{error}"
        );
        store.close().await;
        check_upgrade(&db.url, "CBXYZ2600003").await;
    });
}

#[test]
fn sqlite_ledger_made_by_b9e6b17_is_refolded_with_numbers_apart() {
    let db = common::sqlite();
    std::fs::copy("tests/fixtures/ledger-b9e6b17.db", &db.url).unwrap();
    runtime().block_on(async {
        assert_eq!(
            versions(&db.url, "_sqlx_migrations").await,
            vec![1, 2, 3, 5, 15, 21]
        );
        // Before the upgrade, both titles ran their digits together.
        assert_eq!(
            match_keys(&db.url).await,
            vec![
                (
                    "CBXYZ2600001".into(),
                    "take112\u{1f}ariane\u{1f}\u{1f}audio".into()
                ),
                (
                    "CBXYZ2600002".into(),
                    "version10\u{1f}ariane\u{1f}\u{1f}audio".into()
                ),
            ]
        );
        let store = Store::open(&db.url).await.expect("b9e6b17's ledger opens");
        assert_eq!(
            versions(&db.url, "_sqlx_migrations").await,
            vec![1, 2, 3, 5, 15, 21, 30, 40, 50, 60, 70]
        );
        assert_eq!(
            match_keys(&db.url).await[1],
            (
                "CBXYZ2600002".into(),
                "version1 0\u{1f}ariane\u{1f}\u{1f}audio".into()
            )
        );
        check_numbers_apart(&store, &db.url, "CBXYZ2600001", 2026).await;
        // "Version 10" was refused as "Version 1.0"; it is another recording now.
        let mut request = same_as("Version 10", "Ariane", "");
        request.year = 2026;
        let allocation = store.allocate(&request).await.expect("another recording");
        assert_eq!(allocation.isrcs[0].to_string(), "CBXYZ2600004");
        store.close().await;
        // A second open finds nothing left to refold.
        let store = Store::open(&db.url).await.expect("reopens");
        assert_eq!(match_keys(&db.url).await.len(), 4);
        store.close().await;
    });
}

#[test]
fn sqlite_ledgers_of_every_old_version_upgrade() {
    for upto in [1, 2, 3, 5] {
        let db = common::sqlite();
        runtime().block_on(async {
            build_old_ledger(&db.url, &SQLITE_SQL, upto).await;
            check_refold(&db.url).await;
            check_upgrade(&db.url, "CBXYZ2600001").await;
        });
    }
}

#[test]
fn sqlite_ledger_newer_than_this_program_is_refused() {
    let db = common::sqlite();
    runtime().block_on(async {
        build_old_ledger(&db.url, &SQLITE_SQL, 5).await;
        let mut conn = connect(&db.url).await;
        sqlx::query("INSERT INTO isrc_registry_migrations (version, name, applied_at) VALUES (999, 'future', 'x')")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.ok();
        let error = Store::open(&db.url).await.unwrap_err().to_string();
        assert!(error.contains("upgrade isrc"), "{error}");
    });
}

#[test]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
fn postgres_ledgers_of_every_old_version_upgrade() {
    assert!(
        std::env::var_os("ISRC_TEST_POSTGRES_URL").is_some(),
        "needs PostgreSQL: set ISRC_TEST_POSTGRES_URL (see .ci/run)"
    );
    for upto in [1, 2, 3, 5] {
        runtime().block_on(async {
            let db = common::postgres("migr", false).await;
            build_old_ledger(&db.url, &POSTGRES_SQL, upto).await;
            check_refold(&db.url).await;
            check_upgrade(&db.url, "CBXYZ2600001").await;
        });
    }
}
