//! The [`Store`]: one async API over SQLite and PostgreSQL.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use isrc::{Isrc, code::PrefixCode, prefix::PrefixStatus, prefix::PrefixTable};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Connection, Row};

use crate::counters::{self, ImportTally, Take};
use crate::error::{Error, Result};
use crate::model::*;

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
}

/// Migrations, in order: (version, name, SQLite text, PostgreSQL text).
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "accounts",
        include_str!("../migrations/sqlite/0002_accounts.sql"),
        include_str!("../migrations/postgres/0002_accounts.sql"),
    ),
    (
        3,
        "counter_usage",
        include_str!("../migrations/sqlite/0003_counter_usage.sql"),
        include_str!("../migrations/postgres/0003_counter_usage.sql"),
    ),
    (
        5,
        "accounts_recovery",
        include_str!("../migrations/sqlite/0005_accounts_recovery.sql"),
        include_str!("../migrations/postgres/0005_accounts_recovery.sql"),
    ),
];

const RECORDING_COLUMNS: &str = "code, isrc, prefix, year, designation, artist, title, version, duration_ms, content_type, published, language, recording_year, iswc, notes, client, parent, change_kind, status, void_reason, origin, match_key, created_at";

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

/// Appends `text` lowercased, with runs of whitespace as one space and no space at the ends.
fn push_normalized(out: &mut String, text: &str) {
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            out.push_str(&word.to_lowercase());
        }
    }
}

/// The duplicate-recording key: title, artist and version normalized, and the content type.
pub(crate) fn match_key(r: &RecordingInput) -> String {
    let mut key = String::with_capacity(r.title.len() + r.artist.len() + r.version.len() + 9);
    for part in [&r.title, &r.artist, &r.version] {
        push_normalized(&mut key, part);
        key.push('\u{1f}');
    }
    key.push_str(r.content_type.as_str());
    key
}

/// The same recording's durations: the definition `isrc check` uses too.
pub(crate) fn durations_match(a: Option<u64>, b: Option<u64>) -> bool {
    isrc::recording::durations_match(a, b)
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

pub(crate) fn dec_i64(row: &AnyRow, col: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}

pub(crate) fn dec_opt_i64(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

pub(crate) fn dec_str(row: &AnyRow, col: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(col)?)
}

pub(crate) fn dec_opt_str(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

fn corrupt(what: &str, value: &str) -> Error {
    Error::Database(sqlx::Error::Decode(
        format!("the ledger holds an unreadable {what}: {value:?}").into(),
    ))
}

fn parse_prefix_stored(text: &str) -> Result<PrefixCode> {
    text.parse().map_err(|_| corrupt("prefix", text))
}

pub(crate) fn recording_from_row(row: &AnyRow) -> Result<Recording> {
    let isrc_text = dec_str(row, "isrc")?;
    let isrc = Isrc::parse_strict(&isrc_text).map_err(|_| corrupt("ISRC", &isrc_text))?;
    let content_type = dec_str(row, "content_type")?
        .parse()
        .map_err(|_| corrupt("content type", "?"))?;
    let published = match dec_opt_str(row, "published")? {
        Some(p) => Some(p.parse().map_err(|_| corrupt("date", &p))?),
        None => None,
    };
    let parent = match dec_opt_str(row, "parent")? {
        Some(p) => Some(Isrc::parse_strict(&p).map_err(|_| corrupt("ISRC", &p))?),
        None => None,
    };
    Ok(Recording {
        isrc,
        meta: RecordingInput {
            artist: dec_str(row, "artist")?,
            title: dec_str(row, "title")?,
            version: dec_str(row, "version")?,
            duration_ms: dec_opt_i64(row, "duration_ms")?.map(|d| d as u64),
            content_type,
            published,
            language: dec_opt_str(row, "language")?,
            recording_year: dec_opt_i64(row, "recording_year")?.map(|y| y as u16),
            iswc: dec_opt_str(row, "iswc")?,
            notes: dec_opt_str(row, "notes")?,
            client: dec_opt_str(row, "client")?,
            parent,
            change: dec_opt_str(row, "change_kind")?,
        },
        status: if dec_str(row, "status")? == "void" {
            Status::Void
        } else {
            Status::Active
        },
        void_reason: dec_opt_str(row, "void_reason")?,
        origin: dec_str(row, "origin")?,
        created_at: dec_str(row, "created_at")?,
    })
}

fn audit_event_from_row(row: &AnyRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: dec_i64(row, "id")?,
        at: dec_str(row, "at")?,
        actor: dec_str(row, "actor")?,
        action: dec_str(row, "action")?,
        subject: dec_str(row, "subject")?,
        before: dec_opt_str(row, "before")?,
        after: dec_opt_str(row, "after")?,
    })
}

fn registrant_from_row(row: &AnyRow) -> Result<Registrant> {
    let ranges_text = dec_str(row, "ranges")?;
    Ok(Registrant {
        prefix: parse_prefix_stored(&dec_str(row, "prefix")?)?,
        name: dec_str(row, "name")?,
        contact: dec_str(row, "contact")?,
        kind: dec_str(row, "kind")?
            .parse()
            .map_err(|_| corrupt("kind", "?"))?,
        ranges: parse_ranges(&ranges_text).map_err(|_| corrupt("range", &ranges_text))?,
        created_at: dec_str(row, "created_at")?,
    })
}

fn application_from_row(row: &AnyRow) -> Result<Application> {
    Ok(Application {
        id: dec_i64(row, "id")?,
        name: dec_str(row, "name")?,
        contact: dec_str(row, "contact")?,
        address: dec_str(row, "address")?,
        country: dec_str(row, "country")?,
        kind: dec_str(row, "kind")?
            .parse()
            .map_err(|_| corrupt("kind", "?"))?,
        status: ApplicationStatus::parse(&dec_str(row, "status")?),
        prefix: match dec_opt_str(row, "prefix")? {
            Some(p) => Some(parse_prefix_stored(&p)?),
            None => None,
        },
        reason: dec_opt_str(row, "reason")?,
        created_at: dec_str(row, "created_at")?,
        decided_at: dec_opt_str(row, "decided_at")?,
    })
}

