//! Text that is not UTF-8: Latin-1 and CP1252 (legacy Windows and Mac exports) and UTF-16
//! (spreadsheets' "Unicode text"), decoded to UTF-8 for reading with `encoding_rs`, and
//! encoded back for `--fix`, so that the bytes of every other column come out as they went
//! in.

use std::io::{self, Read};
use std::str::FromStr;

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// A text encoding an input may be in (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (the default): bytes are read as they are, and bytes that are not UTF-8 are
    /// reported where they matter (in the ISRC column) and copied unchanged.
    Utf8,
    /// ISO 8859-1, read as its superset Windows-1252 (as browsers do).
    Latin1,
    /// Windows-1252.
    Cp1252,
    /// UTF-16, little-endian unless a byte order mark says otherwise (a byte order mark is
    /// also recognised without this option).
    Utf16,
}

impl FromStr for TextEncoding {
    type Err = String;

    /// `utf-8`, `latin1` (`iso-8859-1`), `cp1252` (`windows-1252`) or `utf-16`.
    ///
    /// ```
    /// assert_eq!("latin1".parse(), Ok(isrc_check::TextEncoding::Latin1));
    /// ```
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
            "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" => Ok(TextEncoding::Latin1),
            "cp1252" | "windows-1252" => Ok(TextEncoding::Cp1252),
            "utf-16" | "utf16" | "utf-16le" => Ok(TextEncoding::Utf16),
            _ => Err(format!(
                "unknown encoding {s:?}; expected utf-8, latin1, cp1252 or utf-16"
            )),
        }
    }
}

/// The decoder for an input whose first bytes are `start`: a UTF-16 byte order mark decides
/// by itself; otherwise `asked` does. `None`: UTF-8, read as it is.
pub(crate) fn choose(start: &[u8], asked: Option<TextEncoding>) -> Option<&'static Encoding> {
    if start.starts_with(b"\xFF\xFE") {
        return Some(UTF_16LE);
    }
    if start.starts_with(b"\xFE\xFF") {
        return Some(UTF_16BE);
    }
    match asked {
        None | Some(TextEncoding::Utf8) => None,
        Some(TextEncoding::Latin1 | TextEncoding::Cp1252) => Some(WINDOWS_1252),
        Some(TextEncoding::Utf16) => Some(UTF_16LE),
    }
}

/// Reads `inner` in `encoding` as UTF-8 (the byte order mark, if any, is dropped).
pub(crate) struct Decoding<R> {
    inner: R,
    decoder: Decoder,
    raw: Vec<u8>,
    raw_len: usize,
    raw_pos: usize,
    eof: bool,
    done: bool,
    /// Input bytes consumed before `raw`, for the offset of a malformed sequence.
    consumed: u64,
    /// Decoded bytes that did not fit in a small read.
    pending: Vec<u8>,
    /// Where the decoded text is: the line (from 1) and the characters after its start.
    line: u64,
    column: u64,
    /// A malformed sequence found after text that was still given: the next read's error.
    failed: Option<Malformed>,
}

/// A byte sequence that is no character in the input's encoding (an unpaired surrogate or
/// an odd last byte in UTF-16), with where it is: the error of a read, found again with
/// [`Malformed::of`] to name its line and column.
#[derive(Debug, Clone)]
pub(crate) struct Malformed {
    pub(crate) encoding: &'static str,
    /// The line it is on, counting from 1.
    pub(crate) line: u64,
    /// Its column in characters, counting from 1.
    pub(crate) column: u64,
    /// Its offset in the input (after decompression), counting from 0.
    pub(crate) byte: u64,
    /// How many bytes are no character.
    pub(crate) bytes: u8,
}

