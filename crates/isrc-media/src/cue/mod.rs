//! CUE sheets: the disc's `CATALOG` and each `TRACK`'s number, title, performer and `ISRC`,
//! and an editor that writes an ISRC line inside a track before its `INDEX` lines while
//! keeping every other byte of the sheet.
//!
//! Real sheets are tolerated: lowercase commands, `REM` lines, an `ISRC` after `INDEX`,
//! UTF-8 with or without a byte-order mark, Latin-1, CRLF or LF line endings, and codes of
//! the wrong length (kept as written, for the checker to report).
//!
//! ```
//! use isrc_media::cue::CueSheet;
//! let text = "CATALOG 0724384260521\r\nFILE \"a.wav\" WAVE\r\n  TRACK 01 AUDIO\r\n    TITLE \"One\"\r\n    INDEX 01 00:00:00\r\n";
//! let sheet = CueSheet::parse(text.as_bytes())?;
//! assert_eq!(sheet.catalog.as_ref().unwrap().value, "0724384260521");
//! assert_eq!(sheet.tracks[0].title.as_deref(), Some("One"));
//! assert!(sheet.tracks[0].isrc.is_none());
//!
//! let edited = sheet.set_isrc(1, "CBYZ92200001".parse().unwrap())?;
//! assert_eq!(
//!     String::from_utf8(edited).unwrap(),
//!     text.replace("    INDEX", "    ISRC CBYZ92200001\r\n    INDEX")
//! );
//! # Ok::<(), isrc_media::cue::CueError>(())
//! ```

use isrc::Isrc;
use serde::Serialize;

/// How the sheet's text is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 without a byte-order mark (plain ASCII included).
    Utf8,
    /// UTF-8 starting with a byte-order mark.
    Utf8Bom,
    /// Anything that is not UTF-8 is read as Latin-1 (ISO 8859-1).
    Latin1,
    /// UTF-16, little-endian, with its byte-order mark (Windows tools write it).
    Utf16Le,
    /// UTF-16, big-endian, with its byte-order mark.
    Utf16Be,
}

/// A value with the line and column (1-based, in characters) where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    /// The value as written (quotes removed).
    pub value: String,
    /// Line number, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// One `TRACK` of the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueTrack {
    /// The track number.
    pub number: u32,
    /// The line of the `TRACK` command.
    pub line: usize,
    /// `TITLE`, when given.
    pub title: Option<String>,
    /// `PERFORMER`, when given.
    pub performer: Option<String>,
    /// The first `ISRC` of the track.
    pub isrc: Option<Located>,
    /// Every `ISRC` of the track in order (normally at most one).
    pub isrcs: Vec<Located>,
    /// Line of the first `INDEX` command.
    pub first_index_line: Option<usize>,
}

/// Something odd but readable in the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CueWarning {
    /// Line number, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// What is odd.
    pub message: String,
}

/// A sheet that cannot be read, or an edit that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct CueError {
    /// Line number, from 1 (0 when the problem concerns the whole sheet).
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A line's byte ranges in the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

