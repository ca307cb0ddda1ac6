//! Record sinks for `--annotate` (every record with its verdict, as CSV) and `--fix` (the
//! input with safe fixes applied, every other byte unchanged).

use std::io::{self, Write};
use std::ops::Range;

use isrc::Isrc;

use crate::encoding::EncodingWriter;
use crate::engine::{CellCode, CheckedRecord, FirstRecord, InputInfo, RecordSink};
use crate::layout::InputFormat;
use crate::report::{Location, RuleSet};

/// The verdict on one code of a record (its first, or a later code of its cell).
#[derive(Clone, Copy)]
struct Verdict<'a> {
    isrc: Option<Isrc>,
    valid: bool,
    rules: RuleSet,
    fix: Option<Isrc>,
    duplicate_of: Option<&'a FirstRecord>,
}

impl<'a> Verdict<'a> {
    fn of(code: &'a CellCode<'_>) -> Self {
        Verdict {
            isrc: code.isrc,
            valid: code.valid,
            rules: code.rules,
            fix: code.fix,
            duplicate_of: code.duplicate_of.as_ref(),
        }
    }
}

/// Writes every record with all its columns plus `isrc_normalized`, `isrc_valid`,
/// `isrc_findings` (rule ids separated by spaces), `isrc_fix` and `duplicate_of` (where the
/// first record with the same ISRC is, as `FILE:LINE`: the line it starts on, as the human
/// report's "first in FILE line N").
///
/// A cell holding several codes (`USRC17607839; USRC17607840`) gives one row per code, in
/// the cell's order: the ISRC column holds that code as written in the cell, the other
/// columns are repeated (JSON Lines: the `record` column is the whole line in each row).
/// So every row is one record of the report's `records`, with its own verdict.
///
/// ```
/// use isrc_check::{AnnotateWriter, Checker, Options};
/// let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
/// let mut out = AnnotateWriter::new(Vec::new());
/// let mut checker = Checker::new(policy, Options::default());
/// let input = "USRC17607839\nusrc176o7839\nGBAYE0601498; USRC17607839\n";
/// checker.check_reader("codes.txt", input.as_bytes(), Some(&mut out)).unwrap();
/// let csv = String::from_utf8(out.into_inner().unwrap()).unwrap();
/// assert_eq!(csv, "\
/// isrc,isrc_normalized,isrc_valid,isrc_findings,isrc_fix,duplicate_of
/// USRC17607839,USRC17607839,true,legacy_year,,
/// usrc176o7839,,false,letter_in_digits,USRC17607839,
/// GBAYE0601498,GBAYE0601498,true,,,
/// USRC17607839,USRC17607839,true,legacy_year,,codes.txt:1
/// ");
/// ```
pub struct AnnotateWriter<W: Write> {
    /// The CSV writer, made when the first input starts: it writes in that input's
    /// encoding, so that a Latin-1, CP1252 or UTF-16 file's columns keep their bytes.
    out: Option<csv::Writer<EncodingWriter<W>>>,
    /// The writer until then.
    waiting: Option<W>,
    header: Option<Vec<String>>,
    wrote_header: bool,
}

impl<W: Write> AnnotateWriter<W> {
    /// Writes CSV to `out`, in the encoding of the input (UTF-8 unless `--encoding` or a
    /// UTF-16 byte order mark said otherwise).
    pub fn new(out: W) -> Self {
        AnnotateWriter {
            out: None,
            waiting: Some(out),
            header: None,
            wrote_header: false,
        }
    }

    /// Flushes and returns the writer.
    pub fn into_inner(self) -> io::Result<W> {
        match (self.out, self.waiting) {
            (Some(out), _) => out.into_inner().map_err(|e| e.into_error())?.into_inner(),
            (None, Some(waiting)) => Ok(waiting),
            (None, None) => Err(io::Error::other("the --annotate output was lost")),
        }
    }

    fn csv(&mut self) -> io::Result<&mut csv::Writer<EncodingWriter<W>>> {
        self.out
            .as_mut()
            .ok_or_else(|| io::Error::other("a record before its input started"))
    }
}

const EXTRA: [&str; 5] = [
    "isrc_normalized",
    "isrc_valid",
    "isrc_findings",
    "isrc_fix",
    "duplicate_of",
];

