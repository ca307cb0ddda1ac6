//! What a worker does with a chunk: its records split out (lines, JSON Lines, CSV rows) and
//! checked, with the metadata conflicts need.

use isrc::{Isrc, Policy, rule::Severity};

use crate::dense::{GroupMemo, PageBatch, compact_key, take_known_codes};

use super::code_log::ChunkLog;
use crate::layout::{Columns, JsonFields};
pub(crate) use crate::quoting::field_range;
use crate::quoting::{BrokenQuote, broken_quote};
use crate::source::MAX_LINE;
use crate::table::parse_block;
use isrc::recording::fold_hash_bytes;

use super::against::Fields;
use super::chunks::{Chunk, Control};
use super::index::Meta;
use super::json::check_json;
use super::verdicts::{ChunkResult, Tally, duration_of};

/// What the workers do with a chunk.
pub(super) enum Work {
    Lines,
    Json(JsonFields),
    Table {
        columns: Columns,
        width: usize,
        delimiter: u8,
        /// The first record of the input is a header row (blocks still to be parsed).
        header: bool,
    },
}

pub(super) struct Done {
    pub(super) chunk: Chunk,
    pub(super) result: ChunkResult,
}

/// The lines of a chunk: 1-based line number within the chunk, byte offset, and the text
/// without its `\n` or `\r\n`.
pub(super) fn chunk_lines(data: &[u8]) -> impl Iterator<Item = (u64, usize, &[u8])> {
    let mut start = 0usize;
    let mut line = 0u64;
    std::iter::from_fn(move || {
        if start >= data.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
        line += 1;
        let text = &data[start..end];
        let offset = start;
        start = end + 1;
        Some((line, offset, text.strip_suffix(b"\r").unwrap_or(text)))
    })
}

