//! Test databases: an SQLite file in a temp directory, and a fresh PostgreSQL database per test
//! on the server named by `ISRC_TEST_POSTGRES_URL`.
//!
//! A test that runs on both is written once, as a function taking a [`TestDb`], and
//! [`each_backend!`] makes two tests of it: `NAME::sqlite`, a normal test, and `NAME::postgres`,
//! marked `#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]`. A plain `cargo test` runs
//! the first and reports the second as ignored; `cargo test -- --include-ignored` (what
//! `.ci/run` does) runs both, and then a missing or unreachable server fails the test.
//!
//! The isrc-registry, isrc-server and isrc-cli tests use it as a dev-dependency (a path one,
//! which `cargo publish` leaves out), so it names nothing of those crates.

use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Why a PostgreSQL test did not run: said by the ignore attribute and by the failure.
pub const NEEDS_POSTGRES: &str = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)";

pub mod xlsx;

/// One database to run a test on.
pub struct TestDb {
    /// `sqlite`, `postgres` or `postgres-serializable`, for messages.
    pub name: &'static str,
    /// What `Store::open` takes.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A database name no other test of any run uses (PostgreSQL keeps 63 bytes of a name).
fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let tag: String = tag.chars().take(20).collect();
    format!(
        "isrc_t_{tag}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A fresh SQLite file in a temporary directory (removed with the [`TestDb`]).
pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("ledger.db").to_string_lossy().into_owned();
    TestDb {
        name: "sqlite",
        url,
        _dir: Some(dir),
    }
}

/// The server's URL from `ISRC_TEST_POSTGRES_URL`; panics when it is not set, since a test
/// that asks for PostgreSQL must not pass without it.
pub fn postgres_admin_url() -> String {
    std::env::var("ISRC_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "this test {NEEDS_POSTGRES}: set ISRC_TEST_POSTGRES_URL=postgres://USER@HOST:PORT/postgres \
             (bash .ci/run starts a server and sets it), or run without --include-ignored"
        )
    })
}

/// Creates a fresh database on the server of `ISRC_TEST_POSTGRES_URL` (optionally with
/// serializable isolation as its default) and returns its URL; panics when the server is
/// missing or cannot be reached.
pub async fn create_postgres_database(tag: &str, serializable: bool) -> String {
    let admin = postgres_admin_url();
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
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin.as_str(), String::new()),
    };
    let (head, _) = base.rsplit_once('/').expect("URL with a database name");
    format!("{head}/{db}{query}")
}

/// A fresh PostgreSQL database, optionally with serializable isolation as its default.
pub async fn postgres(tag: &str, serializable: bool) -> TestDb {
    TestDb {
        name: if serializable {
            "postgres-serializable"
        } else {
            "postgres"
        },
        url: create_postgres_database(tag, serializable).await,
        _dir: None,
    }
}

/// Makes `NAME::sqlite` and `NAME::postgres` (ignored unless asked for: it needs PostgreSQL)
/// from `async fn NAME(db: TestDb)`, run on a multi-threaded runtime with `worker_threads`
/// workers, as the test attribute `#[tokio::test(flavor = "multi_thread", worker_threads = N)]`.
///
/// ```ignore
/// isrc_test_support::each_backend!(allocation_is_sequential, worker_threads = 4);
/// async fn allocation_is_sequential(db: isrc_test_support::TestDb) { /* ... */ }
/// ```
#[macro_export]
macro_rules! each_backend {
    ($name:ident, worker_threads = $threads:tt) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
            async fn sqlite() {
                super::$name($crate::sqlite()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
            #[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
            async fn postgres() {
                super::$name($crate::postgres(stringify!($name), false).await).await
            }
        }
    };
}
