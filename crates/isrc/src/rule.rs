//! Rules with stable ids, their severities, and findings.

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use crate::code::Isrc;
use crate::error::Span;

/// How much a finding matters. An input is valid when it has no `Error` finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; nothing to fix.
    Info,
    /// Valid, but implausible or written in a way that should be fixed.
    Warning,
    /// Not a valid ISRC.
    Error,
}

impl Severity {
    /// `"info"`, `"warning"` or `"error"`.
    ///
    /// ```
    /// assert_eq!(isrc_code::rule::Severity::Warning.as_str(), "warning");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

macro_rules! rules {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $id:literal, $severity:ident, example: $example:literal;
    )*) => {
        /// A check with a stable id. Ids never change meaning; new rules may be added.
        ///
        /// | id | default severity | example input |
        /// |---|---|---|
        $(#[doc = concat!("| `", $id, "` | ", stringify!($severity), " | `", $example, "` |")])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Rule {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!("Id `", $id, "`; example: `", $example, "`.")]
                $variant,
            )*
        }

        impl Rule {
            /// Every rule, in the order of the table above.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable snake_case id.
            ///
            /// ```
            /// assert_eq!(isrc_code::rule::Rule::LetterInDigits.id(), "letter_in_digits");
            /// ```
            pub const fn id(self) -> &'static str {
                match self { $(Rule::$variant => $id),* }
            }

            /// The rule's position in [`Rule::ALL`] (0-based), for bit sets and tables.
            ///
            /// ```
            /// assert_eq!(isrc_code::rule::Rule::ALL[isrc_code::rule::Rule::YearFuture.index()], isrc_code::rule::Rule::YearFuture);
            /// ```
            pub const fn index(self) -> usize {
                // Declaration order is the order of `ALL`.
                self as usize
            }

            /// The severity findings of this rule usually have (`example_code` is a warning
            /// for RIAA's US-S1Z, an error otherwise).
            pub const fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity),* }
            }

            /// An input that triggers the rule.
            ///
            /// ```
            /// for rule in isrc_code::rule::Rule::ALL {
            ///     let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
            ///     let report = isrc_code::check(rule.example(), &policy);
            ///     assert!(report.findings.iter().any(|f| f.rule == *rule), "{}", rule.id());
            /// }
            /// ```
            pub const fn example(self) -> &'static str {
                match self { $(Rule::$variant => $example),* }
            }
        }
    };
}

rules! {
    /// Nothing is left after trimming spaces and removing the `ISRC` label.
    Empty = "empty", Error, example: "ISRC: ";
    /// Not 12 code characters. A longer text is never cut down to its first 12 characters.
    Length = "length", Error, example: "USRC1760783";
    /// A character that is neither A-Z, 0-9 nor a separator (`+`, `*`, `(`, `É`...).
    InvalidCharacter = "invalid_character", Error, example: "USRC1760783+9";
    /// A digit in the two-letter country code.
    CountryNotLetters = "country_not_letters", Error, example: "U5RC17607839";
    /// A letter in the year of reference or the designation code (`O` for `0`, `I` or `L`
    /// for `1`...); the fix replaces look-alike letters with digits.
    LetterInDigits = "letter_in_digits", Error, example: "USRC176O7839";
    /// The country code is not one in use within the ISRC system.
    UnknownPrefix = "unknown_prefix", Error, example: "XXRC17607839";
    /// An illustrative registrant code: JM-K40 and AA-6Q7 (error), RIAA's US-S1Z (warning).
    ExampleCode = "example_code", Error, example: "JMK400000001";
    /// The year can only be read as one that has not yet occurred.
    YearFuture = "year_future", Error, example: "USRC13907839";
    /// The text is another identifier (UPC-A, EAN-13, ISWC, ISNI, GRid), check digit verified.
    OtherIdentifier = "other_identifier", Error, example: "0602557012347";
    /// A well-formed ISRC followed by more text (`USRC17607839-A`, a suffix added to dodge
    /// a duplicate); reported together with `length`.
    TrailingText = "trailing_text", Error, example: "USRC17607839-A";
    /// Valid, but not written in the compact form (lowercase, separators, the label, Unicode
    /// dashes, full-width characters, no-break or zero-width spaces, a BOM).
    NotCanonical = "not_canonical", Warning, example: "us-rc1-76-07839";
    /// A retired country code (CS, IM, PR, YU): valid in existing codes, never issued again.
    RetiredPrefix = "retired_prefix", Warning, example: "YUAB19100001";
    /// The year of reference is earlier than the country code's introduction.
    PrefixBeforeIntroduction = "prefix_before_introduction", Warning, example: "CBAB19900001";
    /// A year of reference from 1940 to 1985: the recording year, as earlier editions of the
    /// standard allowed.
    LegacyYear = "legacy_year", Info, example: "USRC17607839";
    /// Designation code 00000; agencies recommend starting at 00001.
    DesignationZero = "designation_zero", Info, example: "USRC12600000";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.id())
    }
}

/// A text that is not the id of any rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownRule;

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no rule has this id")
    }
}

impl core::error::Error for UnknownRule {}

impl FromStr for Rule {
    type Err = UnknownRule;

    /// Looks a rule up by id.
    ///
    /// ```
    /// assert_eq!("year_future".parse(), Ok(isrc_code::rule::Rule::YearFuture));
    /// ```
    fn from_str(id: &str) -> Result<Rule, UnknownRule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|rule| rule.id() == id)
            .ok_or(UnknownRule)
    }
}

/// One thing a check found about an input.
///
/// ```
/// let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
/// let report = isrc_code::check("USRC176O7839", &policy);
/// let finding = &report.findings[0];
/// assert_eq!(finding.rule.id(), "letter_in_digits");
/// assert_eq!(finding.span.of(report.input), "O");
/// assert_eq!(finding.fix.unwrap().to_string(), "USRC17607839");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which rule.
    pub rule: Rule,
    /// How much it matters here.
    pub severity: Severity,
    /// The part of the input concerned, in bytes.
    pub span: Span,
    /// What is wrong, for a person.
    pub message: String,
    /// The corrected compact code, where one can be offered.
    pub fix: Option<Isrc>,
}
