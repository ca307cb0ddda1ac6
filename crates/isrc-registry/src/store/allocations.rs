//! Allocation: new codes for new recordings, refused for known ones.

use std::time::Duration;

use isrc::Isrc;
use sqlx::AnyConnection;

use super::*;
use crate::counters::{self, Take};
use crate::error::{Error, Result};

/// The duplicate-recording key: title, artist and version folded as the one same-recording
/// rule folds them ([`isrc::recording::fold`]: letters and digits only, lowercased, so
/// `"Don't Stop (Live)"` and `"dont stop live"` are one recording, as `isrc check` sees them;
/// punctuation between two digits is one space, so `"Take 1-12"` and `"Take 11-2"` are two),
/// and the content type.
pub(crate) fn match_key(r: &RecordingInput) -> String {
    match_key_of(&r.title, &r.artist, &r.version, r.content_type.as_str())
}

/// [`match_key`] from a stored row's columns (the migration that refolds old keys uses it).
pub(crate) fn match_key_of(title: &str, artist: &str, version: &str, content_type: &str) -> String {
    let mut key = String::with_capacity(title.len() + artist.len() + version.len() + 9);
    for part in [title, artist, version] {
        isrc::recording::fold_into(part, &mut key);
        key.push('\u{1f}');
    }
    key.push_str(content_type);
    key
}

/// The same recording's durations: the definition `isrc check` uses too.
pub(crate) fn durations_match(a: Option<u64>, b: Option<u64>) -> bool {
    isrc::recording::durations_match(a, b)
}