impl Malformed {
    /// The malformed sequence behind a read error, if that is what it is.
    pub(crate) fn of(error: &io::Error) -> Option<&Malformed> {
        error.get_ref()?.downcast_ref::<Malformed>()
    }
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match (self.encoding.starts_with("UTF-16"), self.bytes) {
            (true, 1) => "an odd last byte (UTF-16 has two bytes a unit)",
            (true, _) => "a surrogate without its pair",
            (false, _) => "bytes that are no character",
        };
        write!(
            f,
            "not valid {} at line {}, column {} (byte offset {} in the input): {what}",
            self.encoding, self.line, self.column, self.byte
        )
    }
}

impl std::error::Error for Malformed {}

impl<R: Read> Decoding<R> {
    pub(crate) fn new(inner: R, encoding: &'static Encoding) -> Self {
        Decoding {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            raw: vec![0; 64 * 1024],
            raw_len: 0,
            raw_pos: 0,
            eof: false,
            done: false,
            consumed: 0,
            pending: Vec::new(),
            line: 1,
            column: 0,
            failed: None,
        }
    }

    /// Moves the position past decoded `text`.
    fn advance(&mut self, text: &[u8]) {
        let chars = |t: &[u8]| t.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64;
        match memchr::memrchr(b'\n', text) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', text).count() as u64;
                self.column = chars(&text[last + 1..]);
            }
            None => self.column += chars(text),
        }
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let n = self.pending.len().min(out.len());
            out[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        // Room for at least one character: a smaller read takes part of one, and keeps the
        // rest for the next.
        if out.len() < 4 {
            let mut small = [0u8; 4];
            let n = self.read(&mut small)?;
            let taken = n.min(out.len());
            out[..taken].copy_from_slice(&small[..taken]);
            self.pending.extend_from_slice(&small[taken..n]);
            return Ok(taken);
        }
        loop {
            if let Some(malformed) = self.failed.take() {
                self.done = true;
                return Err(io::Error::new(io::ErrorKind::InvalidData, malformed));
            }
            if self.done {
                return Ok(0);
            }
            if self.raw_pos == self.raw_len && !self.eof {
                self.consumed += self.raw_len as u64;
                self.raw_len = self.inner.read(&mut self.raw)?;
                self.raw_pos = 0;
                self.eof = self.raw_len == 0;
            }
            // Without replacement: a malformed sequence (an odd last byte or a lone surrogate
            // in UTF-16) is an input error, not a U+FFFD that --fix and --annotate would then
            // write in place of the bytes that were there.
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.raw[self.raw_pos..self.raw_len],
                out,
                self.eof,
            );
            self.raw_pos += read;
            self.advance(&out[..written]);
            match result {
                DecoderResult::InputEmpty if self.eof => self.done = true,
                DecoderResult::Malformed(bad, after) => {
                    // The text before it is given first, so that its records are checked.
                    self.failed = Some(Malformed {
                        encoding: self.decoder.encoding().name(),
                        line: self.line,
                        column: self.column + 1,
                        byte: self.consumed + self.raw_pos as u64
                            - u64::from(bad)
                            - u64::from(after),
                        bytes: bad,
                    });
                }
                _ => {}
            }
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

/// Encodes UTF-8 text back into the input's encoding, for `--fix`.
pub(crate) fn encode_into(encoding: &'static Encoding, text: &[u8], out: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(text);
    if encoding == UTF_16LE || encoding == UTF_16BE {
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if encoding == UTF_16LE {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        return;
    }
    let (bytes, _, _) = encoding.encode(&text);
    out.extend_from_slice(&bytes);
}

/// Writes UTF-8 text to `inner` in `encoding` (`None`: as it is), for `--annotate`: a
/// character cut between two writes is held until its last byte comes.
pub(crate) struct EncodingWriter<W> {
    inner: W,
    encoding: Option<&'static Encoding>,
    /// UTF-8 bytes not yet encoded: the start of a character cut by a write.
    carry: Vec<u8>,
    encoded: Vec<u8>,
}

impl<W: io::Write> EncodingWriter<W> {
    pub(crate) fn new(inner: W, encoding: Option<&'static Encoding>) -> Self {
        EncodingWriter {
            inner,
            encoding,
            carry: Vec::new(),
            encoded: Vec::new(),
        }
    }

    /// Encodes and writes the first `n` bytes of `carry`.
    fn write_carried(&mut self, n: usize) -> io::Result<()> {
        let Some(encoding) = self.encoding else {
            return self.inner.write_all(&self.carry[..n]);
        };
        self.encoded.clear();
        encode_into(encoding, &self.carry[..n], &mut self.encoded);
        self.inner.write_all(&self.encoded)
    }

    /// The writer, once everything is written.
    pub(crate) fn into_inner(mut self) -> io::Result<W> {
        io::Write::flush(&mut self)?;
        Ok(self.inner)
    }
}

impl<W: io::Write> io::Write for EncodingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.encoding.is_none() {
            return self.inner.write(buf);
        }
        self.carry.extend_from_slice(buf);
        // Up to the last whole character: a cut one waits for the next write.
        let whole = match std::str::from_utf8(&self.carry) {
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            _ => self.carry.len(),
        };
        self.write_carried(whole)?;
        self.carry.drain(..whole);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.carry.is_empty() {
            self.write_carried(self.carry.len())?;
            self.carry.clear();
        }
        self.inner.flush()
    }
}