impl<W: Write> RecordSink for AnnotateWriter<W> {
    fn start(&mut self, info: &InputInfo<'_>) -> io::Result<()> {
        if let Some(mut out) = self.waiting.take() {
            if let (Some(encoding), true) = (info.encoding, info.bom) {
                out.write_all(crate::encoding::byte_order_mark(encoding))?;
            }
            let out = EncodingWriter::new(out, info.encoding);
            self.out = Some(csv::WriterBuilder::new().flexible(true).from_writer(out));
        }
        self.header = match (info.format, info.header) {
            (_, Some(h)) => Some(h.to_vec()),
            (InputFormat::Lines, None) => Some(vec!["isrc".into()]),
            (InputFormat::Jsonl, None) => Some(vec!["record".into()]),
            _ => None,
        };
        self.wrote_header = false;
        Ok(())
    }

    fn record(&mut self, r: &CheckedRecord<'_>) -> io::Result<()> {
        if !self.wrote_header {
            let header = self
                .header
                .take()
                .unwrap_or_else(|| (1..=r.fields.len()).map(|i| format!("column{i}")).collect());
            let mut row: Vec<&str> = header.iter().map(String::as_str).collect();
            row.extend(EXTRA);
            self.csv()?.write_record(&row)?;
            self.wrote_header = true;
        }
        // One row per code: a cell of several codes gives one row for each, its ISRC
        // column holding that code as written in the cell, the other columns repeated.
        let mut row = |value_in_field: Option<&Range<usize>>, verdict: Verdict<'_>| {
            // The input's columns as their bytes (a Latin-1 title stays Latin-1); the
            // columns added hold only codes, rule ids, numbers and the file name.
            let added = [
                verdict.isrc.map(|c| c.to_string()).unwrap_or_default(),
                verdict.valid.to_string(),
                verdict.rules.ids().join(" "),
                verdict.fix.map(|c| c.to_string()).unwrap_or_default(),
                verdict
                    .duplicate_of
                    .map(|first| {
                        // A file name a spreadsheet would run as a formula gets a `'`.
                        let at = first.to_string();
                        match at.as_bytes().first() {
                            Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{at}"),
                            _ => at,
                        }
                    })
                    .unwrap_or_default(),
            ];
            let columns = r.raw_fields.iter().enumerate().map(|(k, field)| {
                match value_in_field.filter(|_| k == r.value_field && !r.more.is_empty()) {
                    Some(range) => field.get(range.clone()).unwrap_or(field),
                    None => field,
                }
            });
            let added = added.iter().map(String::as_bytes);
            self.csv()?.write_record(columns.chain(added))
        };
        row(
            r.value_in_field.as_ref(),
            Verdict {
                isrc: r.isrc,
                valid: r.valid,
                rules: r.rules,
                fix: r.fix,
                duplicate_of: r.duplicate_of.as_ref(),
            },
        )?;
        for code in &r.more {
            row(code.value_in_field.as_ref(), Verdict::of(code))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.csv()?.flush()
    }
}

/// Writes the input again with safe fixes applied: valid codes written in another form
/// become the compact form; with `suggested`, letter-for-digit mistakes are fixed too.
/// Every code of a cell holding several is fixed in place, its separators kept. Every other
/// byte is copied unchanged; codes that cannot be fixed are kept as they were and listed in
/// [`FixWriter::unfixed`].
///
/// ```
/// use isrc_check::{Checker, FixWriter, Options};
/// let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
/// let input = "isrc;title\r\nus-rc1-76-07839;\"a; b\"\r\nUSRC176O7839;c\r\n";
/// let mut fix = FixWriter::new(Vec::new(), false);
/// let mut checker = Checker::new(policy, Options::default());
/// checker.check_reader("c.csv", input.as_bytes(), Some(&mut fix)).unwrap();
/// assert_eq!(fix.fixed(), 1);
/// assert_eq!(fix.unfixed().len(), 1);
/// let out = String::from_utf8(fix.into_inner()).unwrap();
/// assert_eq!(out, "isrc;title\r\nUSRC17607839;\"a; b\"\r\nUSRC176O7839;c\r\n");
/// ```
pub struct FixWriter<W: Write> {
    out: W,
    /// The input's encoding when it is not UTF-8: what is written is encoded back into it.
    encoding: Option<&'static encoding_rs::Encoding>,
    encoded: Vec<u8>,
    suggested: bool,
    fixed: u64,
    unfixed: Vec<(Location, String)>,
    unfixed_count: u64,
}

impl<W: Write> FixWriter<W> {
    /// Writes to `out`; `suggested` also applies letter-for-digit fixes.
    pub fn new(out: W, suggested: bool) -> Self {
        FixWriter {
            out,
            encoding: None,
            encoded: Vec::new(),
            suggested,
            fixed: 0,
            unfixed: Vec::new(),
            unfixed_count: 0,
        }
    }

    /// Codes rewritten (a cell may hold several).
    pub fn fixed(&self) -> u64 {
        self.fixed
    }

