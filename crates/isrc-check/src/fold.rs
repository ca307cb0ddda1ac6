//! Comparing titles and artists the way people mean them: case, spacing and punctuation
//! folded away; durations read from the usual notations.

use std::hash::{BuildHasher, Hasher};

/// A 64-bit fingerprint of `text` after folding: letters and digits only, lowercased
/// (Unicode-aware), so `"Don't Stop — Live"` and `"dont stop live"` agree.
///
/// ```
/// use isrc_check::fold_hash;
/// assert_eq!(fold_hash("Don't  Stop (Live)"), fold_hash("dont stop live"));
/// assert_ne!(fold_hash("Yesterday"), fold_hash("Tomorrow"));
/// ```
pub fn fold_hash(text: &str) -> u64 {
    fold_hash_parts(&[text])
}

/// [`fold_hash`] of several texts kept apart (title and artist), without allocating.
///
/// ```
/// use isrc_check::fold_hash_parts;
/// assert_eq!(fold_hash_parts(&["Hello, World", "The Band"]), fold_hash_parts(&["hello world", "the band"]));
/// assert_ne!(fold_hash_parts(&["ab", "c"]), fold_hash_parts(&["a", "bc"]));
/// ```
pub fn fold_hash_parts(parts: &[&str]) -> u64 {
    let mut hasher = std::hash::BuildHasherDefault::<FnvHasher>::default().build_hasher();
    for (i, text) in parts.iter().enumerate() {
        if i > 0 {
            hasher.write_u8(0xff);
        }
        fold_into(&mut hasher, text);
    }
    hasher.finish()
}

fn fold_into(hasher: &mut FnvHasher, text: &str) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() {
                hasher.write_u8(b.to_ascii_lowercase());
            }
            i += 1;
            continue;
        }
        // A non-ASCII character: decode it from its start.
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                if l.is_ascii() {
                    hasher.write_u8(l as u8);
                } else {
                    hasher.write_u32(l as u32);
                }
            }
        }
        i += c.len_utf8();
    }
}

/// FNV-1a: small, stable, good enough for fingerprints of short texts.
#[derive(Default)]
struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u8(&mut self, b: u8) {
        let h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        self.0 = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// How a duration column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationUnit {
    /// `3:25`, `1:02:03`, `205`, `205.4` or ISO 8601 `PT3M25S`: seconds.
    Seconds,
    /// Plain numbers are milliseconds (a header such as `duration_ms`).
    Milliseconds,
}

/// Reads a duration in seconds: `m:ss`, `h:mm:ss`, ISO 8601 `PT#H#M#S`, or a plain number in
/// `unit`. `None` when the text is none of these.
///
/// ```
/// use isrc_check::{parse_duration, DurationUnit::*};
/// assert_eq!(parse_duration("3:25", Seconds), Some(205.0));
/// assert_eq!(parse_duration("1:00:01", Seconds), Some(3601.0));
/// assert_eq!(parse_duration("PT3M25S", Seconds), Some(205.0));
/// assert_eq!(parse_duration("205000", Milliseconds), Some(205.0));
/// assert_eq!(parse_duration("soon", Seconds), None);
/// ```
pub fn parse_duration(text: &str, unit: DurationUnit) -> Option<f64> {
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
        return number.is_empty().then_some(total);
    }
    if text.contains(':') {
        let mut total = 0.0;
        for part in text.split(':') {
            let v: f64 = part.trim().parse().ok()?;
            if v.is_nan() || v < 0.0 {
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

/// A header name folded for matching: lowercase ASCII letters and digits only.
pub(crate) fn header_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn folding_ignores_case_and_punctuation(s in "[a-zA-Z0-9 ,.!'-]{0,40}") {
            let lower: String = s.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
            prop_assert_eq!(fold_hash(&s), fold_hash(&lower));
        }

        #[test]
        fn durations_never_panic(s in "\\PC{0,20}") {
            let _ = parse_duration(&s, DurationUnit::Seconds);
        }

        #[test]
        fn minutes_and_seconds(m in 0u32..600, s in 0u32..60) {
            prop_assert_eq!(parse_duration(&format!("{m}:{s:02}"), DurationUnit::Seconds), Some(f64::from(m * 60 + s)));
        }
    }
}
