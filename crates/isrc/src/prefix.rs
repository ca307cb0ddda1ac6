//! The table of country-code prefixes in use within the ISRC system.
//!
//! The International ISRC Agency changes this list a few times a year (QT and QN in 2024-06,
//! VV in 2025-11), so it is data with a date, not code: the crate embeds the table that was
//! current when it was built ([`PrefixTable::builtin`]) and reads a newer file at run time
//! ([`PrefixTable::from_csv`]).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::prefix_csv;

include!(concat!(env!("OUT_DIR"), "/builtin_prefixes.rs"));

/// Whether new registrant codes are still issued under a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrefixStatus {
    /// In use: agencies issue registrant codes under it.
    Active,
    /// Retired (CS, IM, PR, YU): valid in existing ISRCs, never issued again.
    Retired,
}

impl PrefixStatus {
    /// `"active"` or `"retired"`, as in the table file.
    ///
    /// ```
    /// assert_eq!(isrc_code::prefix::PrefixStatus::Retired.as_str(), "retired");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            PrefixStatus::Active => "active",
            PrefixStatus::Retired => "retired",
        }
    }
}

impl fmt::Display for PrefixStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A year and month, as the table gives prefix introduction dates (`2021-06`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Four-digit year.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// One country-code prefix: who issues registrant codes under it, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixEntry {
    code: [u8; 2],
    territory: Cow<'static, str>,
    agency: Cow<'static, str>,
    status: PrefixStatus,
    introduced: Option<YearMonth>,
    /// See `prefix_csv::Row::quiet_from`.
    quiet_from: u16,
}

impl PrefixEntry {
    /// The two letters.
    ///
    /// ```
    /// let table = isrc_code::prefix::PrefixTable::builtin();
    /// assert_eq!(table.get("CB").unwrap().code(), "CB");
    /// ```
    pub fn code(&self) -> &str {
        // Both bytes are ASCII letters: checked when the entry was made.
        core::str::from_utf8(&self.code).unwrap_or("??")
    }

    /// The country the prefix stands for, or `Worldwide`.
    ///
    /// ```
    /// assert_eq!(isrc_code::prefix::PrefixTable::builtin().get("GX").unwrap().territory(), "United Kingdom of Great Britain and Northern Ireland");
    /// ```
    pub fn territory(&self) -> &str {
        &self.territory
    }

    /// The agency that issues registrant codes under this prefix.
    ///
    /// ```
    /// assert_eq!(isrc_code::prefix::PrefixTable::builtin().get("CB").unwrap().agency(), "Re:Sound");
    /// ```
    pub fn agency(&self) -> &str {
        &self.agency
    }

    /// Active or retired.
    ///
    /// ```
    /// use isrc_code::{prefix::PrefixStatus, prefix::PrefixTable};
    /// assert_eq!(PrefixTable::builtin().get("YU").unwrap().status(), PrefixStatus::Retired);
    /// ```
    pub fn status(&self) -> PrefixStatus {
        self.status
    }

    /// When the prefix was introduced, where that is documented.
    ///
    /// ```
    /// let cb = isrc_code::prefix::PrefixTable::builtin().get("CB").unwrap();
    /// assert_eq!(cb.introduced().unwrap().to_string(), "2021-06");
    /// ```
    pub fn introduced(&self) -> Option<YearMonth> {
        self.introduced
    }

    /// Whether a code of year of reference `year` (four digits) under this prefix needs no
    /// remark because of the prefix: it is active and was introduced by then.
    #[inline]
    pub(crate) fn is_quiet_in(&self, year: u16) -> bool {
        year >= self.quiet_from
    }
}

/// The set of prefixes a check accepts, with the date the list was current.
///
/// ```
/// let table = isrc_code::prefix::PrefixTable::builtin();
/// assert_eq!(table.len(), 223);
/// assert!(table.get("QZ").is_some());
/// assert!(table.get("AQ").is_none()); // ISO 3166 has Antarctica, the ISRC system does not
/// ```
#[derive(Debug, Clone)]
pub struct PrefixTable {
    date: Option<Cow<'static, str>>,
    source: Cow<'static, str>,
    entries: Cow<'static, [PrefixEntry]>,
    index: [u16; 26 * 26],
}

static BUILTIN: PrefixTable = PrefixTable {
    date: Some(Cow::Borrowed(BUILTIN_DATE)),
    source: Cow::Borrowed("built in"),
    entries: Cow::Borrowed(&BUILTIN_ENTRIES),
    index: BUILTIN_INDEX,
};

/// Why a prefix table file was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    line: usize,
    column: usize,
    message: String,
}

