//! The lenient reader shared by `FromStr` and `check`: finds the code characters in what a
//! person typed or pasted, remembering where each came from and how the text departs from
//! the compact form.

use crate::error::{ErrorKind, ParseError, Span};

/// Inputs longer than this many bytes are rejected (rule `length`) without being scanned.
pub const MAX_INPUT_LEN: usize = 1024;

/// Code characters remembered with their positions (enough for the 18 of a GRid); more are
/// only counted.
const STORED: usize = 24;

/// One letter or digit of the code, uppercased, and where it was in the input. Positions fit
/// in `u16` because longer inputs are refused before scanning.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CodeChar {
    pub byte: u8,
    start: u16,
    end: u16,
}

impl CodeChar {
    pub fn new(byte: u8, span: Span) -> CodeChar {
        CodeChar {
            byte,
            start: span.start as u16,
            end: span.end as u16,
        }
    }

    pub fn span(&self) -> Span {
        Span::new(usize::from(self.start), usize::from(self.end))
    }
}

/// Ways a text departs from the compact form, for the `not_canonical` message.
pub(crate) mod style {
    pub const LOWERCASE: u8 = 1;
    pub const SEPARATORS: u8 = 2;
    pub const LABEL: u8 = 4;
    pub const UNICODE_SEPARATORS: u8 = 8;
    pub const FULL_WIDTH: u8 = 16;
    pub const INVISIBLE: u8 = 32;
}

pub(crate) struct Scanned {
    pub chars: [CodeChar; STORED],
    /// All code characters seen, also those past `STORED`.
    pub count: usize,
    /// `style::*` flags.
    pub style: u8,
    /// The label `ISRC` (and its colon), when one was removed.
    pub label: Option<Span>,
    /// From the first to the last character that is not a separator.
    pub content: Span,
    /// Number of invalid characters.
    pub invalid: usize,
}

impl Scanned {
    pub fn stored(&self) -> &[CodeChar] {
        &self.chars[..self.count.min(STORED)]
    }

    /// Span from the first to the last code character (or the content when there are none).
    pub fn code_span(&self) -> Span {
        match (self.stored().first(), self.stored().last()) {
            (Some(first), Some(last)) => Span::new(first.span().start, last.span().end),
            _ => self.content,
        }
    }
}

#[derive(Clone, Copy)]
enum Class {
    Code(u8, u8),
    Separator(u8),
    Invalid,
}

/// Classes of the ASCII characters, looked up instead of matched: most input is ASCII.
const ASCII_CLASSES: [Class; 128] = {
    let mut table = [Class::Invalid; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        table[i] = match b {
            b'A'..=b'Z' | b'0'..=b'9' => Class::Code(b, 0),
            b'a'..=b'z' => Class::Code(b.to_ascii_uppercase(), style::LOWERCASE),
            b'-' | b' ' | b'\t' => Class::Separator(style::SEPARATORS),
            _ => Class::Invalid,
        };
        i += 1;
    }
    table
};

#[inline]
fn classify(c: char) -> Class {
    if c.is_ascii() {
        ASCII_CLASSES[c as usize]
    } else {
        classify_non_ascii(c)
    }
}

fn classify_non_ascii(c: char) -> Class {
    match c {
        // Full-width digits and letters, as East Asian input methods produce them.
        '\u{FF10}'..='\u{FF19}' => Class::Code(b'0' + (c as u32 - 0xFF10) as u8, style::FULL_WIDTH),
        '\u{FF21}'..='\u{FF3A}' => Class::Code(b'A' + (c as u32 - 0xFF21) as u8, style::FULL_WIDTH),
        '\u{FF41}'..='\u{FF5A}' => Class::Code(b'A' + (c as u32 - 0xFF41) as u8, style::FULL_WIDTH),
        // Dashes and spaces that word processors and web pages substitute.
        '\u{00A0}'
        | '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FF0D}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => Class::Separator(style::UNICODE_SEPARATORS),
        // Invisible characters that copy and paste brings along.
        '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {
            Class::Separator(style::INVISIBLE)
        }
        _ => Class::Invalid,
    }
}

