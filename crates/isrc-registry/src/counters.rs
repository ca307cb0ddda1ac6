//! The counter row of a prefix-year: where allocation continues, and how full the year is.
//!
//! Allocation must not get slower as a year fills: counting the codes of the year on every
//! allocation made a year of 99,999 single allocations quadratic. The counter row keeps the
//! count (`used`, for the `ranges` it was counted against) and the end of the free run that
//! starts at the cursor (`run_end`), both updated in the transaction that inserts the codes.
//! The common allocation is then one `UPDATE ... RETURNING` that takes the row lock, moves the
//! cursor and returns the designations; the general path (a new year, a run broken by imported
//! codes, a range boundary, a count not known yet) reads only the designations it needs.

use std::collections::{BTreeMap, BTreeSet};

use isrc::code::PrefixCode;
use sqlx::{AnyConnection, Row};

use crate::error::Result;
use crate::model::{DesignationRange, ranges_to_string};
use crate::store::{Store, dec_i64, dec_opt_i64, load_registrant};

/// Designations taken for an allocation.
pub(crate) enum Take {
    /// These designations, in order; `used` counts the year's codes in the ranges after them.
    Granted { designations: Vec<u32>, used: u32 },
    /// Not enough free designations: `used` of the ranges' capacity is taken.
    Exhausted { used: u32 },
}

/// Takes `n` free designations of the prefix-year (`year2` = the two digits), lowest first,
/// from the cursor on, and moves the counter past them. Holds the counter row's lock until the
/// transaction ends (PostgreSQL; SQLite already holds the write lock).
pub(crate) async fn take(
    conn: &mut AnyConnection,
    prefix: PrefixCode,
    year2: i64,
    ranges: &[DesignationRange],
    n: u32,
) -> Result<Take> {
    let ranges_text = ranges_to_string(ranges);
    // One statement takes the lock, checks the run and returns the first designation.
    let fast = sqlx::query(
        "UPDATE counters SET next_designation = next_designation + $1, used = used + $1 \
         WHERE prefix = $2 AND year = $3 AND ranges = $4 AND used IS NOT NULL \
         AND run_end IS NOT NULL AND next_designation + $1 - 1 <= run_end \
         RETURNING next_designation, used",
    )
    .bind(i64::from(n))
    .bind(prefix.as_str())
    .bind(year2)
    .bind(ranges_text.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = fast {
        let after = dec_i64(&row, "next_designation")? as u32;
        let used = dec_i64(&row, "used")? as u32;
        return Ok(Take::Granted {
            designations: (after - n..after).collect(),
            used,
        });
    }
    take_slowly(conn, prefix, year2, ranges, &ranges_text, n).await
}

async fn take_slowly(
    conn: &mut AnyConnection,
    prefix: PrefixCode,
    year2: i64,
    ranges: &[DesignationRange],
    ranges_text: &str,
    n: u32,
) -> Result<Take> {
    // The no-op update of an existing row takes its lock, so allocators of one prefix-year
    // queue here instead of failing later.
    let row = sqlx::query(
        "INSERT INTO counters (prefix, year, next_designation) VALUES ($1, $2, $3) \
         ON CONFLICT (prefix, year) DO UPDATE SET next_designation = counters.next_designation \
         RETURNING next_designation, used, ranges",
    )
    .bind(prefix.as_str())
    .bind(year2)
    .bind(i64::from(ranges[0].start))
    .fetch_one(&mut *conn)
    .await?;
    let cursor = dec_i64(&row, "next_designation")?.max(0) as u32;
    let stored_ranges: Option<String> = row.try_get("ranges")?;
    let used = match dec_opt_i64(&row, "used")? {
        Some(used) if stored_ranges.as_deref() == Some(ranges_text) => used as u32,
        // Counted once: a year that existed before the count was kept, or new ranges.
        _ => count_in_ranges(conn, prefix, year2, ranges).await?,
    };
    let capacity: u32 = ranges.iter().map(|r| r.len()).sum();
    if capacity.saturating_sub(used) < n {
        return Ok(Take::Exhausted { used });
    }
    let mut designations = Vec::with_capacity(n as usize);
    let mut next = cursor;
    for range in ranges {
        if range.end < next {
            continue;
        }
        next = next.max(range.start);
        while (designations.len() as u32) < n && next <= range.end {
            // Read only the window the request can use: the taken codes in it are skipped.
            let want = n - designations.len() as u32;
            let last = range.end.min(next + want - 1);
            let taken = taken_between(conn, prefix, year2, next, last).await?;
            designations.extend((next..=last).filter(|d| !taken.contains(d)));
            next = last + 1;
        }
        if designations.len() as u32 == n {
            break;
        }
    }
    if (designations.len() as u32) < n {
        return Ok(Take::Exhausted { used });
    }
    // Where the next allocation starts, and how far it may go without looking.
    let (next, run_end) = match ranges.iter().find(|r| r.end >= next) {
        Some(range) => {
            let next = next.max(range.start);
            let first_taken: Option<i64> = sqlx::query(
                "SELECT MIN(designation) AS d FROM recordings WHERE prefix = $1 AND year = $2 AND designation BETWEEN $3 AND $4",
            )
            .bind(prefix.as_str())
            .bind(year2)
            .bind(i64::from(next))
            .bind(i64::from(range.end))
            .fetch_one(&mut *conn)
            .await
            .and_then(|row| row.try_get::<Option<i64>, _>("d"))?;
            let run_end = first_taken.map_or(i64::from(range.end), |d| d - 1);
            (next, run_end)
        }
        None => (next, i64::from(next) - 1),
    };
    let used = used + n;
    sqlx::query(
        "UPDATE counters SET next_designation = $1, used = $2, ranges = $3, run_end = $4 WHERE prefix = $5 AND year = $6",
    )
    .bind(i64::from(next))
    .bind(i64::from(used))
    .bind(ranges_text)
    .bind(run_end)
    .bind(prefix.as_str())
    .bind(year2)
    .execute(&mut *conn)
    .await?;
    Ok(Take::Granted { designations, used })
}

/// Codes of the prefix-year inside the ranges, counted in the ledger (an index range scan).
pub(crate) async fn count_in_ranges(
    conn: &mut AnyConnection,
    prefix: PrefixCode,
    year2: i64,
    ranges: &[DesignationRange],
) -> Result<u32> {
    let mut used = 0u32;
    for range in ranges {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM recordings WHERE prefix = $1 AND year = $2 AND designation BETWEEN $3 AND $4",
        )
        .bind(prefix.as_str())
        .bind(year2)
        .bind(i64::from(range.start))
        .bind(i64::from(range.end))
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        used += n as u32;
    }
    Ok(used)
}

