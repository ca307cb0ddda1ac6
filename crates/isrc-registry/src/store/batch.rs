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

/// One bound value of a recording row, compared across a chunk's rows.
#[derive(PartialEq)]
enum Value<'a> {
    Int(Option<i64>),
    Text(Option<std::borrow::Cow<'a, str>>),
}

/// The values bound per row, in `insert_recordings`' column order (code, isrc, artist, title,
/// version, duration, content type, published, language, recording year, ISWC, notes, client,
/// parent, change, status, match key).
fn row_values<'a>(r: &'a Recording, key: &'a str) -> [Value<'a>; PER_ROW] {
    use std::borrow::Cow::{Borrowed, Owned};
    let m = &r.meta;
    let text = |t: &'a str| Value::Text(Some(Borrowed(t)));
    let opt = |t: Option<&'a str>| Value::Text(t.map(Borrowed));
    [
        Value::Int(Some(r.isrc.to_u64() as i64)),
        Value::Text(Some(Owned(r.isrc.to_string()))),
        text(m.artist.trim()),
        text(m.title.trim()),
        text(m.version.trim()),
        Value::Int(m.duration_ms.map(|d| d as i64)),
        text(m.content_type.as_str()),
        Value::Text(m.published.map(|d| Owned(d.to_string()))),
        opt(m.language.as_deref()),
        Value::Int(m.recording_year.map(i64::from)),
        opt(m.iswc.as_deref()),
        opt(m.notes.as_deref()),
        opt(m.client.as_deref()),
        Value::Text(m.parent.map(|p| Owned(p.to_string()))),
        opt(m.change.as_deref()),
        text(r.status.as_str()),
        text(key),
    ]
}

/// Values bound per row at most (the other columns are computed by the database).
const PER_ROW: usize = 17;

fn bind_value<'q>(q: AnyQuery<'q>, value: Value<'q>) -> AnyQuery<'q> {
    use std::borrow::Cow;
    match value {
        Value::Int(v) => q.bind(v),
        Value::Text(None) => q.bind(None::<&str>),
        Value::Text(Some(Cow::Borrowed(t))) => q.bind(t),
        Value::Text(Some(Cow::Owned(t))) => q.bind(t),
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Inserts new recordings and their audit rows, in chunks of multi-row statements.
///
/// Every row of one call shares its origin and creation time, and none is void yet; those
/// values, and the prefix, year and designation (cut from the ISRC text), are computed by the
/// database rather than bound per row: a bound value costs more than the b-tree insert of its
/// column (sqlx's `Any` driver converts and copies each one twice). On SQLite a column whose
/// value is the same in every row of a chunk (the content type, the status, an empty version,
/// the absent ISWC...) is bound once for the chunk rather than once a row, and the audit rows
/// of a chunk of consecutive codes are selected by range. The audit rows are built by the
/// database from the inserted rows (`json_object`), in the same shape as `Recording`'s serde
/// form, so no JSON text is bound per row either.
pub(super) async fn insert_recordings(
    backend: Backend,
    conn: &mut AnyConnection,
    rows: &[Recording],
    keys: &[String],
    actor: &str,
    action: &str,
) -> Result<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    debug_assert!(rows.iter().all(|r| r.origin == first.origin
        && r.created_at == first.created_at
        && r.void_reason.is_none()));
    let audit_json = recording_json_sql(backend);
    for (n, (chunk, chunk_keys)) in rows.chunks(CHUNK).zip(keys.chunks(CHUNK)).enumerate() {
        let mut values: Vec<[Value<'_>; PER_ROW]> = chunk
            .iter()
            .zip(chunk_keys)
            .map(|(r, key)| row_values(r, key))
            .collect();
        // Columns bound once for the chunk: SQLite only (its `?` are bound in text order), for
        // chunks of several rows, never the code or the ISRC text (VALUES keeps two columns).
        let mut constant = [false; PER_ROW];
        if backend == Backend::Sqlite && values.len() > 1 {
            for (j, c) in constant.iter_mut().enumerate().skip(2) {
                *c = values.iter().all(|v| v[j] == values[0][j]);
            }
        }
        // The SELECT list: a column of VALUES (named column1, column2... on both databases)
        // for a per-row value, a placeholder for a value of the chunk.
        let mut sql = format!("INSERT INTO recordings ({RECORDING_COLUMNS}) SELECT ");
        let mut p = 0;
        let mut once: Vec<usize> = Vec::new();
        let mut column = 0;
        let mut select = |sql: &mut String, j: usize, p: &mut usize, once: &mut Vec<usize>| {
            if constant[j] {
                *p += 1;
                push_placeholder(sql, backend, *p);
                once.push(j);
            } else {
                column += 1;
                use std::fmt::Write as _;
                let _ = write!(sql, "column{column}");
            }
        };
        select(&mut sql, 0, &mut p, &mut once);
        sql.push_str(", ");
        select(&mut sql, 1, &mut p, &mut once);
        sql.push_str(", substr(column2, 1, 5), CAST(substr(column2, 6, 2) AS INTEGER), CAST(substr(column2, 8, 5) AS INTEGER)");
        for j in 2..PER_ROW - 1 {
            sql.push_str(", ");
            select(&mut sql, j, &mut p, &mut once);
        }
        sql.push_str(", NULL, ");
        p += 1;
        push_placeholder(&mut sql, backend, p);
        let origin_at = once.len();
        sql.push_str(", ");
        select(&mut sql, PER_ROW - 1, &mut p, &mut once);
        sql.push_str(", ");
        p += 1;
        push_placeholder(&mut sql, backend, p);
        sql.push_str(" FROM (VALUES ");
        let per_row = constant.iter().filter(|c| !**c).count();
        for i in 0..chunk.len() {
            sql.push_str(if i > 0 { ",(" } else { "(" });
            for j in 0..per_row {
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
        // Binds in the placeholders' order: the chunk's values (origin after those of the
        // columns before it), created_at, then the rows.
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (i, &j) in once.iter().enumerate() {
            if i == origin_at {
                q = q.bind(first.origin.as_str());
            }
            // Taken from the first row: a column bound once is not bound per row.
            q = bind_value(q, std::mem::replace(&mut values[0][j], Value::Int(None)));
        }
        if once.len() == origin_at {
            q = q.bind(first.origin.as_str());
        }
        q = q.bind(first.created_at.as_str());
        for row in values {
            for (value, _) in row.into_iter().zip(constant).filter(|(_, c)| !c) {
                q = bind_value(q, value);
            }
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
        let codes: Vec<i64> = chunk.iter().map(|r| r.isrc.to_u64() as i64).collect();
        let consecutive = codes.windows(2).all(|w| w[1] == w[0] + 1);
        if consecutive {
            sql.push_str(" FROM recordings WHERE code BETWEEN ");
            push_placeholder(&mut sql, backend, 4);
            sql.push_str(" AND ");
            push_placeholder(&mut sql, backend, 5);
        } else {
            sql.push_str(" FROM recordings WHERE code IN (");
            for (i, k) in (4..4 + chunk.len()).enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                push_placeholder(&mut sql, backend, k);
            }
            sql.push(')');
        }
        sql.push_str(" ORDER BY code");
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(now())
            .bind(actor)
            .bind(action);
        if consecutive {
            q = q.bind(codes[0]).bind(codes[codes.len() - 1]);
        } else {
            for code in codes {
                q = q.bind(code);
            }
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
