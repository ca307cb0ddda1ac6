//! What a run found: the [`Summary`] (serialized as the `--format json` report), per-prefix
//! groups, input issues and gap listings.

use std::collections::BTreeMap;
use std::fmt;

use isrc::Isrc;
use serde::Serialize;

/// Where something is in an input: file, line (1-based) and column (1-based, in bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file name as given (`-` for standard input).
    pub file: String,
    /// The line, counting from 1.
    pub line: u64,
    /// The column in bytes, counting from 1.
    pub column: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A problem with the input itself (not with an ISRC): a ragged row, broken quoting, invalid
/// UTF-8, a NUL byte, an overlong line. Processing goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputIssue {
    /// Where.
    pub location: Location,
    /// What, for a person.
    pub message: String,
}

impl fmt::Display for InputIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A fatal problem with one input (it cannot be opened, read or understood). Other inputs
/// are still checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct CheckError {
    /// Where.
    pub location: Location,
    /// What, for a person.
    pub message: String,
}

impl CheckError {
    pub(crate) fn new(file: &str, line: u64, column: u64, message: impl Into<String>) -> Self {
        CheckError {
            location: Location {
                file: file.to_owned(),
                line,
                column,
            },
            message: message.into(),
        }
    }
}

/// One example of a problem record in a [`PrefixGroup`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// The value as it appears in the input.
    pub input: String,
    /// Where it is.
    pub file: String,
    /// Its line.
    pub line: u64,
    /// The ids of the rules it breaks (errors and warnings).
    pub rules: Vec<&'static str>,
}

/// Systemic errors of one registrant prefix (the first five characters): what a data team
/// sends to the registrant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrefixGroup {
    /// The five-character prefix (country and registrant code), or `""` when the value has
    /// no recognisable prefix.
    pub prefix: String,
    /// Records under this prefix.
    pub records: u64,
    /// Records with at least one error or warning.
    pub problems: u64,
    /// Records that are not valid.
    pub invalid: u64,
    /// `invalid / records`: the error share (warnings are not errors).
    pub share: f64,
    /// Rule id -> records under this prefix with an error or warning of that rule.
    pub rules: BTreeMap<&'static str, u64>,
    /// The first three problem records.
    pub examples: Vec<Example>,
}

/// Designation gaps and out-of-order allocations of one (prefix, year of reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GapGroup {
    /// Prefix and year, for example `CBYZ922`.
    pub prefix_year: String,
    /// Distinct designations seen.
    pub designations: u64,
    /// The smallest designation.
    pub first: u32,
    /// The largest designation.
    pub last: u32,
    /// Designations missing between `first` and `last`.
    pub missing: u64,
    /// The first missing ranges, inclusive (at most 20).
    pub missing_ranges: Vec<(u32, u32)>,
    /// Records whose designation is lower than the one before it in the same group.
    pub out_of_order: u64,
}

/// An ISRC found in more than one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    /// The code.
    pub isrc: Isrc,
    /// How many records carry it.
    pub records: u64,
    /// The first record carrying it (1-based record number, header excluded); `None` for a
    /// plain list of codes checked without `--annotate`, `--fix` or `--gaps`, where the index
    /// keeps one bit per code.
    pub first_record: Option<u64>,
    /// The file of its first record, when that is known (as `first_record`).
    pub first_file: Option<String>,
    /// The line in that file where its first record starts.
    pub first_line: Option<u64>,
    /// Whether the records disagree on title, artist, version or duration.
    pub conflict: bool,
    /// Where its records are, in input order: every line, up to `--max-listed` (`records`
    /// says how many there are in all). Empty for a plain list checked with
    /// `--max-listed 0`, whose index keeps no positions.
    pub lines: Vec<Place>,
    /// For a conflict: each field on which the records disagree, with the lines of each
    /// value. Empty when the records agree.
    pub differing: Vec<Differing>,
}

/// A record's place in the inputs: its file and the line where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The file name as given.
    pub file: String,
    /// The line in the file where the record starts (1-based).
    pub line: u64,
}

/// One field on which the records of an ISRC disagree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Differing {
    /// `title_artist` (the folded title and artist, compared together), `version` or
    /// `duration`.
    pub field: &'static str,
    /// The records sharing each value, one group per value, in the order of their first
    /// line; records without a value for the field are in none.
    pub values: Vec<ValueGroup>,
}

/// The records of an ISRC that share one value of a [`Differing`] field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueGroup {
    /// For `duration`: the duration in seconds; `None` for the other fields, whose values
    /// the index keeps only as fingerprints.
    pub seconds: Option<f64>,
    /// Their lines, in input order (up to `--max-listed`).
    pub lines: Vec<Place>,
}

/// The version of the `--format json` report's layout (`docs/check-report.schema.json`).
pub const SCHEMA_VERSION: u32 = 4;

/// How many entries each list of the report holds by default (`--max-listed`).
pub const DEFAULT_MAX_LISTED: usize = 1000;

/// A list of the report, capped (`--max-listed`), with the number there is in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed<T> {
    /// How many there are.
    pub total: u64,
    /// The first ones (all of them when `total` is not larger).
    pub listed: Vec<T>,
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Listed {
            total: 0,
            listed: Vec::new(),
        }
    }
}