async fn taken_between(
    conn: &mut AnyConnection,
    prefix: PrefixCode,
    year2: i64,
    first: u32,
    last: u32,
) -> Result<BTreeSet<u32>> {
    sqlx::query(
        "SELECT designation FROM recordings WHERE prefix = $1 AND year = $2 AND designation BETWEEN $3 AND $4",
    )
    .bind(prefix.as_str())
    .bind(year2)
    .bind(i64::from(first))
    .bind(i64::from(last))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| dec_i64(row, "designation").map(|d| d as u32))
    .collect()
}

/// Codes about to be imported, per prefix-year: how many fall inside the registrant's ranges.
#[derive(Default)]
pub(crate) struct ImportTally {
    years: BTreeMap<(PrefixCode, i64), (u32, Vec<DesignationRange>)>,
}

impl ImportTally {
    /// Counts one imported code.
    pub(crate) fn add(
        &mut self,
        prefix: PrefixCode,
        year2: i64,
        designation: u32,
        ranges: &[DesignationRange],
    ) {
        let entry = self
            .years
            .entry((prefix, year2))
            .or_insert_with(|| (0, ranges.to_vec()));
        if ranges
            .iter()
            .any(|r| (r.start..=r.end).contains(&designation))
        {
            entry.0 += 1;
        }
    }

    /// Adds the imported codes to the counter rows, before the codes are inserted: each row is
    /// locked (in a fixed order, so two imports cannot deadlock) and created when missing with
    /// its count unknown, so that an allocation running at the same time either waits for this
    /// import or counts after it. The free run is forgotten: a code may have landed in it.
    pub(crate) async fn apply(&self, conn: &mut AnyConnection) -> Result<()> {
        for ((prefix, year2), (inside, ranges)) in &self.years {
            sqlx::query(
                "INSERT INTO counters (prefix, year, next_designation) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(prefix.as_str())
            .bind(*year2)
            .bind(i64::from(ranges[0].start))
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE counters SET used = CASE WHEN ranges = $1 THEN used + $2 ELSE NULL END, run_end = NULL WHERE prefix = $3 AND year = $4",
            )
            .bind(ranges_to_string(ranges))
            .bind(i64::from(*inside))
            .bind(prefix.as_str())
            .bind(*year2)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// How full a prefix-year is: the count the counter row keeps beside a fresh count of the
/// ledger (see [`Store::year_usage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearUsage {
    /// The count kept in the counter row, if the year has one and it is known.
    pub kept: Option<u32>,
    /// The codes of the year inside the registrant's ranges, counted in the ledger now.
    pub counted: u32,
    /// How many designations the ranges hold.
    pub capacity: u32,
}

impl Store {
    /// How many designations of the registrant's ranges are taken in `year` (e.g. 2026): the
    /// count allocation keeps, and the ledger counted afresh, which must agree. A consistency
    /// check for administrators and tests; allocation itself never counts.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use isrc_registry::*;
    /// let dir = tempfile::tempdir().unwrap();
    /// let store = Store::open(dir.path().join("l.db").to_str().unwrap()).await.unwrap();
    /// let prefix = "CBXYZ".parse().unwrap();
    /// store.add_registrant(NewRegistrant { prefix, name: "Label".into(), contact: "a@b.example".into(),
    ///     kind: RegistrantKind::Own, ranges: vec![DesignationRange::DEFAULT] }, "me").await.unwrap();
    /// let usage = store.year_usage(prefix, 2026).await.unwrap();
    /// assert_eq!((usage.kept, usage.counted, usage.capacity), (None, 0, 99_999));
    /// # });
    /// ```
    pub async fn year_usage(&self, prefix: PrefixCode, year: u16) -> Result<YearUsage> {
        let mut conn = self.inner.pool.acquire().await?;
        let registrant = load_registrant(&mut conn, prefix).await?;
        let year2 = i64::from(year % 100);
        let row = sqlx::query("SELECT used, ranges FROM counters WHERE prefix = $1 AND year = $2")
            .bind(prefix.as_str())
            .bind(year2)
            .fetch_optional(&mut *conn)
            .await?;
        let ranges_text = ranges_to_string(&registrant.ranges);
        let kept = match row {
            Some(row)
                if row.try_get::<Option<String>, _>("ranges")?.as_deref()
                    == Some(ranges_text.as_str()) =>
            {
                dec_opt_i64(&row, "used")?.map(|n| n as u32)
            }
            _ => None,
        };
        let counted = count_in_ranges(&mut conn, prefix, year2, &registrant.ranges).await?;
        Ok(YearUsage {
            kept,
            counted,
            capacity: registrant.ranges.iter().map(|r| r.len()).sum(),
        })
    }
}