pub(super) fn process(
    mut chunk: Chunk,
    work: &Work,
    policy: &Policy<'_>,
    dense: bool,
    compare: bool,
    log_codes: bool,
    control: &Control,
) -> Done {
    if dense && matches!(work, Work::Lines) && chunk.overlong.is_none() {
        let mut tally = Tally::new(policy);
        tally.data = (chunk.data.as_ptr() as usize, chunk.data.len());
        tally.list_invalid = !control
            .listed_enough
            .load(std::sync::atomic::Ordering::Relaxed);
        (tally.res.outs, tally.res.metas) = control.outcomes();
        let log = log_codes.then(ChunkLog::default);
        dense_lines(&mut tally, &chunk.data, control.batch(), log);
        tally.close_groups();
        return Done {
            chunk,
            result: tally.res,
        };
    }
    let mut tally = Tally::new(policy);
    tally.data = (chunk.data.as_ptr() as usize, chunk.data.len());
    tally.list_invalid = !control
        .listed_enough
        .load(std::sync::atomic::Ordering::Relaxed);
    tally.compare = compare;
    (tally.res.outs, tally.res.metas) = control.outcomes();
    match work {
        Work::Lines => {
            let mut lines = 0;
            for (line, offset, text) in chunk_lines(&chunk.data) {
                lines = line;
                tally.offset = offset;
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if let Some(total) = chunk.overlong {
                    tally.res.issues.push((
                        line,
                        MAX_LINE as u64 + 1,
                        format!("the line is {total} bytes long; only its first {MAX_LINE} bytes were read"),
                    ));
                }
                tally.check(text, line, 1);
            }
            tally.res.lines = lines;
        }
        Work::Json(fields) => {
            let mut lines = 0;
            for (line, offset, text) in chunk_lines(&chunk.data) {
                lines = line;
                tally.offset = offset;
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                check_json(&mut tally, text, line, fields, chunk.overlong);
            }
            tally.res.lines = lines;
        }
        Work::Table {
            columns,
            width,
            delimiter,
            header,
        } => {
            if let Some(parse) = chunk.parse.take() {
                // A reader's own records (a DSR's): made into rows here, on the worker.
                let data = std::mem::take(&mut chunk.data);
                let mut parsed = control.table();
                parsed.fields.clear();
                parsed.unquoted_header = None;
                parse(&data, &mut parsed);
                control.give_data(data);
                chunk.table = Some(parsed);
            }
            if chunk.table.is_none() {
                let skip_header = *header && chunk.seq == 0;
                let mut parsed = control.table();
                let lines = parse_block(
                    &chunk.data,
                    *delimiter,
                    skip_header,
                    &chunk.unquoted,
                    &mut parsed,
                );
                chunk.table = Some(parsed);
                tally.res.lines = lines;
            }
            if let Some(table) = &chunk.table {
                if let Some((line, raw)) = &table.unquoted_header {
                    let raw = chunk.data.get(raw.clone()).unwrap_or_default();
                    unclosed_quote(&mut tally, raw, *line, *delimiter);
                }
                let meta = columns.has_meta();
                for row in &table.rows {
                    let field = |i: usize| -> Option<&[u8]> {
                        let e = table
                            .ends
                            .get(row.ends.start + i)
                            .filter(|_| row.ends.start + i < row.ends.end)?;
                        let s = if i == 0 {
                            row.field_base
                        } else {
                            table.ends[row.ends.start + i - 1]
                        };
                        table.fields.get(s..*e)
                    };
                    let raw = chunk.data.get(row.raw.clone()).unwrap_or_default();
                    let n = row.ends.len();
                    if *width > 0
                        && n != *width
                        && !(n == 1 && field(0).is_some_and(<[u8]>::is_empty))
                    {
                        tally.res.issues.push((
                            row.line,
                            1,
                            format!("ragged row: {n} fields where the first row has {width}"),
                        ));
                    }
                    if row.unquoted {
                        unclosed_quote(&mut tally, raw, row.line, *delimiter);
                    } else if memchr::memchr(b'"', raw).is_some() {
                        check_quotes(&mut tally, raw, row.line, *delimiter);
                    }
                    match field(columns.isrc) {
                        Some(value) => {
                            let column = || {
                                if raw.is_empty() {
                                    columns.isrc as u64 + 1
                                } else {
                                    // On its own line: a record's bytes may start
                                    // with blank lines the csv crate skipped.
                                    field_range(raw, *delimiter, columns.isrc)
                                        .map_or(1, |r| line_col(raw, r.start).1)
                                }
                            };
                            let before = tally.res.utf8_at.len();
                            tally.check_with(value, row.line, column);
                            if tally.res.utf8_at.len() > before {
                                utf8_offsets(
                                    &mut tally.res,
                                    before,
                                    (raw, row.raw.start, row.line),
                                    *delimiter,
                                    columns.isrc,
                                );
                            }
                        }
                        None => tally.missing(
                            row.line,
                            1,
                            format!(
                                "missing value: the row has {n} fields, the ISRC is in column {}",
                                columns.isrc + 1
                            ),
                        ),
                    }
                    if meta {
                        let title = columns.title.and_then(field);
                        let artist = columns.artist.and_then(field);
                        let title_artist = (title.is_some() || artist.is_some()).then(|| {
                            fold_hash_bytes(&[
                                title.unwrap_or_default(),
                                artist.unwrap_or_default(),
                            ])
                        });
                        let version = columns.version.and_then(field);
                        let version_hash = version.map(|v| fold_hash_bytes(&[v]));
                        let duration = columns
                            .duration
                            .and_then(|(i, unit)| field(i).and_then(|f| duration_of(f, unit)));
                        if tally.compare {
                            tally
                                .res
                                .compared
                                .push(Fields::of(title, artist, version, duration));
                        }
                        let m = Meta::new(title_artist, version_hash, duration);
                        tally.res.metas.push(m);
                        // The recording, for duplicate recordings under other codes: only
                        // with both a title and an artist (a title alone, "Intro", says
                        // little).
                        // The fingerprints already taken, mixed: no second pass over the text.
                        let recording = match (title, artist, title_artist) {
                            (Some(t), Some(a), Some(h)) if !t.is_empty() && !a.is_empty() => (h
                                ^ version_hash.unwrap_or(0).rotate_left(17))
                            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                            .max(1),
                            _ => 0,
                        };
                        tally.res.recordings.push(recording);
                    }
                }
            }
        }
    }
    tally.close_groups();
    tally.res.records = (tally.res.outs.len() + tally.res.extras.len()) as u64;
    Done {
        chunk,
        result: tally.res,
    }
}

