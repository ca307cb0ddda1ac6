//! What "the same recording" means, once for every part of the system: `isrc check` (two
//! records of one ISRC that are not the same recording conflict; two ISRCs on the same
//! recording are a possible duplicate), the registry (a recording already holding a code
//! gets no second one; the derive decision's edit rule) and `isrc tag scan` (files carrying
//! one ISRC that differ).
//!
//! Two records are the same recording when their titles, artists and version titles agree
//! after folding (letters and digits only, lowercased, so `"Don't Stop (Live)"` and
//! `"dont stop live"` agree; punctuation between two digits is one space, so `"Take 1-12"`
//! and `"Take 11-2"` do not: see [`fold`]) and their durations, when both are known, are at most
//! [`DURATION_TOLERANCE_MS`] apart. Durations are read from `m:ss`, `h:mm:ss`, seconds and
//! ISO 8601 (`PT3M25S`, as ERN files carry them) by [`parse_duration_ms`].

use alloc::string::String;

mod fingerprint;

pub use fingerprint::{fold_hash, fold_hash_bytes, fold_hash_parts};

/// Durations of the same recording differ by at most this much (milliseconds): 10 s, the
/// edit rule of RIAA and PPL (isrc-rules.md section 5: "an edit needs a new code when the
/// duration changes by more than 10 s"). Exports also round to the second and some count the
/// silence at the end and some do not; a difference of more than 10 s is another edit, and
/// another recording with its own ISRC.
///
/// ```
/// use isrc_code::recording::{DURATION_TOLERANCE_MS, durations_match};
/// assert!(durations_match(Some(200_000), Some(200_000 + DURATION_TOLERANCE_MS)));
/// assert!(!durations_match(Some(200_000), Some(200_001 + DURATION_TOLERANCE_MS)));
/// ```
pub const DURATION_TOLERANCE_MS: u64 = 10_000;

/// The stricter edit rule of SCPP (France): an edit whose duration changes by more than 5 s
/// needs a new ISRC (isrc-rules.md section 5). Only the registry's derive decision under the
/// SCPP policy uses it; "the same recording" everywhere else is [`DURATION_TOLERANCE_MS`].
pub const SCPP_EDIT_TOLERANCE_MS: u64 = 5_000;

/// How plain numbers in a duration field are meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationUnit {
    /// `205` is 205 seconds.
    Seconds,
    /// `205000` is 205 seconds (a header such as `duration_ms`).
    Milliseconds,
}

/// Reads a duration, in milliseconds: `m:ss`, `h:mm:ss` (with an optional fraction of a
/// second, `3:25.5`), ISO 8601 `PT#H#M#S`, or a plain number in `unit`. `None` when the
/// text is none of these.
///
/// ```
/// use isrc_code::recording::{DurationUnit::*, parse_duration_ms};
/// assert_eq!(parse_duration_ms("3:25", Seconds), Some(205_000));
/// assert_eq!(parse_duration_ms("1:00:01.5", Seconds), Some(3_601_500));
/// assert_eq!(parse_duration_ms("PT3M25S", Seconds), Some(205_000));
/// assert_eq!(parse_duration_ms("205", Seconds), Some(205_000));
/// assert_eq!(parse_duration_ms("205000", Milliseconds), Some(205_000));
/// assert_eq!(parse_duration_ms("soon", Seconds), None);
/// ```
pub fn parse_duration_ms(text: &str, unit: DurationUnit) -> Option<u64> {
    parse_seconds(text, unit).map(|s| (s * 1000.0 + 0.5) as u64)
}

/// [`parse_duration_ms`] in seconds, with fractions.
pub fn parse_seconds(text: &str, unit: DurationUnit) -> Option<f64> {
    // Whole numbers, the usual case in bulk files, straight away.
    if !text.is_empty() && text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) {
        let v = text.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')) as f64;
        return Some(match unit {
            DurationUnit::Seconds => v,
            DurationUnit::Milliseconds => v / 1000.0,
        });
    }
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(iso) = text.strip_prefix("PT").or_else(|| text.strip_prefix("pt")) {
        let mut total = 0.0;
        let mut number = String::new();
        for c in iso.chars() {
            match c.to_ascii_uppercase() {
                '0'..='9' | '.' => number.push(c),
                'H' => total += number.parse::<f64>().ok()? * 3600.0,
                'M' => total += number.parse::<f64>().ok()? * 60.0,
                'S' => total += number.parse::<f64>().ok()?,
                _ => return None,
            }
            if c.is_ascii_alphabetic() {
                number.clear();
            }
        }
        return (number.is_empty() && !iso.is_empty()).then_some(total);
    }
    if text.contains(':') {
        let mut total = 0.0;
        for part in text.split(':') {
            let v: f64 = part.trim().parse().ok()?;
            if !v.is_finite() || v < 0.0 {
                return None;
            }
            total = total * 60.0 + v;
        }
        return Some(total);
    }
    let v: f64 = text.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    Some(match unit {
        DurationUnit::Seconds => v,
        DurationUnit::Milliseconds => v / 1000.0,
    })
}

