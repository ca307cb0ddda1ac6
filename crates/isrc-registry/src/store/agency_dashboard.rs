//! The agency's dashboard: registrants by country prefix, each registrant's codes used in a
//! year against its range, those near the end of their range, applications by state, and the
//! codes issued in each year.

use super::*;
use crate::error::Result;

/// At or above this share of its range used (in per cent), a registrant is near its range end.
pub const NEAR_RANGE_END_PERCENT: u32 = 90;

/// How many registrants hold codes under one country prefix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CountryCount {
    /// The country prefix (`CB`).
    pub country: String,
    /// Its registrants in the ledger.
    pub registrants: u32,
}

/// One registrant's use of its range in the year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegistrantYear {
    /// Its prefix code.
    pub prefix: String,
    /// Its name.
    pub name: String,
    /// Designations used in the year.
    pub used: u32,
    /// Designations its ranges hold (99,999, or its sub-range).
    pub capacity: u32,
    /// `used` in per cent of `capacity`, rounded down.
    pub percent: u32,
}

/// What was issued in one calendar year: registrant codes by the agency, ISRCs by its
/// registrants.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct YearIssued {
    /// The full year (`2026`).
    pub year: u16,
    /// Registrant codes added to the ledger that year (issued, or imported, then).
    pub registrant_codes: u32,
    /// ISRCs whose year of reference is that year, allocated or imported, void ones
    /// included: a code once used stays used.
    pub isrcs: u32,
}

/// The agency's dashboard for one year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgencyDashboard {
    /// The full year of reference.
    pub year: u16,
    /// Registrants in the ledger.
    pub registrants: u32,
    /// Registrants by country prefix, in prefix order.
    pub by_country: Vec<CountryCount>,
    /// Every registrant's use of its range, most used first (then by prefix).
    pub usage: Vec<RegistrantYear>,
    /// Those at or above [`NEAR_RANGE_END_PERCENT`] of their range.
    pub near_range_end: Vec<RegistrantYear>,
    /// Applications waiting for a decision.
    pub applications_pending: u32,
    /// Applications by state (`pending`, `approved`, `rejected`).
    pub applications_by_state: Vec<(String, u32)>,
    /// Codes issued in each year, newest first; years with neither are left out.
    pub by_year: Vec<YearIssued>,
}

impl Store {
    /// The agency's dashboard for `year`, the same on SQLite and PostgreSQL.
    pub async fn agency_dashboard(&self, year: u16) -> Result<AgencyDashboard> {
        let registrants = self.registrants().await?;
        let mut by_country: Vec<CountryCount> = Vec::new();
        let mut usage = Vec::with_capacity(registrants.len());
        for r in &registrants {
            let country = r.prefix.country().as_str().to_string();
            match by_country.iter_mut().find(|c| c.country == country) {
                Some(c) => c.registrants += 1,
                None => by_country.push(CountryCount {
                    country,
                    registrants: 1,
                }),
            }
            let u = self.year_usage(r.prefix, year).await?;
            let used = u.kept.unwrap_or(u.counted);
            usage.push(RegistrantYear {
                prefix: r.prefix.to_string(),
                name: r.name.clone(),
                used,
                capacity: u.capacity,
                percent: (u64::from(used) * 100 / u64::from(u.capacity.max(1))) as u32,
            });
        }
        by_country.sort_by(|a, b| a.country.cmp(&b.country));
        usage.sort_by(|a, b| b.used.cmp(&a.used).then_with(|| a.prefix.cmp(&b.prefix)));
        let near_range_end = usage
            .iter()
            .filter(|u| u.percent >= NEAR_RANGE_END_PERCENT)
            .cloned()
            .collect();
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM applications GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.inner.pool)
        .await?;
        let mut applications_by_state = Vec::new();
        for row in &rows {
            applications_by_state.push((dec_str(row, "status")?, dec_i64(row, "n")? as u32));
        }
        let applications_pending = applications_by_state
            .iter()
            .find(|(s, _)| s == "pending")
            .map_or(0, |(_, n)| *n);
        let by_year = self.issued_by_year(year).await?;
        Ok(AgencyDashboard {
            year,
            registrants: registrants.len() as u32,
            by_country,
            usage,
            near_range_end,
            applications_pending,
            applications_by_state,
            by_year,
        })
    }

    /// Registrant codes and ISRCs issued in each year. An ISRC's two-digit year of
    /// reference is read as the rules read it at the end of `year` ([`isrc::Policy::full_year`]);
    /// one that can only be a future year is counted in the last century.
    async fn issued_by_year(&self, year: u16) -> Result<Vec<YearIssued>> {
        let mut by_year: std::collections::BTreeMap<u16, YearIssued> = Default::default();
        let rows = sqlx::query(
            "SELECT substr(created_at, 1, 4) AS y, COUNT(*) AS n FROM registrants GROUP BY substr(created_at, 1, 4)",
        )
        .fetch_all(&self.inner.pool)
        .await?;
        for row in &rows {
            let text = dec_str(row, "y")?;
            let y: u16 = text.parse().map_err(|_| corrupt("creation date", &text))?;
            year_entry(&mut by_year, y).registrant_codes += dec_i64(row, "n")? as u32;
        }
        let policy = isrc::policy::Date::new(year, 12, 31).map(isrc::Policy::new);
        let full_year = |two_digits: u16| {
            policy
                .as_ref()
                .and_then(|p| p.full_year(two_digits as u8))
                .unwrap_or(1900 + two_digits)
        };
        let rows = sqlx::query("SELECT year, COUNT(*) AS n FROM recordings GROUP BY year")
            .fetch_all(&self.inner.pool)
            .await?;
        for row in &rows {
            let two_digits = dec_i64(row, "year")? as u16;
            year_entry(&mut by_year, full_year(two_digits)).isrcs += dec_i64(row, "n")? as u32;
        }
        Ok(by_year.into_values().rev().collect())
    }
}

/// `year`'s entry, added empty when it is not there yet.
fn year_entry(
    by_year: &mut std::collections::BTreeMap<u16, YearIssued>,
    year: u16,
) -> &mut YearIssued {
    by_year.entry(year).or_insert(YearIssued {
        year,
        registrant_codes: 0,
        isrcs: 0,
    })
}
