//! The schema migrations, applied when a store is opened: `sqlx::migrate!`, one tree per
//! backend (`migrations/sqlite`, `migrations/postgres`, the same versions in both).
//!
//! Ledgers created before the move to sqlx's migrator (which kept its own table,
//! `isrc_registry_migrations`) are adopted on first open: the versions they hold are recorded in
//! sqlx's table as applied, without running them again, and the old table gets a last row whose
//! version is higher than any old program knows, so that an old `isrc` refuses the upgraded file
//! with "upgrade isrc" instead of misreading it.

use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{AnyConnection, Connection, Row};

use super::*;
use crate::error::{Error, Result};

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The table the hand-written migrator of isrc 0.1 (up to schema version 5) kept.
const OLD_TABLE: &str = "isrc_registry_migrations";
/// The row written into [`OLD_TABLE`] once its versions are adopted; old programs read it as
/// "the registry schema is version 1000, newer than this program knows; upgrade isrc".
const ADOPTED: i64 = 1000;

/// The migrations of `backend`, in version order.
pub(super) fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

/// Applies the pending migrations. Several processes may open one new ledger at once: the
/// loser of a race waits for the winner's transaction (SQLite's write lock, PostgreSQL's
/// advisory lock) and retries, and then finds nothing left to do.
pub(super) async fn migrate(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
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
    let migrator = migrator(backend);
    // One transaction for the adoption and every migration (each runs in a savepoint): a
    // ledger is either at the old version or at the new one, never half-way.
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
    adopt_old_migrations(&mut tx, backend, migrator).await?;
    migrator
        .run_direct(None, &mut *tx, false)
        .await
        .map_err(migrate_error)?;
    refold_match_keys(&mut tx, backend).await?;
    super::search::reindex_if_pending(&mut tx, backend).await?;
    tx.commit().await?;
    Ok(())
}

/// The data step of migrations 21 and 50: while their marker table `match_key_refold` exists,
/// the stored duplicate-recording keys are in an old form (before 21: lowercased, spaces
/// collapsed; before 50: digits run together across punctuation); each is recomputed with
/// [`match_key_of`](super::allocations::match_key_of) (the core's folding, which SQL cannot
/// do) and the marker dropped, inside the migration's transaction.
async fn refold_match_keys(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    if !table_exists(conn, backend, "match_key_refold").await? {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT code, title, artist, version, content_type, match_key FROM recordings ORDER BY code",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut changed: Vec<(i64, String)> = Vec::new();
    for row in &rows {
        let key = super::allocations::match_key_of(
            &dec_str(row, "title")?,
            &dec_str(row, "artist")?,
            &dec_str(row, "version")?,
            &dec_str(row, "content_type")?,
        );
        if key != dec_str(row, "match_key")? {
            changed.push((dec_i64(row, "code")?, key));
        }
    }
    drop(rows);
    // Multi-row updates: a ledger of 100,000 recordings is refolded in 250 statements.
    for chunk in changed.chunks(super::batch::CHUNK) {
        let mut sql = String::from("UPDATE recordings SET match_key = v.column2 FROM (VALUES ");
        for i in 0..chunk.len() {
            sql.push_str(if i > 0 { ",(" } else { "(" });
            super::batch::push_placeholder(&mut sql, backend, 2 * i + 1);
            sql.push(',');
            super::batch::push_placeholder(&mut sql, backend, 2 * i + 2);
            sql.push(')');
        }
        sql.push_str(") AS v WHERE recordings.code = v.column1");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (code, key) in chunk {
            query = query.bind(*code).bind(key.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    sqlx::query("DROP TABLE match_key_refold")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn table_exists(conn: &mut AnyConnection, backend: Backend, table: &str) -> Result<bool> {
    let exists_sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = $1 AND table_schema = current_schema()"
        }
    };
    let count: i64 = sqlx::query(exists_sql)
        .bind(table)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok(count > 0)
}

/// Records the versions the old migrator applied as applied in sqlx's table (once).
async fn adopt_old_migrations(
    conn: &mut AnyConnection,
    backend: Backend,
    migrator: &Migrator,
) -> Result<()> {
    if !table_exists(conn, backend, OLD_TABLE).await? {
        return Ok(());
    }
    let row = sqlx::query(
        "SELECT MAX(CASE WHEN version < 1000 THEN version END) AS applied, MAX(version) AS latest FROM isrc_registry_migrations",
    )
    .fetch_one(&mut *conn)
    .await?;
    let applied: Option<i64> = row.try_get("applied")?;
    let latest: Option<i64> = row.try_get("latest")?;
    if latest.is_some_and(|v| v >= ADOPTED) {
        return Ok(());
    }
    if let Some(applied) = applied {
        let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        if applied > known {
            return Err(newer_schema(applied));
        }
        migrator
            .run_direct(Some(applied), &mut *conn, true)
            .await
            .map_err(migrate_error)?;
    }
    sqlx::query(
        "INSERT INTO isrc_registry_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
    )
    .bind(ADOPTED)
    .bind("moved to _sqlx_migrations (isrc 0.1 and older: upgrade isrc)")
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn newer_schema(version: i64) -> Error {
    Error::Open {
        location: "database".into(),
        message: format!(
            "the registry schema holds migration {version}, newer than this program knows; upgrade isrc"
        ),
    }
}

/// sqlx's migration errors in the store's terms: database errors stay database errors (so
/// that busy files and races are retried), a schema from a newer program says so.
fn migrate_error(error: MigrateError) -> Error {
    match error {
        MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _) => Error::Database(e),
        MigrateError::VersionMissing(version) => newer_schema(version),
        other => Error::Database(sqlx::Error::Migrate(Box::new(other))),
    }
}
