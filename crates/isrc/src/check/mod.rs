//! `check`: everything worth saying about one input, as findings with stable rule ids.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::code::{CompactParts, Isrc};
use crate::error::Span;
use crate::other_id;
use crate::policy::Policy;
use crate::prefix::{PrefixEntry, PrefixStatus};
use crate::rule::{Finding, Rule, Severity};
use crate::scan::{self, CodeChar, MAX_INPUT_LEN, Scanned, style};

mod memo;
mod structure;

pub use memo::VerdictCache;
use structure::report_structure;

/// At most this many `invalid_character` findings are reported for one input.
const MAX_INVALID_FINDINGS: usize = 16;

/// A set of rules, as a bit set: what [`verdict`] reports without allocating.
///
/// ```
/// use isrc_code::{Policy, rule::Rule};
/// let policy = Policy::new("2026-11-22".parse().unwrap());
/// let verdict = isrc_code::check::verdict("us-rc1-76-07839", &policy);
/// assert!(verdict.rules.contains(Rule::NotCanonical));
/// assert_eq!(verdict.rules.iter().collect::<Vec<_>>(), [Rule::NotCanonical, Rule::LegacyYear]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RuleSet(u32);

impl RuleSet {
    /// The empty set.
    pub const EMPTY: RuleSet = RuleSet(0);

    /// Adds a rule.
    pub fn insert(&mut self, rule: Rule) {
        self.0 |= 1 << rule.index();
    }

    /// Whether the set holds `rule`.
    pub fn contains(self, rule: Rule) -> bool {
        self.0 & (1 << rule.index()) != 0
    }

    /// Number of rules in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set as bits: bit `i` stands for `Rule::ALL[i]`.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// The rules, in the order of [`Rule::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Rule> {
        Rule::ALL.iter().copied().filter(move |r| self.contains(*r))
    }

    /// The rule ids, in the order of [`Rule::ALL`].
    pub fn ids(self) -> Vec<&'static str> {
        self.iter().map(Rule::id).collect()
    }
}

/// What [`check`] decides, without messages or spans: for bulk work, where allocating a
/// message per finding would cost more than the check itself.
///
/// ```
/// let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
/// let verdict = isrc_code::check::verdict("USRC176O7839", &policy);
/// assert!(!verdict.is_valid());
/// assert_eq!(verdict.fix.unwrap().to_string(), "USRC17607839");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Verdict {
    /// The code, as in [`Report::isrc`].
    pub isrc: Option<Isrc>,
    /// The rules with at least one finding.
    pub rules: RuleSet,
    /// The most severe finding's severity.
    pub severity: Option<Severity>,
    /// The first fix offered, as in [`Report::fix`].
    pub fix: Option<Isrc>,
}

impl Verdict {
    /// Valid: no finding is an error.
    pub fn is_valid(&self) -> bool {
        self.severity != Some(Severity::Error)
    }
}

/// Checks `input` like [`check`], returning only the verdict; allocates nothing.
///
/// Inlined, so that callers who look at only part of the verdict (say `is_valid`) do not pay
/// for the rest; the compact form's checks are small, and everything else is a call.
#[inline]
pub fn verdict(input: &str, policy: &Policy<'_>) -> Verdict {
    let mut out = Summary::default();
    let formed = run(input, policy, &mut out);
    Verdict {
        isrc: formed.isrc,
        rules: out.rules,
        severity: out.severity,
        fix: out.fix,
    }
}

/// Where findings go: a [`Summary`] of rule bits for a [`Verdict`], or [`Detailed`] findings
/// with messages for a [`Report`]. Messages are closures, built only when they are wanted,
/// and a trait rather than a flag lets the verdict path compile without them.
trait Sink {
    fn push_full(
        &mut self,
        rule: Rule,
        severity: Severity,
        span: Span,
        fix: Option<Isrc>,
        message: impl FnOnce() -> String,
    );

    fn push(&mut self, rule: Rule, span: Span, message: impl FnOnce() -> String) {
        self.push_full(rule, rule.default_severity(), span, None, message);
    }

    /// How many findings were pushed so far (a mark for [`Sink::set_fix_since`]).
    fn mark(&self) -> usize;

    /// Offers `fix` on every finding since `first` (a [`Sink::mark`]).
    fn set_fix_since(&mut self, first: usize, fix: Isrc);

    /// Names look-alike readings that are equally right, so that none is offered as the fix.
    fn alternatives(&mut self, fixes: &[Option<Isrc>]);