    /// Invalid codes kept as they were (the first 1,000), with their lines and values.
    pub fn unfixed(&self) -> &[(Location, String)] {
        &self.unfixed
    }

    /// How many invalid codes were kept as they were.
    pub fn unfixed_count(&self) -> u64 {
        self.unfixed_count
    }

    /// The writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes UTF-8 `bytes` in the input's encoding.
    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.encoding {
            None => self.out.write_all(bytes),
            Some(encoding) => {
                self.encoded.clear();
                crate::encoding::encode_into(encoding, bytes, &mut self.encoded);
                self.out.write_all(&self.encoded)
            }
        }
    }
}

impl<W: Write> RecordSink for FixWriter<W> {
    fn start(&mut self, info: &InputInfo<'_>) -> io::Result<()> {
        if info.format == InputFormat::Xlsx {
            return Err(io::Error::other(
                "--fix cannot rewrite an xlsx workbook; use --annotate OUT.csv",
            ));
        }
        if info.format == InputFormat::Parquet {
            return Err(io::Error::other(
                "--fix cannot rewrite a Parquet file; use --annotate OUT.csv",
            ));
        }
        if matches!(info.format, InputFormat::Ern | InputFormat::Dsr) {
            return Err(io::Error::other(
                "--fix cannot rewrite a DDEX message or report; use --annotate OUT.csv",
            ));
        }
        if info.json_array {
            return Err(io::Error::other(
                "--fix cannot rewrite a JSON array record by record; use --annotate OUT.csv, or give JSON Lines (jq -c '.[]')",
            ));
        }
        self.encoding = info.encoding;
        match (info.encoding, info.bom) {
            (Some(encoding), true) => self
                .out
                .write_all(crate::encoding::byte_order_mark(encoding))?,
            (None, true) => self.out.write_all(b"\xEF\xBB\xBF")?,
            (_, false) => {}
        }
        for _ in 0..info.extra_marks {
            self.emit("\u{FEFF}".as_bytes())?;
        }
        Ok(())
    }

    fn record(&mut self, r: &CheckedRecord<'_>) -> io::Result<()> {
        let Some(raw) = r.raw else {
            return Ok(());
        };
        if raw.len() > crate::MAX_LINE {
            return Err(io::Error::other(format!(
                "line {} is longer than {} bytes and was only partly read, so --fix cannot copy it unchanged",
                r.line,
                crate::MAX_LINE
            )));
        }
        // Each code of the record (a cell may hold several) fixed in place; every byte
        // between them, separators included, copied.
        let first = (r.value_range.clone(), r.fix, r.valid, r.value.as_ref());
        let more = r
            .more
            .iter()
            .map(|c| (c.value_range.clone(), c.fix, c.valid, c.value.as_ref()));
        let mut copied = 0;
        for (range, fix, valid, value) in std::iter::once(first).chain(more) {
            let fix = fix
                .filter(|_| valid || self.suggested)
                .map(|f| f.to_string());
            let place_of = range.clone();
            let replacement = fix.zip(range).filter(|(fix, range)| {
                range.start >= copied && raw.get(range.clone()) != Some(fix.as_bytes())
            });
            match replacement {
                Some((fix, range)) => {
                    self.emit(&raw[copied..range.start])?;
                    self.emit(fix.as_bytes())?;
                    copied = range.end;
                    self.fixed += 1;
                }
                None if !valid => {
                    self.unfixed_count += 1;
                    if self.unfixed.len() < 1000 {
                        self.unfixed.push((
                            place(r.file, r.line, raw, place_of.as_ref()),
                            value.chars().take(64).collect(),
                        ));
                    }
                }
                None => {}
            }
        }
        self.emit(&raw[copied..])?;
        Ok(())
    }

    fn passthrough(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.emit(bytes)
    }

    /// `--fix` copies bytes and replaces codes: it reads neither.
    fn wants_duplicate_of(&self) -> bool {
        false
    }

    fn wants_text_fields(&self) -> bool {
        false
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The line and column (bytes, from 1) of a value at `range` of a record starting on
/// `line` (a record may span lines: a quoted field with line breaks before the value).
fn place(file: &str, line: u64, raw: &[u8], range: Option<&Range<usize>>) -> Location {
    let before = range.map_or(&raw[..0], |r| &raw[..r.start.min(raw.len())]);
    let breaks = memchr::memchr_iter(b'\n', before).count() as u64;
    let column = before.len() - memchr::memrchr(b'\n', before).map_or(0, |p| p + 1) + 1;
    Location {
        file: file.to_owned(),
        line: line + breaks,
        column: column as u64,
    }
}
