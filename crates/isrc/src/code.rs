//! The [`Isrc`] value and its parts.

use core::fmt;
use core::num::NonZeroU64;
use core::str::FromStr;

use crate::error::{ErrorKind, ParseError};
use crate::scan;

const COUNTRIES: u64 = 26 * 26;
const REGISTRANTS: u64 = 36 * 36 * 36;
const YEARS: u64 = 100;
const DESIGNATIONS: u64 = 100_000;

/// One past the largest value of [`Isrc::to_u64`].
pub const U64_LIMIT: u64 = COUNTRIES * REGISTRANTS * YEARS * DESIGNATIONS;

/// An International Standard Recording Code (ISO 3901), for example `CBYZ92200001`.
///
/// A small `Copy` value (8 bytes, and `Option<Isrc>` too) that is always well-formed: a
/// two-letter country code, a three-character registrant code, a two-digit year of reference
/// and a five-digit designation code. Whether the country code is in use and the year is
/// plausible is the job of [`check`](crate::check()).
///
/// Values order by prefix, then year, then designation, which is also the order of their
/// compact strings and of [`Isrc::to_u64`].
///
/// ```
/// use isrc_code::Isrc;
///
/// let code: Isrc = "isrc cb-yz9-22-00001".parse()?;
/// assert_eq!(code.to_string(), "CBYZ92200001");
/// assert_eq!(code.hyphenated().to_string(), "CB-YZ9-22-00001");
/// assert_eq!(code.labelled().to_string(), "ISRC CB-YZ9-22-00001");
/// assert_eq!(code.country(), "CB");
/// assert_eq!(code.registrant(), "YZ9");
/// assert_eq!(code.prefix(), "CBYZ9");
/// assert_eq!((code.year(), code.designation()), (22, 1));
/// assert_eq!(code.next().unwrap().to_string(), "CBYZ92200002");
/// # Ok::<(), isrc_code::ParseError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Isrc(NonZeroU64);

/// The two-letter country code (element 1), for example `CB`.
///
/// ```
/// let code: isrc_code::Isrc = "CBYZ92200001".parse()?;
/// assert_eq!(code.country().as_str(), "CB");
/// # Ok::<(), isrc_code::ParseError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 2]);

/// The three-character registrant code (element 2), for example `YZ9`. It is unique only
/// together with its country code.
///
/// ```
/// let code: isrc_code::Isrc = "CBYZ92200001".parse()?;
/// assert_eq!(code.registrant().as_str(), "YZ9");
/// # Ok::<(), isrc_code::ParseError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegistrantCode([u8; 3]);

/// The prefix code (ISO 3901:2019): country code and registrant code, for example `CBYZ9`.
/// This is what an agency issues to a registrant.
///
/// ```
/// use isrc_code::code::PrefixCode;
///
/// let prefix: PrefixCode = "cb-yz9".parse()?;
/// assert_eq!(prefix.as_str(), "CBYZ9");
/// assert_eq!(prefix.country(), "CB");
/// assert_eq!(prefix.hyphenated().to_string(), "CB-YZ9");
/// let first = prefix.isrc(26, 1).unwrap();
/// assert_eq!(first.to_string(), "CBYZ92600001");
/// # Ok::<(), isrc_code::ParseError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrefixCode([u8; 5]);

/// Which part of an ISRC a value given to [`Isrc::from_parts`] does not fit.
///
/// ```
/// use isrc_code::{Isrc, code::PartsError};
/// assert_eq!(Isrc::from_parts("C1", "YZ9", 22, 1), Err(PartsError::Country));
/// assert_eq!(Isrc::from_parts("CB", "YZ9", 22, 100_000), Err(PartsError::Designation));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartsError {
    /// Not two uppercase letters A-Z.
    Country,
    /// Not three characters of A-Z and 0-9.
    Registrant,
    /// Over 99.
    Year,
    /// Over 99999.
    Designation,
}

impl fmt::Display for PartsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PartsError::Country => "the country code must be two letters A-Z",
            PartsError::Registrant => "the registrant code must be three characters A-Z or 0-9",
            PartsError::Year => "the year of reference must be 00-99",
            PartsError::Designation => "the designation code must be 00000-99999",
        })
    }
}

impl core::error::Error for PartsError {}