    /// Forgets everything pushed so far.
    fn clear(&mut self);

    /// Counts one more invalid character; whether it is still worth a finding.
    fn another_invalid_character(&mut self) -> bool;
}

/// The rules, worst severity and first fix: everything a [`Verdict`] holds.
#[derive(Default)]
struct Summary {
    rules: RuleSet,
    severity: Option<Severity>,
    fix: Option<Isrc>,
    invalid_characters: usize,
}

impl Sink for Summary {
    #[inline]
    fn push_full(
        &mut self,
        rule: Rule,
        severity: Severity,
        _span: Span,
        fix: Option<Isrc>,
        _message: impl FnOnce() -> String,
    ) {
        self.rules.insert(rule);
        self.severity = self.severity.max(Some(severity));
        if self.fix.is_none() {
            self.fix = fix;
        }
    }

    fn mark(&self) -> usize {
        0
    }

    fn set_fix_since(&mut self, _first: usize, fix: Isrc) {
        if self.fix.is_none() {
            self.fix = Some(fix);
        }
    }

    fn alternatives(&mut self, _fixes: &[Option<Isrc>]) {}

    fn clear(&mut self) {
        *self = Summary::default();
    }

    fn another_invalid_character(&mut self) -> bool {
        self.invalid_characters += 1;
        self.invalid_characters <= MAX_INVALID_FINDINGS
    }
}

/// Every finding with its message, for a [`Report`].
#[derive(Default)]
struct Detailed {
    summary: Summary,
    findings: Vec<Finding>,
    alternatives: Vec<Isrc>,
}

impl Sink for Detailed {
    fn push_full(
        &mut self,
        rule: Rule,
        severity: Severity,
        span: Span,
        fix: Option<Isrc>,
        message: impl FnOnce() -> String,
    ) {
        self.summary
            .push_full(rule, severity, span, fix, String::new);
        self.findings.push(Finding {
            rule,
            severity,
            span,
            message: message(),
            fix,
        });
    }

    fn mark(&self) -> usize {
        self.findings.len()
    }

    fn set_fix_since(&mut self, first: usize, fix: Isrc) {
        self.summary.set_fix_since(first, fix);
        for finding in self.findings.iter_mut().skip(first) {
            finding.fix = Some(fix);
        }
    }

    fn alternatives(&mut self, fixes: &[Option<Isrc>]) {
        self.alternatives.extend(fixes.iter().flatten());
    }

    fn clear(&mut self) {
        *self = Detailed::default();
    }

    fn another_invalid_character(&mut self) -> bool {
        self.summary.another_invalid_character()
    }
}

/// What `run` found besides the findings.
struct Formed<'a> {
    isrc: Option<Isrc>,
    prefix: Option<&'a PrefixEntry>,
}

/// The verdict on one input: the code (when one can be formed) and what was found.
///
/// ```
/// use isrc_code::{Policy, rule::Rule};
/// let policy = Policy::new("2026-11-22".parse().unwrap());
///
/// let report = isrc_code::check("CBYZ92200001", &policy);
/// assert!(report.is_valid());
/// assert!(report.findings.is_empty());
/// assert_eq!(report.prefix.unwrap().agency(), "Re:Sound");
///
/// let report = isrc_code::check("isrc: us-rc1-76-07839", &policy);
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
    /// Look-alike readings that each pass every check, when more than one does: none of
    /// them is offered as [`Report::fix`], since only a person can choose (`1T...` may be
    /// Italy's `IT` or Lithuania's `LT`).
    pub alternatives: Vec<Isrc>,
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
/// [`MAX_INPUT_LEN`] bytes get a `length` error without being scanned.
///
/// ```
/// use isrc_code::{Policy, rule::Rule, rule::Severity};
/// let policy = Policy::new("2026-11-22".parse().unwrap());
/// let report = isrc_code::check("AQRC12600001", &policy);
/// assert!(!report.is_valid());
/// assert_eq!(report.findings[0].rule, Rule::UnknownPrefix);
/// assert_eq!(report.findings[0].severity, Severity::Error);
/// ```
pub fn check<'a>(input: &'a str, policy: &Policy<'a>) -> Report<'a> {
    let mut out = Detailed::default();
    let formed = run(input, policy, &mut out);
    Report {
        input,
        isrc: formed.isrc,
        prefix: formed.prefix,
        findings: out.findings,
        alternatives: out.alternatives,
    }
}

