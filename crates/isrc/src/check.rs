//! `check`: everything worth saying about one input, as findings with stable rule ids.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::code::Isrc;
use crate::error::Span;
use crate::other_id;
use crate::policy::Policy;
use crate::prefix::{PrefixEntry, PrefixStatus};
use crate::rule::{Finding, Rule, Severity};
use crate::scan::{self, CodeChar, MAX_INPUT_LEN, Scanned, style};

/// At most this many `invalid_character` findings are reported for one input.
const MAX_INVALID_FINDINGS: usize = 16;

/// The verdict on one input: the code (when one can be formed) and what was found.
///
/// ```
/// use isrc::{Policy, Rule};
/// let policy = Policy::new("2026-11-22".parse().unwrap());
///
/// let report = isrc::check("CBYZ92200001", &policy);
/// assert!(report.is_valid());
/// assert!(report.findings.is_empty());
/// assert_eq!(report.prefix.unwrap().agency(), "Re:Sound");
///
/// let report = isrc::check("isrc: us-rc1-76-07839", &policy);
/// assert!(report.is_valid());
/// let rules: Vec<_> = report.findings.iter().map(|f| f.rule).collect();
/// assert_eq!(rules, [Rule::LegacyYear, Rule::NotCanonical]);
/// assert_eq!(report.fix().unwrap().to_string(), "USRC17607839");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report<'a> {
    /// The text that was checked.
    pub input: &'a str,
    /// The code, when the input is a well-formed ISRC (it may still carry errors such as
    /// `unknown_prefix`). `None` when no code can be formed without guessing.
    pub isrc: Option<Isrc>,
    /// The prefix table's entry for the country code, when it has one.
    pub prefix: Option<&'a PrefixEntry>,
    /// What was found: character-level findings first, then code-level ones.
    pub findings: Vec<Finding>,
}

impl Report<'_> {
    /// Valid: no finding is an error.
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The most severe finding's severity, `None` when there are no findings.
    pub fn severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether a finding of `rule` is present.
    pub fn has(&self, rule: Rule) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }

    /// The first fix any finding offers.
    pub fn fix(&self) -> Option<Isrc> {
        self.findings.iter().find_map(|f| f.fix)
    }
}

/// Checks `input` (a code as people type or paste it) under `policy`.
///
/// Never panics, for input of any length or content; inputs over
/// [`MAX_INPUT_LEN`](crate::MAX_INPUT_LEN) bytes get a `length` error without being scanned.
///
/// ```
/// use isrc::{Policy, Rule, Severity};
/// let policy = Policy::new("2026-11-22".parse().unwrap());
/// let report = isrc::check("AQRC12600001", &policy);
/// assert!(!report.is_valid());
/// assert_eq!(report.findings[0].rule, Rule::UnknownPrefix);
/// assert_eq!(report.findings[0].severity, Severity::Error);
/// ```
pub fn check<'a>(input: &'a str, policy: &Policy<'a>) -> Report<'a> {
    let mut report = Report {
        input,
        isrc: None,
        prefix: None,
        findings: Vec::new(),
    };
    if let Some(code) = Isrc::from_compact_bytes(input.as_bytes()) {
        report.isrc = Some(code);
        check_semantics(&mut report, code, policy, Positions::Compact);
        return report;
    }
    if input.len() > MAX_INPUT_LEN {
        report.findings.push(finding(
            Rule::Length,
            Span::new(0, input.len()),
            format!(
                "the input is {} bytes long; an ISRC has 12 characters (inputs over {MAX_INPUT_LEN} bytes are not examined)",
                input.len()
            ),
        ));
        return report;
    }
    let findings = &mut report.findings;
    let scanned = scan::scan(input, |character, span| {
        if findings.len() < MAX_INVALID_FINDINGS {
            findings.push(invalid_character(character, span));
        }
    });
    check_scanned(&mut report, &scanned, policy);
    report
}

fn finding(rule: Rule, span: Span, message: String) -> Finding {
    Finding {
        rule,
        severity: rule.default_severity(),
        span,
        message,
        fix: None,
    }
}

fn invalid_character(character: char, span: Span) -> Finding {
    let name = match character {
        '\0' => String::from("a NUL byte"),
        '\u{FFFD}' => String::from("U+FFFD (text that was not valid UTF-8)"),
        c if c.is_control() => format!("control character U+{:04X}", c as u32),
        c => format!("{c:?} (U+{:04X})", c as u32),
    };
    finding(
        Rule::InvalidCharacter,
        span,
        format!(
            "{name} cannot appear in an ISRC: only letters A-Z, digits 0-9, and hyphens or spaces between elements"
        ),
    )
}