/// Value 0-35 of a registrant character, in ASCII order (digits before letters).
#[inline]
const fn alnum_value(b: u8) -> Option<u64> {
    match b {
        b'0'..=b'9' => Some((b - b'0') as u64),
        b'A'..=b'Z' => Some((b - b'A') as u64 + 10),
        _ => None,
    }
}

#[inline]
const fn alnum_char(v: u64) -> u8 {
    if v < 10 {
        b'0' + v as u8
    } else {
        b'A' + (v - 10) as u8
    }
}

/// The number eight ASCII digits spell (first digit in the lowest byte) and whether all
/// eight bytes are digits.
const fn eight_digits(word: u64) -> (u64, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A byte is a digit when its high nibble is 3 and adding 6 does not carry into it. (A
    // carry out of a byte only ever follows a byte that already failed the test.)
    let plus_six = word.wrapping_add(0x06 * ONES);
    let all_digits = (word & (0xF0 * ONES)) | ((plus_six & (0xF0 * ONES)) >> 4);
    let ok = all_digits == 0x33 * ONES;
    // Pairs, then quadruples, then all eight; no lane overflows even for non-digits.
    let mut v = word & (0x0F * ONES);
    v = (v * 10 + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    v = (v * 10_000 + (v >> 32)) & 0xFFFF_FFFF;
    (v, ok)
}

/// Value 0-35 of each byte as a registrant character; 0xFF for bytes that are not one.
const ALNUM_VALUES: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(v) = alnum_value(b as u8) {
            table[b] = v as u8;
        }
        b += 1;
    }
    table
};

/// A compact code taken apart on the way in, so that the checker has the numbers it tests
/// without decoding the [`Isrc`] again (which takes divisions).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompactParts {
    /// The code.
    pub isrc: Isrc,
    /// The country code as `(first - 'A') * 26 + (second - 'A')`.
    pub country_index: usize,
    /// Country and registrant code as one number (`country_index * 36^3 + registrant`).
    pub prefix_number: u64,
    /// The last seven digits: `year * 100_000 + designation`.
    pub digits: u64,
}

impl CompactParts {
    /// The parts of `bytes` when they are 12 bytes in compact uppercase form.
    #[inline]
    pub(crate) const fn parse(bytes: &[u8]) -> Option<CompactParts> {
        let &[c0, c1, r0, r1, r2, y0, y1, d0, d1, d2, d3, d4] = bytes else {
            return None;
        };
        // Accumulate first and test once: fewer branches than checking byte by byte.
        let (l0, l1) = (c0.wrapping_sub(b'A'), c1.wrapping_sub(b'A'));
        let (v0, v1, v2) = (
            ALNUM_VALUES[r0 as usize],
            ALNUM_VALUES[r1 as usize],
            ALNUM_VALUES[r2 as usize],
        );
        // The seven digits, read eight bytes at a time behind a padding '0' (SWAR): one
        // range test and three multiplications instead of seven of each.
        // (Bytes 4..12 in one load, the registrant's last character replaced by the '0'.)
        let word = u64::from_le_bytes([r2, y0, y1, d0, d1, d2, d3, d4]) & !0xFF | b'0' as u64;
        let (digits, digits_ok) = eight_digits(word);
        // Invalid registrant bytes map to 0xFF; valid values (< 36) never set the top bit.
        let bad = (l0 >= 26) | (l1 >= 26) | ((v0 | v1 | v2) & 0x80 != 0) | !digits_ok;
        if bad {
            return None;
        }
        let country = l0 as u64 * 26 + l1 as u64;
        let registrant = (v0 as u64 * 36 + v1 as u64) * 36 + v2 as u64;
        let prefix_number = country * REGISTRANTS + registrant;
        Some(CompactParts {
            isrc: Isrc::from_u64_unchecked(prefix_number * (YEARS * DESIGNATIONS) + digits),
            country_index: country as usize,
            prefix_number,
            digits,
        })
    }

    /// The prefix number of five compact bytes (for constants); panics on anything else.
    pub(crate) const fn prefix_number_of(prefix: &[u8; 5]) -> u64 {
        let [a, b, c, d, e] = *prefix;
        match CompactParts::parse(&[a, b, c, d, e, b'0', b'0', b'0', b'0', b'0', b'0', b'0']) {
            Some(parts) => parts.prefix_number,
            None => panic!("not a prefix"),
        }
    }

