//! The batch insert of new recordings and their audit rows.

use sqlx::{AnyConnection, AssertSqlSafe};

use super::*;
use crate::error::Result;

/// A bind placeholder. SQLite gets anonymous `?`: with numbered `$N` it looks every parameter
/// name up in a linear list, which makes binding a statement with thousands of parameters
/// quadratic.
pub(super) fn placeholder(backend: Backend, n: usize) -> String {
    let mut text = String::new();
    push_placeholder(&mut text, backend, n);
    text
}

/// [`placeholder`] appended to `sql`, without a temporary string.
pub(super) fn push_placeholder(sql: &mut String, backend: Backend, n: usize) {
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
pub(super) const CHUNK: usize = 400;

/// Inserts new recordings and their audit rows, in chunks of multi-row statements.
///
/// Every row of one call shares its origin and creation time, and none is void yet; those
/// values, and the prefix, year and designation (cut from the ISRC text), are computed by the
/// database rather than bound per row: a bound value costs more than the b-tree insert of its
/// column (sqlx's `Any` driver converts and copies each one twice). The audit rows are built
/// by the database from the inserted rows (`json_object`), in the same shape as `Recording`'s
/// serde form, so no JSON text is bound per row either.
pub(super) async fn insert_recordings(
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
            hold_after_first_chunk(n, rows.len()).await;
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
        hold_after_first_chunk(n, rows.len()).await;
    }
    Ok(())
}

/// Only in builds with the `fault-injection` feature (the CLI's tests turn it on through a
/// dev-dependency; release builds do not have it): when `ISRC_REGISTRY_TEST_HOLD` names a
/// file, a batch of several chunks writes that file after its first chunk and then waits,
/// inside the open transaction, until killed. The reliability tests kill a batch mid-way with
/// it, without timing guesses.
#[cfg(feature = "fault-injection")]
async fn hold_after_first_chunk(n: usize, rows: usize) {
    if n == 0
        && rows > CHUNK
        && let Some(path) = std::env::var_os("ISRC_REGISTRY_TEST_HOLD")
    {
        std::fs::write(path, b"holding").ok();
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    }
}

/// Without the `fault-injection` feature there is no hook.
#[cfg(not(feature = "fault-injection"))]
async fn hold_after_first_chunk(_n: usize, _rows: usize) {}
