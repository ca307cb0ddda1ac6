//! What "the same recording" means, once for every part of the system: `isrc check` (two
//! records of one ISRC that are not the same recording conflict; two ISRCs on the same
//! recording are a possible duplicate), the registry (a recording already holding a code
//! gets no second one; the derive decision's edit rule) and `isrc tag scan` (files carrying
//! one ISRC that differ).
//!
//! Two records are the same recording when their titles, artists and version titles agree
//! after folding (letters and digits only, lowercased, so `"Don't Stop (Live)"` and
//! `"dont stop live"` agree) and their durations, when both are known, are at most
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
/// (Unicode-aware). [`fold_hash`] is a fingerprint of the same folding, for bulk work.
///
/// ```
/// assert_eq!(isrc_code::recording::fold("Don't  Stop — (Live)"), "dontstoplive");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| c.is_alphanumeric()) {
        out.extend(c.to_lowercase());
    }
    out
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
