//! Every conflict of a batch at once: allocation stops at the first duplicate (it is one
//! transaction), so a refused batch is checked again here, read-only, to list them all.

use std::collections::HashMap;

use isrc::Isrc;

use crate::Store;
use crate::error::{Error, Result};
use crate::model::AllocationRequest;
use crate::store::{dec_opt_i64, dec_str, durations_match, match_key, where_};

/// At most this many conflicts are listed; the rest are counted.
pub const MAX_LISTED_CONFLICTS: usize = 50;

impl Store {
    /// Every recording of `request` that allocation would refuse as a duplicate: of an active
    /// recording of the prefix in the ledger, or of an earlier row of the batch. Each message
    /// names the row (its label) and the code or row it repeats. Empty when there is none (or
    /// with `force`). Reads only.
    pub async fn batch_conflicts(&self, request: &AllocationRequest) -> Result<Vec<String>> {
        if request.force {
            return Ok(vec![]);
        }
        let rows = sqlx::query(
            "SELECT isrc, match_key, duration_ms FROM recordings WHERE prefix = $1 AND status = 'active'",
        )
        .bind(request.prefix.as_str())
        .fetch_all(&self.inner.pool)
        .await?;
        let mut known: HashMap<String, Vec<(Option<u64>, Isrc)>> = HashMap::new();
        for row in rows {
            let text = dec_str(&row, "isrc")?;
            let isrc = Isrc::parse_strict(&text).map_err(|_| {
                Error::invalid("database", format!("stored ISRC {text:?} is not valid"))
            })?;
            known
                .entry(dec_str(&row, "match_key")?)
                .or_default()
                .push((dec_opt_i64(&row, "duration_ms")?.map(|d| d as u64), isrc));
        }
        let mut problems = Vec::new();
        let mut in_batch: HashMap<String, Vec<(Option<u64>, usize)>> = HashMap::new();
        for (i, r) in request.recordings.iter().enumerate() {
            let key = match_key(r);
            if let Some((_, isrc)) = known.get(&key).and_then(|found| {
                found
                    .iter()
                    .find(|(d, _)| durations_match(*d, r.duration_ms))
            }) {
                problems.push(format!(
                    "{}this recording matches {isrc} in the ledger",
                    where_(request, i)
                ));
            }
            let earlier = in_batch.entry(key).or_default();
            if let Some((_, j)) = earlier
                .iter()
                .find(|(d, _)| durations_match(*d, r.duration_ms))
            {
                problems.push(format!(
                    "{}the same recording appears earlier in the batch ({})",
                    where_(request, i),
                    request
                        .labels
                        .get(*j)
                        .cloned()
                        .unwrap_or_else(|| format!("row {}", j + 1))
                ));
            }
            earlier.push((r.duration_ms, i));
        }
        Ok(problems)
    }
}

/// The conflicts of a batch as one refusal: every one listed (up to
/// [`MAX_LISTED_CONFLICTS`]), with what to do.
pub fn conflicts_error(problems: &[String]) -> Error {
    let mut message = format!(
        "{} recording(s) of the batch would get a second ISRC; nothing was allocated:",
        problems.len()
    );
    for p in problems.iter().take(MAX_LISTED_CONFLICTS) {
        message.push_str("\n  ");
        message.push_str(p);
    }
    if problems.len() > MAX_LISTED_CONFLICTS {
        message.push_str(&format!(
            "\n  and {} more",
            problems.len() - MAX_LISTED_CONFLICTS
        ));
    }
    message.push_str("\none recording keeps one ISRC: remove these rows, or allocate with force if they really are different recordings");
    Error::Invalid {
        field: "batch".into(),
        message,
    }
}
