//! Corrections to a recording's metadata, each in the audit log with before and after.

use isrc::Isrc;

use super::*;
use crate::error::{Error, Result};

impl Store {
    /// The active recording of the registrant `prefix` that is the same recording as `meta`
    /// (folded title, artist and version, type, duration within 10 s), if there is one: what
    /// allocation refuses to give a second code to, asked before allocating.
    pub async fn same_recording(
        &self,
        prefix: isrc::code::PrefixCode,
        meta: &RecordingInput,
    ) -> Result<Option<Isrc>> {
        let key = match_key(meta);
        let sql = format!(
            "SELECT {KNOWN_COLUMNS} FROM recordings WHERE prefix = $1 AND match_key = $2 AND status = 'active'"
        );
        let mut known = KnownRecordings::default();
        known.add(
            sqlx::query(AssertSqlSafe(sql))
                .bind(prefix.as_str())
                .bind(key.as_str())
                .fetch_all(&self.inner.pool)
                .await?,
        )?;
        Ok(known.find(&key, meta.duration_ms))
    }

    /// Replaces the metadata of the recording `isrc` with `meta` (its ISRC, status, origin,
    /// parent and change stay), in one transaction with its audit entry (`recording.edit`,
    /// the recording before and after) and, when it is published, its row of the public
    /// search. Refused ([`Error::Duplicate`]) when another active recording of the registrant
    /// is then the same recording, and ([`Error::Invalid`]) when nothing changes.
    ///
    /// The rules of what may be corrected are [`ops::edit`](crate::ops::edit)'s.
    pub async fn edit_recording(
        &self,
        isrc: Isrc,
        meta: &RecordingInput,
        actor: &str,
    ) -> Result<Recording> {
        meta.validate()?;
        let key = match_key(meta);
        let code = isrc.to_u64() as i64;
        let backend = self.inner.backend;
        write_tx!(self, false, |conn| async {
            let before = fetch_recording(conn, isrc).await?;
            let mut wanted = meta.clone();
            wanted.parent = before.meta.parent;
            wanted.change = before.meta.change.clone();
            if wanted == before.meta {
                return Err(Error::invalid(
                    "edit",
                    format!("nothing to change: {isrc} already has these values"),
                ));
            }
            let sql = format!(
                "SELECT {KNOWN_COLUMNS} FROM recordings WHERE prefix = $1 AND match_key = $2 AND status = 'active' AND code <> $3"
            );
            let mut known = KnownRecordings::default();
            known.add(
                sqlx::query(AssertSqlSafe(sql))
                    .bind(isrc.prefix().as_str())
                    .bind(key.as_str())
                    .bind(code)
                    .fetch_all(&mut *conn)
                    .await?,
            )?;
            if let Some(existing) = known.find(&key, wanted.duration_ms) {
                return Err(Error::Duplicate {
                    existing,
                    where_: String::new(),
                });
            }
            sqlx::query(
                "UPDATE recordings SET artist = $1, title = $2, version = $3, duration_ms = $4, content_type = $5, published = $6, language = $7, recording_year = $8, iswc = $9, notes = $10, client = $11, match_key = $12 WHERE code = $13",
            )
            .bind(wanted.artist.as_str())
            .bind(wanted.title.as_str())
            .bind(wanted.version.as_str())
            .bind(wanted.duration_ms.map(|d| d as i64))
            .bind(wanted.content_type.as_str())
            .bind(wanted.published.map(|d| d.to_string()))
            .bind(wanted.language.clone())
            .bind(wanted.recording_year.map(i64::from))
            .bind(wanted.iswc.clone())
            .bind(wanted.notes.clone())
            .bind(wanted.client.clone())
            .bind(key.as_str())
            .bind(code)
            .execute(&mut *conn)
            .await?;
            let after = fetch_recording(conn, isrc).await?;
            let published = sqlx::query("SELECT isrc FROM publications WHERE isrc = $1")
                .bind(isrc.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .is_some();
            if published {
                search::index_publication(conn, backend, code, Some(&after)).await?;
            }
            audit(
                conn,
                actor,
                "recording.edit",
                &isrc.to_string(),
                Some(json(&before)),
                Some(json(&after)),
            )
            .await?;
            Ok::<_, Error>(after)
        })
    }
}
