//! Running the real `isrc` binary against test databases: an SQLite file in a temp directory,
//! and a fresh PostgreSQL database per test on the server of `ISRC_TEST_POSTGRES_URL`.
//! [`each_backend!`] makes an SQLite test and an ignored PostgreSQL test of one body; the
//! PostgreSQL one runs with `cargo test -- --include-ignored` and fails without the server.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The PostgreSQL test databases, shared with the isrc-registry and isrc-server tests.
use isrc_test_support as db;

/// The arguments of a command line as a shell splits it, for the simple lines of the tests:
/// words apart at spaces, `'single quotes'` around a word with spaces (or an empty one).
pub fn words(line: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let (word, after) = match rest.strip_prefix('\'') {
            Some(quoted) => {
                let end = quoted.find('\'').expect("a closing quote");
                (&quoted[..end], &quoted[end + 1..])
            }
            None => rest.split_at(rest.find(' ').unwrap_or(rest.len())),
        };
        words.push(word);
        rest = after.trim_start();
    }
    words
}

#[test]
fn command_lines_split_like_a_shell() {
    assert_eq!(
        words("registrant add --name 'Disques XYZ' --contact '' -v"),
        [
            "registrant",
            "add",
            "--name",
            "Disques XYZ",
            "--contact",
            "",
            "-v"
        ]
    );
}

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

    /// [`Db::ok`] of a command line (see [`words`]).
    pub fn ok_line(&self, line: &str) -> String {
        self.ok(&words(line))
    }

    /// [`Db::fails`] of a command line (see [`words`]).
    pub fn fails_line(&self, line: &str) -> String {
        self.fails(&words(line))
    }

    /// [`Db::run`] of a command line (see [`words`]).
    pub fn run_line(&self, line: &str) -> Output {
        self.run(&words(line))
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

pub fn sqlite() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("ledger.db").to_string_lossy().into_owned();
    Db {
        name: "sqlite",
        url,
        dir,
    }
}

/// A fresh PostgreSQL database on the server of `ISRC_TEST_POSTGRES_URL`; panics when it is
/// not set or cannot be reached.
pub fn postgres() -> Db {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    Db {
        name: "postgres",
        url: runtime.block_on(db::create_postgres_database("cli", false)),
        dir: tempfile::tempdir().unwrap(),
    }
}

/// Makes `NAME::sqlite` and `NAME::postgres` (ignored unless asked for: it needs PostgreSQL)
/// from `fn NAME(db: Db)`.
///
/// ```ignore
/// common::each_backend!(allocate_and_export);
/// fn allocate_and_export(db: common::Db) { /* ... */ }
/// ```
#[allow(unused_macros)]
macro_rules! each_backend {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(crate::common::sqlite())
            }

            #[test]
            #[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
            fn postgres() {
                super::$name(crate::common::postgres())
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use each_backend;

/// Reads a starting `isrc serve`'s stderr until it says where it listens: the address, what it
/// printed until then, and the rest of its stderr (keep reading it, or the server may block
/// on a full pipe).
pub fn listening(
    child: &mut std::process::Child,
) -> (String, String, BufReader<std::process::ChildStderr>) {
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr piped"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let read = stderr.read_line(&mut line).unwrap();
        assert!(read > 0, "server exited: {seen}");
        seen.push_str(&line);
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap().to_string();
            return (addr, seen, stderr);
        }
    }
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
