//! The policy a run checks against: the prefix table (built in or `--prefixes FILE`) and the
//! reference date (`--today`, `ISRC_TODAY`, or the system clock).

use anyhow::{Context as _, Result};
use isrc::{Policy, policy::Date, prefix::PrefixTable};

use crate::cli::GlobalArgs;

/// The clock's date. In debug builds (the tests' binary) `ISRC_CLOCK=YYYY-MM-DD` stands in for
/// the clock, so that tests fixing `ISRC_TODAY` to a date of 2026 still pass in later years;
/// release builds always read the clock.
pub fn clock_today() -> Date {
    #[cfg(debug_assertions)]
    if let Some(date) = std::env::var("ISRC_CLOCK")
        .ok()
        .and_then(|text| text.parse().ok())
    {
        return date;
    }
    Date::today()
}

/// What the global options resolve to.
pub struct Context {
    table: Option<PrefixTable>,
    today: Date,
}

impl Context {
    /// Loads the prefix table file, if one was given.
    pub fn load(global: &GlobalArgs) -> Result<Context> {
        let table = match &global.prefixes {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read prefix table {}", path.display()))?;
                let name = path.display().to_string();
                let table = PrefixTable::from_csv(&text, &name).map_err(|e| {
                    anyhow::anyhow!("{name}:{}:{}: {}", e.line(), e.column(), e.message())
                })?;
                Some(table)
            }
        };
        Ok(Context {
            table,
            today: global.today.unwrap_or_else(clock_today),
        })
    }

    /// The reference date (`--today`, `ISRC_TODAY`, or the clock).
    pub fn today(&self) -> Date {
        self.today
    }

    /// The prefix table given with `--prefixes`, if any.
    pub fn table(&self) -> Option<&PrefixTable> {
        self.table.as_ref()
    }

    /// The policy for checks.
    pub fn policy(&self) -> Policy<'_> {
        let policy = Policy::new(self.today);
        match &self.table {
            Some(table) => policy.with_prefixes(table),
            None => policy,
        }
    }
}