/// A parsed CUE sheet, holding its original bytes for editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueSheet {
    /// The text encoding found.
    pub encoding: Encoding,
    /// The disc's `CATALOG` (UPC/EAN), when given.
    pub catalog: Option<Located>,
    /// The disc's `TITLE` (before the first track).
    pub title: Option<String>,
    /// The disc's `PERFORMER` (before the first track).
    pub performer: Option<String>,
    /// The tracks in order.
    pub tracks: Vec<CueTrack>,
    /// Oddities found while reading.
    pub warnings: Vec<CueWarning>,
    bytes: Vec<u8>,
    lines: Vec<Line>,
    /// Per track: (first line, end line exclusive) in `lines` indices.
    track_lines: Vec<(usize, usize)>,
    /// Per track: indices (into `lines`) of its ISRC lines with the value's byte range.
    isrc_spans: Vec<Vec<(usize, usize, usize)>>,
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl CueSheet {
    /// Reads a sheet from its bytes. What is not a usable sheet is refused: an empty file,
    /// binary data (an audio file, a picture), a text without any `TRACK`.
    pub fn parse(bytes: &[u8]) -> Result<CueSheet, CueError> {
        let whole = |message: String| CueError {
            line: 0,
            column: 0,
            message,
        };
        if let Some(kind) = known_binary(bytes) {
            return Err(whole(format!("this is {kind}, not a CUE sheet")));
        }
        let little = bytes.starts_with(b"\xFF\xFE");
        if little || bytes.starts_with(b"\xFE\xFF") {
            let body = &bytes[2..];
            if body.len() % 2 == 1 {
                return Err(whole(String::from(
                    "the sheet starts with a UTF-16 byte-order mark but has an odd number of bytes",
                )));
            }
            let units: Vec<u16> = body
                .chunks_exact(2)
                .map(|c| {
                    if little {
                        u16::from_le_bytes([c[0], c[1]])
                    } else {
                        u16::from_be_bytes([c[0], c[1]])
                    }
                })
                .collect();
            let text = String::from_utf16(&units).map_err(|_| {
                whole(String::from(
                    "the sheet starts with a UTF-16 byte-order mark but is not UTF-16",
                ))
            })?;
            let mut sheet = CueSheet::parse_text(text.as_bytes(), Encoding::Utf8, 0)?;
            sheet.encoding = if little {
                Encoding::Utf16Le
            } else {
                Encoding::Utf16Be
            };
            return Ok(sheet);
        }
        let (encoding, body_start) = if bytes.starts_with(b"\xEF\xBB\xBF") {
            (Encoding::Utf8Bom, 3)
        } else if std::str::from_utf8(bytes).is_ok() {
            (Encoding::Utf8, 0)
        } else {
            (Encoding::Latin1, 0)
        };
        if encoding == Encoding::Utf8Bom && std::str::from_utf8(&bytes[3..]).is_err() {
            let valid = std::str::from_utf8(&bytes[3..])
                .err()
                .map_or(0, |e| e.valid_up_to());
            let line = bytes[3..3 + valid].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(CueError {
                line,
                column: 1,
                message: String::from(
                    "the sheet starts with a UTF-8 byte-order mark but is not UTF-8",
                ),
            });
        }
        CueSheet::parse_text(bytes, encoding, body_start)
    }

    fn parse_text(
        bytes: &[u8],
        encoding: Encoding,
        body_start: usize,
    ) -> Result<CueSheet, CueError> {
        if let Some(at) = bytes
            .iter()
            .position(|&b| b == 0 || (b < 0x20 && !b"\t\r\n\x0c".contains(&b)))
        {
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let column = at
                - bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            return Err(CueError {
                line,
                column,
                message: format!(
                    "binary data (byte 0x{:02X}): this is not a CUE sheet",
                    bytes[at]
                ),
            });
        }
        if bytes[body_start..].iter().all(|b| b.is_ascii_whitespace()) {
            return Err(CueError {
                line: 0,
                column: 0,
                message: String::from("the file is empty: not a CUE sheet"),
            });
        }
        let mut lines = Vec::new();
        let mut at = body_start;
        while at < bytes.len() {
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| at + i + 1);
            let mut content_end = end;
            if content_end > at && bytes[content_end - 1] == b'\n' {
                content_end -= 1;
            }
            if content_end > at && bytes[content_end - 1] == b'\r' {
                content_end -= 1;
            }
            lines.push(Line {
                start: at,
                content_end,
                end,
            });
            at = end;
        }
        let mut sheet = CueSheet {
            encoding,
            catalog: None,
            title: None,
            performer: None,
            tracks: Vec::new(),
            warnings: Vec::new(),
            bytes: bytes.to_vec(),
            lines,
            track_lines: Vec::new(),
            isrc_spans: Vec::new(),
        };
        sheet.read_lines()?;
        if sheet.tracks.is_empty() {
            return Err(CueError {
                line: 0,
                column: 0,
                message: String::from(
                    "no TRACK command: this is not a CUE sheet, or one without tracks",
                ),
            });
        }
        sheet.check_tracks();
        Ok(sheet)
    }

    /// Warnings about the tracks as a whole: a number used twice, one code on two tracks, a
    /// code that is not written as 12 capital letters and digits (CD burners refuse it).
    fn check_tracks(&mut self) {
        let mut warnings = Vec::new();
        for (i, track) in self.tracks.iter().enumerate() {
            if let Some(first) = self.tracks[..i].iter().find(|t| t.number == track.number) {
                warnings.push(CueWarning {
                    line: track.line,
                    column: 1,
                    message: format!(
                        "track {:02} appears twice (first on line {})",
                        track.number, first.line
                    ),
                });
            }
            let Some(isrc) = &track.isrc else { continue };
            let canonical = isrc.value.len() == 12
                && isrc
                    .value
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if !canonical {
                let compact: String = isrc
                    .value
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                let hint = if compact.len() == 12 {
                    format!(": write it as {compact}")
                } else {
                    String::new()
                };
                warnings.push(CueWarning {
                    line: isrc.line,
                    column: isrc.column,
                    message: format!(
                        "CD burners take an ISRC only as 12 capital letters and digits, not {:?}{hint}",
                        isrc.value
                    ),
                });
            }
            let key = |v: &str| -> String {
                v.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .map(|c| c.to_ascii_uppercase())
                    .collect()
            };
            if let Some(other) = self.tracks[..i].iter().find(|t| {
                t.number != track.number
                    && t.isrc
                        .as_ref()
                        .is_some_and(|o| key(&o.value) == key(&isrc.value))
            }) {
                warnings.push(CueWarning {
                    line: isrc.line,
                    column: isrc.column,
                    message: format!(
                        "the ISRC {} of track {:02} is also on track {:02} (line {}): each recording has its own",
                        isrc.value,
                        track.number,
                        other.number,
                        other.isrc.as_ref().map_or(other.line, |o| o.line)
                    ),
                });
            }
        }
        self.warnings.extend(warnings);
        self.warnings.sort_by_key(|w| (w.line, w.column));
    }

    fn decode(&self, bytes: &[u8]) -> String {
        match self.encoding {
            Encoding::Latin1 => bytes.iter().map(|&b| b as char).collect(),
            _ => String::from_utf8_lossy(bytes).into_owned(),
        }
    }

    fn column(&self, line: Line, byte: usize) -> usize {
        match self.encoding {
            Encoding::Latin1 => byte - line.start + 1,
            _ => {
                String::from_utf8_lossy(&self.bytes[line.start..byte])
                    .chars()
                    .count()
                    + 1
            }
        }
    }

    fn read_lines(&mut self) -> Result<(), CueError> {
        for index in 0..self.lines.len() {
            let line = self.lines[index];
            let text = &self.bytes[line.start..line.content_end];
            let Some(cmd_start) = text.iter().position(|&b| !is_space(b)) else {
                continue;
            };
            let cmd_len = text[cmd_start..]
                .iter()
                .position(|&b| is_space(b))
                .unwrap_or(text.len() - cmd_start);
            let command = text[cmd_start..cmd_start + cmd_len].to_ascii_uppercase();
            let args_start = cmd_start
                + cmd_len
                + text[cmd_start + cmd_len..]
                    .iter()
                    .position(|&b| !is_space(b))
                    .unwrap_or(text.len() - cmd_start - cmd_len);
            let args = &text[args_start..];
            let line_no = index + 1;
            let args_byte = line.start + args_start;
            let args_column = self.column(line, args_byte);
            match command.as_slice() {
                b"REM" => {}
                b"CATALOG" => {
                    let value = self.decode(unquote(args, line_no, args_column)?.0);
                    self.catalog = Some(Located {
                        value,
                        line: line_no,
                        column: args_column,
                    });
                }
                b"TITLE" | b"PERFORMER" => {
                    let value = self.decode(unquote(args, line_no, args_column)?.0);
                    let is_title = command.as_slice() == b"TITLE";
                    match self.tracks.last_mut() {
                        Some(track) if is_title => track.title = Some(value),
                        Some(track) => track.performer = Some(value),
                        None if is_title => self.title = Some(value),
                        None => self.performer = Some(value),
                    }
                }
                b"TRACK" => {
                    let number_len = args.iter().position(|&b| is_space(b)).unwrap_or(args.len());
                    let number = std::str::from_utf8(&args[..number_len])
                        .ok()
                        .and_then(|s| s.parse::<u32>().ok())
                        .ok_or_else(|| CueError {
                            line: line_no,
                            column: args_column,
                            message: format!(
                                "TRACK needs a number, found {:?}",
                                self.decode(&args[..number_len])
                            ),
                        })?;
                    if let Some(last) = self.track_lines.last_mut() {
                        last.1 = index;
                    }
                    self.track_lines.push((index, self.lines.len()));
                    self.isrc_spans.push(Vec::new());
                    self.tracks.push(CueTrack {
                        number,
                        line: line_no,
                        title: None,
                        performer: None,
                        isrc: None,
                        isrcs: Vec::new(),
                        first_index_line: None,
                    });
                }
                b"FILE" => {
                    if args.starts_with(b"\"") && !args[1..].contains(&b'"') {
                        self.warn(
                            line_no,
                            args_column,
                            "the quoted file name has no closing quote",
                        );
                    }
                    if let Some(last) = self.track_lines.last_mut()
                        && last.1 == self.lines.len()
                    {
                        last.1 = index;
                    }
                }
                b"INDEX" => {
                    if let Some(track) = self.tracks.last_mut()
                        && track.first_index_line.is_none()
                    {
                        track.first_index_line = Some(line_no);
                    }
                }
                b"ISRC" => {
                    let (raw, offset) = unquote(args, line_no, args_column)?;
                    let value = self.decode(raw);
                    let value_byte = args_byte + offset;
                    let value_end = value_byte + raw.len();
                    let lowercase = &text[cmd_start..cmd_start + cmd_len] != b"ISRC";
                    let located = Located {
                        value: value.clone(),
                        line: line_no,
                        column: self.column(line, value_byte),
                    };
                    if lowercase {
                        self.warn(line_no, cmd_start + 1, "lowercase ISRC command");
                    }
                    let Some(track) = self.tracks.last() else {
                        self.warn(line_no, cmd_start + 1, "ISRC before any TRACK is ignored");
                        continue;
                    };
                    let number = track.number;
                    let after_index = track.first_index_line.is_some();
                    let repeated = track.isrc.is_some();
                    if after_index {
                        let message = format!("ISRC of track {number} comes after its INDEX lines");
                        self.warn(line_no, cmd_start + 1, &message);
                    }
                    if repeated {
                        let message = format!("track {number} has more than one ISRC line");
                        self.warn(line_no, cmd_start + 1, &message);
                    }
                    if let Some(track) = self.tracks.last_mut() {
                        if track.isrc.is_none() {
                            track.isrc = Some(located.clone());
                        }
                        track.isrcs.push(located);
                    }
                    if let Some(spans) = self.isrc_spans.last_mut() {
                        spans.push((index, value_byte, value_end));
                    }
                }
                _ => {
                    if text.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
                        self.warn(line_no, args_column, "a quote is not closed on this line");
                    }
                }
            }
        }
        Ok(())
    }

    fn warn(&mut self, line: usize, column: usize, message: &str) {
        self.warnings.push(CueWarning {
            line,
            column,
            message: message.to_string(),
        });
    }

    /// The sheet in its own encoding (what [`CueSheet::set_isrc`] returns is in it too).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode(self.bytes.clone())
    }

    /// The sheet's bytes as read (a UTF-16 sheet's text converted to UTF-8).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The sheet's bytes with `code` as the ISRC of track `number`: an existing ISRC line
    /// before the track's `INDEX` lines gets the new value in place; otherwise a line
    /// `ISRC CODE` is inserted before the first `INDEX` (with that line's indentation and line
    /// ending) and any ISRC line after the `INDEX` lines is removed. Every other byte is kept.
    pub fn set_isrc(&self, number: u32, code: Isrc) -> Result<Vec<u8>, CueError> {
        let Some(t) = self.tracks.iter().position(|t| t.number == number) else {
            return Err(CueError {
                line: 0,
                column: 0,
                message: format!(
                    "there is no TRACK {number:02} in the sheet (it has {})",
                    self.tracks
                        .iter()
                        .map(|t| format!("{:02}", t.number))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        };
        let track = &self.tracks[t];
        let spans = &self.isrc_spans[t];
        let (first, end) = self.track_lines[t];
        let index_line = track.first_index_line.map(|l| l - 1);
        let code = code.to_string();
        // Replacements as (start, end, new bytes), applied in order.
        let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
        let in_place = spans
            .first()
            .filter(|(line, _, _)| index_line.is_none_or(|i| *line < i));
        match in_place {
            Some(&(_, start, stop)) => edits.push((start, stop, code.into_bytes())),
            None => {
                // Insert before the first INDEX, or after the track's last line.
                let (at, indent, ending) = match index_line {
                    Some(i) => {
                        let line = self.lines[i];
                        let text = &self.bytes[line.start..line.content_end];
                        let indent_len = text.iter().position(|&b| !is_space(b)).unwrap_or(0);
                        (line.start, text[..indent_len].to_vec(), self.ending(line))
                    }
                    None => {
                        let last = self.lines[end.max(first + 1) - 1];
                        let track_line = self.lines[first];
                        let text = &self.bytes[track_line.start..track_line.content_end];
                        let mut indent: Vec<u8> =
                            text.iter().take_while(|&&b| is_space(b)).copied().collect();
                        indent.extend_from_slice(b"  ");
                        (last.end, indent, self.ending(last))
                    }
                };
                let mut new_line = Vec::new();
                if at == self.bytes.len() && !self.bytes.is_empty() && !self.bytes.ends_with(b"\n")
                {
                    new_line.extend_from_slice(&ending);
                }
                new_line.extend_from_slice(&indent);
                new_line.extend_from_slice(b"ISRC ");
                new_line.extend_from_slice(code.as_bytes());
                new_line.extend_from_slice(&ending);
                edits.push((at, at, new_line));
            }
        }
        // Remove every other ISRC line of the track.
        let skip = usize::from(in_place.is_some());
        for &(line, _, _) in spans.iter().skip(skip) {
            let l = self.lines[line];
            edits.push((l.start, l.end, Vec::new()));
        }
        edits.sort_by_key(|e| (e.0, e.1));
        let mut out = Vec::with_capacity(self.bytes.len() + 24);
        let mut at = 0;
        for (start, stop, new) in edits {
            if start < at {
                continue;
            }
            out.extend_from_slice(&self.bytes[at..start]);
            out.extend_from_slice(&new);
            at = stop;
        }
        out.extend_from_slice(&self.bytes[at..]);
        Ok(self.encode(out))
    }

    /// The sheet's text (held as UTF-8 for UTF-16 sheets) in the sheet's own encoding.
    fn encode(&self, text: Vec<u8>) -> Vec<u8> {
        let little = match self.encoding {
            Encoding::Utf16Le => true,
            Encoding::Utf16Be => false,
            _ => return text,
        };
        let text = String::from_utf8_lossy(&text);
        let mut out = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    fn ending(&self, line: Line) -> Vec<u8> {
        let ending = &self.bytes[line.content_end..line.end];
        if ending.is_empty() {
            // The last line has no newline: use the sheet's first line ending.
            self.lines
                .iter()
                .map(|l| &self.bytes[l.content_end..l.end])
                .find(|e| !e.is_empty())
                .unwrap_or(b"\n")
                .to_vec()
        } else {
            ending.to_vec()
        }
    }
}

/// What a file that is not a sheet is, by its first bytes.
fn known_binary(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 9] = [
        (b"fLaC", "a FLAC file"),
        (b"\x89PNG", "a PNG picture"),
        (b"\xFF\xD8\xFF", "a JPEG picture"),
        (b"ID3", "an MP3 file (ID3 tag)"),
        (b"RIFF", "a RIFF (WAV) file"),
        (b"OggS", "an Ogg file"),
        (b"FORM", "an AIFF file"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"%PDF", "a PDF document"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, kind)| *kind)
}

/// The argument without its quotes, and its offset within `args`.
fn unquote(args: &[u8], line: usize, column: usize) -> Result<(&[u8], usize), CueError> {
    if let Some(rest) = args.strip_prefix(b"\"") {
        match rest.iter().position(|&b| b == b'"') {
            Some(end) => Ok((&rest[..end], 1)),
            None => Err(CueError {
                line,
                column,
                message: String::from("the quoted value has no closing quote"),
            }),
        }
    } else {
        let end = args
            .iter()
            .rposition(|&b| !is_space(b))
            .map_or(0, |i| i + 1);
        Ok((&args[..end], 0))
    }
}

/// What a CATALOG number is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogCheck {
    /// The value as written.
    pub value: String,
    /// `UPC-A` (12 digits) or `EAN-13` (13 digits), when the length fits one.
    pub kind: Option<&'static str>,
    /// Digits only, a UPC/EAN length, and a correct GS1 check digit.
    pub valid: bool,
    /// What is wrong, when it is not valid.
    pub message: Option<String>,
}

/// Checks a CATALOG value: a UPC-A or EAN-13 with its GS1 check digit.
///
/// ```
/// let ok = isrc_media::cue::check_catalog("0724384260521");
/// assert!(ok.valid);
/// assert_eq!(ok.kind, Some("EAN-13"));
/// assert!(!isrc_media::cue::check_catalog("0724384260522").valid);
/// ```
pub fn check_catalog(value: &str) -> CatalogCheck {
    let kind = match value.len() {
        12 => Some("UPC-A"),
        13 => Some("EAN-13"),
        _ => None,
    };
    let message = if !value.bytes().all(|b| b.is_ascii_digit()) {
        Some(String::from(
            "a CATALOG holds only digits (a UPC-A or EAN-13)",
        ))
    } else if kind.is_none() {
        Some(format!(
            "a CATALOG has 12 (UPC-A) or 13 (EAN-13) digits, this one has {}",
            value.len()
        ))
    } else {
        let (body, check) = value.as_bytes().split_at(value.len() - 1);
        let check = check[0] - b'0';
        let expected = isrc::other_id::gs1_check_digit(body).unwrap_or(check);
        (expected != check)
            .then(|| format!("the check digit is {check} but the other digits give {expected}"))
    };
    CatalogCheck {
        value: value.to_string(),
        kind,
        valid: message.is_none(),
        message,
    }
}

#[cfg(test)]
mod tests;
