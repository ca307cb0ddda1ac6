//! Other identifiers that end up in ISRC columns: product barcodes, work codes, party codes.
//! Each is recognised only when its check digit is right, so a mistyped ISRC is never
//! mistaken for one.

use crate::scan::CodeChar;

/// An identifier that is not an ISRC, recognised by its shape and check digit.
///
/// ```
/// use isrc_code::{other_id::OtherIdentifier, Policy, rule::Rule};
/// let report = isrc_code::check("T-034.524.680-1", &Policy::new("2026-01-01".parse().unwrap()));
/// assert_eq!(report.findings[0].rule, Rule::OtherIdentifier);
/// assert_eq!(OtherIdentifier::Iswc.name(), "ISWC");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtherIdentifier {
    /// UPC-A, the 12-digit product barcode of a release.
    UpcA,
    /// EAN-13, the 13-digit product barcode of a release.
    Ean13,
    /// ISWC, the code of a musical work (composition), `T-034.524.680-1`.
    Iswc,
    /// ISNI, the 16-character code of a party (artist, label).
    Isni,
    /// GRid, the 18-character Global Release Identifier.
    Grid,
}

impl OtherIdentifier {
    /// The identifier's usual abbreviation.
    pub fn name(self) -> &'static str {
        match self {
            OtherIdentifier::UpcA => "UPC-A",
            OtherIdentifier::Ean13 => "EAN-13",
            OtherIdentifier::Iswc => "ISWC",
            OtherIdentifier::Isni => "ISNI",
            OtherIdentifier::Grid => "GRid",
        }
    }

    /// What it identifies, for messages.
    pub fn what(self) -> &'static str {
        match self {
            OtherIdentifier::UpcA | OtherIdentifier::Ean13 => {
                "a product barcode: it identifies a release, not a recording"
            }
            OtherIdentifier::Iswc => {
                "a musical work code: it identifies a composition, not a recording"
            }
            OtherIdentifier::Isni => "a party code: it identifies a person or an organisation",
            OtherIdentifier::Grid => {
                "a release identifier: it identifies a release, not a recording"
            }
        }
    }
}

fn digits(chars: &[CodeChar]) -> Option<impl Iterator<Item = u32> + '_> {
    chars
        .iter()
        .all(|c| c.byte.is_ascii_digit())
        .then(|| chars.iter().map(|c| u32::from(c.byte - b'0')))
}

/// The GS1 check digit (UPC-A, EAN-13, GTIN) for `body`, the digits before it: weights 3 and 1
/// from the right. `None` when `body` holds anything but ASCII digits.
///
/// ```
/// assert_eq!(isrc_code::other_id::gs1_check_digit(b"400638133393"), Some(1)); // EAN-13 4006381333931
/// assert_eq!(isrc_code::other_id::gs1_check_digit(b"03600029145"), Some(2)); // UPC-A 036000291452
/// assert_eq!(isrc_code::other_id::gs1_check_digit(b"12A"), None);
/// ```
pub fn gs1_check_digit(body: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (i, b) in body.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = u32::from(b - b'0');
        sum += if i % 2 == 0 { d * 3 } else { d };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

fn gs1_ok(chars: &[CodeChar]) -> bool {
    // An ISRC starts with a letter: reject it before copying anything.
    if !chars.iter().all(|c| c.byte.is_ascii_digit()) {
        return false;
    }
    let mut bytes = [0u8; 13];
    let Some((check, body)) = chars.split_last() else {
        return false;
    };
    if body.len() > bytes.len() {
        return false;
    }
    for (slot, c) in bytes.iter_mut().zip(body) {
        *slot = c.byte;
    }
    gs1_check_digit(&bytes[..body.len()]) == Some(check.byte - b'0')
}

/// ISNI: ISO 7064 MOD 11-2 over 15 digits, check character 0-9 or X.
fn isni_ok(chars: &[CodeChar]) -> bool {
    let (body, check) = chars.split_at(15);
    let Some(values) = digits(body) else {
        return false;
    };
    let sum = values.fold(0u32, |acc, d| ((acc + d) * 2) % 11);
    let expected = (12 - sum % 11) % 11;
    match check[0].byte {
        b'X' => expected == 10,
        b @ b'0'..=b'9' => u32::from(b - b'0') == expected,
        _ => false,
    }
}

/// GRid: ISO 7064 MOD 37,36 (hybrid system) over 17 characters, check character 0-9 A-Z.
fn grid_ok(chars: &[CodeChar]) -> bool {
    let value = |b: u8| match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        _ => None,
    };
    let mut p = 36;
    for c in &chars[..17] {
        let Some(v) = value(c.byte) else {
            return false;
        };
        let mut s = (p + v) % 36;
        if s == 0 {
            s = 36;
        }
        p = (2 * s) % 37;
    }
    value(chars[17].byte) == Some((37 - p) % 36)
}

/// Whether `text` is an ISWC (ISO 15707, the code of a musical work, which registrants record
/// beside an ISRC): `T`, nine digits and a check digit, with `-`, `.` or spaces anywhere
/// (`T-034.524.680-1`, `T0345246801`).
///
/// ```
/// assert!(isrc_code::other_id::is_iswc("T-034.524.680-1"));
/// assert!(isrc_code::other_id::is_iswc("T0345246801"));
/// assert!(!isrc_code::other_id::is_iswc("T-034.524.680-2")); // wrong check digit
/// assert!(!isrc_code::other_id::is_iswc("USRC17607839"));
/// ```
pub fn is_iswc(text: &str) -> bool {
    iswc_ok(text.trim())
}

/// ISWC: `T`, nine digits and a check digit; separators `-` `.` and spaces allowed.
fn iswc_ok(text: &str) -> bool {
    let mut chars = text
        .chars()
        .filter(|c| !matches!(c, '-' | '.' | ' '))
        .peekable();
    if !matches!(chars.next(), Some('T' | 't')) {
        return false;
    }
    let mut values = [0u32; 10];
    let mut n = 0;
    for c in chars {
        let Some(d) = c.to_digit(10) else {
            return false;
        };
        if n == 10 {
            return false;
        }
        values[n] = d;
        n += 1;
    }
    if n != 10 {
        return false;
    }
    let sum: u32 = 1 + (1..=9u32).map(|i| i * values[i as usize - 1]).sum::<u32>();
    (10 - sum % 10) % 10 == values[9]
}

/// Which other identifier `content` (the trimmed input) with these code characters is.
pub(crate) fn identify(content: &str, chars: &[CodeChar], count: usize) -> Option<OtherIdentifier> {
    if iswc_ok(content) {
        return Some(OtherIdentifier::Iswc);
    }
    if count != chars.len() {
        return None;
    }
    match count {
        12 if gs1_ok(chars) => Some(OtherIdentifier::UpcA),
        13 if gs1_ok(chars) => Some(OtherIdentifier::Ean13),
        16 if isni_ok(chars) => Some(OtherIdentifier::Isni),
        18 if grid_ok(chars) => Some(OtherIdentifier::Grid),
        _ => None,
    }
}
