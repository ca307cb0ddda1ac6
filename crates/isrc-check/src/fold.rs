//! Comparing titles and artists the way people mean them: case, spacing and punctuation
//! folded away; durations read from the usual notations.

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
    let mut hasher = FoldHasher::default();
    for (i, text) in parts.iter().enumerate() {
        if i > 0 {
            hasher.separator();
        }
        hasher.fold(text.as_bytes());
    }
    hasher.finish()
}

/// [`fold_hash_parts`] on raw field bytes: the same fingerprint for valid UTF-8, and bytes
/// that are not UTF-8 read as U+FFFD (as `String::from_utf8_lossy` would), without
/// validating or copying ASCII text first.
pub(crate) fn fold_hash_bytes(parts: &[&[u8]]) -> u64 {
    let mut hasher = FoldHasher::default();
    for (i, bytes) in parts.iter().enumerate() {
        if i > 0 {
            hasher.separator();
        }
        hasher.fold(bytes);
    }
    hasher.finish()
}

/// For each ASCII byte: its folded form (lowercase letter or digit), or 0 to drop it.
const ASCII_FOLD: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Hashes the folded text: letters and digits, lowercased, gathered eight bytes at a time
/// into one word and mixed per word (a multiply-rotate fingerprint: stable within a run,
/// fast on the short texts of titles and artists).
#[derive(Default)]
struct FoldHasher {
    hash: u64,
    word: u64,
    filled: u32,
}

impl FoldHasher {
    #[inline]
    fn push(&mut self, b: u8) {
        self.word |= u64::from(b) << (8 * self.filled);
        self.filled += 1;
        if self.filled == 8 {
            self.mix();
        }
    }

    #[inline]
    fn mix(&mut self) {
        self.hash = (self.hash ^ self.word)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
        self.word = 0;
        self.filled = 0;
    }

    /// Between parts: a byte that folded text never holds.
    fn separator(&mut self) {
        self.push(0xff);
    }

    fn fold(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            // ASCII runs, the bulk of titles and artists, with the state in locals.
            let (mut hash, mut word, mut filled) = (self.hash, self.word, self.filled);
            while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii()) {
                let folded = ASCII_FOLD[usize::from(b)];
                if folded != 0 {
                    word |= u64::from(folded) << (8 * filled);
                    filled += 1;
                    if filled == 8 {
                        hash = (hash ^ word)
                            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                            .rotate_left(29);
                        word = 0;
                        filled = 0;
                    }
                }
                i += 1;
            }
            (self.hash, self.word, self.filled) = (hash, word, filled);
            if i >= bytes.len() {
                break;
            }
            // Not ASCII: decode one character (U+FFFD for bytes that are not UTF-8).
            let rest = &bytes[i..bytes.len().min(i + 4)];
            let (c, len) = match std::str::from_utf8(rest) {
                Ok(s) => s
                    .chars()
                    .next()
                    .map_or(('\u{FFFD}', 1), |c| (c, c.len_utf8())),
                Err(e) if e.valid_up_to() > 0 => {
                    let s = std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
                    s.chars()
                        .next()
                        .map_or(('\u{FFFD}', 1), |c| (c, c.len_utf8()))
                }
                Err(e) => ('\u{FFFD}', e.error_len().unwrap_or(rest.len()).max(1)),
            };
            if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    if l.is_ascii() {
                        self.push(l as u8);
                    } else {
                        for byte in (l as u32).to_le_bytes() {
                            self.push(byte);
                        }
                    }
                }
            }
            i += len;
        }
    }

    fn finish(mut self) -> u64 {
        // The number of bytes in the last word keeps "a" and "a\0" apart.
        self.word |= u64::from(self.filled) << 60;
        self.mix();
        self.hash ^ (self.hash >> 31)
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
    // Whole numbers, the usual case, straight away.
    if !text.is_empty() && text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) {
        let v = text.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')) as f64;
        return Some(match unit {
            DurationUnit::Seconds => v,
            DurationUnit::Milliseconds => v / 1000.0,
        });
    }
    // Everything else as the registry reads it: one definition of a recording's duration.
    isrc::recording::parse_seconds(
        text,
        match unit {
            DurationUnit::Seconds => isrc::recording::DurationUnit::Seconds,
            DurationUnit::Milliseconds => isrc::recording::DurationUnit::Milliseconds,
        },
    )
}

/// A header name folded for matching: letters and digits only, lowercased, with the accents
/// of Latin letters dropped (`Título` and `titulo` agree); other scripts (`タイトル`) are
/// kept as they are.
pub(crate) fn header_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars().filter(|c| c.is_alphanumeric()) {
        for l in c.to_lowercase() {
            key.push(unaccent(l));
        }
    }
    key
}

/// A lowercase Latin letter without its accent (the letters of the languages whose header
/// names are recognised).
fn unaccent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
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

        /// The same fingerprint as folding character by character, on ASCII and not.
        #[test]
        fn folding_agrees_with_one_character_at_a_time(
            parts in prop::collection::vec("[a-zA-Z0-9 ,.!'\u{e9}\u{130}\u{3a3}-]{0,40}", 1..4),
        ) {
            let mut hasher = FoldHasher::default();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    hasher.separator();
                }
                for c in part.chars().filter(|c| c.is_alphanumeric()) {
                    for l in c.to_lowercase() {
                        if l.is_ascii() {
                            hasher.push(l as u8);
                        } else {
                            for byte in (l as u32).to_le_bytes() {
                                hasher.push(byte);
                            }
                        }
                    }
                }
            }
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            prop_assert_eq!(fold_hash_parts(&parts), hasher.finish());
        }

        #[test]
        fn bytes_fold_like_lossy_text(a in proptest::collection::vec(any::<u8>(), 0..40), b in "\\PC{0,20}") {
            let lossy = String::from_utf8_lossy(&a);
            prop_assert_eq!(
                fold_hash_bytes(&[&a, b.as_bytes()]),
                fold_hash_parts(&[&lossy, &b])
            );
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
