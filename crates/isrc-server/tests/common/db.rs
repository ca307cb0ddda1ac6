//! Test databases (as in isrc-registry's tests): an SQLite file in a temp directory, and a fresh PostgreSQL database per test
//! when `ISRC_TEST_POSTGRES_URL` is set (a test that cannot reach it fails).

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// One database to run a test on.
pub struct TestDb {
    pub name: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "isrc_t_{tag}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("ledger.db").to_string_lossy().into_owned();
    TestDb {
        name: "sqlite",
        url,
        _dir: Some(dir),
    }
}

/// A fresh PostgreSQL database, optionally with serializable isolation as its default.
pub async fn postgres(tag: &str, serializable: bool) -> Option<TestDb> {
    let Ok(admin) = std::env::var("ISRC_TEST_POSTGRES_URL") else {
        // Written to the stderr handle directly so that the test harness does not swallow it.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "note: ISRC_TEST_POSTGRES_URL is not set: PostgreSQL part of this test skipped"
        );
        return None;
    };
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("ISRC_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached ({admin}): {e}")
        });
    let db = unique(tag);
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    if serializable {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE {db} SET default_transaction_isolation = 'serializable'"
        )))
        .execute(&mut conn)
        .await
        .expect("set serializable");
    }
    conn.close().await.ok();
    let base = match admin.split_once('?') {
        Some((b, _)) => b,
        None => admin.as_str(),
    };
    let (head, _) = base.rsplit_once('/').expect("URL with a database name");
    let query = admin
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    Some(TestDb {
        name: if serializable {
            "postgres-serializable"
        } else {
            "postgres"
        },
        url: format!("{head}/{db}{query}"),
        _dir: None,
    })
}

/// SQLite, plus PostgreSQL when configured.
pub async fn all(tag: &str) -> Vec<TestDb> {
    let mut dbs = vec![sqlite()];
    if let Some(pg) = postgres(tag, false).await {
        dbs.push(pg);
    }
    dbs
}
