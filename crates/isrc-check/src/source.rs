//! Opening an input: files, standard input, gzip and Zstandard, BOMs, binary detection, and the line
//! limiter that keeps a 100 MB line from being held in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

use crate::encoding::{self, Decoding, TextEncoding};
use crate::report::CheckError;

/// Lines longer than this are cut to this length (the rest is counted, not kept).
pub const MAX_LINE: usize = 1 << 20;

/// How much of the start of an input is read to detect its format.
const HEAD: usize = 64 * 1024;

/// An opened input, with its first bytes already read.
pub(crate) struct Opened {
    pub head: Vec<u8>,
    pub rest: Box<dyn Read + Send>,
    pub bom: bool,
    /// UTF-8 byte order marks after the first (see [`InputInfo::extra_marks`]).
    ///
    /// [`InputInfo::extra_marks`]: crate::InputInfo::extra_marks
    pub extra_marks: usize,
    pub zip: bool,
    pub size: Option<u64>,
    /// The encoding the input was decoded from (`None`: UTF-8, read as it is).
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

pub(crate) fn open(
    path: &Path,
    name: &str,
    encoding: Option<TextEncoding>,
) -> Result<Opened, CheckError> {
    let (reader, size): (Box<dyn Read + Send>, Option<u64>) = if name == "-" {
        (Box::new(io::stdin()), None)
    } else {
        let file = File::open(path)
            .map_err(|e| CheckError::new(name, 1, 1, format!("cannot open: {e}")))?;
        let size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        (Box::new(file), size)
    };
    from_reader(reader, name, size, encoding)
}

pub(crate) fn from_reader(
    reader: Box<dyn Read + Send>,
    name: &str,
    size: Option<u64>,
    asked: Option<TextEncoding>,
) -> Result<Opened, CheckError> {
    let read_error = |e: io::Error| {
        let (line, column) = error_place(&e, 1);
        CheckError::new(name, line, column, format!("cannot read: {e}"))
    };
    let mut buffered = BufReader::with_capacity(HEAD, reader);
    let start = buffered.fill_buf().map_err(read_error)?;
    let compressed =
        start.starts_with(&[0x1f, 0x8b]) || start.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    let reader: Box<dyn Read + Send> = if start.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(buffered))
    } else if start.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(
            zstd::stream::read::Decoder::with_buffer(buffered).map_err(|e| {
                CheckError::new(name, 1, 1, format!("cannot read Zstandard data: {e}"))
            })?,
        )
    } else {
        Box::new(buffered)
    };
    let read_head = |reader: &mut Box<dyn Read + Send>| -> Result<Vec<u8>, CheckError> {
        let mut head = Vec::with_capacity(HEAD);
        reader
            .take(HEAD as u64)
            .read_to_end(&mut head)
            .map_err(|e| {
                let hint = if compressed {
                    " (corrupt compressed data?)"
                } else {
                    ""
                };
                let (line, column) = error_place(&e, 1);
                CheckError::new(name, line, column, format!("cannot read{hint}: {e}"))
            })?;
        Ok(head)
    };
    let mut reader = reader;
    let mut head = read_head(&mut reader)?;
    // A UTF-16 byte order mark (or --encoding) decides how the text is decoded; UTF-8 is
    // read as it is, with no copy through a decoder.
    let encoding = encoding::choose(&head, asked);
    let utf16_bom = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    if let Some(e) = encoding {
        let raw: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(reader));
        reader = Box::new(Decoding::new(raw, e));
        head = read_head(&mut reader)?;
    }
    let zip = head.starts_with(b"PK\x03\x04");
    let mut bom = utf16_bom;
    // A tool that adds a mark to whatever it saves doubles it: every mark at the start is a
    // mark, none is text of the first record (a plain list or JSON Lines would otherwise
    // read `\u{FEFF}` in its first code, and `--fix` drop it as a fix).
    let mut extra_marks = 0;
    while head.starts_with(b"\xEF\xBB\xBF") {
        head.drain(..3);
        if bom {
            extra_marks += 1;
        }
        bom = true;
    }
    // Parquet is binary by design; its reader checks it.
    if !zip && !head.starts_with(b"PAR1") {
        check_binary(&head, name)?;
    }
    Ok(Opened {
        head,
        rest: reader,
        bom,
        extra_marks,
        zip,
        size,
        encoding,
    })
}

/// Where a read error is: the line and column of a malformed sequence in a decoded input,
/// else `line`, column 1.
pub(crate) fn error_place(error: &io::Error, line: u64) -> (u64, u64) {
    encoding::Malformed::of(error).map_or((line, 1), |m| (m.line, m.column))
}