/// The ordering in which an agency issues registrant codes: letters A-Z, then digits 0-9, in
/// each of the three positions (AAA, AAB, ..., AA9, ABA, ...).
pub const REGISTRANT_CODE_ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The form of a registrant code in which O/0 and I/1 are the same character.
pub fn canonical_code(code: &str) -> String {
    code.chars()
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' => '1',
            c => c,
        })
        .collect()
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

    // ----- registrants -----

    /// Adds a registrant.
    pub async fn add_registrant(&self, new: NewRegistrant, actor: &str) -> Result<Registrant> {
        self.check_country(new.prefix, false)?;
        if new.name.trim().is_empty() {
            return Err(Error::invalid("name", "the registrant name is empty"));
        }
        crate::text::refuse_control_characters("name", &new.name)?;
        crate::text::refuse_control_characters("contact", &new.contact)?;
        let ranges = if new.ranges.is_empty() {
            vec![DesignationRange::DEFAULT]
        } else {
            new.ranges.clone()
        };
        let registrant = Registrant {
            prefix: new.prefix,
            name: new.name.trim().to_string(),
            contact: new.contact.trim().to_string(),
            kind: new.kind,
            ranges,
            created_at: now(),
        };
        let result = write_tx!(self, false, |conn| self.add_registrant_in(
            conn,
            &registrant,
            actor
        ));
        match result {
            Err(Error::Database(sqlx::Error::Database(db))) if db.is_unique_violation() => {
                Err(Error::RegistrantExists {
                    prefix: new.prefix.to_string(),
                })
            }
            other => other.map(|()| registrant),
        }
    }

    async fn add_registrant_in(
        &self,
        conn: &mut AnyConnection,
        r: &Registrant,
        actor: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO registrants (prefix, name, contact, kind, ranges, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.prefix.as_str())
        .bind(&r.name)
        .bind(&r.contact)
        .bind(r.kind.as_str())
        .bind(ranges_to_string(&r.ranges))
        .bind(&r.created_at)
        .execute(&mut *conn)
        .await?;
        audit(
            conn,
            actor,
            "registrant.add",
            r.prefix.as_str(),
            None,
            Some(json(r)),
        )
        .await
    }

    /// The registrant holding `prefix`.
    pub async fn registrant(&self, prefix: PrefixCode) -> Result<Registrant> {
        let mut conn = self.inner.pool.acquire().await?;
        load_registrant(&mut conn, prefix).await
    }

    /// All registrants, by prefix.
    pub async fn registrants(&self) -> Result<Vec<Registrant>> {
        let rows = sqlx::query("SELECT * FROM registrants ORDER BY prefix")
            .fetch_all(&self.inner.pool)
            .await?;
        rows.iter().map(registrant_from_row).collect()
    }

    // ----- allocation -----

    /// Allocates one code per recording of the request, in one transaction: all or nothing.
    ///
    /// The designations are the next free ones of the registrant's ranges for the year,
    /// starting at the lowest; codes already in the ledger (imported) are skipped. The
    /// transaction is guarded by unique constraints and retried on conflicts, so concurrent
    /// allocators (threads, processes, servers) never hand out the same code.
    pub async fn allocate(&self, request: &AllocationRequest) -> Result<Allocation> {
        self.check_country(request.prefix, true)?;
        if !(1940..=2999).contains(&request.year) {
            return Err(Error::invalid(
                "year",
                format!("{} is not a plausible year of reference", request.year),
            ));
        }
        if request.recordings.is_empty() {
            return Err(Error::invalid("recordings", "nothing to allocate"));
        }
        for (i, r) in request.recordings.iter().enumerate() {
            r.validate().map_err(|e| label_error(e, request, i))?;
        }
        let outcome = write_tx!(self, true, |conn| self.allocate_in(conn, request));
        match outcome {
            // A concurrent request with the same key may commit between this transaction's key
            // lookup and its duplicate check (PostgreSQL reads committed rows statement by
            // statement): look again, so that the retry is replayed instead of being refused as
            // a duplicate of itself. A real duplicate is refused again.
            Err(Error::Duplicate { .. }) if request.idempotency_key.is_some() => {
                write_tx!(self, true, |conn| self.allocate_in(conn, request))
            }
            other => other,
        }
    }

    async fn allocate_in(
        &self,
        conn: &mut AnyConnection,
        request: &AllocationRequest,
    ) -> Result<Allocation> {
        let prefix = request.prefix;
        let registrant = load_registrant(conn, prefix).await?;
        // Only idempotent requests need the fingerprint: serializing a 100,000-row batch costs.
        let fingerprint = || {
            format!(
                "{prefix}:{}:{}",
                request.year,
                serde_json::to_string(&request.recordings).unwrap_or_default()
            )
        };
        if let Some(key) = &request.idempotency_key {
            let row = sqlx::query("SELECT request, response FROM idempotency WHERE key = $1")
                .bind(key.as_str())
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = row {
                if dec_str(&row, "request")? != fingerprint() {
                    return Err(Error::IdempotencyMismatch { key: key.clone() });
                }
                let stored = dec_str(&row, "response")?;
                let (codes, used, capacity): (Vec<String>, u32, u32) =
                    serde_json::from_str(&stored).map_err(|_| corrupt("response", &stored))?;
                let isrcs = codes
                    .iter()
                    .map(|c| Isrc::parse_strict(c).map_err(|_| corrupt("ISRC", c)))
                    .collect::<Result<Vec<_>>>()?;
                return Ok(Allocation {
                    isrcs,
                    used,
                    capacity,
                    replayed: true,
                });
            }
        }
        for (i, r) in request.recordings.iter().enumerate() {
            match (registrant.kind, &r.client) {
                (RegistrantKind::Manager, None) => {
                    return Err(label_error(
                        Error::invalid(
                            "client",
                            format!(
                                "{prefix} is an ISRC Manager prefix: each code records the client it is for (give --client NAME)"
                            ),
                        ),
                        request,
                        i,
                    ));
                }
                (RegistrantKind::Own, Some(_)) => {
                    return Err(label_error(
                        Error::invalid(
                            "client",
                            format!(
                                "{prefix} is for the registrant's own recordings; a client can only be given under an ISRC Manager prefix"
                            ),
                        ),
                        request,
                        i,
                    ));
                }
                _ => {}
            }
            if let Some(parent) = r.parent {
                let found = sqlx::query("SELECT 1 AS one FROM recordings WHERE code = $1")
                    .bind(parent.to_u64() as i64)
                    .fetch_optional(&mut *conn)
                    .await?;
                if found.is_none() {
                    return Err(Error::NotFound { isrc: parent });
                }
            }
        }
        let keys: Vec<String> = request.recordings.iter().map(match_key).collect();
        if !request.force {
            self.check_duplicates(conn, request, &keys).await?;
        }

        let year2 = (request.year % 100) as i64;
        let capacity: u32 = registrant.ranges.iter().map(|r| r.len()).sum();
        let requested = request.recordings.len() as u32;
        let exhausted = |used: u32| Error::Exhausted {
            prefix: prefix.to_string(),
            year: request.year,
            ranges: ranges_to_string(&registrant.ranges),
            capacity,
            used,
            requested,
        };
        let (designations, used) =
            match counters::take(conn, prefix, year2, &registrant.ranges, requested).await? {
                Take::Granted { designations, used } => (designations, used),
                Take::Exhausted { used } => return Err(exhausted(used)),
            };
        let isrcs = designations
            .iter()
            .map(|&d| prefix.isrc(year2 as u8, d).ok_or_else(|| exhausted(used)))
            .collect::<Result<Vec<Isrc>>>()?;
        let created_at = now();
        let rows: Vec<Recording> = request
            .recordings
            .iter()
            .zip(&isrcs)
            .map(|(meta, &isrc)| Recording {
                isrc,
                meta: meta.clone(),
                status: Status::Active,
                void_reason: None,
                origin: "allocated".into(),
                created_at: created_at.clone(),
            })
            .collect();
        insert_recordings(
            self.inner.backend,
            conn,
            &rows,
            &keys,
            &request.actor,
            "allocate",
        )
        .await?;
        let allocation = Allocation {
            isrcs,
            used,
            capacity,
            replayed: false,
        };
        if let Some(key) = &request.idempotency_key {
            let codes: Vec<String> = allocation.isrcs.iter().map(|c| c.to_string()).collect();
            let response = serde_json::to_string(&(codes, allocation.used, allocation.capacity))
                .unwrap_or_default();
            sqlx::query(
                "INSERT INTO idempotency (key, request, response, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(key.as_str())
            .bind(fingerprint())
            .bind(response)
            .bind(&created_at)
            .execute(&mut *conn)
            .await?;
        }
        Ok(allocation)
    }

    async fn check_duplicates(
        &self,
        conn: &mut AnyConnection,
        request: &AllocationRequest,
        keys: &[String],
    ) -> Result<()> {
        let mut known: HashMap<String, Vec<(Option<u64>, Isrc)>> = HashMap::new();
        let mut load = |rows: Vec<AnyRow>| -> Result<()> {
            for row in rows {
                let text = dec_str(&row, "isrc")?;
                let isrc = Isrc::parse_strict(&text).map_err(|_| corrupt("ISRC", &text))?;
                known
                    .entry(dec_str(&row, "match_key")?)
                    .or_default()
                    .push((dec_opt_i64(&row, "duration_ms")?.map(|d| d as u64), isrc));
            }
            Ok(())
        };
        if keys.len() <= 16 {
            for key in keys {
                load(
                    sqlx::query("SELECT isrc, match_key, duration_ms FROM recordings WHERE prefix = $1 AND match_key = $2 AND status = 'active'")
                        .bind(request.prefix.as_str())
                        .bind(key.as_str())
                        .fetch_all(&mut *conn)
                        .await?,
                )?;
            }
        } else {
            load(
                sqlx::query("SELECT isrc, match_key, duration_ms FROM recordings WHERE prefix = $1 AND status = 'active'")
                    .bind(request.prefix.as_str())
                    .fetch_all(&mut *conn)
                    .await?,
            )?;
        }
        // Earlier rows of the same batch count too; their code is not known yet, so they are
        // named by position.
        let mut in_batch: HashMap<&str, Vec<(Option<u64>, usize)>> = HashMap::new();
        for (i, (r, key)) in request.recordings.iter().zip(keys).enumerate() {
            if let Some(found) = known.get(key) {
                for (duration, isrc) in found {
                    if durations_match(*duration, r.duration_ms) {
                        return Err(Error::Duplicate {
                            existing: *isrc,
                            where_: where_(request, i),
                        });
                    }
                }
            }
            let earlier = in_batch.entry(key).or_default();
            if let Some((_, j)) = earlier
                .iter()
                .find(|(d, _)| durations_match(*d, r.duration_ms))
            {
                return Err(Error::invalid(
                    "recording",
                    format!(
                        "{}the same recording appears earlier in the batch ({}); one recording gets one ISRC (pass --force if they really differ)",
                        where_(request, i),
                        request
                            .labels
                            .get(*j)
                            .cloned()
                            .unwrap_or_else(|| format!("row {}", j + 1))
                    ),
                ));
            }
            earlier.push((r.duration_ms, i));
        }
        Ok(())
    }

    // ----- import -----

    /// Brings existing codes into the ledger: all of them, or none (duplicates in the input and
    /// codes already in the ledger are reported together). Allocation then skips them.
    /// With `only_prefix`, codes under any other prefix are refused.
    pub async fn import(
        &self,
        records: &[ImportRecord],
        only_prefix: Option<PrefixCode>,
        actor: &str,
    ) -> Result<usize> {
        if records.is_empty() {
            return Err(Error::invalid("import", "the file holds no records"));
        }
        let mut problems = Vec::new();
        let mut seen: HashMap<Isrc, &str> = HashMap::new();
        for r in records {
            if let Some(only) = only_prefix
                && r.isrc.prefix() != only
            {
                problems.push(format!(
                    "{}: {} is under {}, not under {only}",
                    r.label,
                    r.isrc,
                    r.isrc.prefix()
                ));
            }
            if let Err(e) = r.meta.validate() {
                problems.push(format!("{}: {e}", r.label));
            }
            if let Some(first) = seen.insert(r.isrc, &r.label) {
                problems.push(format!("{}: {} is also on {first}", r.label, r.isrc));
            }
        }
        if !problems.is_empty() {
            return Err(import_conflict(problems));
        }
        write_tx!(self, false, |conn| self.import_in(conn, records, actor))
    }

    async fn import_in(
        &self,
        conn: &mut AnyConnection,
        records: &[ImportRecord],
        actor: &str,
    ) -> Result<usize> {
        let mut problems = Vec::new();
        let mut registrants: HashMap<PrefixCode, Registrant> = HashMap::new();
        for r in records {
            let prefix = r.isrc.prefix();
            if let std::collections::hash_map::Entry::Vacant(slot) = registrants.entry(prefix) {
                match load_registrant(conn, prefix).await {
                    Ok(reg) => {
                        slot.insert(reg);
                    }
                    Err(Error::UnknownPrefix { .. }) => {
                        problems.push(format!(
                            "{}: {} is under {prefix}, which belongs to no registrant in this ledger (add it first with `isrc registrant add --prefix {prefix} --name NAME`)",
                            r.label, r.isrc
                        ));
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            if let Some(reg) = registrants.get(&prefix) {
                match (reg.kind, &r.meta.client) {
                    (RegistrantKind::Manager, None) => problems.push(format!(
                        "{}: {prefix} is an ISRC Manager prefix; give the client",
                        r.label
                    )),
                    (RegistrantKind::Own, Some(_)) => problems.push(format!(
                        "{}: {prefix} is an own-recordings prefix; the client column must be empty",
                        r.label
                    )),
                    _ => {}
                }
            }
        }
        let existing: HashSet<i64> = {
            let mut set = HashSet::new();
            for chunk in records.chunks(500) {
                let placeholders: Vec<String> = (1..=chunk.len())
                    .map(|i| placeholder(self.inner.backend, i))
                    .collect();
                let sql = format!(
                    "SELECT code FROM recordings WHERE code IN ({})",
                    placeholders.join(", ")
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for r in chunk {
                    q = q.bind(r.isrc.to_u64() as i64);
                }
                for row in q.fetch_all(&mut *conn).await? {
                    set.insert(dec_i64(&row, "code")?);
                }
            }
            set
        };
        for r in records {
            if existing.contains(&(r.isrc.to_u64() as i64)) {
                problems.push(format!("{}: {} is already in the ledger", r.label, r.isrc));
            }
        }
        if !problems.is_empty() {
            return Err(import_conflict(problems));
        }
        let created_at = now();
        let rows: Vec<Recording> = records
            .iter()
            .map(|r| Recording {
                isrc: r.isrc,
                meta: r.meta.clone(),
                status: r.status,
                void_reason: None,
                origin: "imported".into(),
                created_at: created_at.clone(),
            })
            .collect();
        let keys: Vec<String> = records.iter().map(|r| match_key(&r.meta)).collect();
        let mut tally = ImportTally::default();
        for r in records {
            if let Some(reg) = registrants.get(&r.isrc.prefix()) {
                tally.add(
                    r.isrc.prefix(),
                    i64::from(r.isrc.year()),
                    r.isrc.designation(),
                    &reg.ranges,
                );
            }
        }
        tally.apply(conn).await?;
        insert_recordings(self.inner.backend, conn, &rows, &keys, actor, "import").await?;
        Ok(rows.len())
    }

    // ----- recordings -----

    /// Marks a code void (allocated in error). It stays in the ledger and is never reissued.
    pub async fn void(&self, isrc: Isrc, reason: &str, actor: &str) -> Result<Recording> {
        if reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason",
                "say why the code is void (--reason TEXT)",
            ));
        }
        write_tx!(self, false, |conn| async {
            let before = fetch_recording(conn, isrc).await?;
            if before.status == Status::Void {
                return Err(Error::AlreadyVoid { isrc });
            }
            sqlx::query("UPDATE recordings SET status = 'void', void_reason = $1 WHERE code = $2")
                .bind(reason.trim())
                .bind(isrc.to_u64() as i64)
                .execute(&mut *conn)
                .await?;
            let after = fetch_recording(conn, isrc).await?;
            audit(
                conn,
                actor,
                "void",
                &isrc.to_string(),
                Some(json(&before)),
                Some(json(&after)),
            )
            .await?;
            Ok::<_, Error>(after)
        })
    }

    /// The recording with this ISRC.
    pub async fn recording(&self, isrc: Isrc) -> Result<Recording> {
        let mut conn = self.inner.pool.acquire().await?;
        fetch_recording(&mut conn, isrc).await
    }

    /// Recordings matching the filter, in code order.
    pub async fn recordings(&self, filter: &ListFilter) -> Result<Vec<Recording>> {
        let mut sql = format!("SELECT {RECORDING_COLUMNS} FROM recordings WHERE 1 = 1");
        let mut n = 0;
        let mut param = || {
            n += 1;
            format!("${n}")
        };
        if filter.prefix.is_some() {
            sql += &format!(" AND prefix = {}", param());
        }
        if filter.year.is_some() {
            sql += &format!(" AND year = {}", param());
        }
        if !filter.include_void {
            sql += " AND status = 'active'";
        }
        if filter.search.is_some() {
            let p = param();
            sql += &format!(
                " AND (lower(title) LIKE {p} ESCAPE '\\' OR lower(artist) LIKE {p} ESCAPE '\\' OR lower(isrc) LIKE {p} ESCAPE '\\')"
            );
        }
        sql += " ORDER BY code";
        if filter.limit.is_some() {
            sql += &format!(" LIMIT {}", param());
        }
        let mut q = sqlx::query(AssertSqlSafe(sql));
        if let Some(p) = filter.prefix {
            q = q.bind(p.as_str().to_string());
        }
        if let Some(y) = filter.year {
            q = q.bind(i64::from(y % 100));
        }
        if let Some(s) = &filter.search {
            // `%` and `_` in the search text are letters, not wildcards.
            q = q.bind(format!("%{}%", crate::text::like_escape(&s.to_lowercase())));
        }
        if let Some(l) = filter.limit {
            q = q.bind(l.min(i64::MAX as u64) as i64);
        }
        let rows = q.fetch_all(&self.inner.pool).await?;
        rows.iter().map(recording_from_row).collect()
    }

    /// The audit log, oldest first; only the events about `subject` when given.
    pub async fn audit_log(&self, subject: Option<&str>) -> Result<Vec<AuditEvent>> {
        let rows = match subject {
            Some(s) => {
                sqlx::query("SELECT * FROM audit WHERE subject = $1 ORDER BY id")
                    .bind(s.to_string())
                    .fetch_all(&self.inner.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT * FROM audit ORDER BY id")
                    .fetch_all(&self.inner.pool)
                    .await?
            }
        };
        rows.iter().map(audit_event_from_row).collect()
    }

    /// The audit log of one registrant, oldest first: the events about the prefix itself
    /// (`registrant.add`) and about every code under it (`allocate`, `import`, `void`).
    pub async fn audit_log_for_prefix(&self, prefix: PrefixCode) -> Result<Vec<AuditEvent>> {
        // A prefix is five letters and digits, so it needs no LIKE escaping.
        let rows =
            sqlx::query("SELECT * FROM audit WHERE subject = $1 OR subject LIKE $2 ORDER BY id")
                .bind(prefix.as_str().to_string())
                .bind(format!("{}%", prefix.as_str()))
                .fetch_all(&self.inner.pool)
                .await?;
        rows.iter().map(audit_event_from_row).collect()
    }

    // ----- agency -----

    /// Files an application for a registrant code.
    pub async fn apply(&self, new: &NewApplication, actor: &str) -> Result<Application> {
        for (field, value) in [
            ("name", &new.name),
            ("contact", &new.contact),
            ("address", &new.address),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid(field, format!("the {field} is empty")));
            }
            if field == "address" {
                crate::text::refuse_control_characters_but_newlines(field, value)?;
            } else {
                crate::text::refuse_control_characters(field, value)?;
            }
        }
        let country = new.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid(
                "country",
                format!(
                    "{:?} is not a two-letter country code (ISO 3166, e.g. CA)",
                    new.country
                ),
            ));
        }
        // The contact becomes the sign-in name of the registrant's account at approval.
        let contact = crate::accounts::normalize_email(&new.contact).map_err(|_| {
            Error::invalid(
                "contact",
                format!(
                    "{:?} is not an e-mail address (name@domain.example); the decision is mailed there",
                    new.contact.trim()
                ),
            )
        })?;
        let created_at = now();
        let id = write_tx!(self, false, |conn| async {
            let id: i64 = sqlx::query(
                "INSERT INTO applications (name, contact, address, country, kind, status, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
            )
            .bind(new.name.trim())
            .bind(contact.as_str())
            .bind(new.address.trim())
            .bind(country.as_str())
            .bind(new.kind.as_str())
            .bind(created_at.as_str())
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            let after = serde_json::json!({"name": new.name.trim(), "contact": contact, "address": new.address.trim(), "country": country, "kind": new.kind}).to_string();
            audit(
                conn,
                actor,
                "application.apply",
                &format!("application/{id}"),
                None,
                Some(after),
            )
            .await?;
            Ok::<_, Error>(id)
        })?;
        self.application(id).await
    }

    /// One application.
    pub async fn application(&self, id: i64) -> Result<Application> {
        let mut conn = self.inner.pool.acquire().await?;
        fetch_application(&mut conn, id).await
    }

    /// Applications, oldest first, optionally only those in one state.
    pub async fn applications(
        &self,
        status: Option<ApplicationStatus>,
    ) -> Result<Vec<Application>> {
        let rows = match status {
            Some(s) => {
                sqlx::query("SELECT * FROM applications WHERE status = $1 ORDER BY id")
                    .bind(s.as_str())
                    .fetch_all(&self.inner.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT * FROM applications ORDER BY id")
                    .fetch_all(&self.inner.pool)
                    .await?
            }
        };
        rows.iter().map(application_from_row).collect()
    }

    /// Approves an application: issues the next free registrant code under the country prefix
    /// (`country_prefix`, or the applicant's country; Canada gets CB), records it in the
    /// listings and adds the registrant (range 00001-99999).
    ///
    /// Skipped: codes already issued or in the ledger, IFPI's and RIAA's example codes
    /// (JM-K40, AA-6Q7, US-S1Z) and codes that read the same as an issued one when O/0 and I/1
    /// are confused. Nothing is issued under a retired prefix, and CA is never issued (new
    /// Canadian registrants get CB since June 2021).
    pub async fn approve(
        &self,
        id: i64,
        country_prefix: Option<&str>,
        actor: &str,
    ) -> Result<Application> {
        self.approve_with_code(id, country_prefix, None, actor)
            .await
    }

    /// [`Store::approve`] with the registrant code the agency chose (`Some("XYZ")`, the three
    /// characters after the country prefix, or the whole prefix `CBXYZ`), or the next free one
    /// (`None`). A chosen code must be free by the same rules as the sequence: not issued,
    /// not an example code, not read the same as an issued one when O/0 and I/1 are confused.
    pub async fn approve_with_code(
        &self,
        id: i64,
        country_prefix: Option<&str>,
        code: Option<&str>,
        actor: &str,
    ) -> Result<Application> {
        let country = self.approval_country(id, country_prefix).await?;
        let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(crate::agency::chosen_code(&country, c)?),
            None => None,
        };
        write_tx!(self, true, |conn| self.approve_in(
            conn,
            id,
            &country,
            code.as_deref(),
            actor
        ))?;
        self.application(id).await
    }

    /// The prefix [`Store::approve`] would issue now for application `id` (the agency confirms
    /// or changes it on the approval form). Nothing is reserved.
    pub async fn proposed_prefix(
        &self,
        id: i64,
        country_prefix: Option<&str>,
    ) -> Result<PrefixCode> {
        let country = self.approval_country(id, country_prefix).await?;
        let mut conn = self.inner.pool.acquire().await?;
        let issued = issued_codes(&mut conn, &country).await?;
        let code = next_free_code(&issued).ok_or_else(|| Error::NoFreeCode {
            country: country.clone(),
        })?;
        format!("{country}{code}")
            .parse()
            .map_err(|_| corrupt("prefix", &code))
    }

    /// The country prefix to issue under for application `id`, checked.
    async fn approval_country(&self, id: i64, country_prefix: Option<&str>) -> Result<String> {
        let app = self.application(id).await?;
        let country = match country_prefix {
            Some(c) => c.trim().to_ascii_uppercase(),
            None if app.country == "CA" => "CB".to_string(),
            None => app.country.clone(),
        };
        if country == "CA" {
            return Err(Error::Prefix {
                message: "new Canadian registrants get CB (since June 2021); CA stays valid only for codes issued before".into(),
            });
        }
        match self.inner.prefixes.get(&country) {
            None => {
                return Err(Error::Prefix {
                    message: format!(
                        "{country} is not a country prefix in use in the ISRC system; pass --country-prefix with the agency's prefix (applicants without a national agency go to the International ISRC Agency)"
                    ),
                });
            }
            Some(entry) if entry.status() == PrefixStatus::Retired => {
                return Err(Error::Prefix {
                    message: format!(
                        "{country} is a retired prefix ({}); nothing new is issued under it",
                        entry.territory()
                    ),
                });
            }
            Some(_) => {}
        }
        Ok(country)
    }

    async fn approve_in(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        country: &str,
        chosen: Option<&str>,
        actor: &str,
    ) -> Result<()> {
        let app = fetch_application(conn, id).await?;
        if app.status != ApplicationStatus::Pending {
            return Err(Error::ApplicationDecided {
                id,
                status: app.status.as_str().into(),
            });
        }
        let issued = issued_codes(conn, country).await?;
        let code = match chosen {
            Some(code) if issued.contains(&canonical_code(code)) => {
                return Err(Error::invalid(
                    "registrant code",
                    format!(
                        "{country}{code} is issued already, is an example code, or reads the same as an issued code when O/0 and I/1 are confused: choose another"
                    ),
                ));
            }
            Some(code) => code.to_string(),
            None => next_free_code(&issued).ok_or_else(|| Error::NoFreeCode {
                country: country.into(),
            })?,
        };
        let prefix: PrefixCode = format!("{country}{code}")
            .parse()
            .map_err(|_| corrupt("prefix", &code))?;
        let at = now();
        sqlx::query(
            "INSERT INTO agency_codes (prefix, canonical, name, contact, address, kind, application_id, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(prefix.as_str())
        .bind(format!("{country}{}", canonical_code(&code)))
        .bind(app.name.as_str())
        .bind(app.contact.as_str())
        .bind(app.address.as_str())
        .bind(app.kind.as_str())
        .bind(id)
        .bind(at.as_str())
        .execute(&mut *conn)
        .await?;
        let registrant = Registrant {
            prefix,
            name: app.name.clone(),
            contact: app.contact.clone(),
            kind: app.kind,
            ranges: vec![DesignationRange::DEFAULT],
            created_at: at.clone(),
        };
        self.add_registrant_in(conn, &registrant, actor).await?;
        sqlx::query(
            "UPDATE applications SET status = 'approved', prefix = $1, decided_at = $2 WHERE id = $3 AND status = 'pending'",
        )
        .bind(prefix.as_str())
        .bind(at.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        let after = fetch_application(conn, id).await?;
        audit(
            conn,
            actor,
            "application.approve",
            &format!("application/{id}"),
            Some(json(&app)),
            Some(json(&after)),
        )
        .await
    }

    /// Rejects an application, with a reason the applicant will read.
    pub async fn reject(&self, id: i64, reason: &str, actor: &str) -> Result<Application> {
        if reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason",
                "say why the application is rejected (--reason TEXT)",
            ));
        }
        write_tx!(self, false, |conn| async {
            let app = fetch_application(conn, id).await?;
            if app.status != ApplicationStatus::Pending {
                return Err(Error::ApplicationDecided {
                    id,
                    status: app.status.as_str().into(),
                });
            }
            sqlx::query(
                "UPDATE applications SET status = 'rejected', reason = $1, decided_at = $2 WHERE id = $3",
            )
            .bind(reason.trim())
            .bind(now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
            let after = fetch_application(conn, id).await?;
            audit(
                conn,
                actor,
                "application.reject",
                &format!("application/{id}"),
                Some(json(&app)),
                Some(json(&after)),
            )
            .await?;
            Ok::<_, Error>(after)
        })
    }

    /// The agency listings ISO 3901 asks for: every issued code with name, contact and address,
    /// by code or by registrant name.
    pub async fn listing(&self, order: ListingOrder) -> Result<Vec<ListingEntry>> {
        let sql = match order {
            ListingOrder::ByCode => "SELECT * FROM agency_codes ORDER BY prefix",
            ListingOrder::ByName => "SELECT * FROM agency_codes ORDER BY lower(name), prefix",
        };
        let rows = sqlx::query(sql).fetch_all(&self.inner.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(ListingEntry {
                    prefix: parse_prefix_stored(&dec_str(row, "prefix")?)?,
                    name: dec_str(row, "name")?,
                    contact: dec_str(row, "contact")?,
                    address: dec_str(row, "address")?,
                    kind: dec_str(row, "kind")?
                        .parse()
                        .map_err(|_| corrupt("kind", "?"))?,
                    issued_at: dec_str(row, "issued_at")?,
                })
            })
            .collect()
    }
}

