//! What a [`RecordSink`] (`--annotate`, `--fix`) is given: how an input was understood, and
//! each checked record in input order with its bytes, fields and verdict.

use std::borrow::Cow;
use std::io;
use std::ops::Range;

use isrc::Isrc;

use crate::layout::{Columns, InputFormat};
use crate::report::RuleSet;

use super::chunks::Chunk;
use super::json::{json_lookup, json_text};
use super::verdicts::{Out, split_cell};
use super::worker::{Work, field_range};

/// How one input was understood, given to a [`RecordSink`] before its records.
#[derive(Debug)]
pub struct InputInfo<'a> {
    /// The file name as given.
    pub file: &'a str,
    /// The format read.
    pub format: InputFormat,
    /// The delimiter (CSV/TSV).
    pub delimiter: u8,
    /// Whether the input started with a UTF-8 byte order mark (not part of any record).
    pub bom: bool,
    /// UTF-8 byte order marks (U+FEFF) right after the first one, not part of any record
    /// either (a file saved twice by a tool that adds one); `--fix` writes them back.
    pub extra_marks: usize,
    /// The header row's fields, if there is one.
    pub header: Option<&'a [String]>,
    /// The header row's bytes as in the input, line ending included.
    pub header_raw: Option<&'a [u8]>,
    /// The columns used (CSV, TSV, xlsx).
    pub columns: Option<&'a Columns>,
    /// JSON: the input is one JSON array whose elements are the records (each given as one
    /// line, its line breaks turned into spaces), so it cannot be rewritten record by record.
    pub json_array: bool,
    /// The encoding the input was decoded from (`None`: UTF-8, read as it is); records and
    /// passthrough bytes are given as UTF-8, and `--fix` encodes them back.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// Where the first record of a repeated code is (`duplicate_of`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstRecord {
    /// The file name as given.
    pub file: String,
    /// The line it starts on.
    pub line: u64,
    /// Its number, counting data records from 1 (headers and blank lines excluded; the
    /// later codes of a cell are numbered after their chunk's rows).
    pub number: u64,
}

impl std::fmt::Display for FirstRecord {
    /// `FILE:LINE`, as people and editors read a place in a file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A later code of a cell holding several (`USRC17607839; USRC17607840`): a record of its
/// own on the cell's line, with its own verdict.
#[derive(Debug)]
pub struct CellCode<'a> {
    /// Its number (see [`FirstRecord::number`]).
    pub number: u64,
    /// The code as written in the cell.
    pub value: Cow<'a, str>,
    /// Where it is within the record's `raw_fields[value_field]` (CSV, TSV, xlsx, lines;
    /// `None` for JSON, whose field is the whole line).
    pub value_in_field: Option<Range<usize>>,
    /// Where it is within the record's `raw`, when it can be replaced byte for byte.
    pub value_range: Option<Range<usize>>,
    /// The code, when one can be formed.
    pub isrc: Option<Isrc>,
    /// No error.
    pub valid: bool,
    /// The rules of all its findings.
    pub rules: RuleSet,
    /// The first fix offered.
    pub fix: Option<Isrc>,
    /// The first record with the same ISRC, when this is not it.
    pub duplicate_of: Option<FirstRecord>,
}