/// The byte order mark written before the first record of a UTF-16 output.
pub(crate) fn byte_order_mark(encoding: &'static Encoding) -> &'static [u8] {
    if encoding == UTF_16LE {
        b"\xFF\xFE"
    } else if encoding == UTF_16BE {
        b"\xFE\xFF"
    } else {
        b""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cp1252_byte_comes_back() {
        let all: Vec<u8> = (0..=255u8).filter(|b| *b != b'\n').collect();
        let mut text = Vec::new();
        Decoding::new(&all[..], WINDOWS_1252)
            .read_to_end(&mut text)
            .unwrap();
        assert!(std::str::from_utf8(&text).is_ok());
        let mut back = Vec::new();
        encode_into(WINDOWS_1252, &text, &mut back);
        assert_eq!(back, all);
    }

    /// One byte a read from below, a few bytes a read from above: the place of a malformed
    /// sequence is the same as in one read.
    #[test]
    fn a_malformed_sequence_is_placed_whatever_the_reads() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(out.len()).min(1);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut bytes = Vec::new();
        for unit in "ab\nc\u{e9}\u{1F600}d".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let at = bytes.len() as u64;
        bytes.extend_from_slice(&[0x00, 0xDC, b'x', 0]);
        for size in [1, 2, 3, 5, 64] {
            let mut decoding = Decoding::new(Trickle(&bytes), UTF_16LE);
            let mut text = Vec::new();
            let error = loop {
                let mut out = vec![0; size];
                match decoding.read(&mut out) {
                    Ok(0) => panic!("no error"),
                    Ok(n) => text.extend_from_slice(&out[..n]),
                    Err(e) => break e,
                }
            };
            let m = Malformed::of(&error).unwrap();
            assert_eq!(
                (m.line, m.column, m.byte, m.bytes),
                (2, 5, at, 2),
                "reads of {size}"
            );
            assert_eq!(text, "ab\nc\u{e9}\u{1F600}d".as_bytes(), "reads of {size}");
        }
    }

    #[test]
    fn utf16_with_its_byte_order_mark() {
        let mut bytes = b"\xFF\xFE".to_vec();
        for unit in "isrc,title\nUSRC17607839,Caf\u{e9}\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let encoding = choose(&bytes, None).unwrap();
        let mut text = String::new();
        Decoding::new(&bytes[..], encoding)
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "isrc,title\nUSRC17607839,Caf\u{e9}\n");
        let mut back = byte_order_mark(encoding).to_vec();
        encode_into(encoding, text.as_bytes(), &mut back);
        assert_eq!(back, bytes);
    }
}
