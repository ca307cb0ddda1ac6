//! The registrant's dashboard: how much of its yearly range is used, month by month.

use isrc::code::PrefixCode;

use super::*;
use crate::error::Result;

/// Codes allocated in one month (UTC) under one year of reference.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    /// Codes allocated in that month.
    pub codes: u32,
}

/// How much of a registrant's range of one year is used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegistrantUsage {
    /// The registrant.
    pub prefix: String,
    /// The full year of reference.
    pub year: u16,
    /// Designations of the ranges taken (allocated, imported or void).
    pub used: u32,
    /// Designations the ranges hold (99,999, or the sub-range's size).
    pub capacity: u32,
    /// Designations left.
    pub remaining: u32,
    /// The registrant's ranges, e.g. `00001-99999`.
    pub ranges: String,
    /// Codes allocated here (not imported), by month of allocation, oldest first; months
    /// without any are left out.
    pub by_month: Vec<MonthCount>,
}

impl Store {
    /// How much of the range of `prefix` for `year` (e.g. 2026) is used, and the codes
    /// allocated by month.
    pub async fn registrant_usage(&self, prefix: PrefixCode, year: u16) -> Result<RegistrantUsage> {
        let usage = self.year_usage(prefix, year).await?;
        let registrant = self.registrant(prefix).await?;
        let rows = sqlx::query(
            "SELECT substr(created_at, 1, 7) AS month, COUNT(*) AS codes FROM recordings WHERE prefix = $1 AND year = $2 AND origin = 'allocated' GROUP BY substr(created_at, 1, 7) ORDER BY month",
        )
        .bind(prefix.as_str())
        .bind(i64::from(year % 100))
        .fetch_all(&self.inner.pool)
        .await?;
        let by_month = rows
            .iter()
            .map(|row| {
                Ok(MonthCount {
                    month: dec_str(row, "month")?,
                    codes: dec_i64(row, "codes")? as u32,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let used = usage.kept.unwrap_or(usage.counted);
        Ok(RegistrantUsage {
            prefix: prefix.to_string(),
            year,
            used,
            capacity: usage.capacity,
            remaining: usage.capacity.saturating_sub(used),
            ranges: ranges_to_string(&registrant.ranges),
            by_month,
        })
    }
}