    /// The two-digit year of reference.
    #[inline]
    pub(crate) const fn year(self) -> u8 {
        (self.digits / DESIGNATIONS) as u8
    }

    /// Whether the designation is 00000.
    #[inline]
    pub(crate) const fn designation_is_zero(self) -> bool {
        self.digits.is_multiple_of(DESIGNATIONS)
    }
}

impl Isrc {
    /// The smallest code, `AA0000000000` (0 in [`Isrc::to_u64`]).
    pub const MIN: Isrc = Isrc(NonZeroU64::MIN);

    /// Builds a code from its four elements.
    ///
    /// ```
    /// let code = isrc_code::Isrc::from_parts("US", "RC1", 76, 7839)?;
    /// assert_eq!(code.to_string(), "USRC17607839");
    /// # Ok::<(), isrc_code::code::PartsError>(())
    /// ```
    pub fn from_parts(
        country: &str,
        registrant: &str,
        year: u8,
        designation: u32,
    ) -> Result<Isrc, PartsError> {
        let country = CountryCode::from_bytes(country.as_bytes()).ok_or(PartsError::Country)?;
        let registrant =
            RegistrantCode::from_bytes(registrant.as_bytes()).ok_or(PartsError::Registrant)?;
        if year > 99 {
            return Err(PartsError::Year);
        }
        PrefixCode::from_parts(country, registrant)
            .isrc(year, designation)
            .ok_or(PartsError::Designation)
    }

    /// Reads exactly the 12-character compact form in uppercase (`CBYZ92200001`), as stored in
    /// databases, CUE sheets and CD subcode. Everything else is an error.
    ///
    /// ```
    /// use isrc_code::Isrc;
    /// assert!(Isrc::parse_strict("CBYZ92200001").is_ok());
    /// assert!(Isrc::parse_strict("cbyz92200001").is_err());
    /// assert!(Isrc::parse_strict("CB-YZ9-22-00001").is_err());
    /// ```
    pub fn parse_strict(input: &str) -> Result<Isrc, ParseError> {
        match Isrc::from_compact_bytes(input.as_bytes()) {
            Some(code) => Ok(code),
            None => Err(scan::strict_error(input)),
        }
    }

    /// The fast path for 12 bytes in compact uppercase form; `None` for anything else.
    ///
    /// ```
    /// assert!(isrc_code::Isrc::from_compact_bytes(b"CBYZ92200001").is_some());
    /// assert!(isrc_code::Isrc::from_compact_bytes(b"CBYZ9220000O").is_none());
    /// ```
    #[inline]
    pub const fn from_compact_bytes(bytes: &[u8]) -> Option<Isrc> {
        match CompactParts::parse(bytes) {
            Some(parts) => Some(parts.isrc),
            None => None,
        }
    }

    #[inline]
    const fn from_u64_unchecked(value: u64) -> Isrc {
        match NonZeroU64::new(value + 1) {
            Some(v) => Isrc(v),
            None => Isrc::MIN,
        }
    }

    /// A number in `0..U64_LIMIT` that sorts like the code and never changes between
    /// releases: for database columns and bulk de-duplication.
    ///
    /// ```
    /// use isrc_code::Isrc;
    /// let a: Isrc = "AA0000000000".parse()?;
    /// assert_eq!(a.to_u64(), 0);
    /// let b: Isrc = "USRC17607839".parse()?;
    /// assert_eq!(Isrc::from_u64(b.to_u64()), Some(b));
    /// # Ok::<(), isrc_code::ParseError>(())
    /// ```
    #[inline]
    pub const fn to_u64(self) -> u64 {
        self.0.get() - 1
    }

    /// The inverse of [`Isrc::to_u64`]; `None` at or past [`U64_LIMIT`].
    #[inline]
    pub const fn from_u64(value: u64) -> Option<Isrc> {
        if value < U64_LIMIT {
            Some(Isrc::from_u64_unchecked(value))
        } else {
            None
        }
    }

    /// The country code, for example `CB`.
    pub fn country(self) -> CountryCode {
        self.prefix().country()
    }

    /// The registrant code, for example `YZ9`.
    pub fn registrant(self) -> RegistrantCode {
        self.prefix().registrant()
    }

