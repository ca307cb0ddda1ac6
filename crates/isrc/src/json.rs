//! A [`Report`] written as JSON without a serializer: the shape of `isrc validate --json`,
//! byte for byte what the `serde` implementation gives through `serde_json`.
//!
//! It exists for speed. Serving one lookup over HTTP, `serde_json` spent most of the time of
//! the whole answer escaping the report's strings one byte at a time (field names included)
//! and going through `core::fmt` for the code's forms. Here field names are literals, the
//! code's forms come from stack buffers, and strings are scanned eight bytes at a time for
//! the few characters JSON escapes.

use alloc::string::String;

use crate::{Finding, Isrc, PrefixEntry, Report};

impl Report<'_> {
    /// The report as one line of JSON, in the shape of `isrc validate --json` (the same text
    /// as serializing it with `serde_json`, without needing the `serde` feature).
    ///
    /// ```
    /// let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    /// let json = isrc::check("USRC176O7839", &policy).to_json();
    /// assert!(json.starts_with(r#"{"input":"USRC176O7839","valid":false,"isrc":null,"#));
    /// assert!(json.contains(r#""rule":"letter_in_digits","severity":"error""#));
    /// ```
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(384 + self.findings.len() * 256);
        self.write_json(&mut out);
        out
    }

    /// Appends the report as JSON (see [`to_json`](Report::to_json)) to `out`, for callers
    /// that write many reports into one buffer.
    ///
    /// ```
    /// let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    /// let mut out = String::from("[");
    /// isrc::check("CBYZ92600001", &policy).write_json(&mut out);
    /// out.push(']');
    /// assert!(out.ends_with(r#""findings":[]}]"#));
    /// ```
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"input\":");
        string(out, self.input);
        out.push_str(if self.is_valid() {
            ",\"valid\":true"
        } else {
            ",\"valid\":false"
        });
        match self.isrc {
            Some(code) => code_fields(out, code),
            None => out.push_str(
                ",\"isrc\":null,\"display\":null,\"country\":null,\"registrant\":null,\"year\":null,\"designation\":null",
            ),
        }
        out.push_str(",\"prefix\":");
        match self.prefix {
            Some(entry) => prefix(out, entry),
            None => out.push_str("null"),
        }
        out.push_str(",\"findings\":[");
        for (i, finding) in self.findings.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self::finding(out, finding);
        }
        out.push_str("]}");
    }
}

fn code_fields(out: &mut String, code: Isrc) {
    let compact = code.to_bytes();
    let (labelled, n) = crate::code::hyphenate(code, true);
    out.push_str(",\"isrc\":\"");
    push_ascii(out, &compact);
    out.push_str("\",\"display\":\"");
    push_ascii(out, &labelled[..n]);
    out.push_str("\",\"country\":\"");
    push_ascii(out, &compact[..2]);
    out.push_str("\",\"registrant\":\"");
    push_ascii(out, &compact[2..5]);
    out.push_str("\",\"year\":");
    number(out, u64::from(code.year()));
    out.push_str(",\"designation\":");
    number(out, u64::from(code.designation()));
}

fn prefix(out: &mut String, entry: &PrefixEntry) {
    out.push_str("{\"agency\":");
    string(out, entry.agency());
    out.push_str(",\"territory\":");
    string(out, entry.territory());
    out.push_str(",\"status\":\"");
    out.push_str(entry.status().as_str());
    out.push_str("\",\"introduced\":");
    match entry.introduced() {
        Some(d) => {
            let digit = |v: u16| b'0' + (v % 10) as u8;
            let b = [
                b'"',
                digit(d.year / 1000),
                digit(d.year / 100),
                digit(d.year / 10),
                digit(d.year),
                b'-',
                digit(u16::from(d.month) / 10),
                digit(u16::from(d.month)),
                b'"',
            ];
            push_ascii(out, &b);
        }
        None => out.push_str("null"),
    }
    out.push('}');
}

fn finding(out: &mut String, finding: &Finding) {
    out.push_str("{\"rule\":\"");
    out.push_str(finding.rule.id());
    out.push_str("\",\"severity\":\"");
    out.push_str(finding.severity.as_str());
    out.push_str("\",\"message\":");
    string(out, &finding.message);
    out.push_str(",\"span\":[");
    number(out, finding.span.start as u64);
    out.push(',');
    number(out, finding.span.end as u64);
    out.push_str("],\"fix\":");
    match finding.fix {
        Some(fix) => {
            out.push('"');
            push_ascii(out, &fix.to_bytes());
            out.push('"');
        }
        None => out.push_str("null"),
    }
    out.push('}');
}

