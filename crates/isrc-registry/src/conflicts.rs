//! Every conflict of a batch at once: allocation stops at the first duplicate (it is one
//! transaction), so a refused batch is checked again here, read-only, to list them all.

use sqlx::AssertSqlSafe;

use crate::Store;
use crate::error::{Error, Result};
use crate::model::AllocationRequest;
use crate::store::{EarlierRows, KnownRecordings, known_sql, match_key, where_};

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
        let mut known = KnownRecordings::default();
        known.add(
            sqlx::query(AssertSqlSafe(known_sql()))
                .bind(request.prefix.as_str())
                .fetch_all(&self.inner.pool)
                .await?,
        )?;
        let keys: Vec<String> = request.recordings.iter().map(match_key).collect();
        let mut problems = Vec::new();
        let mut earlier = EarlierRows::default();
        for (i, (r, key)) in request.recordings.iter().zip(&keys).enumerate() {
            if let Some(isrc) = known.find(key, r.duration_ms) {
                problems.push(format!(
                    "{}this recording matches {isrc} in the ledger",
                    where_(request, i)
                ));
            }
            if let Some(row) = earlier.same_as(request, key, i) {
                problems.push(format!(
                    "{}the same recording appears earlier in the batch ({row})",
                    where_(request, i),
                ));
            }
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