impl<'p> Policy<'p> {
    /// Checks one input under this policy; the same as [`check`].
    ///
    /// ```
    /// let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
    /// assert!(policy.check("CBYZ92600001").is_valid());
    /// ```
    pub fn check<'a>(&self, input: &'a str) -> Report<'a>
    where
        'p: 'a,
    {
        check(input, self)
    }
}

/// The compact form is what bulk data mostly holds: its path is kept small enough to inline,
/// and everything else goes through the scanner, out of line.
#[inline(always)]
fn run<'a, S: Sink>(input: &str, policy: &Policy<'a>, out: &mut S) -> Formed<'a> {
    if let Ok(bytes) = <&[u8; 12]>::try_from(input.as_bytes())
        && let Some(parts) = CompactParts::parse(bytes)
    {
        let mut formed = Formed {
            isrc: Some(parts.isrc),
            prefix: None,
        };
        check_semantics(out, &mut formed, (parts, bytes), policy, Positions::Compact);
        return formed;
    }
    run_scanned(input, policy, out)
}

#[inline(never)]
fn run_scanned<'a, S: Sink>(input: &str, policy: &Policy<'a>, out: &mut S) -> Formed<'a> {
    let mut formed = Formed {
        isrc: None,
        prefix: None,
    };
    if input.len() > MAX_INPUT_LEN {
        out.push(Rule::Length, Span::new(0, input.len()), || {
            format!(
                "the input is {} bytes long; an ISRC has 12 characters (inputs over {MAX_INPUT_LEN} bytes are not examined)",
                input.len()
            )
        });
        return formed;
    }
    let scanned = scan::scan(input, |character, span| {
        if out.another_invalid_character() {
            out.push(Rule::InvalidCharacter, span, || {
                invalid_character(character)
            });
        }
    });
    check_scanned(out, &mut formed, input, &scanned, policy);
    formed
}

fn invalid_character(character: char) -> String {
    let name = match character {
        '\0' => String::from("a NUL byte"),
        '\u{FFFD}' => String::from("U+FFFD (text that was not valid UTF-8)"),
        c if c.is_control() => format!("control character U+{:04X}", c as u32),
        c => format!("{c:?} (U+{:04X})", c as u32),
    };
    format!(
        "{name} cannot appear in an ISRC: only letters A-Z, digits 0-9, and hyphens or spaces between elements"
    )
}

fn check_scanned<'a, S: Sink>(
    out: &mut S,
    formed: &mut Formed<'a>,
    input: &str,
    scanned: &Scanned,
    policy: &Policy<'a>,
) {
    if scanned.count == 0 && scanned.invalid == 0 {
        out.push(Rule::Empty, Span::new(0, input.len()), || {
            String::from(if scanned.label.is_some() {
                "nothing follows the label \"ISRC\""
            } else if input.is_empty() {
                "the input is empty"
            } else {
                "the input holds only spaces or separators"
            })
        });
        return;
    }
    let content = scanned.content.of(input);
    if let Some(other) = other_id::identify(content, scanned.stored(), scanned.count) {
        // The invalid characters (an ISWC's dots) are explained by this single finding.
        out.clear();
        out.push(Rule::OtherIdentifier, scanned.content, || {
            format!(
                "this is an {}, {}; its check digit is right, so it is not a mistyped ISRC",
                other.name(),
                other.what()
            )
        });
        return;
    }
    let chars = scanned.stored();
    if scanned.count != 12 {
        out.push(Rule::Length, scanned.code_span(), || {
            format!(
                "an ISRC has 12 letters and digits (country 2, registrant 3, year 2, designation 5); found {}",
                scanned.count
            )
        });
        if scanned.count > 12 {
            report_trailing_text(out, input, scanned, policy);
        }
        return;
    }
    let structural = report_structure(out, chars, policy);
    if structural || scanned.invalid > 0 {
        return;
    }
    let bytes = scan::code_bytes(chars);
    let Some(parts) = CompactParts::parse(&bytes) else {
        return;
    };
    let code = parts.isrc;
    formed.isrc = Some(code);
    let errors = check_semantics(
        out,
        formed,
        (parts, &bytes),
        policy,
        Positions::Scanned(chars),
    );
    if !errors && scanned.style != 0 {
        out.push_full(
            Rule::NotCanonical,
            Severity::Warning,
            Span::new(0, input.len()),
            Some(code),
            || {
                // Pushed piece by piece rather than with `format!`: the public lookup writes
                // this message for every code it is given in display form.
                let mut message = String::with_capacity(128);
                message.push_str("valid, but written with ");
                push_style(&mut message, scanned.style);
                message.push_str("; the compact form is ");
                push_ascii(&mut message, &code.to_bytes());
                message
            },
        );
    }
}