impl TableError {
    /// 1-based line of the problem.
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column (in characters) of the problem.
    pub fn column(&self) -> usize {
        self.column
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl core::error::Error for TableError {}

fn slot(code: [u8; 2]) -> Option<usize> {
    let [a, b] = code;
    (a.is_ascii_uppercase() && b.is_ascii_uppercase())
        .then(|| usize::from(a - b'A') * 26 + usize::from(b - b'A'))
}

impl PrefixTable {
    /// The table embedded at build time (223 prefixes, dated 2025-11-04 in this release).
    ///
    /// ```
    /// assert_eq!(isrc_code::prefix::PrefixTable::builtin().date(), Some("2025-11-04"));
    /// ```
    pub fn builtin() -> &'static PrefixTable {
        &BUILTIN
    }

    /// Reads a table in the shipped CSV format: the header
    /// `prefix,territory,agency,status,introduced`, one row a prefix, `#` comments; a comment
    /// holding a `YYYY-MM-DD` date dates the table.
    ///
    /// ```
    /// let csv = "# as of 2026-06-01\nprefix,territory,agency,status,introduced\nQQ,Worldwide,Test,active,2026-06\n";
    /// let table = isrc_code::prefix::PrefixTable::from_csv(csv, "test.csv").unwrap();
    /// assert_eq!(table.date(), Some("2026-06-01"));
    /// assert_eq!(table.get("QQ").unwrap().introduced().unwrap().year, 2026);
    ///
    /// let err = isrc_code::prefix::PrefixTable::from_csv("prefix,territory,agency,status,introduced\nQ1,x,y,active,\n", "bad.csv").unwrap_err();
    /// assert_eq!((err.line(), err.column()), (2, 1));
    /// ```
    pub fn from_csv(text: &str, source: &str) -> Result<PrefixTable, TableError> {
        let parsed = prefix_csv::parse(text).map_err(|e| TableError {
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        let mut index = [u16::MAX; 26 * 26];
        let mut entries = Vec::with_capacity(parsed.rows.len());
        for (i, row) in parsed.rows.into_iter().enumerate() {
            if let Some(slot) = slot(row.code) {
                index[slot] = u16::try_from(i).unwrap_or(u16::MAX);
            }
            let quiet_from = row.quiet_from();
            entries.push(PrefixEntry {
                quiet_from,
                code: row.code,
                territory: Cow::Owned(row.territory),
                agency: Cow::Owned(row.agency),
                status: if row.retired {
                    PrefixStatus::Retired
                } else {
                    PrefixStatus::Active
                },
                introduced: row
                    .introduced
                    .map(|(year, month)| YearMonth { year, month }),
            });
        }
        Ok(PrefixTable {
            date: parsed.date.map(Cow::Owned),
            source: Cow::Owned(String::from(source)),
            entries: Cow::Owned(entries),
            index,
        })
    }

    /// The date the list was current, when the file names one.
    pub fn date(&self) -> Option<&str> {
        self.date.as_deref()
    }

    /// Where the table came from: `built in`, or the name given to [`PrefixTable::from_csv`].
    ///
    /// ```
    /// assert_eq!(isrc_code::prefix::PrefixTable::builtin().source(), "built in");
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Number of prefixes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty (a loaded table never is).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for two uppercase letters, if the ISRC system uses that prefix.
    ///
    /// ```
    /// let table = isrc_code::prefix::PrefixTable::builtin();
    /// assert_eq!(table.get("FX").unwrap().territory(), "France");
    /// assert!(table.get("cb").is_none()); // exact, uppercase letters only
    /// ```
    pub fn get(&self, code: &str) -> Option<&PrefixEntry> {
        match code.as_bytes() {
            [a, b] => self.get_bytes([*a, *b]),
            _ => None,
        }
    }

    /// Like [`PrefixTable::get`] on two bytes; the lookup the checker uses.
    #[inline]
    pub fn get_bytes(&self, code: [u8; 2]) -> Option<&PrefixEntry> {
        let position = *self.index.get(slot(code)?)?;
        self.entries.get(usize::from(position))
    }

    /// The entry for country number `index` (`(first - b'A') * 26 + (second - b'A')`), for
    /// callers that have already checked the two letters.
    #[inline]
    pub(crate) fn get_index(&self, index: usize) -> Option<&PrefixEntry> {
        let position = *self.index.get(index)?;
        self.entries.get(usize::from(position))
    }

    /// All entries, in file order (alphabetical in the shipped table).
    ///
    /// ```
    /// let retired: Vec<_> = isrc_code::prefix::PrefixTable::builtin()
    ///     .iter()
    ///     .filter(|e| e.status() == isrc_code::prefix::PrefixStatus::Retired)
    ///     .map(|e| e.code())
    ///     .collect();
    /// assert_eq!(retired, ["CS", "IM", "PR", "YU"]);
    /// ```
    pub fn iter(&self) -> core::slice::Iter<'_, PrefixEntry> {
        self.entries.iter()
    }
}

impl<'a> IntoIterator for &'a PrefixTable {
    type Item = &'a PrefixEntry;
    type IntoIter = core::slice::Iter<'a, PrefixEntry>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