impl<T> Listed<T> {
    /// Counts one more, keeping it when fewer than `cap` are kept.
    pub(crate) fn push(&mut self, item: T, cap: usize) {
        self.total += 1;
        if self.listed.len() < cap {
            self.listed.push(item);
        }
    }
}

/// An invalid code: where, the value as written, the rules it breaks, and the fix offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidCode {
    /// The file name as given.
    pub file: String,
    /// The line in the file where the record starts.
    pub line: u64,
    /// The value as it appears in the input (at most 64 characters).
    pub value: String,
    /// The ids of the rules of its errors and warnings.
    pub rules: Vec<&'static str>,
    /// The fix a suggested reading gives, when exactly one reading passes every check.
    pub fix: Option<Isrc>,
    /// Readings that each pass every check, when more than one does (then none is the fix).
    pub alternatives: Vec<Isrc>,
}

/// One recording (same folded title, artist and version, durations within the shared
/// tolerance of [`isrc::recording`]) found under two ISRCs: the converse of a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PossibleDuplicateRecording {
    /// The code first seen on this recording.
    pub isrc: Isrc,
    /// Where it was first seen.
    pub file: String,
    /// Its line.
    pub line: u64,
    /// The other code on the same recording.
    pub other_isrc: Isrc,
    /// Where the other code is.
    pub other_file: String,
    /// Its line.
    pub other_line: u64,
}

/// Which columns of one input were used, and whether conflicts could be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputColumns {
    /// The file name as given.
    pub file: String,
    /// The format read: `lines`, `csv`, `tsv`, `jsonl`, `json` (an array), `xlsx` or `parquet`.
    pub format: &'static str,
    /// The ISRC column (header name, or `column N`) or JSON key path.
    pub isrc: String,
    /// The title column, when one was found or given.
    pub title: Option<String>,
    /// The artist column.
    pub artist: Option<String>,
    /// The version column.
    pub version: Option<String>,
    /// The duration column.
    pub duration: Option<String>,
    /// Whether conflicts (one ISRC, different recordings) were checked in this input.
    pub conflicts_checked: bool,
    /// How conflicts were checked, or in words why not.
    pub conflicts: String,
}

/// The result of a run: the `--format json` report (its layout in
/// `docs/check-report.schema.json`, with [`SCHEMA_VERSION`]), and details for people that
/// are not serialized.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The report layout's version, [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The reference date the years were judged against (`YYYY-MM-DD`).
    pub reference_date: String,
    /// The date of the prefix table used, when it has one.
    pub prefix_table: Option<String>,
    /// Data records read (headers and blank lines excluded); each code of a cell holding
    /// several is a record.
    pub records: u64,
    /// Records that are the second or later code of a cell holding several
    /// (`USRC17607839; USRC17607840`): `records - extra_codes` rows were read.
    pub extra_codes: u64,
    /// Records with no error.
    pub valid: u64,
    /// Records with at least one error.
    pub invalid: u64,
    /// Valid records with a warning (display form, lower case...): not errors, and not in
    /// the error share of a prefix.
    pub warnings: u64,
    /// Bytes of input read (after decompression).
    pub bytes: u64,
    /// Rule id -> number of records with at least one finding of that rule.
    pub by_rule: BTreeMap<&'static str, u64>,
    /// Distinct ISRCs found in more than one record.
    pub duplicate_isrcs: u64,
    /// Distinct ISRCs whose records disagree on title or artist (or version, or duration by
    /// more than the same-recording tolerance).
    pub conflicting_isrcs: u64,
    /// Systemic-error groups: prefixes with at least one problem record, most problems first.
    pub prefixes: Vec<PrefixGroup>,
    /// Gap analysis (`--gaps`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gaps: Option<Vec<GapGroup>>,
    /// The columns used in each input, and whether conflicts were checked there.
    pub inputs: Vec<InputColumns>,
    /// ISRCs in more than one record, most records first.
    pub duplicates: Listed<Duplicate>,
    /// ISRCs whose records disagree (a subset of the duplicates), most records first.
    pub conflicts: Listed<Duplicate>,
    /// One recording under two ISRCs (`possible_duplicate_recording`), in input order.
    pub possible_duplicate_recordings: Listed<PossibleDuplicateRecording>,
    /// Invalid codes, in input order.
    pub invalid_codes: Listed<InvalidCode>,
    /// Problems with the input itself, in input order.
    pub input_problems: Listed<InputIssue>,
    /// DDEX ERN and DSR inputs: the findings of their own rules, the ERN versions read and
    /// each DSR's figures (usage on valid ISRCs, the money at risk).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<crate::ExchangeReport>,
    /// `--against`: what changed from an older version of the catalogue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub against: Option<crate::Comparison>,
    /// The most repeated duplicates (at most 20), most records first.
    #[serde(skip)]
    pub top_duplicates: Vec<Duplicate>,
    /// Problems with the input itself (the first 1,000).
    #[serde(skip)]
    pub issues: Vec<InputIssue>,
    /// How many input issues there were in all.
    #[serde(skip)]
    pub issue_count: u64,
    /// Bytes of the duplicate index written to a temporary file because it passed the
    /// memory budget ([`crate::Options::memory`]); 0 when it fitted.
    #[serde(skip)]
    pub spilled_bytes: u64,
}

pub use isrc::check::RuleSet;
