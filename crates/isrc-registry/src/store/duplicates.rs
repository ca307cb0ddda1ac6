//! What "the same recording" means before a code is given: the ledger's active recordings of
//! the prefix, and the earlier rows of the same batch, compared by match key and duration. Used
//! by allocation (which stops at the first) and by the conflict listing (which lists them all).

use std::collections::HashMap;

use isrc::Isrc;
use sqlx::any::AnyRow;

use super::*;
use crate::error::Result;

/// The columns [`KnownRecordings::add`] reads.
pub(crate) const KNOWN_COLUMNS: &str = "isrc, match_key, duration_ms";

/// The ledger's active recordings of one prefix, by match key: (duration, code).
#[derive(Default)]
pub(crate) struct KnownRecordings(HashMap<String, Vec<(Option<u64>, Isrc)>>);

impl KnownRecordings {
    /// Adds rows of [`KNOWN_COLUMNS`].
    pub(crate) fn add(&mut self, rows: Vec<AnyRow>) -> Result<()> {
        for row in rows {
            let text = dec_str(&row, "isrc")?;
            let isrc = Isrc::parse_strict(&text).map_err(|_| corrupt("ISRC", &text))?;
            self.0
                .entry(dec_str(&row, "match_key")?)
                .or_default()
                .push((dec_opt_i64(&row, "duration_ms")?.map(|d| d as u64), isrc));
        }
        Ok(())
    }

    /// The code of a known recording with this key and a matching duration.
    pub(crate) fn find(&self, key: &str, duration_ms: Option<u64>) -> Option<Isrc> {
        self.0.get(key).and_then(|found| {
            found
                .iter()
                .find(|(d, _)| durations_match(*d, duration_ms))
                .map(|(_, isrc)| *isrc)
        })
    }
}

/// The rows of one batch seen so far, by match key. Their code is not known yet, so they are
/// named by position (or label).
#[derive(Default)]
pub(crate) struct EarlierRows<'a>(HashMap<&'a str, Vec<(Option<u64>, usize)>>);

impl<'a> EarlierRows<'a> {
    /// How an earlier row of the batch that is the same recording as row `i` is named, if there
    /// is one; then row `i` is remembered.
    pub(crate) fn same_as(
        &mut self,
        request: &AllocationRequest,
        key: &'a str,
        i: usize,
    ) -> Option<String> {
        let duration = request.recordings[i].duration_ms;
        let earlier = self.0.entry(key).or_default();
        let found = earlier
            .iter()
            .find(|(d, _)| durations_match(*d, duration))
            .map(|(_, j)| {
                request
                    .labels
                    .get(*j)
                    .cloned()
                    .unwrap_or_else(|| format!("row {}", j + 1))
            });
        earlier.push((duration, i));
        found
    }
}
