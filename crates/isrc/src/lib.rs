//! # isrc
//!
//! The International Standard Recording Code (ISO 3901): a small [`Isrc`] value that parses
//! what people type and prints the compact and display forms, and [`check()`], which says
//! everything worth saying about an input as [`Finding`](rule::Finding)s with stable rule ids.
//!
//! Two tiers of validity, as for IBANs: **well-formed** (`"…".parse::<Isrc>()`: the shape of
//! the four elements) and **valid** ([`check()`]: the country code is in use within the ISRC
//! system according to a dated [`PrefixTable`](prefix::PrefixTable), the year of reference is plausible, the
//! registrant code is not an illustrative one).
//!
//! ```
//! use isrc_code::{Isrc, Policy, rule::Rule};
//!
//! // Well-formed: what people type, in any case, with hyphens, spaces or the label.
//! let code: Isrc = "ISRC CB-YZ9-22-00001".parse()?;
//! assert_eq!(code.to_string(), "CBYZ92200001");
//! assert_eq!(code.labelled().to_string(), "ISRC CB-YZ9-22-00001");
//!
//! // Valid: checked against the prefix table and the year policy, with fixes.
//! let policy = Policy::new("2026-11-22".parse().unwrap());
//! let report = isrc_code::check("USRC176O7839", &policy);
//! assert!(!report.is_valid());
//! assert_eq!(report.findings[0].rule, Rule::LetterInDigits);
//! assert_eq!(report.fix().unwrap().to_string(), "USRC17607839");
//! # Ok::<(), isrc_code::ParseError>(())
//! ```
//!
//! ## Modules
//! The root holds the common path: [`Isrc`], [`ParseError`], [`check()`], [`Policy`] and
//! [`Report`]. Everything else is in the module named after what it is about:
//!
//! | module | what it holds |
//! |---|---|
//! | [`code`] | the [`Isrc`] value and its parts: [`code::PrefixCode`], [`code::CountryCode`], [`code::RegistrantCode`], the display forms |
//! | [`error`] | why a text is not well-formed: [`ParseError`], [`error::ErrorKind`], [`error::Span`] |
//! | [`check`](mod@check) | validity: [`check()`], [`Report`], [`check::verdict`] (no allocation), [`check::VerdictCache`] for bulk work |
//! | [`rule`] | what a finding says: [`rule::Finding`], [`rule::Rule`] (stable ids), [`rule::Severity`] |
//! | [`policy`] | the reference date and year policy: [`Policy`], [`policy::Date`] |
//! | [`prefix`] | the dated prefix table: [`prefix::PrefixTable`], [`prefix::PrefixEntry`] |
//! | [`recording`] | what "the same recording" means: durations, folding, the tolerance |
//! | [`other_id`] | identifiers that end up in ISRC columns: barcodes, ISWCs |
//! | [`scan`] | limits of the lenient reader ([`scan::MAX_INPUT_LEN`]) |
//!
//! ## Features
//! - `std` (default): `std::error::Error` through `core::error::Error`, [`policy::Date::today`] and
//!   [`Policy::current`]. Without it the crate is `no_std` and needs only `alloc`.
//! - `serde`: [`Isrc`] as its compact string (or `u64` in binary formats), [`Report`] as the
//!   JSON shape of `isrc validate --json`.
//! - `json`: `Report::to_json`, that shape as a string through `serde_json` (still `no_std`).

#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod check;
pub mod code;
pub mod error;
pub mod other_id;
pub mod policy;
pub mod prefix;
mod prefix_csv;
pub mod recording;
pub mod rule;
pub mod scan;
#[cfg(feature = "serde")]
mod serde_impl;

pub use check::{Report, check};
pub use code::Isrc;
pub use error::ParseError;
pub use policy::Policy;