impl Store {
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
        if self.inner.backend == Backend::Postgres
            && let Some(allocation) = self.allocate_in_one_statement(request).await?
        {
            return Ok(allocation);
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

    /// PostgreSQL's common case in one statement (the function `isrc_allocate`, migration
    /// 40), sent outside an explicit transaction and in a group with the requests that
    /// arrived meanwhile (store/group.rs): the counter row is locked only while the function
    /// runs and its commit is flushed, once for the group, not across the round trips of a
    /// transaction of several statements for each request. `None`: this request takes the general path
    /// ([`Store::allocate_in`]), because it is idempotent, names a parent, repeats a
    /// recording within the batch, may match a recording in the ledger, is larger than one
    /// statement's chunk, or the counter row has no known free run for it (a new year, codes
    /// imported above the cursor, a range boundary), or the statement met a conflict the
    /// general path retries.
    async fn allocate_in_one_statement(
        &self,
        request: &AllocationRequest,
    ) -> Result<Option<Allocation>> {
        let prefix = request.prefix;
        let n = request.recordings.len();
        if request.idempotency_key.is_some()
            || n > super::batch::CHUNK
            || request.recordings.iter().any(|r| r.parent.is_some())
        {
            return Ok(None);
        }
        let keys: Vec<String> = request.recordings.iter().map(match_key).collect();
        if !request.force {
            let mut earlier = EarlierRows::default();
            for (i, key) in keys.iter().enumerate() {
                if earlier.same_as(request, key, i).is_some() {
                    return Ok(None);
                }
            }
        }
        let year2 = request.year % 100;
        // The code of designation d is code0 + d (Isrc::to_u64 ends in the seven digits);
        // checked at both ends rather than assumed.
        let code_of = |d: u32| prefix.isrc(year2 as u8, d).map(|i| i.to_u64() as i64);
        let (Some(code0), Some(last)) = (code_of(0), code_of(99_999)) else {
            return Ok(None);
        };
        if last != code0 + 99_999 {
            return Ok(None);
        }
        let mut conn = self.inner.pool.acquire().await?;
        let registrant = load_registrant(&mut conn, prefix).await?;
        check_clients(&registrant, request)?;
        let rows: Vec<serde_json::Value> = request
            .recordings
            .iter()
            .zip(&keys)
            .map(|(m, key)| {
                serde_json::json!({
                    "artist": m.artist.trim(),
                    "title": m.title.trim(),
                    "version": m.version.trim(),
                    "duration_ms": m.duration_ms,
                    "content_type": m.content_type.as_str(),
                    "published": m.published.map(|d| d.to_string()),
                    "language": m.language,
                    "recording_year": m.recording_year,
                    "iswc": m.iswc,
                    "notes": m.notes,
                    "client": m.client,
                    "parent": None::<String>,
                    "change_kind": m.change,
                    "status": Status::Active.as_str(),
                    "match_key": key,
                })
            })
            .collect();
        drop(conn);
        let request_json = serde_json::json!({
            "prefix": prefix.as_str(),
            "year": year2,
            "ranges": ranges_to_string(&registrant.ranges),
            "code0": code0,
            "actor": request.actor,
            "check": !request.force,
            "rows": rows,
        });
        let Some((after, used)) = self.allocate_grouped(request_json.to_string(), n).await else {
            return Ok(None);
        };
        let isrcs = (after - n as u32..after)
            .map(|d| {
                prefix
                    .isrc(year2 as u8, d)
                    .ok_or_else(|| corrupt("designation", &d.to_string()))
            })
            .collect::<Result<Vec<Isrc>>>()?;
        Ok(Some(Allocation {
            isrcs,
            used,
            capacity: registrant.ranges.iter().map(|r| r.len()).sum(),
            replayed: false,
        }))
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
        check_clients(&registrant, request)?;
        for r in &request.recordings {
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
        // After the counter row's lock: on PostgreSQL (read committed) a concurrent allocation
        // of the same recording in this prefix-year has committed by now, and this statement
        // sees it; checked before the lock, both could pass and the recording get two codes.
        if !request.force {
            self.check_duplicates(conn, request, &keys).await?;
        }
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
        let mut known = KnownRecordings::default();
        if keys.len() <= 16 {
            for key in keys {
                let sql = format!(
                    "SELECT {KNOWN_COLUMNS} FROM recordings WHERE prefix = $1 AND match_key = $2 AND status = 'active'"
                );
                known.add(
                    sqlx::query(AssertSqlSafe(sql))
                        .bind(request.prefix.as_str())
                        .bind(key.as_str())
                        .fetch_all(&mut *conn)
                        .await?,
                )?;
            }
        } else {
            known.add(
                sqlx::query(AssertSqlSafe(known_sql()))
                    .bind(request.prefix.as_str())
                    .fetch_all(&mut *conn)
                    .await?,
            )?;
        }
        let mut earlier = EarlierRows::default();
        for (i, (r, key)) in request.recordings.iter().zip(keys).enumerate() {
            if let Some(existing) = known.find(key, r.duration_ms) {
                return Err(Error::Duplicate {
                    existing,
                    where_: where_(request, i),
                });
            }
            if let Some(row) = earlier.same_as(request, key, i) {
                return Err(Error::invalid(
                    "recording",
                    format!(
                        "{}the same recording appears earlier in the batch ({row}); one recording gets one ISRC (pass --force if they really differ)",
                        where_(request, i),
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A Manager prefix's codes each name a client; an own prefix's codes name none.
fn check_clients(registrant: &Registrant, request: &AllocationRequest) -> Result<()> {
    let prefix = request.prefix;
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
    }
    Ok(())
}

pub(crate) fn where_(request: &AllocationRequest, i: usize) -> String {
    match request.labels.get(i) {
        Some(label) if !label.is_empty() => format!("{label}: "),
        _ if request.recordings.len() > 1 => format!("row {}: ", i + 1),
        _ => String::new(),
    }
}

pub(super) fn label_error(error: Error, request: &AllocationRequest, i: usize) -> Error {
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

/// The active recordings of the prefix bound as `$1`, as [`KnownRecordings`] reads them.
pub(crate) fn known_sql() -> String {
    format!("SELECT {KNOWN_COLUMNS} FROM recordings WHERE prefix = $1 AND status = 'active'")
}
