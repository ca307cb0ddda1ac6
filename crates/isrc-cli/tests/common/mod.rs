//! Running the real `isrc` binary against test databases: an SQLite file in a temp directory,
//! and a fresh PostgreSQL database per test when `ISRC_TEST_POSTGRES_URL` is set (then a test
//! that cannot reach PostgreSQL fails; unset, the PostgreSQL part is skipped with a note).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// One database for a test, with a scratch directory for files.
pub struct Db {
    pub name: &'static str,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl Db {
    /// `isrc` with `--db` set, the year fixed at 2026 and a scratch working directory.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_isrc"));
        c.args(args)
            .env("ISRC_DATABASE_URL", &self.url)
            .env("ISRC_TODAY", "2026-03-01")
            // The clock of the debug binary: 2026 stays the current year in later years.
            .env("ISRC_CLOCK", "2026-03-01")
            .env("ISRC_ACTOR", "tester")
            .env("NO_COLOR", "1")
            .env_remove("ISRC_PREFIXES")
            .current_dir(self.dir.path());
        c
    }

    /// Runs and returns the output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run isrc")
    }

    /// Runs, expects success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "[{}] isrc {args:?} failed: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs, expects failure with a clear error (no panic), returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success(),
            "[{}] isrc {args:?} should fail; stdout: {}",
            self.name,
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            !stderr.contains("panicked"),
            "[{}] isrc {args:?} panicked: {stderr}",
            self.name
        );
        assert!(
            stderr.contains("error"),
            "[{}] {args:?}: {stderr}",
            self.name
        );
        assert!(
            out.stdout.is_empty(),
            "[{}] {args:?} printed to stdout",
            self.name
        );
        stderr
    }

    /// Writes a file into the scratch directory.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Everything the ledger shows: recordings (with void), registrants, applications, listing.
    pub fn snapshot(&self) -> String {
        [
            self.ok(&["export", "--format", "json", "--profile", "distributor"]),
            self.ok(&["registrant", "list"]),
            self.ok(&["agency", "list"]),
            self.ok(&["agency", "list", "--codes"]),
        ]
        .join("\n")
    }
}

fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "isrc_cli_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

pub fn sqlite() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("ledger.db").to_string_lossy().into_owned();
    Db {
        name: "sqlite",
        url,
        dir,
    }
}

/// A fresh PostgreSQL database, or `None` (with a note) when `ISRC_TEST_POSTGRES_URL` is unset.
pub fn postgres() -> Option<Db> {
    let Ok(admin) = std::env::var("ISRC_TEST_POSTGRES_URL") else {
        // Written to the stderr handle directly so that the test harness does not swallow it.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "note: ISRC_TEST_POSTGRES_URL is not set: PostgreSQL part of this test skipped"
        );
        return None;
    };
    let db = unique();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "ISRC_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached ({admin}): {e}"
                )
            });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        conn.close().await.ok();
    });
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b.to_string(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let (head, _) = base.rsplit_once('/').expect("URL with a database name");
    Some(Db {
        name: "postgres",
        url: format!("{head}/{db}{query}"),
        dir: tempfile::tempdir().unwrap(),
    })
}

/// SQLite, plus PostgreSQL when configured.
pub fn all() -> Vec<Db> {
    let mut v = vec![sqlite()];
    v.extend(postgres());
    v
}

/// Waits until `path` exists (the binary writes it when it reaches the point under test).
pub fn wait_for(path: &Path, child: &mut std::process::Child) {
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the batch ended ({status}) before reaching the hold point");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