/// One checked record, in input order, given to a [`RecordSink`].
///
/// A cell holding several codes is one call: the record's own verdict (`isrc`, `valid`,
/// `rules`, `fix`, `value`, `value_range`) is its first code's, and [`CheckedRecord::more`]
/// holds the others.
#[derive(Debug)]
pub struct CheckedRecord<'a> {
    /// The file it comes from.
    pub file: &'a str,
    /// Its number, counting data records from 1 (headers and blank lines excluded).
    pub number: u64,
    /// The line it starts on.
    pub line: u64,
    /// Its bytes as in the input, line ending included (`None` for xlsx).
    pub raw: Option<&'a [u8]>,
    /// Where the checked value is within `raw`, when it can be replaced byte for byte.
    pub value_range: Option<Range<usize>>,
    /// Its fields (one for lines and JSON Lines: the line without its ending), as text
    /// (bytes that are not UTF-8 read as U+FFFD).
    pub fields: Vec<Cow<'a, str>>,
    /// The same fields as the bytes of the input (without quotes), for writers that must
    /// keep every byte of a Latin-1 or CP1252 title (`--annotate`).
    pub raw_fields: Vec<&'a [u8]>,
    /// The value checked (the first code of a cell holding several).
    pub value: Cow<'a, str>,
    /// The index of the ISRC's field in `fields` (0 for lines and JSON Lines).
    pub value_field: usize,
    /// Where the value is within `raw_fields[value_field]`: all of it unless the cell holds
    /// several codes (`None` for JSON, whose field is the whole line).
    pub value_in_field: Option<Range<usize>>,
    /// The code, when one can be formed.
    pub isrc: Option<Isrc>,
    /// No error.
    pub valid: bool,
    /// The rules of all its findings.
    pub rules: RuleSet,
    /// The first fix offered.
    pub fix: Option<Isrc>,
    /// The first record with the same ISRC, when this is not it.
    pub duplicate_of: Option<FirstRecord>,
    /// The second and later codes of a cell holding several, in the cell's order (empty
    /// for a cell of one value).
    pub more: Vec<CellCode<'a>>,
}

