//! A 64-bit fingerprint of [`fold`](super::fold)ed text, for comparing millions of titles and
//! artists without keeping the folded strings: `isrc check` indexes recordings by it.

/// A 64-bit fingerprint of `text` after folding: letters and digits only, lowercased
/// (Unicode-aware), punctuation between two digits one space (see [`fold`](super::fold)), so
/// `"Don't Stop — Live"` and `"dont stop live"` agree and `"Take 1-12"` and `"Take 11-2"` do
/// not.
///
/// ```
/// use isrc_code::recording::fold_hash;
/// assert_eq!(fold_hash("Don't  Stop (Live)"), fold_hash("dont stop live"));
/// assert_ne!(fold_hash("Yesterday"), fold_hash("Tomorrow"));
/// assert_ne!(fold_hash("Take 1-12"), fold_hash("Take 11-2"));
/// ```
pub fn fold_hash(text: &str) -> u64 {
    fold_hash_parts(&[text])
}

/// [`fold_hash`] of several texts kept apart (title and artist), without allocating.
///
/// ```
/// use isrc_code::recording::fold_hash_parts;
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
///
/// ```
/// use isrc_code::recording::{fold_hash_bytes, fold_hash_parts};
/// assert_eq!(fold_hash_bytes(&[b"Don't Stop", b"The Band"]), fold_hash_parts(&["dont stop", "the band"]));
/// ```
pub fn fold_hash_bytes(parts: &[&[u8]]) -> u64 {
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
/// fast on the short texts of titles and artists). A space stands for the punctuation between
/// two digits, as in [`fold`](super::fold).
#[derive(Default)]
struct FoldHasher {
    hash: u64,
    word: u64,
    filled: u32,
    /// The last character kept is a digit.
    after_digit: bool,
    /// A character was dropped since the last one kept.
    gap: bool,
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
        (self.after_digit, self.gap) = (false, false);
    }

    fn fold(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            // ASCII runs, the bulk of titles and artists, with the state in locals.
            let (mut hash, mut word, mut filled) = (self.hash, self.word, self.filled);
            let (mut after_digit, mut gap) = (self.after_digit, self.gap);
            let mut push = |b: u8| {
                word |= u64::from(b) << (8 * filled);
                filled += 1;
                if filled == 8 {
                    hash = (hash ^ word)
                        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                        .rotate_left(29);
                    word = 0;
                    filled = 0;
                }
            };
            // Whether the last kept character is a digit is asked only after a gap, which is
            // rare beside the letters kept one after another: the run keeps that character.
            let mut last: u8 = if after_digit { b'0' } else { b'a' };
            while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii()) {
                let folded = ASCII_FOLD[usize::from(b)];
                if folded == 0 {
                    gap = true;
                } else {
                    if gap {
                        if folded.is_ascii_digit() && last.is_ascii_digit() {
                            push(b' ');
                        }
                        gap = false;
                    }
                    push(folded);
                    last = folded;
                }
                i += 1;
            }
            after_digit = last.is_ascii_digit();
            (self.after_digit, self.gap) = (after_digit, gap);
            (self.hash, self.word, self.filled) = (hash, word, filled);
            if i >= bytes.len() {
                break;
            }
            // Not ASCII: decode one character (U+FFFD for bytes that are not UTF-8).
            let rest = &bytes[i..bytes.len().min(i + 4)];
            let (c, len) = match core::str::from_utf8(rest) {
                Ok(s) => s
                    .chars()
                    .next()
                    .map_or(('\u{FFFD}', 1), |c| (c, c.len_utf8())),
                Err(e) if e.valid_up_to() > 0 => {
                    let s = core::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
                    s.chars()
                        .next()
                        .map_or(('\u{FFFD}', 1), |c| (c, c.len_utf8()))
                }
                Err(e) => ('\u{FFFD}', e.error_len().unwrap_or(rest.len()).max(1)),
            };
            if !c.is_alphanumeric() {
                self.gap = true;
            } else {
                let digit = c.is_numeric();
                if digit && self.after_digit && self.gap {
                    self.push(b' ');
                }
                (self.after_digit, self.gap) = (digit, false);
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

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn folding_ignores_case_and_punctuation(s in "[a-zA-Z ,.!'-]{0,40}") {
            let lower: String = s.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
            prop_assert_eq!(fold_hash(&s), fold_hash(&lower));
        }

        /// Punctuation between two digits is one space, whatever it is.
        #[test]
        fn numbers_stay_apart(a in 0u32..1000, b in 0u32..1000, p in "[ ,.:/()'-]{1,3}") {
            prop_assert_eq!(fold_hash(&format!("Take {a}{p}{b}")), fold_hash(&format!("take {a} {b}")));
        }

        /// The same fingerprint as folding character by character, on ASCII and not.
        #[test]
        fn folding_agrees_with_one_character_at_a_time(
            parts in prop::collection::vec("[a-zA-Z0-9 ,.!'\u{e9}\u{130}\u{3a3}\u{663}\u{ff12}-]{0,40}", 1..4),
        ) {
            let mut hasher = FoldHasher::default();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    hasher.separator();
                }
                let (mut after_digit, mut gap) = (false, false);
                for c in part.chars() {
                    if !c.is_alphanumeric() {
                        gap = true;
                        continue;
                    }
                    if c.is_numeric() && after_digit && gap {
                        hasher.push(b' ');
                    }
                    (after_digit, gap) = (c.is_numeric(), false);
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

        /// The fingerprint depends on the folded text only: it agrees exactly when
        /// [`fold`](super::super::fold) does (up to hash collisions).
        #[test]
        fn fingerprint_of_the_fold(s in "\\PC{0,40}") {
            prop_assert_eq!(fold_hash(&s), fold_hash(&super::super::fold(&s)));
        }

        #[test]
        fn bytes_fold_like_lossy_text(a in proptest::collection::vec(any::<u8>(), 0..40), b in "\\PC{0,20}") {
            let lossy = String::from_utf8_lossy(&a);
            prop_assert_eq!(
                fold_hash_bytes(&[&a, b.as_bytes()]),
                fold_hash_parts(&[&lossy, &b])
            );
        }
    }
}
