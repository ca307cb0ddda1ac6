//! DDEX DSR sales and usage reports (flat files: tab-separated records, several record
//! types, grouped in blocks by `BlockId`).
//!
//! - `HEAD` (cell 2 the message version, cell 3 the profile, cell 4 the profile version);
//! - resource records `AS01`, `AS02`, `AS05`, `AS06`: cell 2 `BlockId`, cell 3
//!   `ResourceReference`, cell 4 `DspResourceId`, cell 5 the ISRC (several split by `|`),
//!   then title (6), display artist (8) and duration (10) unless a `#AS01` header row
//!   names them;
//! - single-record-block records `SR01`, `SR02`: no block; cell 3 `DspResourceId`, cell 4
//!   the ISRC, title (5), display artist (7), duration (9), and the usage in the same line;
//! - usage records (`SU..`): in the block of the resource they count for, the one whose
//!   `ResourceReference` their `TransactedResource` (cell 6 of `SU01`/`SU02`) names, else the
//!   block's first; their usage count and revenue are the cells a `#SU..` header row names
//!   `NumberOfUsages` (or `Usages`, `NumberOfStreams`) and `...Revenue...`.
//!
//! A record type may carry its version (`AS02.04`): it is read without it.
//!
//! Every resource record is a record of the report, checked by the engine; the usage lines
//! give the money at risk: what is attached to a resource whose ISRC is not valid.

mod hash;
mod layout;
mod parse;
mod reader;
mod resources;
mod tally;

use serde::Serialize;

use crate::report::Listed;

pub(crate) use self::parse::parse_chunk;
pub(crate) use self::reader::DsrReader;
pub(crate) use self::tally::DsrTally;

/// Whether a text starts like a DSR flat file (a `HEAD` record, after header rows).
pub(crate) fn is_dsr(text: &[u8]) -> bool {
    text.split(|b| *b == b'\n')
        .find(|l| !l.starts_with(b"#"))
        .is_some_and(|l| l.starts_with(b"HEAD\t"))
}

/// The header fields of the records given to the engine, in order.
pub(crate) const FIELDS: [&str; 8] = [
    "ISRC",
    "BlockId",
    "RecordType",
    "ResourceReference",
    "DspResourceId",
    "Title",
    "DisplayArtistName",
    "Duration",
];

/// An ISRC value of a DSR that is not a valid ISRC, and what is attached to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DsrValue {
    /// The value as written.
    pub value: String,
    /// The line of its first resource record.
    pub line: u64,
    /// The rules it breaks.
    pub rules: Vec<&'static str>,
    /// Usage lines of its resources.
    pub usage_lines: u64,
    /// Their usages, when the header rows name the column.
    pub usages: Option<f64>,
    /// Their revenue, when the header rows name the column.
    pub revenue: Option<f64>,
}

/// What one DSR report says, for a collecting society: how much of the usage carries a
/// valid ISRC, and the money attached to the rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DsrFigures {
    /// The file.
    pub file: String,
    /// `HEAD` cell 3, the profile (`BasicAudioProfile`...).
    pub profile: String,
    /// `HEAD` cell 4, the profile's version.
    pub profile_version: String,
    /// `HEAD` cell 2, the message version (`dsrf/4.0`...).
    pub message_version: String,
    /// Resource records (`AS01`...), each a record of the report.
    pub resource_records: u64,
    /// Usage records (`SU..`).
    pub usage_lines: u64,
    /// Usage lines whose resource has an ISRC and every value of it is a valid ISRC.
    pub usage_lines_valid_isrc: u64,
    /// `usage_lines_valid_isrc / usage_lines` (1 when there are no usage lines).
    pub valid_share: f64,
    /// Usage lines in a block without a resource record.
    pub usage_lines_without_resource: u64,
    /// Usages on resources without a valid ISRC (when the header rows name the column).
    pub usages_at_risk: Option<f64>,
    /// Revenue on resources without a valid ISRC (when the header rows name the column).
    pub revenue_at_risk: Option<f64>,
    /// DspResourceIds reported with several ISRCs.
    pub resources_with_several_isrcs: u64,
    /// ISRCs reported under several DspResourceIds.
    pub isrcs_with_several_resources: u64,
    /// The values that are not valid ISRCs (empty ones included), most revenue first.
    pub invalid_values: Listed<DsrValue>,
}