fn check_scanned<'a>(report: &mut Report<'a>, scanned: &Scanned, policy: &Policy<'a>) {
    let input = report.input;
    if scanned.count == 0 && scanned.invalid == 0 {
        let message = if scanned.label.is_some() {
            "nothing follows the label \"ISRC\""
        } else if input.is_empty() {
            "the input is empty"
        } else {
            "the input holds only spaces or separators"
        };
        report.findings.push(finding(
            Rule::Empty,
            Span::new(0, input.len()),
            String::from(message),
        ));
        return;
    }
    let content = scanned.content.of(input);
    if let Some(other) = other_id::identify(content, scanned.stored(), scanned.count) {
        // The invalid characters (an ISWC's dots) are explained by this single finding.
        report.findings.clear();
        report.findings.push(finding(
            Rule::OtherIdentifier,
            scanned.content,
            format!(
                "this is an {}, {}; its check digit is right, so it is not a mistyped ISRC",
                other.name(),
                other.what()
            ),
        ));
        return;
    }
    let chars = scanned.stored();
    if scanned.count != 12 {
        report.findings.push(finding(
            Rule::Length,
            scanned.code_span(),
            format!(
                "an ISRC has 12 letters and digits (country 2, registrant 3, year 2, designation 5); found {}",
                scanned.count
            ),
        ));
        if scanned.count > 12 {
            report_trailing_text(report, scanned, policy);
        }
        return;
    }
    let structural = report_structure(report, chars);
    if structural || scanned.invalid > 0 {
        return;
    }
    let bytes = scan::code_bytes(chars);
    let Some(code) = Isrc::from_compact_bytes(&bytes) else {
        return;
    };
    report.isrc = Some(code);
    let errors = check_semantics(report, code, policy, Positions::Scanned(chars));
    if !errors && scanned.style != 0 {
        let mut fix = finding(
            Rule::NotCanonical,
            Span::new(0, input.len()),
            format!(
                "valid, but written with {}; the compact form is {code}",
                describe_style(scanned.style)
            ),
        );
        fix.fix = Some(code);
        report.findings.push(fix);
    }
}

fn describe_style(flags: u8) -> String {
    let names = [
        (style::LOWERCASE, "lowercase letters"),
        (style::SEPARATORS, "hyphens or spaces"),
        (style::LABEL, "the label \"ISRC\""),
        (style::UNICODE_SEPARATORS, "Unicode dashes or spaces"),
        (style::FULL_WIDTH, "full-width characters"),
        (
            style::INVISIBLE,
            "invisible characters (zero-width space, BOM, soft hyphen)",
        ),
    ];
    let parts: Vec<&str> = names
        .iter()
        .filter(|(flag, _)| flags & flag != 0)
        .map(|(_, name)| *name)
        .collect();
    match parts.split_last() {
        Some((last, [])) => String::from(*last),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::from("extra characters"),
    }
}

/// A well-formed code followed by a suffix: `USRC17607839-A`. Never cut off, only named.
fn report_trailing_text(report: &mut Report<'_>, scanned: &Scanned, policy: &Policy<'_>) {
    let chars = scanned.stored();
    let Some(code) = Isrc::from_compact_bytes(&scan::code_bytes(&chars[..12])) else {
        return;
    };
    if chars.len() < 13
        || policy
            .prefixes()
            .get_bytes(code.country().to_bytes())
            .is_none()
    {
        return;
    }
    // `USRC17607839-A` or `USRC17607839A` is a code with a suffix; `USARC15705223`, one
    // digit too many, is more likely a typo anywhere in the code.
    let set_apart = chars[12].span.start > chars[11].span.end;
    if !set_apart && !chars[12].byte.is_ascii_uppercase() {
        return;
    }
    let extra = Span::new(chars[12].span.start, scanned.content.end);
    report.findings.push(finding(
        Rule::TrailingText,
        extra,
        format!(
            "the well-formed ISRC {code} is followed by {:?}; an ISRC is never cut out of a longer value (a suffix added to tell duplicates apart needs a new ISRC instead)",
            extra.of(report.input)
        ),
    ));
}

const fn digit_for_letter(letter: u8) -> Option<u8> {
    match letter {
        b'O' | b'Q' => Some(b'0'),
        b'I' | b'L' => Some(b'1'),
        b'Z' => Some(b'2'),
        b'S' => Some(b'5'),
        b'G' => Some(b'6'),
        b'B' => Some(b'8'),
        _ => None,
    }
}

const fn letter_for_digit(digit: u8) -> Option<u8> {
    match digit {
        b'0' => Some(b'O'),
        b'1' => Some(b'I'),
        b'2' => Some(b'Z'),
        b'5' => Some(b'S'),
        b'6' => Some(b'G'),
        b'8' => Some(b'B'),
        _ => None,
    }
}

const ELEMENT_NAMES: [&str; 12] = [
    "country code",
    "country code",
    "registrant code",
    "registrant code",
    "registrant code",
    "year of reference",
    "year of reference",
    "designation code",
    "designation code",
    "designation code",
    "designation code",
    "designation code",
];

