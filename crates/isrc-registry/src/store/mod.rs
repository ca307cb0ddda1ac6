//! The [`Store`]: one async API over SQLite and PostgreSQL, one file per aggregate.

use std::sync::Arc;
use std::time::Duration;

use isrc::{code::PrefixCode, prefix::PrefixStatus, prefix::PrefixTable};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Connection};

use crate::error::{Error, Result};
use crate::model::*;

mod agency_dashboard;
mod allocations;
mod applications;
mod batch;
mod dashboard;
mod duplicates;
mod edits;
mod group;
mod imports;
mod migrate;
mod pages;
mod recordings;
mod registrants;
mod releases;
mod rows;
mod search;

pub use agency_dashboard::{
    AgencyDashboard, CountryCount, NEAR_RANGE_END_PERCENT, RegistrantYear, YearIssued,
};
pub(crate) use allocations::{durations_match, known_sql, match_key, where_};
pub use applications::{REGISTRANT_CODE_ALPHABET, canonical_code};
use batch::{insert_recordings, placeholder};
pub use dashboard::{MonthCount, RegistrantUsage};
use duplicates::KNOWN_COLUMNS;
pub(crate) use duplicates::{EarlierRows, KnownRecordings};
use migrate::migrate;
pub use pages::{AuditFilter, sort_columns};
use recordings::RECORDING_COLUMNS;
pub(crate) use recordings::fetch_recording;
pub(crate) use registrants::load_registrant;
use rows::{
    application_from_row, audit_event_from_row, corrupt, listing_entry_from_row,
    registrant_from_row,
};
pub(crate) use rows::{dec_i64, dec_opt_i64, dec_opt_str, dec_str, recording_from_row};
pub(crate) use search::index_publication;
pub use search::{MAX_SEARCH_WORDS, SearchPage};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (WAL mode, created on first use).
    Sqlite,
    /// A PostgreSQL server (or a PostgreSQL-compatible engine).
    Postgres,
}

/// Options for [`Store::open_with`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Largest number of pooled connections (default: 8 for PostgreSQL, 4 for SQLite).
    pub max_connections: Option<u32>,
    /// How long an SQLite writer waits for the file lock before giving up (default 60 s).
    pub busy_timeout: Duration,
    /// How many times a write transaction is retried after a serialization failure, deadlock
    /// or unique-key race (default 50).
    pub max_attempts: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            max_connections: None,
            busy_timeout: Duration::from_secs(60),
            max_attempts: 50,
        }
    }
}

/// The registry ledger. Cheap to clone (`Arc` inside), `Send + Sync`: share one per process.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    prefixes: PrefixTable,
    pub(crate) max_attempts: u32,
    /// PostgreSQL's queue of allocations sent in groups (shared by the clones of the store).
    groups: Arc<group::Groups>,
}

/// IFPI's and RIAA's example registrant codes: never issued, never used for recordings.
pub const EXAMPLE_PREFIXES: [&str; 3] = ["JMK40", "AA6Q7", "USS1Z"];

fn redact(location: &str) -> String {
    // postgres://user:password@host -> postgres://user:***@host
    if let Some((scheme, rest)) = location.split_once("://")
        && let Some((cred, host)) = rest.split_once('@')
        && let Some((user, _)) = cred.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    location.to_string()
}

/// Turns `--db PATH|URL` into (backend, sqlx URL).
pub(crate) fn resolve(location: &str) -> Result<(Backend, String)> {
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Ok((Backend::Postgres, location.to_string()));
    }
    if lower.starts_with("sqlite:") {
        return Ok((Backend::Sqlite, location.to_string()));
    }
    if lower.contains("://") {
        return Err(Error::Open {
            location: redact(location),
            message: "unsupported URL scheme; use a file path, sqlite://PATH or postgres://..."
                .into(),
        });
    }
    if location.trim().is_empty() {
        return Err(Error::Open {
            location: location.into(),
            message: "empty database path".into(),
        });
    }
    let path = std::path::absolute(location).map_err(|e| Error::Open {
        location: location.into(),
        message: e.to_string(),
    })?;
    if path.is_dir() {
        return Err(Error::Open {
            location: location.into(),
            message: "this is a directory; give a file path such as ./isrc.db".into(),
        });
    }
    let mut encoded = String::new();
    for ch in path.to_string_lossy().chars() {
        match ch {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            ' ' => encoded.push_str("%20"),
            c => encoded.push(c),
        }
    }
    Ok((Backend::Sqlite, format!("sqlite://{encoded}?mode=rwc")))
}

pub(crate) fn now() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs() as i64;
    let date = isrc::policy::Date::from_unix_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        since.subsec_millis()
    )
}

pub(crate) fn is_retryable(error: &Error, unique_too: bool) -> bool {
    let Error::Database(sqlx::Error::Database(db)) = error else {
        return false;
    };
    let code = db.code().unwrap_or_default();
    matches!(
        &*code,
        // PostgreSQL: serialization failure, deadlock
        "40001" | "40P01"
        // SQLite: BUSY, LOCKED, BUSY_RECOVERY, BUSY_SNAPSHOT, LOCKED_SHAREDCACHE
        | "5" | "6" | "261" | "517" | "262"
    ) || (unique_too && db.is_unique_violation())
}