fn is_label_break(c: char) -> bool {
    matches!(classify(c), Class::Separator(_)) && !matches!(c, '-' | '\u{2010}'..='\u{2015}')
}

fn count_code_chars(text: &str) -> usize {
    text.chars()
        .filter(|&c| matches!(classify(c), Class::Code(..)))
        .count()
}

/// Where the label `ISRC` ends (after its colon), if the text at `start` carries one.
fn label_end(input: &str, start: usize) -> Option<usize> {
    let rest = &input[start..];
    let head = rest.get(..4)?;
    if !head.eq_ignore_ascii_case("ISRC") {
        return None;
    }
    let after = start + 4;
    match input[after..].chars().next() {
        None => Some(after),
        Some(':') => Some(after + 1),
        Some(c) if is_label_break(c) => Some(after),
        // `ISRC17607839` is Iceland's registrant RC1: a label only if 12 characters follow it.
        Some(_) => (count_code_chars(&input[after..]) == 12).then_some(after),
    }
}

/// Scans `input` (at most `MAX_INPUT_LEN` bytes), calling `on_invalid` for each character
/// that cannot be part of an ISRC.
pub(crate) fn scan(input: &str, mut on_invalid: impl FnMut(char, Span)) -> Scanned {
    let mut scanned = Scanned {
        chars: [CodeChar::default(); STORED],
        count: 0,
        style: 0,
        label: None,
        content: Span::new(0, 0),
        invalid: 0,
    };
    let first = input
        .char_indices()
        .find(|&(_, c)| !matches!(classify(c), Class::Separator(_)))
        .map_or(input.len(), |(i, _)| i);
    let mut position = first;
    if let Some(end) = label_end(input, first) {
        scanned.label = Some(Span::new(first, end));
        scanned.style |= style::LABEL;
        position = end;
    }
    let mut content_end = first;
    let bytes = input.as_bytes();
    let mut start = position;
    while let Some(&byte) = bytes.get(start) {
        let (class, c) = if byte.is_ascii() {
            (ASCII_CLASSES[usize::from(byte)], char::from(byte))
        } else {
            match input.get(start..).and_then(|rest| rest.chars().next()) {
                Some(c) => (classify_non_ascii(c), c),
                None => break,
            }
        };
        let end = start + c.len_utf8();
        match class {
            Class::Code(byte, how) => {
                scanned.style |= how;
                if scanned.count < STORED {
                    scanned.chars[scanned.count] = CodeChar::new(byte, Span::new(start, end));
                }
                scanned.count += 1;
                content_end = end;
            }
            Class::Separator(how) => scanned.style |= how,
            Class::Invalid => {
                scanned.invalid += 1;
                on_invalid(c, Span::new(start, end));
                content_end = end;
            }
        }
        start = end;
    }
    if first > 0 {
        // Leading separators: already classified above, but not visited by the loop.
        for c in input[..first].chars() {
            if let Class::Separator(how) = classify(c) {
                scanned.style |= how;
            }
        }
    }
    scanned.content = Span::new(
        first,
        content_end.max(scanned.label.map_or(first, |l| l.end)),
    );
    scanned
}

/// The first structural mistake among exactly 12 code characters.
pub(crate) fn structure_error(chars: &[CodeChar]) -> Option<(ErrorKind, Span)> {
    for (i, ch) in chars.iter().enumerate() {
        let character = char::from(ch.byte);
        match i {
            0 | 1 if !ch.byte.is_ascii_uppercase() => {
                return Some((ErrorKind::CountryNotLetters { character }, ch.span()));
            }
            5.. if !ch.byte.is_ascii_digit() => {
                return Some((ErrorKind::LetterInDigits { character }, ch.span()));
            }
            _ => {}
        }
    }
    None
}