    /// Country and registrant code together, for example `CBYZ9`.
    pub fn prefix(self) -> PrefixCode {
        let prefix = self.to_u64() / (YEARS * DESIGNATIONS);
        let country = prefix / REGISTRANTS;
        let registrant = prefix % REGISTRANTS;
        PrefixCode([
            b'A' + (country / 26) as u8,
            b'A' + (country % 26) as u8,
            alnum_char(registrant / (36 * 36)),
            alnum_char(registrant / 36 % 36),
            alnum_char(registrant % 36),
        ])
    }

    /// The two-digit year of reference, 0-99. Its century is a matter of policy:
    /// see [`Policy::full_year`](crate::Policy::full_year).
    pub const fn year(self) -> u8 {
        (self.to_u64() / DESIGNATIONS % YEARS) as u8
    }

    /// The designation code, 0-99999.
    pub const fn designation(self) -> u32 {
        (self.to_u64() % DESIGNATIONS) as u32
    }

    /// The next designation in the same prefix and year; `None` after 99999.
    ///
    /// ```
    /// let last: isrc_code::Isrc = "CBYZ92299999".parse()?;
    /// assert_eq!(last.next(), None);
    /// # Ok::<(), isrc_code::ParseError>(())
    /// ```
    pub const fn next(self) -> Option<Isrc> {
        if self.designation() < 99_999 {
            Some(Isrc::from_u64_unchecked(self.to_u64() + 1))
        } else {
            None
        }
    }

    /// The same code with another designation; `None` over 99999.
    ///
    /// ```
    /// let code: isrc_code::Isrc = "CBYZ92200001".parse()?;
    /// assert_eq!(code.with_designation(42).unwrap().to_string(), "CBYZ92200042");
    /// # Ok::<(), isrc_code::ParseError>(())
    /// ```
    pub const fn with_designation(self, designation: u32) -> Option<Isrc> {
        if designation as u64 >= DESIGNATIONS {
            return None;
        }
        let base = self.to_u64() - self.designation() as u64;
        Some(Isrc::from_u64_unchecked(base + designation as u64))
    }

    /// The 12 ASCII bytes of the compact form.
    ///
    /// ```
    /// let code: isrc_code::Isrc = "cb-yz9-22-00001".parse()?;
    /// assert_eq!(&code.to_bytes(), b"CBYZ92200001");
    /// # Ok::<(), isrc_code::ParseError>(())
    /// ```
    pub fn to_bytes(self) -> [u8; 12] {
        let prefix = self.prefix().0;
        let mut digits = self.to_u64() % (YEARS * DESIGNATIONS);
        let mut out = [0u8; 12];
        out[..5].copy_from_slice(&prefix);
        for slot in out[5..].iter_mut().rev() {
            *slot = b'0' + (digits % 10) as u8;
            digits /= 10;
        }
        out
    }

    /// Formats as `CB-YZ9-22-00001`, the way people read ISRCs.
    pub fn hyphenated(self) -> Hyphenated {
        Hyphenated(self)
    }

    /// Formats as `ISRC CB-YZ9-22-00001`, the display form of ISO 3901 (the label and
    /// hyphens are not part of the code).
    pub fn labelled(self) -> Labelled {
        Labelled(self)
    }
}

fn write_ascii(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    // Every byte written comes from the encoding tables above: ASCII letters and digits.
    f.pad(core::str::from_utf8(bytes).unwrap_or(""))
}

impl fmt::Display for Isrc {
    /// The compact form, `CBYZ92200001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_ascii(f, &self.to_bytes())
    }
}

impl fmt::Debug for Isrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Isrc({self})")
    }
}

/// [`Isrc`] formatted as `CB-YZ9-22-00001`; made by [`Isrc::hyphenated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hyphenated(Isrc);

/// [`Isrc`] formatted as `ISRC CB-YZ9-22-00001`; made by [`Isrc::labelled`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Labelled(Isrc);

pub(crate) fn hyphenate(code: Isrc, label: bool) -> ([u8; 20], usize) {
    let b = code.to_bytes();
    let mut out = [0u8; 20];
    let mut n = 0;
    if label {
        out[..5].copy_from_slice(b"ISRC ");
        n = 5;
    }
    for (i, &byte) in b.iter().enumerate() {
        if matches!(i, 2 | 5 | 7) {
            out[n] = b'-';
            n += 1;
        }
        out[n] = byte;
        n += 1;
    }
    (out, n)
}

