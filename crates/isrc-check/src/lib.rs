//! # isrc-check
//!
//! Bulk data quality for ISRC catalogues: every record of a file checked with the [`isrc`]
//! core crate (same findings, same rule ids), plus what only a whole catalogue shows:
//! duplicates, conflicting metadata for one ISRC, systemic errors by registrant prefix and,
//! for a registrant's own ledger, designation gaps.
//!
//! - **Formats**: one code per line, CSV and TSV (delimiter and header detected; quoted
//!   fields, BOM, CRLF), JSON Lines, Excel `.xlsx`, and gzip-compressed files of any of
//!   these. See [`InputFormat`].
//! - **Columns** are found by header name (`isrc`, `ISRC code`, `isrc_code`...) or by
//!   content; title, artist, version and duration columns are used when present.
//! - **Streaming and parallel**: inputs are read in 1 MiB chunks (CSV chunks end on record
//!   boundaries) by worker threads in turn, each of which then checks the chunk it read;
//!   the results are merged in input order;
//!   the duplicate index holds 8 to 32 bytes per record in hash partitions and spills to an
//!   unnamed temporary file past [`Options::memory`], so memory is bounded whatever the size
//!   of the file. Lines longer than 1 MiB are cut.
//! - **Bad input** (ragged rows, broken quoting, invalid UTF-8, NUL bytes, overlong lines)
//!   becomes an [`InputIssue`] with file, line and column; processing goes on. What stops an
//!   input (it cannot be opened or read, it is binary, the ISRC column is missing) is a
//!   [`CheckError`], with the figures of what was read kept.
//!
//! ```
//! use isrc_check::{Checker, Options};
//!
//! let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
//! let catalogue = "\
//! ISRC Code,Title,Artist,Duration
//! USRC17607839,Yesterday,The Band,3:05
//! US-RC1-76-07839,Yesterday (Live),The Band,3:40
//! GBAYE0601498,Song,Someone,2:00
//! GBAYE06O1499,Other,Someone,2:00
//! ";
//! let mut checker = Checker::new(policy, Options::default());
//! checker.check_reader("catalogue.csv", catalogue.as_bytes(), None)?;
//! let summary = checker.finish();
//! assert_eq!(summary.records, 4);
//! assert_eq!(summary.invalid, 1);
//! assert_eq!(summary.duplicate_isrcs, 1);
//! assert_eq!(summary.conflicting_isrcs, 1); // different title, 35 s apart
//! assert_eq!(summary.prefixes[0].prefix, "GBAYE");
//! assert_eq!(summary.prefixes[0].examples[0].line, 5);
//! let json = serde_json::to_value(&summary).unwrap();
//! assert_eq!(json["by_rule"]["letter_in_digits"], 1);
//! # Ok::<(), isrc_check::CheckError>(())
//! ```

#![doc = ""]
#![doc = "## From the README"]
#![doc = ""]
#![doc = include_str!("../README.md")]

mod dense;
mod encoding;
mod engine;
mod folders;
pub mod formats;
mod layout;
mod quoting;
mod report;
mod sinks;
mod source;
mod table;

pub use encoding::TextEncoding;
pub use engine::{
    Catalogue, CellCode, Changed, CheckedRecord, Checker, Comparison, FirstRecord, InputInfo,
    Located, Options, RecordSink, default_memory,
};
pub use folders::{Expanded, expand_inputs};
pub use formats::{ExchangeReport, MessageFinding};
/// Folding and durations are the core's, one definition of "the same recording" for the
/// check and the registry ([`isrc::recording`]).
pub use isrc::recording::{
    DurationUnit, fold_hash, fold_hash_parts, parse_seconds as parse_duration,
};
pub use layout::{ColumnOverrides, ColumnSpec, Columns, InputFormat, JsonFields};
pub use report::{
    CheckError, DEFAULT_MAX_LISTED, Differing, Duplicate, Example, GapGroup, InputColumns,
    InputIssue, InvalidCode, Listed, Location, Place, PossibleDuplicateRecording, PrefixGroup,
    RuleSet, SCHEMA_VERSION, Summary, ValueGroup,
};
pub use sinks::{AnnotateWriter, FixWriter};
pub use source::MAX_LINE;
pub use table::MAX_QUOTED_LINES;