fn push_style(text: &mut String, flags: u8) {
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
    let count = names.iter().filter(|(flag, _)| flags & flag != 0).count();
    for (i, (_, name)) in names
        .iter()
        .filter(|(flag, _)| flags & flag != 0)
        .enumerate()
    {
        if i > 0 {
            text.push_str(if i + 1 == count { " and " } else { ", " });
        }
        text.push_str(name);
    }
    if count == 0 {
        text.push_str("extra characters");
    }
}

/// A well-formed code followed by a suffix: `USRC17607839-A`. Never cut off, only named.
fn report_trailing_text<S: Sink>(out: &mut S, input: &str, scanned: &Scanned, policy: &Policy<'_>) {
    let chars = scanned.stored();
    if chars.len() < 13 {
        return;
    }
    let Some(code) = Isrc::from_compact_bytes(&scan::code_bytes(&chars[..12])) else {
        return;
    };
    if policy
        .prefixes()
        .get_bytes(code.country().to_bytes())
        .is_none()
    {
        return;
    }
    // `USRC17607839-A` or `USRC17607839A` is a code with a suffix; `USARC15705223`, one
    // digit too many, is more likely a typo anywhere in the code.
    let set_apart = chars[12].span().start > chars[11].span().end;
    if !set_apart && !chars[12].byte.is_ascii_uppercase() {
        return;
    }
    let extra = Span::new(chars[12].span().start, scanned.content.end);
    out.push(Rule::TrailingText, extra, || {
        format!(
            "the well-formed ISRC {code} is followed by {:?}; an ISRC is never cut out of a longer value (a suffix added to tell duplicates apart needs a new ISRC instead)",
            extra.of(input)
        )
    });
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
            Positions::Scanned(chars) => {
                Span::new(chars[first].span().start, chars[last].span().end)
            }
        }
    }
}

/// Prefix table, example codes, year and designation of a compact code (taken apart, and its
/// bytes). Returns whether any error was found.
///
/// [`VerdictCache`] relies on this depending on nothing but the country code's entry, the
/// year, whether the designation is 00000 and which of [`EXAMPLE_PREFIXES`] the prefix is:
/// keep its key in step with any change here.
#[inline]
fn check_semantics<'a, S: Sink>(
    out: &mut S,
    formed: &mut Formed<'a>,
    (code, bytes): (CompactParts, &[u8; 12]),
    policy: &Policy<'a>,
    at: Positions<'_>,
) -> bool {
    let entry = policy.prefixes().get_index(code.country_index);
    formed.prefix = entry;
    if let Some(entry) = entry
        && nothing_to_report(code, entry, policy)
    {
        return false;
    }
    report_semantics(out, entry, bytes, policy, at)
}

/// Registrant codes used in examples, as prefix numbers: JM-K40 and AA-6Q7 (the
/// International ISRC Agency's) and US-S1Z (RIAA's).
const EXAMPLE_PREFIXES: [u64; 3] = [
    CompactParts::prefix_number_of(b"JMK40"),
    CompactParts::prefix_number_of(b"AA6Q7"),
    CompactParts::prefix_number_of(b"USS1Z"),
];

/// The common case, decided in a few comparisons so that bulk checking pays for the full
/// rules only when there is something to say: an active prefix, a year of this century that
/// has been reached and is neither a legacy year nor before the prefix existed, not an
/// example code, designation not 00000. Must imply that [`report_semantics`] finds nothing.
#[inline(always)]
fn nothing_to_report(code: CompactParts, entry: &PrefixEntry, policy: &Policy<'_>) -> bool {
    let year = 2000 + u16::from(code.year());
    entry.is_quiet_in(year)
        && year <= policy.today().year()
        && (year < policy.earliest_legacy_year() || year > policy.last_legacy_year())
        && !EXAMPLE_PREFIXES.contains(&code.prefix_number)
        && !code.designation_is_zero()
}

