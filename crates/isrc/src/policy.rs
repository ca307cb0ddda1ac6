//! The choices a check depends on: today's date, the legacy-year window, the prefix table.

use core::fmt;
use core::str::FromStr;

use crate::prefix::PrefixTable;

/// A calendar date (proleptic Gregorian), as `YYYY-MM-DD`.
///
/// ```
/// let date: isrc_code::policy::Date = "2026-11-22".parse()?;
/// assert_eq!((date.year(), date.month(), date.day()), (2026, 11, 22));
/// assert!("2026-02-29".parse::<isrc_code::policy::Date>().is_err());
/// # Ok::<(), isrc_code::policy::DateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// A text that is not a real `YYYY-MM-DD` date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateError;

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected a date as YYYY-MM-DD (for example 2026-11-22)")
    }
}

impl core::error::Error for DateError {}

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

impl Date {
    /// A date, if it exists (years 1-9999).
    ///
    /// ```
    /// assert!(isrc_code::policy::Date::new(2024, 2, 29).is_some());
    /// assert!(isrc_code::policy::Date::new(2025, 2, 29).is_none());
    /// ```
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || year > 9999 || month == 0 || month > 12 || day == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The date `days` days after 1970-01-01 (negative: before).
    ///
    /// ```
    /// assert_eq!(isrc_code::policy::Date::from_unix_days(20_414).to_string(), "2025-11-22");
    /// ```
    pub const fn from_unix_days(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
        Date {
            year: year as u16,
            month,
            day,
        }
    }

    /// Today in UTC, from the system clock.
    #[cfg(feature = "std")]
    pub fn today() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_unix_days((seconds / 86_400) as i64)
    }

    /// The year.
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month, 1-12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1-31.
    pub const fn day(self) -> u8 {
        self.day
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Date, DateError> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(DateError);
        }
        let number = |range: core::ops::Range<usize>| -> Result<u16, DateError> {
            bytes[range].iter().try_fold(0u16, |acc, b| {
                if b.is_ascii_digit() {
                    Ok(acc * 10 + u16::from(b - b'0'))
                } else {
                    Err(DateError)
                }
            })
        };
        let year = number(0..4)?;
        let month = number(5..7)? as u8;
        let day = number(8..10)? as u8;
        Date::new(year, month, day).ok_or(DateError)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// How a two-digit year of reference is read.
///
/// See `docs/isrc-rules` section 3: `YY` is `20YY` unless that is after the reference year,
/// else `19YY`; a `19YY` before the earliest legacy year cannot be a recording year under the
/// old editions either, so such a code carries a year that has not yet occurred.
///
/// ```
/// use isrc_code::Policy;
/// let policy = Policy::new("2026-11-22".parse().unwrap());
/// assert_eq!(policy.full_year(26), Some(2026));
/// assert_eq!(policy.full_year(27), None); // 2027 has not occurred; 1927 is before 1940
/// assert_eq!(policy.full_year(76), Some(1976));
/// assert_eq!(policy.full_year(40), Some(1940));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Policy<'p> {
    today: Date,
    earliest_legacy_year: u16,
    last_legacy_year: u16,
    prefixes: &'p PrefixTable,
}

impl Policy<'static> {
    /// The project's documented policy with `today` as the reference date and the built-in
    /// prefix table: legacy years 1940-1985.
    pub fn new(today: Date) -> Policy<'static> {
        Policy {
            today,
            earliest_legacy_year: 1940,
            last_legacy_year: 1985,
            prefixes: PrefixTable::builtin(),
        }
    }

    /// [`Policy::new`] with today's date from the system clock.
    #[cfg(feature = "std")]
    pub fn current() -> Policy<'static> {
        Policy::new(Date::today())
    }
}

impl<'p> Policy<'p> {
    /// The same policy with another prefix table (for example one loaded at run time).
    ///
    /// ```
    /// let csv = "prefix,territory,agency,status,introduced\nXX,Test,Test,active,\n";
    /// let table = isrc_code::prefix::PrefixTable::from_csv(csv, "test").unwrap();
    /// let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap()).with_prefixes(&table);
    /// assert!(isrc_code::check("XXAB12600001", &policy).is_valid());
    /// assert!(!isrc_code::check("USRC12600001", &policy).is_valid());
    /// ```
    pub fn with_prefixes<'q>(self, prefixes: &'q PrefixTable) -> Policy<'q> {
        Policy {
            today: self.today,
            earliest_legacy_year: self.earliest_legacy_year,
            last_legacy_year: self.last_legacy_year,
            prefixes,
        }
    }

    /// The same policy with another reference date.
    pub fn with_today(self, today: Date) -> Policy<'p> {
        Policy { today, ..self }
    }

    /// The same policy with another legacy-year window (inclusive): years before `earliest`
    /// read as `19YY` are errors, years from `earliest` to `last` are noted as legacy.
    pub fn with_legacy_years(self, earliest: u16, last: u16) -> Policy<'p> {
        Policy {
            earliest_legacy_year: earliest,
            last_legacy_year: last,
            ..self
        }
    }

    /// The reference date.
    pub fn today(&self) -> Date {
        self.today
    }

    /// The earliest year a legacy code may carry (1940 by default).
    pub fn earliest_legacy_year(&self) -> u16 {
        self.earliest_legacy_year
    }

    /// The last year counted as a legacy recording year (1985 by default).
    pub fn last_legacy_year(&self) -> u16 {
        self.last_legacy_year
    }

    /// The prefix table.
    pub fn prefixes(&self) -> &'p PrefixTable {
        self.prefixes
    }

    /// The four-digit year a two-digit year of reference stands for, or `None` when it can
    /// only be a year that has not yet occurred.
    pub fn full_year(&self, year: u8) -> Option<u16> {
        let year = u16::from(year % 100);
        let this_century = 2000 + year;
        if this_century <= self.today.year {
            return Some(this_century);
        }
        let last_century = 1900 + year;
        (last_century >= self.earliest_legacy_year).then_some(last_century)
    }
}