/// A file is binary when the sample holds NUL bytes and many other control bytes; a text
/// with a stray NUL is text (the record is reported, not the file).
fn check_binary(head: &[u8], name: &str) -> Result<(), CheckError> {
    let sample = &head[..head.len().min(8192)];
    let Some(first_nul) = memchr::memchr(0, sample) else {
        return Ok(());
    };
    let control = sample
        .iter()
        .filter(|b| **b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    if control * 10 < sample.len() {
        return Ok(());
    }
    let line = 1 + memchr::memchr_iter(b'\n', &sample[..first_nul]).count() as u64;
    let column = first_nul - memchr::memrchr(b'\n', &sample[..first_nul]).map_or(0, |p| p + 1) + 1;
    Err(CheckError::new(
        name,
        line,
        column as u64,
        format!(
            "this is a binary file, not a text catalogue ({}% of the first {} bytes are control bytes, the first NUL byte is here); give a text, CSV, JSON Lines, xlsx or gzip file",
            control * 100 / sample.len().max(1),
            sample.len()
        ),
    ))
}

/// Takes the first `lines` lines off the input (`--skip-rows`), reading on past the head
/// when they are longer; returns their bytes.
pub(crate) fn skip_lines(opened: &mut Opened, lines: u64) -> io::Result<Vec<u8>> {
    let mut skipped = Vec::new();
    let mut left = lines;
    while left > 0 {
        match memchr::memchr(b'\n', &opened.head) {
            Some(p) => {
                skipped.extend(opened.head.drain(..=p));
                left -= 1;
            }
            None => {
                let mut more = Vec::with_capacity(HEAD);
                (&mut opened.rest)
                    .take(HEAD as u64)
                    .read_to_end(&mut more)?;
                if more.is_empty() {
                    skipped.append(&mut opened.head);
                    break;
                }
                opened.head.extend_from_slice(&more);
            }
        }
    }
    // The head is what detection looks at: fill it again.
    if opened.head.len() < HEAD {
        let want = (HEAD - opened.head.len()) as u64;
        let mut more = Vec::new();
        (&mut opened.rest).take(want).read_to_end(&mut more)?;
        opened.head.extend_from_slice(&more);
    }
    Ok(skipped)
}

/// The whole input, head first.
pub(crate) fn whole(opened: Opened) -> impl Read + Send {
    Cursor::new(opened.head).chain(opened.rest)
}

/// A line cut short by the [`Limiter`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct LongLine {
    pub line: u64,
    pub length: u64,
}

/// Passes bytes through, cutting every line to [`MAX_LINE`] bytes and noting which lines
/// were cut.
pub(crate) struct Limiter<R> {
    inner: R,
    line: u64,
    len: u64,
    /// The lines cut since [`Limiter::take_cut`] was last called.
    cut: Vec<LongLine>,
}

impl<R: Read> Limiter<R> {
    pub fn new(inner: R) -> Self {
        Limiter {
            inner,
            line: 1,
            len: 0,
            cut: Vec::new(),
        }
    }

    /// The lines cut short since the last call.
    pub fn take_cut(&mut self) -> Vec<LongLine> {
        std::mem::take(&mut self.cut)
    }
}

impl<R: Read> Read for Limiter<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(out)?;
            if n == 0 {
                if self.len > MAX_LINE as u64 {
                    self.cut.push(LongLine {
                        line: self.line,
                        length: self.len,
                    });
                    self.len = 0;
                }
                return Ok(0);
            }
            // No line of this read can pass the limit: only count the lines.
            if self.len + n as u64 <= MAX_LINE as u64 {
                let data = &out[..n];
                match memchr::memrchr(b'\n', data) {
                    Some(last) => {
                        self.line += memchr::memchr_iter(b'\n', data).count() as u64;
                        self.len = (n - last - 1) as u64;
                    }
                    None => self.len += n as u64,
                }
                return Ok(n);
            }
            let mut w = 0;
            let mut r = 0;
            while r < n {
                let (seg_end, newline) = match memchr::memchr(b'\n', &out[r..n]) {
                    Some(i) => (r + i, true),
                    None => (n, false),
                };
                let seg = seg_end - r;
                let room = (MAX_LINE as u64).saturating_sub(self.len) as usize;
                let keep = seg.min(room);
                out.copy_within(r..r + keep, w);
                w += keep;
                self.len += seg as u64;
                r = seg_end;
                if newline {
                    out[w] = b'\n';
                    w += 1;
                    r += 1;
                    if self.len > MAX_LINE as u64 {
                        self.cut.push(LongLine {
                            line: self.line,
                            length: self.len,
                        });
                    }
                    self.line += 1;
                    self.len = 0;
                }
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_cuts_long_lines() {
        let mut input = vec![b'a'; MAX_LINE + 10];
        input.extend_from_slice(b"\nshort\n");
        let mut out = Vec::new();
        let mut limiter = Limiter::new(&input[..]);
        limiter.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), MAX_LINE + 7);
        assert!(out.ends_with(b"\nshort\n"));
        let e = limiter.take_cut();
        assert_eq!((e[0].line, e[0].length), (1, MAX_LINE as u64 + 10));
    }

    #[test]
    fn binary_and_text() {
        assert!(check_binary(b"USRC17607839\nUS\0C17607839\n", "f").is_ok());
        let err = check_binary(&[0u8, 1, 2, 3, 0, 0, 7, 8], "f").unwrap_err();
        assert!(err.message.contains("binary"));
    }
}