/// Whether two durations (milliseconds) can be the same recording's: within
/// [`DURATION_TOLERANCE_MS`], or one of them unknown.
///
/// ```
/// use isrc_code::recording::durations_match;
/// assert!(durations_match(Some(205_000), Some(214_900)));
/// assert!(!durations_match(Some(205_000), Some(215_001)));
/// assert!(durations_match(None, Some(1)));
/// ```
pub fn durations_match(a: Option<u64>, b: Option<u64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.abs_diff(b) <= DURATION_TOLERANCE_MS,
        _ => true,
    }
}

/// A title, artist or version folded for comparison: letters and digits only, lowercased
/// (Unicode-aware), except that punctuation or spaces between two digits become one space,
/// so that numbers stay apart. [`fold_hash`] is a fingerprint of the same folding, for bulk
/// work.
///
/// What that keeps apart and what it does not:
/// - `"Take 1-12"` folds to `take1 12` and `"Take 11-2"` to `take11 2`: two recordings.
/// - `"3:25"` is `3 25`, not `325`; `"1.0"` is `1 0`, not `10` (so `"Version 1.0"` and
///   `"Version 10"` differ); `"1,000"` is `1 000` and so differs from `"1000"`: a comma or
///   dot between digits cannot be told from a separator of two numbers.
/// - Next to a letter punctuation still goes: `"No.1"`, `"No. 1"` and `"no1"` are one
///   title, as are `"Don't"` and `"dont"`.
///
/// ```
/// use isrc_code::recording::fold;
/// assert_eq!(fold("Don't  Stop — (Live)"), "dontstoplive");
/// assert_eq!(fold("Take 1-12"), "take1 12");
/// assert_ne!(fold("Take 1-12"), fold("Take 11-2"));
/// assert_eq!(fold("No.1"), fold("no 1"));
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// [`fold`] appended to `out`, to build a key of several folded parts without a string per
/// part.
///
/// ```
/// use isrc_code::recording::fold_into;
/// let mut key = String::from("k:");
/// fold_into("Don't Stop", &mut key);
/// fold_into(" Ünïcode 1-2", &mut key);
/// assert_eq!(key, "k:dontstopünïcode1 2");
/// ```
pub fn fold_into(text: &str, out: &mut String) {
    // Whether the last character kept is a digit, and whether something was dropped since.
    let (mut after_digit, mut gap) = (false, false);
    for c in text.chars() {
        // ASCII, the bulk of titles: the same answers as the Unicode tests below, without
        // the lowercase iterator (a third of a 99,999-row batch's folding time).
        let (keep, digit) = if c.is_ascii() {
            (c.is_ascii_alphanumeric(), c.is_ascii_digit())
        } else {
            (c.is_alphanumeric(), c.is_numeric())
        };
        if !keep {
            gap = true;
            continue;
        }
        if digit && after_digit && gap {
            out.push(' ');
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
        (after_digit, gap) = (digit, false);
    }
}

/// The parts of a recording that tell it apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recording<'a> {
    /// Track title.
    pub title: &'a str,
    /// Main artist.
    pub artist: &'a str,
    /// Version title (remix, live, radio edit...).
    pub version: &'a str,
    /// Duration in milliseconds, when known.
    pub duration_ms: Option<u64>,
}