impl fmt::Display for Hyphenated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (buf, n) = hyphenate(self.0, false);
        write_ascii(f, &buf[..n])
    }
}

impl fmt::Display for Labelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (buf, n) = hyphenate(self.0, true);
        write_ascii(f, &buf[..n])
    }
}

impl FromStr for Isrc {
    type Err = ParseError;

    /// Reads what people type: any case, hyphens, spaces (also no-break, zero-width and
    /// full-width ones) and Unicode dashes between characters, full-width letters and digits,
    /// and the label `ISRC` with or without a colon. Trailing text is an error, never cut off.
    /// The prefix table and the year are not consulted: use [`check`](crate::check()) for that.
    ///
    /// ```
    /// use isrc_code::{error::ErrorKind, Isrc};
    /// for text in ["USRC17607839", "us-rc1-76-07839", "ISRC: US RC1 76 07839", "ISRC US‐RC1‐76‐07839"] {
    ///     assert_eq!(text.parse::<Isrc>()?.to_string(), "USRC17607839");
    /// }
    /// let err = "USRC17607839-A".parse::<Isrc>().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Length { found: 13 });
    /// let err = "USRC1760783O".parse::<Isrc>().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::LetterInDigits { character: 'O' });
    /// assert_eq!(err.span().start, 11);
    /// # Ok::<(), isrc_code::ParseError>(())
    /// ```
    fn from_str(input: &str) -> Result<Isrc, ParseError> {
        if let Some(code) = Isrc::from_compact_bytes(input.as_bytes()) {
            return Ok(code);
        }
        let (bytes, span) = scan::scan_code(input)?;
        Isrc::from_compact_bytes(&bytes)
            .ok_or_else(|| ParseError::new(ErrorKind::Length { found: 12 }, span, input))
    }
}

impl TryFrom<&str> for Isrc {
    type Error = ParseError;
    fn try_from(input: &str) -> Result<Isrc, ParseError> {
        input.parse()
    }
}

impl From<Isrc> for u64 {
    fn from(code: Isrc) -> u64 {
        code.to_u64()
    }
}

impl CountryCode {
    fn from_bytes(bytes: &[u8]) -> Option<CountryCode> {
        match bytes {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => {
                Some(CountryCode([*a, *b]))
            }
            _ => None,
        }
    }

    /// The two letters.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The two letters as bytes, as [`PrefixTable::get_bytes`](crate::prefix::PrefixTable::get_bytes) takes them.
    pub fn to_bytes(self) -> [u8; 2] {
        self.0
    }
}

impl RegistrantCode {
    fn from_bytes(bytes: &[u8]) -> Option<RegistrantCode> {
        match bytes {
            [a, b, c] if [a, b, c].iter().all(|x| alnum_value(**x).is_some()) => {
                Some(RegistrantCode([*a, *b, *c]))
            }
            _ => None,
        }
    }

    /// The three characters.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl PrefixCode {
    /// Country and registrant code together.
    pub fn from_parts(country: CountryCode, registrant: RegistrantCode) -> PrefixCode {
        let [c0, c1] = country.0;
        let [r0, r1, r2] = registrant.0;
        PrefixCode([c0, c1, r0, r1, r2])
    }

    /// The five characters, for example `CBYZ9`.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The registrant prefix a value that is not a well-formed code seems to have: its first
    /// five letters and digits (after spaces and an `ISRC` label; hyphens, spaces and colons
    /// skipped), when the first two are letters. `isrc check` groups systemic errors by it.
    ///
    /// ```
    /// use isrc_code::code::PrefixCode;
    /// assert_eq!(PrefixCode::guess("usrc176O7839").unwrap().as_str(), "USRC1");
    /// assert_eq!(PrefixCode::guess("ISRC: us-rc1-76").unwrap().as_str(), "USRC1");
    /// assert_eq!(PrefixCode::guess("12345678"), None);
    /// assert_eq!(PrefixCode::guess("US+RC1"), None);
    /// ```
    pub fn guess(text: &str) -> Option<PrefixCode> {
        let trimmed = text.trim_start();
        let trimmed = trimmed
            .get(..4)
            .filter(|l| l.eq_ignore_ascii_case("isrc"))
            .map_or(trimmed, |_| &trimmed[4..]);
        let mut five = [0u8; 5];
        let mut n = 0;
        for c in trimmed.chars() {
            if c.is_ascii_alphanumeric() {
                five[n] = c.to_ascii_uppercase() as u8;
                n += 1;
                if n == 5 {
                    break;
                }
            } else if !matches!(c, '-' | ' ' | ':' | '\u{2010}'..='\u{2015}') {
                return None;
            }
        }
        (n == 5 && five[0].is_ascii_uppercase() && five[1].is_ascii_uppercase())
            .then_some(PrefixCode(five))
    }