/// Every finding [`check_semantics`] can make, out of line: most codes never get here.
#[inline(never)]
fn report_semantics<'a, S: Sink>(
    out: &mut S,
    entry: Option<&'a PrefixEntry>,
    code: &[u8; 12],
    policy: &Policy<'a>,
    at: Positions<'_>,
) -> bool {
    let prefix = [code[0], code[1], code[2], code[3], code[4]];
    let country = CountryText([prefix[0], prefix[1]]);
    let mut errors = false;
    match entry {
        None => {
            errors = true;
            out.push(Rule::UnknownPrefix, at.span(0, 1), || {
                let dated = policy
                    .prefixes()
                    .date()
                    .map_or(String::new(), |d| format!(" (prefix table of {d})"));
                format!("{country} is not a country code in use within the ISRC system{dated}")
            });
        }
        Some(entry) if entry.status() == PrefixStatus::Retired => {
            out.push(Rule::RetiredPrefix, at.span(0, 1), || {
                format!(
                    "{country} ({}) is a retired country code: valid in existing ISRCs, but no new registrant codes are issued under it",
                    entry.territory()
                )
            });
        }
        Some(_) => {}
    }
    match &prefix {
        example @ (b"JMK40" | b"AA6Q7") => {
            errors = true;
            out.push(Rule::ExampleCode, at.span(0, 4), || {
                format!(
                    "{} is the International ISRC Agency's illustrative registrant code; it is never assigned to recordings",
                    hyphenate_prefix(example)
                )
            });
        }
        b"USS1Z" => {
            out.push_full(Rule::ExampleCode, Severity::Warning, at.span(0, 4), None, || {
                String::from(
                    "US-S1Z is the registrant code RIAA uses in its examples; real recordings are unlikely to carry it",
                )
            });
        }
        _ => {}
    }
    let year = (code[5] - b'0') * 10 + (code[6] - b'0');
    match policy.full_year(year) {
        None => {
            errors = true;
            out.push(Rule::YearFuture, at.span(5, 6), || {
                format!(
                    "year of reference {year:02} reads as 20{year:02}, which has not yet occurred (today is {}), and 19{year:02} is before {}, the earliest year a legacy code may carry",
                    policy.today(),
                    policy.earliest_legacy_year()
                )
            });
        }
        Some(full) => {
            if (policy.earliest_legacy_year()..=policy.last_legacy_year()).contains(&full) {
                out.push(Rule::LegacyYear, at.span(5, 6), || {
                    // Piece by piece, as for `not_canonical`: legacy codes are common.
                    let mut message = String::with_capacity(192);
                    message.push_str("year of reference ");
                    push_ascii(&mut message, &code[5..7]);
                    message.push_str(" reads as ");
                    push_number(&mut message, u64::from(full));
                    message.push_str(": a recording year, as earlier editions of ISO 3901 allowed (today the year of reference is the year the code was assigned)");
                    message
                });
            }
            if let Some(introduced) = entry.and_then(PrefixEntry::introduced)
                && full < introduced.year
            {
                out.push(Rule::PrefixBeforeIntroduction, at.span(0, 6), || {
                    format!(
                        "year of reference {full} is earlier than country code {country}, introduced in {introduced}; no genuine code can carry it"
                    )
                });
            }
        }
    }
    if code[7..] == *b"00000" {
        out.push(Rule::DesignationZero, at.span(7, 11), || {
            String::from(
                "designation code 00000: valid, though agencies recommend starting each year at 00001",
            )
        });
    }
    errors
}

fn hyphenate_prefix(prefix: &[u8; 5]) -> String {
    let text = core::str::from_utf8(prefix).unwrap_or("?????");
    format!("{}-{}", &text[..2], &text[2..])
}

/// Two uppercase letters, printable without decoding an `Isrc`.
#[derive(Clone, Copy)]
struct CountryText([u8; 2]);

impl core::fmt::Display for CountryText {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(core::str::from_utf8(&self.0).unwrap_or("??"))
    }
}

/// Appends ASCII bytes made by this crate (code characters, digits, hyphens).
fn push_ascii(out: &mut String, bytes: &[u8]) {
    out.push_str(core::str::from_utf8(bytes).unwrap_or(""));
}

/// Appends `value` in decimal, without going through `core::fmt`.
fn push_number(out: &mut String, mut value: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    push_ascii(out, &buf[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        for value in [0u64, 7, 10, 99_999, u64::MAX] {
            let mut out = String::new();
            push_number(&mut out, value);
            assert_eq!(out, format!("{value}"));
        }
    }
}