pub(crate) fn code_bytes(chars: &[CodeChar]) -> [u8; 12] {
    let mut bytes = [0u8; 12];
    for (slot, ch) in bytes.iter_mut().zip(chars) {
        *slot = ch.byte;
    }
    bytes
}

/// [`scan`] for `FromStr`: an input that is too long or holds a character that is not part of
/// a code is an error (the first such character).
fn scan_strictly(input: &str) -> Result<Scanned, ParseError> {
    let error = |kind, span| Err(ParseError::new(kind, span, input));
    if input.len() > MAX_INPUT_LEN {
        return error(
            ErrorKind::TooLong { bytes: input.len() },
            Span::new(0, input.len()),
        );
    }
    let mut first_invalid = None;
    let scanned = scan(input, |c, span| {
        first_invalid.get_or_insert((c, span));
    });
    if let Some((character, span)) = first_invalid {
        return error(ErrorKind::InvalidCharacter { character }, span);
    }
    Ok(scanned)
}

/// The twelve code characters of a text that is not already compact, with the span they
/// came from (for `FromStr`, which makes the [`Isrc`](crate::Isrc) of them).
pub(crate) fn scan_code(input: &str) -> Result<([u8; 12], Span), ParseError> {
    let error = |kind, span| Err(ParseError::new(kind, span, input));
    let scanned = scan_strictly(input)?;
    if scanned.count == 0 {
        return error(ErrorKind::Empty, Span::new(0, input.len()));
    }
    if scanned.count != 12 {
        return error(
            ErrorKind::Length {
                found: scanned.count,
            },
            scanned.code_span(),
        );
    }
    if let Some((kind, span)) = structure_error(scanned.stored()) {
        return error(kind, span);
    }
    Ok((code_bytes(scanned.stored()), scanned.code_span()))
}

/// The error `Isrc::parse_strict` reports for a text that is not compact uppercase.
pub(crate) fn strict_error(input: &str) -> ParseError {
    let error = |kind, span| ParseError::new(kind, span, input);
    if input.is_empty() {
        return error(ErrorKind::Empty, Span::new(0, 0));
    }
    if input.len() > MAX_INPUT_LEN {
        return error(
            ErrorKind::TooLong { bytes: input.len() },
            Span::new(0, input.len()),
        );
    }
    if let Some((i, character)) = input
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
    {
        return error(
            ErrorKind::InvalidCharacter { character },
            Span::new(i, i + character.len_utf8()),
        );
    }
    if input.len() != 12 {
        return error(
            ErrorKind::Length { found: input.len() },
            Span::new(0, input.len()),
        );
    }
    let chars: [CodeChar; 12] =
        core::array::from_fn(|i| CodeChar::new(input.as_bytes()[i], Span::new(i, i + 1)));
    let (kind, span) =
        structure_error(&chars).unwrap_or((ErrorKind::Length { found: 12 }, Span::new(0, 12)));
    error(kind, span)
}

/// The five code characters of a prefix code (the first two letters), with the span they came
/// from (for `FromStr` of [`PrefixCode`](crate::code::PrefixCode)).
pub(crate) fn scan_prefix(input: &str) -> Result<([u8; 5], Span), ParseError> {
    let error = |kind, span| Err(ParseError::new(kind, span, input));
    let scanned = scan_strictly(input)?;
    match scanned.count {
        0 => error(ErrorKind::Empty, Span::new(0, input.len())),
        5 => {
            let chars = scanned.stored();
            if let Some(ch) = chars[..2].iter().find(|ch| !ch.byte.is_ascii_uppercase()) {
                return error(
                    ErrorKind::CountryNotLetters {
                        character: char::from(ch.byte),
                    },
                    ch.span(),
                );
            }
            let bytes = [
                chars[0].byte,
                chars[1].byte,
                chars[2].byte,
                chars[3].byte,
                chars[4].byte,
            ];
            Ok((bytes, scanned.code_span()))
        }
        found => error(ErrorKind::Length { found }, scanned.code_span()),
    }
}
