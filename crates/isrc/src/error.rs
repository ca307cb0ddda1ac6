//! Why a text is not a well-formed ISRC, and where.

use core::fmt;

/// A range of byte offsets in the input, `start..end`.
///
/// Byte offsets index the UTF-8 input exactly; printers turn them into columns.
///
/// ```
/// let err = "USRC1760783O".parse::<isrc_code::Isrc>().unwrap_err();
/// assert_eq!(err.span(), isrc_code::error::Span { start: 11, end: 12 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The spanned text of `input`, or `""` if the span does not fit it.
    ///
    /// ```
    /// assert_eq!(isrc_code::error::Span::new(2, 5).of("CBYZ92200001"), "YZ9");
    /// ```
    pub fn of(self, input: &str) -> &str {
        input.get(self.start..self.end).unwrap_or("")
    }

    /// Characters (not bytes) of `input` before the span starts: a 0-based column.
    ///
    /// ```
    /// assert_eq!(isrc_code::error::Span::new(4, 5).column_in("ÜSRC+"), 3);
    /// ```
    pub fn column_in(self, input: &str) -> usize {
        input
            .get(..self.start)
            .map_or(self.start, |before| before.chars().count())
    }
}

/// What kind of mistake made a text not a well-formed ISRC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Nothing left after trimming and removing the `ISRC` label.
    Empty,
    /// Not 12 code characters.
    Length {
        /// How many letters and digits were found.
        found: usize,
    },
    /// Longer than [`MAX_INPUT_LEN`](crate::scan::MAX_INPUT_LEN) bytes; not examined further.
    TooLong {
        /// Length of the input in bytes.
        bytes: usize,
    },
    /// A character that is neither a letter, a digit nor an accepted separator.
    InvalidCharacter {
        /// The character.
        character: char,
    },
    /// A digit in the two-letter country code.
    CountryNotLetters {
        /// The digit.
        character: char,
    },
    /// A letter in the year of reference or the designation code.
    LetterInDigits {
        /// The letter (uppercase).
        character: char,
    },
}

/// Why a text is not a well-formed ISRC: the kind of mistake and where it is.
///
/// ```
/// use isrc_code::{error::ErrorKind, Isrc};
/// let err = "US+RC17607839".parse::<Isrc>().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidCharacter { character: '+' });
/// assert_eq!(err.to_string(), "invalid character '+' at column 3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseError {
    kind: ErrorKind,
    span: Span,
    column: usize,
}

impl ParseError {
    pub(crate) fn new(kind: ErrorKind, span: Span, input: &str) -> ParseError {
        ParseError {
            kind,
            span,
            column: span.column_in(input) + 1,
        }
    }

    /// The kind of mistake.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Where in the input, in bytes.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Where in the input, as a 1-based column counted in characters.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let column = self.column;
        match self.kind {
            ErrorKind::Empty => f.write_str("no ISRC: the input is empty"),
            ErrorKind::Length { found } => write!(
                f,
                "an ISRC has 12 letters and digits; found {found} (starting at column {column})"
            ),
            ErrorKind::TooLong { bytes } => write!(
                f,
                "input of {bytes} bytes is far too long for an ISRC (12 characters)"
            ),
            ErrorKind::InvalidCharacter { character } => {
                write!(f, "invalid character {character:?} at column {column}")
            }
            ErrorKind::CountryNotLetters { character } => write!(
                f,
                "digit {character:?} at column {column}: the country code must be two letters"
            ),
            ErrorKind::LetterInDigits { character } => write!(
                f,
                "letter {character:?} at column {column}: the year and designation must be digits"
            ),
        }
    }
}

impl core::error::Error for ParseError {}