/// Runs `$body` (an expression using `$conn: &mut AnyConnection`) in a write transaction,
/// retrying on serialization failures, deadlocks, busy SQLite files and (when `$unique` is true)
/// unique-key races.
macro_rules! write_tx {
    ($self:ident, $unique:expr, |$conn:ident| $body:expr) => {{
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let outcome: Result<_> = async {
                let mut tx = $self.begin_write().await?;
                let value = {
                    let $conn: &mut AnyConnection = &mut *tx;
                    $body.await?
                };
                tx.commit().await?;
                Ok(value)
            }
            .await;
            match outcome {
                Ok(value) => break Ok(value),
                Err(error) if is_retryable(&error, $unique) => {
                    if attempt >= $self.inner.max_attempts {
                        break Err(Error::Busy { attempts: attempt });
                    }
                    let pause = 2u64.pow(attempt.min(7)) + u64::from(attempt * 7 % 13);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                Err(error) => break Err(error),
            }
        }
    }};
}
pub(crate) use write_tx;

impl Store {
    /// Opens (and creates, for SQLite) the registry at `location`: a file path, `sqlite://PATH`,
    /// or `postgres://user@host:port/db`. Pending migrations are applied.
    pub async fn open(location: &str) -> Result<Store> {
        Store::open_with(location, OpenOptions::default()).await
    }

    /// [`Store::open`] with options.
    pub async fn open_with(location: &str, options: OpenOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = resolve(location)?;
        if backend == Backend::Sqlite {
            crate::text::create_private_file(&url).map_err(|message| Error::Open {
                location: redact(location),
                message,
            })?;
        }
        let open_error = |e: sqlx::Error| {
            let message = match &e {
                sqlx::Error::Database(db) if db.code().as_deref() == Some("26") => {
                    "the file is not an SQLite database (give another --db path)".to_string()
                }
                other => other.to_string(),
            };
            Error::Open {
                location: redact(location),
                message,
            }
        };
        let busy_ms = options.busy_timeout.as_millis();
        let setup_sql = move || match backend {
            Backend::Sqlite => format!(
                "PRAGMA busy_timeout = {busy_ms}; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;"
            ),
            Backend::Postgres => "SET client_min_messages = warning".to_string(),
        };
        // One direct connection first: a fast, clear error when the server is unreachable or
        // the file is not a database, then the migrations.
        let mut conn = tokio::time::timeout(Duration::from_secs(20), AnyConnection::connect(&url))
            .await
            .map_err(|_| Error::Open {
                location: redact(location),
                message: "timed out connecting".into(),
            })?
            .map_err(open_error)?;
        sqlx::raw_sql(AssertSqlSafe(setup_sql()))
            .execute(&mut conn)
            .await
            .map_err(open_error)?;
        migrate(&mut conn, backend).await?;
        conn.close().await.ok();

        let max = options.max_connections.unwrap_or(match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        });
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(120))
            .after_connect(move |conn, _| {
                let sql = setup_sql();
                Box::pin(async move {
                    sqlx::raw_sql(AssertSqlSafe(sql))
                        .execute(conn)
                        .await
                        .map(|_| ())
                })
            })
            .connect_lazy(&url)
            .map_err(open_error)?;
        Ok(Store {
            inner: Arc::new(Inner {
                pool,
                backend,
                prefixes: PrefixTable::builtin().clone(),
                max_attempts: options.max_attempts.max(1),
                groups: group::groups(),
            }),
        })
    }

    /// Uses another prefix table (for retired and unknown country codes) than the built-in one.
    pub fn with_prefixes(self, table: PrefixTable) -> Store {
        let inner = &self.inner;
        Store {
            inner: Arc::new(Inner {
                pool: inner.pool.clone(),
                backend: inner.backend,
                prefixes: table,
                max_attempts: inner.max_attempts,
                groups: inner.groups.clone(),
            }),
        }
    }

    /// The database kind.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// Closes the pool (waits for connections to be returned).
    pub async fn close(&self) {
        self.inner.pool.close().await;
    }

    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.inner.backend {
            Backend::Sqlite => self.inner.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.inner.pool.begin().await?,
        })
    }

    fn check_country(&self, prefix: PrefixCode, for_new_codes: bool) -> Result<()> {
        let country = prefix.country();
        let Some(entry) = self.inner.prefixes.get(country.as_str()) else {
            return Err(Error::Prefix {
                message: format!(
                    "{country} (in {prefix}) is not a country code in use in the ISRC system (prefix table {})",
                    self.inner.prefixes.date().unwrap_or("undated")
                ),
            });
        };
        if for_new_codes && entry.status() == PrefixStatus::Retired {
            return Err(Error::Prefix {
                message: format!(
                    "{country} is a retired country prefix ({}): codes under it stay valid, but no new ISRC is issued under it; use your current prefix",
                    entry.territory()
                ),
            });
        }
        if EXAMPLE_PREFIXES.contains(&prefix.as_str()) {
            return Err(Error::Prefix {
                message: format!(
                    "{} is an example code used in documentation and will never be assigned to recordings",
                    prefix.hyphenated()
                ),
            });
        }
        Ok(())
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub(crate) async fn audit(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    subject: &str,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit (at, actor, action, subject, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now())
    .bind(actor.to_string())
    .bind(action.to_string())
    .bind(subject.to_string())
    .bind(before)
    .bind(after)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