/// Digits in the country code and letters in the year or designation. Returns whether
/// any was found; offers the look-alike replacement as a fix when every mistake has one.
fn report_structure(report: &mut Report<'_>, chars: &[CodeChar]) -> bool {
    let first = report.findings.len();
    let mut fixed = scan::code_bytes(chars);
    let mut fixable = true;
    for (i, ch) in chars.iter().enumerate() {
        let (rule, replacement, needs) = match i {
            0 | 1 if !ch.byte.is_ascii_uppercase() => (
                Rule::CountryNotLetters,
                letter_for_digit(ch.byte),
                "two letters",
            ),
            5.. if !ch.byte.is_ascii_digit() => {
                (Rule::LetterInDigits, digit_for_letter(ch.byte), "digits")
            }
            _ => continue,
        };
        let character = char::from(ch.byte);
        let message = match replacement {
            Some(r) => format!(
                "{character:?} in the {}, which holds {needs} only; read as {:?}",
                ELEMENT_NAMES[i],
                char::from(r)
            ),
            None => format!(
                "{character:?} in the {}, which holds {needs} only",
                ELEMENT_NAMES[i]
            ),
        };
        match replacement {
            Some(r) => fixed[i] = r,
            None => fixable = false,
        }
        report.findings.push(finding(rule, ch.span, message));
    }
    let found = report.findings.len() > first;
    if found
        && fixable
        && let Some(fix) = Isrc::from_compact_bytes(&fixed)
    {
        for f in &mut report.findings[first..] {
            f.fix = Some(fix);
        }
    }
    found
}

/// Where the 12 code characters are in the input.
#[derive(Clone, Copy)]
enum Positions<'c> {
    /// The input is the compact form itself.
    Compact,
    Scanned(&'c [CodeChar]),
}

impl Positions<'_> {
    /// The span of code characters `first..=last`.
    fn span(self, first: usize, last: usize) -> Span {
        match self {
            Positions::Compact => Span::new(first, last + 1),
            Positions::Scanned(chars) => Span::new(chars[first].span.start, chars[last].span.end),
        }
    }
}

/// Prefix table, example codes, year and designation. Returns whether any error was found.
fn check_semantics<'a>(
    report: &mut Report<'a>,
    code: Isrc,
    policy: &Policy<'a>,
    at: Positions<'_>,
) -> bool {
    let country = code.country();
    let entry = policy.prefixes().get_bytes(country.to_bytes());
    report.prefix = entry;
    let mut errors = false;
    match entry {
        None => {
            errors = true;
            let dated = policy
                .prefixes()
                .date()
                .map_or(String::new(), |d| format!(" (prefix table of {d})"));
            report.findings.push(finding(
                Rule::UnknownPrefix,
                at.span(0, 1),
                format!("{country} is not a country code in use within the ISRC system{dated}"),
            ));
        }
        Some(entry) if entry.status() == PrefixStatus::Retired => {
            report.findings.push(finding(
                Rule::RetiredPrefix,
                at.span(0, 1),
                format!(
                    "{country} ({}) is a retired country code: valid in existing ISRCs, but no new registrant codes are issued under it",
                    entry.territory()
                ),
            ));
        }
        Some(_) => {}
    }
    match code.prefix().as_str() {
        example @ ("JMK40" | "AA6Q7") => {
            errors = true;
            report.findings.push(finding(
                Rule::ExampleCode,
                at.span(0, 4),
                format!(
                    "{} is the International ISRC Agency's illustrative registrant code; it is never assigned to recordings",
                    hyphenate_prefix(example)
                ),
            ));
        }
        "USS1Z" => {
            let mut warning = finding(
                Rule::ExampleCode,
                at.span(0, 4),
                String::from(
                    "US-S1Z is the registrant code RIAA uses in its examples; real recordings are unlikely to carry it",
                ),
            );
            warning.severity = Severity::Warning;
            report.findings.push(warning);
        }
        _ => {}
    }
    let year = code.year();
    match policy.full_year(year) {
        None => {
            errors = true;
            report.findings.push(finding(
                Rule::YearFuture,
                at.span(5, 6),
                format!(
                    "year of reference {year:02} reads as 20{year:02}, which has not yet occurred (today is {}), and 19{year:02} is before {}, the earliest year a legacy code may carry",
                    policy.today(),
                    policy.earliest_legacy_year()
                ),
            ));
        }
        Some(full) => {
            if (policy.earliest_legacy_year()..=policy.last_legacy_year()).contains(&full) {
                report.findings.push(finding(
                    Rule::LegacyYear,
                    at.span(5, 6),
                    format!(
                        "year of reference {year:02} reads as {full}: a recording year, as earlier editions of ISO 3901 allowed (today the year of reference is the year the code was assigned)"
                    ),
                ));
            }
            if let Some(introduced) = entry.and_then(PrefixEntry::introduced)
                && full < introduced.year
            {
                report.findings.push(finding(
                        Rule::PrefixBeforeIntroduction,
                        at.span(0, 6),
                        format!(
                            "year of reference {full} is earlier than country code {country}, introduced in {introduced}; no genuine code can carry it"
                        ),
                    ));
            }
        }
    }
    if code.designation() == 0 {
        report.findings.push(finding(
            Rule::DesignationZero,
            at.span(7, 11),
            String::from(
                "designation code 00000: valid, though agencies recommend starting each year at 00001",
            ),
        ));
    }
    errors
}

fn hyphenate_prefix(prefix: &str) -> String {
    format!("{}-{}", &prefix[..2], &prefix[2..])
}