/// A chunk of a plain list for the dense index: compact codes whose verdict is clean are
/// counted per group and go into bit pages; every other line takes the long way
/// ([`Tally::check`]).
/// With `log`, every record's code and line also go to [`ChunkResult::log`] in record order.
pub(super) fn dense_lines(
    tally: &mut Tally<'_, '_>,
    data: &[u8],
    mut batch: PageBatch,
    mut log: Option<ChunkLog>,
) {
    if let Some(log) = log.as_mut() {
        // About one compact code a line: room at once rather than doubling as it fills.
        log.codes.reserve(data.len() / 13 + 1);
    }
    let mut memo = GroupMemo::new();
    let mut counted = 0u64;
    let mut line = 0u64;
    let mut start = 0usize;
    // Every record that took the long way, logged when it is checked.
    let log_long_way = |tally: &Tally<'_, '_>, log: &mut Option<ChunkLog>, from: (usize, usize)| {
        if let Some(log) = log.as_mut() {
            let (outs, extras) = (&tally.res.outs[from.0..], &tally.res.extras[from.1..]);
            for out in outs.iter().chain(extras) {
                log.push(out.code.map_or(0, |c| c.to_u64()), out.line);
            }
        }
    };
    while start < data.len() {
        let before = log.as_ref().map(|l| l.codes.len());
        let (next, taken) = take_known_codes(
            data,
            start,
            &mut memo,
            &mut batch,
            log.as_mut().map(|l| &mut l.codes),
        );
        if let Some(log) = log.as_mut() {
            debug_assert_eq!(before.map(|b| b + taken as usize), Some(log.codes.len()));
            log.lines(line + 1, taken);
        }
        start = next;
        line += taken;
        counted += taken;
        if start >= data.len() {
            break;
        }
        line += 1;
        // Most lines are a compact code and its \n: try that before searching for the \n.
        let (text, key) = match data.get(start + 12) {
            Some(b'\n') if let Some(key) = compact_key(&data[start..start + 12]) => {
                start += 13;
                (&data[start - 13..start - 1], Some(key))
            }
            _ => {
                let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
                let text = &data[start..end];
                start = end + 1;
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                (text, compact_key(text))
            }
        };
        if let Some(code) = key.and_then(Isrc::from_u64)
            && let Ok(compact) = <&[u8; 12]>::try_from(text)
        {
            if let Err(group) = memo.count(compact) {
                // A new group: its verdict from the core, remembered when clean.
                match tally.cache.compact(text) {
                    Some(v)
                        if v.fix.is_none() && v.severity.is_none_or(|s| s < Severity::Warning) =>
                    {
                        if let Some(evicted) = memo.insert(group, code.to_u64(), v.rules) {
                            tally.add_group(evicted);
                        }
                    }
                    _ => {
                        let from = (tally.res.outs.len(), tally.res.extras.len());
                        tally.check(text, line, 1);
                        log_long_way(tally, &mut log, from);
                        continue;
                    }
                }
            }
            counted += 1;
            batch.insert(code.to_u64());
            if let Some(log) = log.as_mut() {
                log.push(code.to_u64(), line);
            }
            continue;
        }
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let from = (tally.res.outs.len(), tally.res.extras.len());
        tally.check(text, line, 1);
        log_long_way(tally, &mut log, from);
    }
    for group in memo.drain().collect::<Vec<_>>() {
        tally.add_group(group);
    }
    for out in tally
        .res
        .outs
        .drain(..)
        .chain(tally.res.extras.iter().copied())
    {
        if let Some(code) = out.code {
            batch.insert(code.to_u64());
        }
        counted += 1;
    }
    batch.close();
    tally.res.lines = line;
    tally.res.records = counted;
    tally.res.batch = Some(batch);
    // A log that missed a record would put lines on the wrong codes: none then.
    tally.res.log = log.filter(|l| l.codes.len() as u64 == counted);
}