/// The registrant codes under `country` that cannot be issued (canonical spelling): those
/// issued or in the ledger, and the example codes.
async fn issued_codes(conn: &mut AnyConnection, country: &str) -> Result<HashSet<String>> {
    let like = format!("{country}%");
    let mut issued: HashSet<String> = HashSet::new();
    for sql in [
        "SELECT prefix FROM registrants WHERE prefix LIKE $1",
        "SELECT prefix FROM agency_codes WHERE prefix LIKE $1",
    ] {
        for row in sqlx::query(sql)
            .bind(like.as_str())
            .fetch_all(&mut *conn)
            .await?
        {
            let p = dec_str(&row, "prefix")?;
            issued.insert(canonical_code(&p[2..]));
        }
    }
    for example in EXAMPLE_PREFIXES {
        if example.starts_with(country) {
            issued.insert(canonical_code(&example[2..]));
        }
    }
    Ok(issued)
}

/// The first code in sequence that is not in `issued`.
fn next_free_code(issued: &HashSet<String>) -> Option<String> {
    for a in REGISTRANT_CODE_ALPHABET {
        for b in REGISTRANT_CODE_ALPHABET {
            for c in REGISTRANT_CODE_ALPHABET {
                let code = String::from_utf8_lossy(&[*a, *b, *c]).into_owned();
                if !issued.contains(&canonical_code(&code)) {
                    return Some(code);
                }
            }
        }
    }
    None
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub(crate) fn where_(request: &AllocationRequest, i: usize) -> String {
    match request.labels.get(i) {
        Some(label) if !label.is_empty() => format!("{label}: "),
        _ if request.recordings.len() > 1 => format!("row {}: ", i + 1),
        _ => String::new(),
    }
}

fn label_error(error: Error, request: &AllocationRequest, i: usize) -> Error {
    let at = where_(request, i);
    if at.is_empty() {
        return error;
    }
    match error {
        Error::Invalid { field, message } => Error::Invalid {
            field: format!("{at}{field}"),
            message,
        },
        other => other,
    }
}

fn import_conflict(problems: Vec<String>) -> Error {
    let total = problems.len();
    let mut message = problems.into_iter().take(20).collect::<Vec<_>>().join("; ");
    if total > 20 {
        message.push_str(&format!("; and {} more", total - 20));
    }
    Error::ImportConflict { message }
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

pub(crate) async fn load_registrant(
    conn: &mut AnyConnection,
    prefix: PrefixCode,
) -> Result<Registrant> {
    let row = sqlx::query("SELECT * FROM registrants WHERE prefix = $1")
        .bind(prefix.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => registrant_from_row(&row),
        None => Err(Error::UnknownPrefix {
            prefix: prefix.to_string(),
        }),
    }
}

pub(crate) async fn fetch_recording(conn: &mut AnyConnection, isrc: Isrc) -> Result<Recording> {
    let sql = format!("SELECT {RECORDING_COLUMNS} FROM recordings WHERE code = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(isrc.to_u64() as i64)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => recording_from_row(&row),
        None => Err(Error::NotFound { isrc }),
    }
}

async fn fetch_application(conn: &mut AnyConnection, id: i64) -> Result<Application> {
    let row = sqlx::query("SELECT * FROM applications WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => application_from_row(&row),
        None => Err(Error::ApplicationNotFound { id }),
    }
}

/// Test hook: when `ISRC_REGISTRY_TEST_HOLD` names a file, a batch writes that file after its
/// first chunk of rows and then waits (inside the open transaction) until killed. The
/// reliability tests use it to kill a batch mid-way without timing guesses.
const HOLD_VAR: &str = "ISRC_REGISTRY_TEST_HOLD";

/// A bind placeholder. SQLite gets anonymous `?`: with numbered `$N` it looks every parameter
/// name up in a linear list, which makes binding a statement with thousands of parameters
/// quadratic.
fn placeholder(backend: Backend, n: usize) -> String {
    let mut text = String::new();
    push_placeholder(&mut text, backend, n);
    text
}

/// [`placeholder`] appended to `sql`, without a temporary string.
fn push_placeholder(sql: &mut String, backend: Backend, n: usize) {
    use std::fmt::Write as _;
    match backend {
        Backend::Sqlite => sql.push('?'),
        Backend::Postgres => {
            let _ = write!(sql, "${n}");
        }
    }
}

/// The audit log's JSON of a stored recording, built by the database from the row itself: the
/// same keys as [`Recording`]'s serde form, without sending the text over for every row.
fn recording_json_sql(backend: Backend) -> String {
    let fields = [
        ("isrc", "isrc"),
        ("artist", "artist"),
        ("title", "title"),
        ("version", "version"),
        ("duration_ms", "duration_ms"),
        ("content_type", "content_type"),
        ("published", "published"),
        ("language", "language"),
        ("recording_year", "recording_year"),
        ("iswc", "iswc"),
        ("notes", "notes"),
        ("client", "client"),
        ("parent", "parent"),
        ("change", "change_kind"),
        ("status", "status"),
        ("void_reason", "void_reason"),
        ("origin", "origin"),
        ("created_at", "created_at"),
    ];
    let args: Vec<String> = fields
        .iter()
        .map(|(key, column)| format!("'{key}', {column}"))
        .collect();
    match backend {
        Backend::Sqlite => format!("json_object({})", args.join(", ")),
        Backend::Postgres => format!("json_build_object({})::text", args.join(", ")),
    }
}

/// Rows per multi-row insert statement.
const CHUNK: usize = 400;

/// Inserts new recordings and their audit rows, in chunks of multi-row statements.
///
/// Every row of one call shares its origin and creation time, and none is void yet; those
/// values, and the prefix, year and designation (cut from the ISRC text), are computed by the
/// database rather than bound per row: a bound value costs more than the b-tree insert of its
/// column (sqlx's `Any` driver converts and copies each one twice). The audit rows are built
/// by the database from the inserted rows (`json_object`), in the same shape as `Recording`'s
/// serde form, so no JSON text is bound per row either.
async fn insert_recordings(
    backend: Backend,
    conn: &mut AnyConnection,
    rows: &[Recording],
    keys: &[String],
    actor: &str,
    action: &str,
) -> Result<()> {
    // Bound once per statement: origin and created_at; bound per row: the other 17 values.
    const PER_ROW: usize = 17;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    debug_assert!(rows.iter().all(|r| r.origin == first.origin
        && r.created_at == first.created_at
        && r.void_reason.is_none()));
    let hold = std::env::var_os(HOLD_VAR);
    let audit_json = recording_json_sql(backend);
    for (n, (chunk, chunk_keys)) in rows.chunks(CHUNK).zip(keys.chunks(CHUNK)).enumerate() {
        // VALUES columns are named column1, column2... on both databases.
        let mut sql = format!(
            "INSERT INTO recordings ({RECORDING_COLUMNS}) SELECT column1, column2, substr(column2, 1, 5), CAST(substr(column2, 6, 2) AS INTEGER), CAST(substr(column2, 8, 5) AS INTEGER), column3, column4, column5, column6, column7, column8, column9, column10, column11, column12, column13, column14, column15, column16, NULL, "
        );
        push_placeholder(&mut sql, backend, 1);
        sql.push_str(", column17, ");
        push_placeholder(&mut sql, backend, 2);
        sql.push_str(" FROM (VALUES ");
        let mut p = 2;
        for i in 0..chunk.len() {
            sql.push_str(if i > 0 { ",(" } else { "(" });
            for j in 0..PER_ROW {
                if j > 0 {
                    sql.push(',');
                }
                p += 1;
                push_placeholder(&mut sql, backend, p);
            }
            sql.push(')');
        }
        sql.push_str(") AS v");
        // PostgreSQL writes the audit rows in the same statement, from the rows it inserted:
        // one round trip less while the counter row is locked.
        let together = backend == Backend::Postgres;
        if together {
            sql.insert_str(0, "WITH ins AS (");
            sql.push_str(
                " RETURNING *) INSERT INTO audit (at, actor, action, subject, after) SELECT ",
            );
            for k in p + 1..=p + 3 {
                push_placeholder(&mut sql, backend, k);
                sql.push_str(", ");
            }
            sql.push_str("isrc, ");
            sql.push_str(&audit_json);
            sql.push_str(" FROM ins ORDER BY code");
        }
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(first.origin.as_str())
            .bind(first.created_at.as_str());
        for (r, key) in chunk.iter().zip(chunk_keys) {
            let m = &r.meta;
            q = q
                .bind(r.isrc.to_u64() as i64)
                .bind(r.isrc.to_string())
                .bind(m.artist.trim())
                .bind(m.title.trim())
                .bind(m.version.trim())
                .bind(m.duration_ms.map(|d| d as i64))
                .bind(m.content_type.as_str())
                .bind(m.published.map(|d| d.to_string()))
                .bind(m.language.as_deref())
                .bind(m.recording_year.map(i64::from))
                .bind(m.iswc.as_deref())
                .bind(m.notes.as_deref())
                .bind(m.client.as_deref())
                .bind(m.parent.map(|p| p.to_string()))
                .bind(m.change.as_deref())
                .bind(r.status.as_str())
                .bind(key.as_str());
        }
        if together {
            q = q.bind(now()).bind(actor).bind(action);
        }
        q.execute(&mut *conn).await?;
        if together {
            hold_after_first_chunk(n, rows.len(), &hold).await;
            continue;
        }

        let mut sql = String::from("INSERT INTO audit (at, actor, action, subject, after) SELECT ");
        for k in 1..=3 {
            push_placeholder(&mut sql, backend, k);
            sql.push_str(", ");
        }
        sql.push_str("isrc, ");
        sql.push_str(&audit_json);
        sql.push_str(" FROM recordings WHERE code IN (");
        for (i, k) in (4..4 + chunk.len()).enumerate() {
            if i > 0 {
                sql.push(',');
            }
            push_placeholder(&mut sql, backend, k);
        }
        sql.push_str(") ORDER BY code");
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(now())
            .bind(actor)
            .bind(action);
        for r in chunk {
            q = q.bind(r.isrc.to_u64() as i64);
        }
        q.execute(&mut *conn).await?;
        hold_after_first_chunk(n, rows.len(), &hold).await;
    }
    Ok(())
}

/// The [`HOLD_VAR`] test hook: after the first chunk of a batch of several, signal and wait.
async fn hold_after_first_chunk(n: usize, rows: usize, hold: &Option<std::ffi::OsString>) {
    if n == 0
        && rows > CHUNK
        && let Some(path) = hold
    {
        std::fs::write(path, b"holding").ok();
        loop {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }
}

async fn migrate(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match migrate_once(conn, backend).await {
            Err(e) if is_retryable(&e, true) && attempt < 20 => {
                tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
            }
            other => return other,
        }
    }
}

async fn migrate_once(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    let mut tx = match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => conn.begin().await?,
    };
    if backend == Backend::Postgres {
        // One migrator at a time across servers.
        sqlx::query("SELECT pg_advisory_xact_lock(3901)")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS isrc_registry_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let current: Option<i64> = sqlx::query("SELECT MAX(version) FROM isrc_registry_migrations")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    let current = current.unwrap_or(0);
    let latest = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
    if current > latest {
        return Err(Error::Open {
            location: "database".into(),
            message: format!(
                "the registry schema is version {current}, newer than this program knows ({latest}); upgrade isrc"
            ),
        });
    }
    for (version, name, sqlite, postgres) in MIGRATIONS {
        if *version <= current {
            continue;
        }
        let sql = match backend {
            Backend::Sqlite => *sqlite,
            Backend::Postgres => *postgres,
        };
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO isrc_registry_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(*version)
        .bind(name.to_string())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