/// Receives every record in input order (for `--annotate` and `--fix`).
pub trait RecordSink {
    /// Called once per input before its records.
    fn start(&mut self, info: &InputInfo<'_>) -> io::Result<()>;
    /// Called for each record.
    fn record(&mut self, record: &CheckedRecord<'_>) -> io::Result<()>;
    /// Called with the input bytes between records that are not records (a header row,
    /// blank lines), in order.
    fn passthrough(&mut self, bytes: &[u8]) -> io::Result<()> {
        let _ = bytes;
        Ok(())
    }
    /// Called once per input after its records.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Whether the sink reads `duplicate_of` (of a record and of the later codes of its
    /// cell). Finding the first record of every code costs a map entry per record; a sink
    /// that never reads it (`--fix`) says `false` and gets `None` there.
    fn wants_duplicate_of(&self) -> bool {
        true
    }
    /// Whether the sink reads [`CheckedRecord::fields`] (the fields as text, decoded per
    /// record); a sink that says `false` gets them empty (`raw_fields` is always given).
    fn wants_text_fields(&self) -> bool {
        true
    }
}

/// The view of record `i` of a chunk for a sink; `extras` are the chunk's later codes of
/// cells still to be given (the first ones belong to this record when its cell holds
/// several), numbered from `extra_number`. Returns the record and how many extras it took;
/// `duplicate_of` is left for the caller.
pub(super) fn view<'a>(
    chunk: &'a Chunk,
    i: usize,
    out: &Out,
    work: &Work,
    at: (&'a str, u64, u64),
    (extras, extra_number): (&[Out], u64),
    text_fields: bool,
) -> (CheckedRecord<'a>, usize) {
    let (file, number, line) = at;
    let lossy = |b: &'a [u8]| String::from_utf8_lossy(b);
    let (raw, value_range, raw_fields, value_field, value) = match (work, &chunk.table) {
        (
            Work::Table {
                columns, delimiter, ..
            },
            Some(table),
        ) => {
            let row = &table.rows[i];
            let fields: Vec<&'a [u8]> = row
                .ends
                .clone()
                .map(|e| {
                    let s = if e == row.ends.start {
                        row.field_base
                    } else {
                        table.ends[e - 1]
                    };
                    &table.fields[s..table.ends[e]]
                })
                .collect();
            let raw = chunk.data.get(row.raw.clone()).filter(|r| !r.is_empty());
            let value = fields
                .get(columns.isrc)
                .map(|f| Cow::Borrowed(*f))
                .unwrap_or_default();
            let range = raw.and_then(|r| field_range(r, *delimiter, columns.isrc));
            (raw, range, fields, columns.isrc, value)
        }
        _ => {
            let (raw, content) = line_at(&chunk.data, out.offset);
            let value_range = match work {
                Work::Json(fields) => std::str::from_utf8(content).ok().and_then(|t| {
                    let (v, offset) = json_lookup(t, &fields.isrc).ok().flatten()?;
                    // Inside the quotes: a fixed code needs no escapes, so one written with
                    // `\uXXXX` escapes is decoded, fixed and written plainly.
                    let s = v.get();
                    (s.starts_with('"') && s.len() >= 2).then(|| offset + 1..offset + s.len() - 1)
                }),
                _ => Some(0..content.len()),
            };
            let value = match work {
                Work::Json(fields) => std::str::from_utf8(content)
                    .ok()
                    .and_then(|t| json_lookup(t, &fields.isrc).ok().flatten())
                    .map(|(v, _)| Cow::Owned(json_text(v).into_owned().into_bytes()))
                    .unwrap_or_default(),
                _ => Cow::Borrowed(content),
            };
            (Some(raw), value_range, vec![content], 0, value)
        }
    };
    // A cell of several codes: the workers split it the same way (`split_cell`), the first
    // code was this record's and the others went to the chunk's extras, in order. A part
    // can be replaced in place only where the cell's bytes in `raw` are the value itself
    // (no doubled quotes or JSON escapes before it).
    let parts = split_cell(&value).unwrap_or_default();
    let in_place = value_range
        .clone()
        .filter(|r| raw.and_then(|raw| raw.get(r.clone())) == Some(&*value));
    let part_range = |offset: usize, len: usize| {
        in_place
            .as_ref()
            .map(|r| r.start + offset..r.start + offset + len)
    };
    // Lines and tables: the value is the field itself; JSON: a string within the line.
    let in_field = |offset: usize, len: usize| {
        (!matches!(work, Work::Json(_))).then_some(offset..offset + len)
    };
    let (value_in_field, value_range) = match parts.first() {
        Some(&(offset, part)) => (in_field(offset, part.len()), part_range(offset, part.len())),
        None => (in_field(0, value.len()), value_range),
    };
    let taken = parts.len().saturating_sub(1).min(extras.len());
    let more = parts
        .iter()
        .skip(1)
        .zip(&extras[..taken])
        .enumerate()
        .map(|(k, (&(offset, part), extra))| CellCode {
            number: extra_number + k as u64,
            value: Cow::Owned(String::from_utf8_lossy(part).into_owned()),
            value_in_field: in_field(offset, part.len()),
            value_range: part_range(offset, part.len()),
            isrc: extra.code,
            valid: extra.valid,
            rules: extra.rules,
            fix: extra.fix,
            duplicate_of: None,
        })
        .collect();
    let value = match parts.first() {
        Some(&(_, part)) => Cow::Owned(String::from_utf8_lossy(part).into_owned()),
        None => match &value {
            Cow::Borrowed(b) => lossy(b),
            Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(b).into_owned()),
        },
    };
    let record = CheckedRecord {
        file,
        number,
        line,
        raw,
        value_range,
        fields: if text_fields {
            raw_fields.iter().map(|f| lossy(f)).collect()
        } else {
            Vec::new()
        },
        raw_fields,
        value,
        value_field,
        value_in_field,
        isrc: out.code,
        valid: out.valid,
        rules: out.rules,
        fix: out.fix,
        duplicate_of: None,
        more,
    };
    (record, taken)
}

/// Where record `i` is in the chunk's data.
pub(super) fn record_span(chunk: &Chunk, i: usize, out: &Out) -> Range<usize> {
    match &chunk.table {
        Some(table) => table.rows.get(i).map_or(0..0, |r| r.raw.clone()),
        None => {
            let (raw, _) = line_at(&chunk.data, out.offset);
            out.offset..out.offset + raw.len()
        }
    }
}

/// The line starting at `start` in a chunk: with its ending, and without.
pub(super) fn line_at(data: &[u8], start: usize) -> (&[u8], &[u8]) {
    let start = start.min(data.len());
    let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p + 1);
    let raw = &data[start..end];
    let content = raw.strip_suffix(b"\n").unwrap_or(raw);
    let content = content.strip_suffix(b"\r").unwrap_or(content);
    (raw, content)
}
