//! The schema migrations, applied when a store is opened.

use std::time::Duration;

use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};

use super::*;
use crate::error::{Error, Result};

/// Migrations, in order: (version, name, SQLite text, PostgreSQL text).
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "accounts",
        include_str!("../../migrations/sqlite/0002_accounts.sql"),
        include_str!("../../migrations/postgres/0002_accounts.sql"),
    ),
    (
        3,
        "counter_usage",
        include_str!("../../migrations/sqlite/0003_counter_usage.sql"),
        include_str!("../../migrations/postgres/0003_counter_usage.sql"),
    ),
    (
        5,
        "accounts_recovery",
        include_str!("../../migrations/sqlite/0005_accounts_recovery.sql"),
        include_str!("../../migrations/postgres/0005_accounts_recovery.sql"),
    ),
];

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