/// Reports an unbalanced quote in a CSV record: a quote inside an unquoted field, or a
/// quoted field that is never closed. (An even number of quotes is left alone: a title such
/// as `a "quoted" word` in an unquoted field reads as it was meant.)
pub(super) fn check_quotes(tally: &mut Tally<'_, '_>, raw: &[u8], line: u64, delimiter: u8) {
    if memchr::memchr_iter(b'"', raw).count().is_multiple_of(2) {
        return;
    }
    let (at, message) = match broken_quote(raw, delimiter) {
        Some(BrokenQuote::Stray(at)) => (
            at,
            "broken quoting: a quote inside an unquoted field (quote the field and double the quote)",
        ),
        Some(BrokenQuote::Unclosed(at)) => (
            at,
            "broken quoting: this quoted field is never closed, so the lines after it were read as part of it",
        ),
        None => return,
    };
    let (dl, col) = line_col(raw, at);
    tally.res.issues.push((line + dl, col, message.into()));
}

/// Reports the unclosed quote of a record read with quoting off (see `table::QuoteScan`), at
/// the quote that opened the field.
pub(super) fn unclosed_quote(tally: &mut Tally<'_, '_>, raw: &[u8], line: u64, delimiter: u8) {
    let at = match broken_quote(raw, delimiter) {
        Some(BrokenQuote::Unclosed(at)) => at,
        _ => 0,
    };
    let (dl, col) = line_col(raw, at);
    tally.res.issues.push((
        line + dl,
        col,
        format!(
            "broken quoting: the quoted field opened here is never closed (no closing quote within {} lines, or before the end of the file); the row was read up to the end of this line with its quotes as plain text, and the next line as the next row",
            crate::table::MAX_QUOTED_LINES
        ),
    ));
}

/// The offsets in the chunk of the invalid UTF-8 that the issues `utf8_at[from..]` (of one
/// CSV field, in order) are about, and their lines and columns in the input: the field's raw
/// bytes hold the same bad sequences in the same order (unquoting removes only ASCII
/// quotes), where they are in the input.
#[cold]
fn utf8_offsets(
    res: &mut ChunkResult,
    from: usize,
    (raw, raw_start, line): (&[u8], usize, u64),
    delimiter: u8,
    column: usize,
) {
    let Some(range) = field_range(raw, delimiter, column) else {
        return;
    };
    let mut at = range.start;
    for k in from..res.utf8_at.len() {
        let (issue, offset) = &mut res.utf8_at[k];
        if offset.is_some() {
            continue;
        }
        let rest = raw.get(at..range.end).unwrap_or_default();
        let Err(e) = std::str::from_utf8(rest) else {
            break;
        };
        let bad = at + e.valid_up_to();
        *offset = Some(raw_start + bad);
        if let Some(found) = res.issues.get_mut(*issue) {
            // `line` is where the record starts: after the blank lines its bytes may begin
            // with (the csv crate skips them).
            let blank = |b: &u8| matches!(b, b'\n' | b'\r');
            let lead = raw
                .iter()
                .take_while(|b| blank(b))
                .filter(|b| **b == b'\n')
                .count();
            let (dl, col) = line_col(raw, bad);
            (found.0, found.1) = (line + dl - lead as u64, col);
        }
        at = bad + e.error_len().unwrap_or(rest.len() - e.valid_up_to());
    }
}

/// Line offset and 1-based column of byte `at` within `raw`.
pub(super) fn line_col(raw: &[u8], at: usize) -> (u64, u64) {
    let before = &raw[..at.min(raw.len())];
    let lines = memchr::memchr_iter(b'\n', before).count() as u64;
    let col = at - memchr::memrchr(b'\n', before).map_or(0, |p| p + 1) + 1;
    (lines, col as u64)
}
