//! Recordings, their history (void) and the audit log.

use std::time::Duration;

use isrc::{Isrc, code::PrefixCode};
use sqlx::{AnyConnection, AssertSqlSafe};

use super::*;
use crate::error::{Error, Result};

pub(super) const RECORDING_COLUMNS: &str = "code, isrc, prefix, year, designation, artist, title, version, duration_ms, content_type, published, language, recording_year, iswc, notes, client, parent, change_kind, status, void_reason, origin, match_key, created_at";

impl Store {
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
        let (where_, mut binds) = super::pages::recording_filter(filter);
        let mut sql = format!("SELECT {RECORDING_COLUMNS} FROM recordings {where_} ORDER BY code");
        if let Some(l) = filter.limit {
            sql += &format!(" LIMIT ${}", binds.len() + 1);
            binds.push(crate::page::Value::Int(l.min(i64::MAX as u64) as i64));
        }
        let q = crate::page::bind_all(sqlx::query(AssertSqlSafe(sql)), &binds);
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