    /// The country code.
    pub fn country(self) -> CountryCode {
        CountryCode([self.0[0], self.0[1]])
    }

    /// The registrant code.
    pub fn registrant(self) -> RegistrantCode {
        RegistrantCode([self.0[2], self.0[3], self.0[4]])
    }

    /// The ISRC with this prefix, year (0-99) and designation (0-99999).
    pub fn isrc(self, year: u8, designation: u32) -> Option<Isrc> {
        if year > 99 || u64::from(designation) >= DESIGNATIONS {
            return None;
        }
        let mut bytes = [b'0'; 12];
        bytes[..5].copy_from_slice(&self.0);
        let mut digits = u64::from(year) * DESIGNATIONS + u64::from(designation);
        for slot in bytes[5..].iter_mut().rev() {
            *slot = b'0' + (digits % 10) as u8;
            digits /= 10;
        }
        Isrc::from_compact_bytes(&bytes)
    }

    /// Formats as `CB-YZ9`.
    pub fn hyphenated(self) -> impl fmt::Display {
        struct HyphenatedPrefix([u8; 5]);
        impl fmt::Display for HyphenatedPrefix {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let b = self.0;
                write_ascii(f, &[b[0], b[1], b'-', b[2], b[3], b[4]])
            }
        }
        HyphenatedPrefix(self.0)
    }
}

impl FromStr for PrefixCode {
    type Err = ParseError;

    /// Reads a prefix code leniently (`cbyz9`, `CB-YZ9`), with the same error kinds as an ISRC.
    fn from_str(input: &str) -> Result<PrefixCode, ParseError> {
        let (bytes, span) = scan::scan_prefix(input)?;
        prefix_from_scanned(bytes)
            .ok_or_else(|| ParseError::new(ErrorKind::Length { found: 5 }, span, input))
    }
}

fn prefix_from_scanned(bytes: [u8; 5]) -> Option<PrefixCode> {
    let country = CountryCode::from_bytes(&bytes[..2])?;
    let registrant = RegistrantCode::from_bytes(&bytes[2..])?;
    Some(PrefixCode::from_parts(country, registrant))
}

macro_rules! text_newtype {
    ($($name:ident),*) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    )*};
}
text_newtype!(CountryCode, RegistrantCode, PrefixCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_small() {
        assert_eq!(core::mem::size_of::<Isrc>(), 8);
        assert_eq!(core::mem::size_of::<Option<Isrc>>(), 8);
    }

    #[test]
    fn every_registrant_code_round_trips() {
        let chars = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut previous = None;
        for a in chars {
            for b in chars {
                for c in chars {
                    let text = [
                        b'Z', b'Z', *a, *b, *c, b'2', b'6', b'9', b'9', b'9', b'9', b'9',
                    ];
                    let code = Isrc::from_compact_bytes(&text).expect("valid registrant");
                    assert_eq!(code.to_bytes(), text);
                    assert!(previous < Some(code), "sorted like the text");
                    previous = Some(code);
                }
            }
        }
        for bad in [b'a', b'-', b' ', 0x80, 0xFF, b'@', b'[', b'/', b':'] {
            let text = [
                b'U', b'S', bad, b'C', b'1', b'2', b'6', b'0', b'0', b'0', b'0', b'1',
            ];
            assert_eq!(Isrc::from_compact_bytes(&text), None, "{bad:#x}");
        }
    }

    #[test]
    fn limits_round_trip() {
        let last = Isrc::from_u64(U64_LIMIT - 1).unwrap();
        assert_eq!(&last.to_bytes(), b"ZZZZZ9999999");
        assert_eq!(Isrc::from_u64(U64_LIMIT), None);
        assert_eq!(&Isrc::MIN.to_bytes(), b"AA0000000000");
    }
}