/// Appends ASCII bytes made by this crate (code characters, digits, hyphens, quotes).
pub(crate) fn push_ascii(out: &mut String, bytes: &[u8]) {
    out.push_str(core::str::from_utf8(bytes).unwrap_or(""));
}

pub(crate) fn number(out: &mut String, mut value: u64) {
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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes is a control character, `"` or `\`: the bytes JSON
/// escapes. (Each test is the exact "some byte is zero / below n" bit trick; bytes of 0x80
/// and above never count, so UTF-8 passes through as serde_json lets it.)
fn needs_escape(word: u64) -> bool {
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = (word ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES) & !(word ^ (ONES * 0x22));
    let backslash = (word ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES) & !(word ^ (ONES * 0x5C));
    (control | quote | backslash) & HIGHS != 0
}

/// Whether any byte of `bytes` is one that JSON escapes, eight at a time: the last few are
/// padded with spaces, which never are.
fn any_needs_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut found = false;
    for word in &mut words {
        found |= needs_escape(u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
    }
    let rest = words.remainder();
    let mut tail = [b' '; 8];
    tail[..rest.len()].copy_from_slice(rest);
    found | needs_escape(u64::from_le_bytes(tail))
}

/// A JSON string literal with the escapes serde_json writes: `\"`, `\\`, `\b`, `\t`, `\n`,
/// `\f`, `\r`, and `\u00XX` (lowercase hex) for the other control characters.
fn string(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    // Most strings (codes, rule ids, messages) need no escape: one copy.
    if !any_needs_escape(bytes) {
        out.reserve(bytes.len() + 2);
        out.push('"');
        out.push_str(text);
        out.push('"');
        return;
    }
    out.push('"');
    let mut clean = 0; // start of the run not yet written
    let mut at = 0;
    while at < bytes.len() {
        if let Some(word) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            if !needs_escape(word) {
                at += 8;
                continue;
            }
        }
        let end = (at + 8).min(bytes.len());
        for i in at..end {
            let escape: &str = match bytes[i] {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                0x08 => "\\b",
                b'\t' => "\\t",
                b'\n' => "\\n",
                0x0C => "\\f",
                b'\r' => "\\r",
                b @ 0..0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.push_str(&text[clean..i]);
                    let u = [
                        b'\\',
                        b'u',
                        b'0',
                        b'0',
                        HEX[usize::from(b >> 4)],
                        HEX[usize::from(b & 15)],
                    ];
                    push_ascii(out, &u);
                    clean = i + 1;
                    continue;
                }
                _ => continue,
            };
            // Escaped bytes are ASCII, so `i` is on a character boundary.
            out.push_str(&text[clean..i]);
            out.push_str(escape);
            clean = i + 1;
        }
        at = end;
    }
    out.push_str(&text[clean..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        string(&mut out, text);
        out
    }

    #[test]
    fn escapes_like_serde_json() {
        for (text, json) in [
            ("", r#""""#),
            (
                "plain ascii text, longer than a word",
                r#""plain ascii text, longer than a word""#,
            ),
            ("a\"b", r#""a\"b""#),
            ("back\\slash at nine", r#""back\\slash at nine""#),
            ("\u{8}\t\n\u{c}\r", r#""\b\t\n\f\r""#),
            ("\u{0}\u{1f}\u{7f}", "\"\\u0000\\u001f\u{7f}\""),
            ("déjà vu «quoted» \"x\"", r#""déjà vu «quoted» \"x\"""#),
            ("12345678\"", r#""12345678\"""#),
        ] {
            assert_eq!(escaped(text), json, "{text:?}");
        }
    }

    #[test]
    fn every_byte_of_a_word_is_seen() {
        for position in 0..8 {
            for special in [b'"', b'\\', b'\n', 0u8, 0x1F] {
                let mut bytes = [b'a'; 8];
                bytes[position] = special;
                assert!(
                    needs_escape(u64::from_le_bytes(bytes)),
                    "{position} {special}"
                );
            }
            for harmless in [b' ', b'!', b'#', b'[', b']', 0x7F, 0x80, 0xC3, 0xFF] {
                let mut bytes = [b'a'; 8];
                bytes[position] = harmless;
                assert!(
                    !needs_escape(u64::from_le_bytes(bytes)),
                    "{position} {harmless}"
                );
            }
        }
    }

    #[test]
    fn numbers() {
        for value in [0u64, 7, 10, 99_999, u64::MAX] {
            let mut out = String::new();
            number(&mut out, value);
            assert_eq!(out, alloc::format!("{value}"));
        }
    }
}