/// Whether `a` and `b` are the same recording (see the module's documentation).
///
/// ```
/// use isrc_code::recording::{Recording, same_recording};
/// let a = Recording { title: "Yesterday", artist: "The Band", version: "", duration_ms: Some(125_000) };
/// let b = Recording { title: "YESTERDAY", artist: "the band", version: "", duration_ms: Some(126_000) };
/// assert!(same_recording(&a, &b));
/// let live = Recording { version: "Live", ..b };
/// assert!(!same_recording(&a, &live));
/// ```
pub fn same_recording(a: &Recording<'_>, b: &Recording<'_>) -> bool {
    fold(a.title) == fold(b.title)
        && fold(a.artist) == fold(b.artist)
        && fold(a.version) == fold(b.version)
        && durations_match(a.duration_ms, b.duration_ms)
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use alloc::format;
    use proptest::prelude::*;

    /// Titles and what they fold to; the pairs that must stay apart or agree are below.
    #[test]
    fn folding_table() {
        let table = [
            ("Don't  Stop — (Live)", "dontstoplive"),
            ("Take 1-12", "take1 12"),
            ("Take 11-2", "take11 2"),
            ("Take 1 - 12", "take1 12"),
            ("Take 1 12", "take1 12"),
            ("1.0", "1 0"),
            ("10", "10"),
            ("3:25", "3 25"),
            ("325", "325"),
            ("1,000", "1 000"),
            ("No.1", "no1"),
            ("No. 1", "no1"),
            ("Opus 3, No. 2", "opus3no2"),
            ("Vol. 2 (2019 Remaster)", "vol2 2019remaster"),
            ("Take 1-A", "take1a"),
            ("-12-", "12"),
            ("1 ", "1"),
            ("", ""),
            ("Teil ２-３", "teil２ ３"),
            ("ÉTÉ 85", "été85"),
        ];
        for (text, folded) in table {
            assert_eq!(fold(text), folded, "{text:?}");
        }
        for (a, b) in [
            ("Take 1-12", "Take 11-2"),
            ("1.0", "10"),
            ("3:25", "325"),
            ("1,000", "1000"),
        ] {
            assert_ne!(fold(a), fold(b), "{a:?} and {b:?} are two titles");
        }
        for (a, b) in [
            ("No.1", "No 1"),
            ("Take 1-12", "take 1 / 12"),
            ("Don't", "dont"),
        ] {
            assert_eq!(fold(a), fold(b), "{a:?} and {b:?} are one title");
        }
    }

    proptest! {
        /// Numbers apart stay apart: "Take A-B" and "Take C-D" fold alike exactly when the
        /// numbers are the same, whatever punctuation or spaces stand between them.
        #[test]
        fn numbers_apart_stay_apart(
            a in 0u32..200, b in 0u32..200, c in 0u32..200, d in 0u32..200,
            p in "[ ,.:/()'-]{1,3}", q in "[ ,.:/()'-]{1,3}",
        ) {
            let one = fold(&format!("Take {a}{p}{b}"));
            let two = fold(&format!("Take {c}{q}{d}"));
            prop_assert_eq!(one == two, (a, b) == (c, d), "{} / {}", one, two);
        }

        /// The ASCII shortcut folds as the Unicode rules do (the definition before it, kept
        /// here as the reference), on ASCII and mixed text.
        #[test]
        fn ascii_shortcut_agrees_with_the_unicode_rules(s in "([ -~]|\\PC){0,40}") {
            let mut reference = String::new();
            let (mut after_digit, mut gap) = (false, false);
            for c in s.chars() {
                if !c.is_alphanumeric() {
                    gap = true;
                    continue;
                }
                let digit = c.is_numeric();
                if digit && after_digit && gap {
                    reference.push(' ');
                }
                reference.extend(c.to_lowercase());
                (after_digit, gap) = (digit, false);
            }
            prop_assert_eq!(fold(&s), reference);
        }

        /// Folding is idempotent, and its output is only lowercase letters, digits and single
        /// spaces between two digits.
        #[test]
        fn folded_text_folds_to_itself(s in "\\PC{0,40}") {
            let folded = fold(&s);
            prop_assert_eq!(&fold(&folded), &folded);
            let chars: alloc::vec::Vec<char> = folded.chars().collect();
            for (i, c) in chars.iter().enumerate() {
                if *c == ' ' {
                    prop_assert!(i > 0 && chars[i - 1].is_numeric(), "{:?}", folded);
                    prop_assert!(chars.get(i + 1).is_some_and(|n| n.is_numeric()), "{:?}", folded);
                } else {
                    prop_assert!(c.is_alphanumeric(), "{:?}", folded);
                }
            }
        }

        /// Without two digits around it, punctuation is dropped as before: text of letters,
        /// punctuation and at most one digit per word folds to its letters and digits.
        #[test]
        fn punctuation_next_to_letters_goes(s in "[a-zA-Z ,.!'-]{0,30}", n in 0u32..10) {
            let text = format!("{s} No.{n} {s}");
            let plain: alloc::string::String =
                text.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
            prop_assert_eq!(fold(&text), plain);
        }
    }
}
