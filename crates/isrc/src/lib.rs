//! # isrc
//!
//! The International Standard Recording Code (ISO 3901): a small [`Isrc`] value that parses
//! what people type and prints the compact and display forms, and [`check`], which says
//! everything worth saying about an input as [`Finding`]s with stable rule ids.
//!
//! Two tiers of validity, as for IBANs: **well-formed** (`"…".parse::<Isrc>()`: the shape of
//! the four elements) and **valid** ([`check`]: the country code is in use within the ISRC
//! system according to a dated [`PrefixTable`], the year of reference is plausible, the
//! registrant code is not an illustrative one).
//!
//! ```
//! use isrc::{Isrc, Policy, Rule};
//!
//! // Well-formed: what people type, in any case, with hyphens, spaces or the label.
//! let code: Isrc = "ISRC CB-YZ9-22-00001".parse()?;
//! assert_eq!(code.to_string(), "CBYZ92200001");
//! assert_eq!(code.labelled().to_string(), "ISRC CB-YZ9-22-00001");
//!
//! // Valid: checked against the prefix table and the year policy, with fixes.
//! let policy = Policy::new("2026-11-22".parse().unwrap());
//! let report = isrc::check("USRC176O7839", &policy);
//! assert!(!report.is_valid());
//! assert_eq!(report.findings[0].rule, Rule::LetterInDigits);
//! assert_eq!(report.fix().unwrap().to_string(), "USRC17607839");
//! # Ok::<(), isrc::ParseError>(())
//! ```
//!
//! ## Features
//! - `std` (default): `std::error::Error` through `core::error::Error`, [`Date::today`] and
//!   [`Policy::current`]. Without it the crate is `no_std` and needs only `alloc`.
//! - `serde`: [`Isrc`] as its compact string (or `u64` in binary formats), [`Report`] as the
//!   JSON shape of `isrc validate --json`.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod check;
mod code;
mod error;
mod json;
mod memo;
mod other_id;
mod policy;
mod prefix;
mod prefix_csv;
pub mod recording;
mod rule;
mod scan;
#[cfg(feature = "serde")]
mod serde_impl;

pub use check::{Report, RuleSet, Verdict, check, verdict};
pub use code::{
    CountryCode, Hyphenated, Isrc, Labelled, PartsError, PrefixCode, RegistrantCode, U64_LIMIT,
};
pub use error::{ErrorKind, ParseError, Span};
pub use memo::VerdictCache;
pub use other_id::{OtherIdentifier, gs1_check_digit, is_iswc};
pub use policy::{Date, DateError, Policy};
pub use prefix::{BUILTIN_DATE, PrefixEntry, PrefixStatus, PrefixTable, TableError, YearMonth};
pub use rule::{Finding, Rule, Severity, UnknownRule};
pub use scan::MAX_INPUT_LEN;
