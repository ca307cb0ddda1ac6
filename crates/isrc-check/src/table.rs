//! CSV and TSV in parallel: the reader cuts the input into blocks that end on a record
//! boundary, found by following the quoting alone, and each worker parses its own block
//! with `csv_core`, the `csv` crate's parser.
//!
//! A block may only end where the `csv` crate, reading the whole input from its start,
//! would end a record; [`QuoteScan`] follows the crate's quoting rules to find such places.
//! A unit test and the `check_reader` fuzz target compare the figures of tiny blocks with
//! those of one block.

use std::io::{self, Read};
use std::ops::Range;

use crate::engine::{Chunk, ChunkSource, Control};
use crate::source::{Limiter, MAX_LINE};

/// The fields of the records of one chunk, one after another.
#[derive(Default)]
pub(crate) struct TableChunk {
    /// The fields' bytes; after the last field's end, room kept for reuse (parsed blocks).
    pub(crate) fields: Vec<u8>,
    /// Where each field ends in `fields`.
    pub(crate) ends: Vec<usize>,
    pub(crate) rows: Vec<Row>,
    /// The skipped header row when it was read with quoting off (an unclosed quote is in
    /// it, to be reported like one in any row): its line and its bytes in the chunk's data.
    pub(crate) unquoted_header: Option<(u64, Range<usize>)>,
}

/// One record of a [`TableChunk`].
pub(crate) struct Row {
    /// The line it starts on (relative to the chunk for parsed blocks).
    pub(crate) line: u64,
    /// Its bytes in the chunk's data, line ending included.
    pub(crate) raw: Range<usize>,
    /// Where its first field starts in `fields`.
    pub(crate) field_base: usize,
    /// Its range in `ends`.
    pub(crate) ends: Range<usize>,
    /// Read with quoting off: a quoted field in it is never closed (see [`QuoteScan`]).
    pub(crate) unquoted: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Quoting {
    /// Outside quotes: a `\n` here ends a record.
    Outside,
    /// Inside a quoted field.
    Inside,
    /// A quote inside a quoted field: the end of the field, or the first of two quotes.
    Closing,
}

/// Follows the quoting of delimited text the way the `csv` crate reads it (quoting on,
/// doubled quotes, no escape character, no comments): a quote opens a quoted field only at
/// the start of a field, elsewhere it is an ordinary byte; inside a quoted field, two
/// quotes stand for one and a single quote closes it.
///
/// A quoted field that is never closed would swallow the rest of the file (the csv crate
/// reads it as one field), so a quoted field still open after [`MAX_QUOTED_LINES`] line
/// breaks, or at the end of the input, is taken for an unclosed quote: its record, up to
/// the end of the line where the quote opened, is read with quoting off ([`QuoteScan::unquoted`]),
/// and scanning starts again on the next line, so the rows after it are still checked.
struct QuoteScan {
    delimiter: u8,
    state: Quoting,
    /// After the last `\n` seen outside quotes: where a block may end.
    boundary: Option<usize>,
    /// Inside a quoted field: where its record starts, where the quote is, and the line
    /// breaks seen inside it so far.
    open: Option<(usize, usize, usize)>,
    /// Records to read with quoting off: from their start to the end of the line where their
    /// unclosed quote is.
    unquoted: Vec<Range<usize>>,
}

/// Line breaks a quoted field may hold before its opening quote is taken for one that is
/// never closed. Real multi-line fields (addresses, notes, lyrics) are far shorter; a stray
/// quote would otherwise hide every row after it.
pub const MAX_QUOTED_LINES: usize = 100;

impl QuoteScan {
    fn new(delimiter: u8) -> QuoteScan {
        QuoteScan {
            delimiter,
            state: Quoting::Outside,
            boundary: None,
            open: None,
            unquoted: Vec::new(),
        }
    }

    /// The quoted field open since `open` is taken for an unclosed quote: its record, to the
    /// end of the quote's line, is read unquoted, and scanning goes on from the next line.
    /// Returns where to scan from.
    fn resync(&mut self, data: &[u8]) -> usize {
        let Some((record, quote, _)) = self.open.take() else {
            return data.len();
        };
        let end = memchr::memchr(b'\n', &data[quote..]).map_or(data.len(), |p| quote + p + 1);
        self.unquoted.push(record..end);
        self.state = Quoting::Outside;
        if end < data.len() || data.last() == Some(&b'\n') {
            self.boundary = Some(end);
        }
        end
    }

    /// At the end of the input: a quoted field still open is an unclosed quote (rescanning
    /// after it may find more).
    fn finish(&mut self, data: &[u8]) {
        while self.state == Quoting::Inside {
            let from = self.resync(data);
            self.scan(data, from);
        }
    }

    /// Scans `data[from..]` (the bytes before `from` were scanned by earlier calls).
    fn scan(&mut self, data: &[u8], from: usize) {
        let mut i = from;
        while i < data.len() {
            match self.state {
                Quoting::Outside => {
                    let next_quote = memchr::memchr(b'"', &data[i..]).map(|q| i + q);
                    let end = next_quote.unwrap_or(data.len());
                    if let Some(nl) = memchr::memrchr(b'\n', &data[i..end]) {
                        self.boundary = Some(i + nl + 1);
                    }
                    let Some(q) = next_quote else {
                        break;
                    };
                    // A block starts on a record boundary: as if after a `\n`. The parser
                    // of a block drops a byte order mark at its start (only the input's first
                    // block may start with one), so a quote right after it starts a field.
                    let before = if q == 0 || (q == 3 && data.starts_with(b"\xEF\xBB\xBF")) {
                        b'\n'
                    } else {
                        data[q - 1]
                    };
                    if before == self.delimiter || before == b'\n' || before == b'\r' {
                        self.state = Quoting::Inside;
                        if self.open.is_none() {
                            self.open = Some((self.boundary.unwrap_or(0), q, 0));
                        }
                    }
                    i = q + 1;
                }
                Quoting::Inside => {
                    let next_quote = memchr::memchr(b'"', &data[i..]).map(|q| i + q);
                    let end = next_quote.unwrap_or(data.len());
                    if let Some((_, _, breaks)) = &mut self.open {
                        *breaks += memchr::memchr_iter(b'\n', &data[i..end]).count();
                        if *breaks > MAX_QUOTED_LINES {
                            i = self.resync(data);
                            continue;
                        }
                    }
                    match next_quote {
                        Some(q) => {
                            self.state = Quoting::Closing;
                            i = q + 1;
                        }
                        None => i = data.len(),
                    }
                }
                Quoting::Closing => {
                    if data[i] == b'"' {
                        self.state = Quoting::Inside;
                        i += 1;
                    } else {
                        // The field is closed; this byte is read outside quotes.
                        self.state = Quoting::Outside;
                        self.open = None;
                    }
                }
            }
        }
    }

    /// The buffer was cut at `at` (a boundary): positions move down.
    fn cut(&mut self, at: usize) {
        self.boundary = self.boundary.filter(|b| *b > at).map(|b| b - at);
        if let Some((record, quote, _)) = &mut self.open {
            *record = record.saturating_sub(at);
            *quote -= at;
        }
    }

    /// The unquoted records before `at` (a boundary), for the block that ends there; those
    /// after it move down with [`QuoteScan::cut`].
    fn take_unquoted(&mut self, at: usize) -> Vec<Range<usize>> {
        let later = self.unquoted.iter().position(|r| r.start >= at);
        let rest = later.map_or_else(Vec::new, |i| self.unquoted.split_off(i));
        std::mem::replace(
            &mut self.unquoted,
            rest.into_iter().map(|r| r.start - at..r.end - at).collect(),
        )
    }
}

/// Cuts a delimited text into blocks that end on record boundaries, one block per call (the
/// workers take turns, as with [`crate::engine::chunks::LineChunks`]). Lines longer than
/// [`MAX_LINE`] are cut by a [`Limiter`] and reported with the block that holds them.
pub(crate) struct TableChunks {
    reader: Limiter<Box<dyn Read + Send>>,
    scan: QuoteScan,
    /// The start of the next block, already scanned.
    buf: Vec<u8>,
    header: bool,
    seq: u64,
}

impl TableChunks {
    pub(crate) fn new(reader: impl Read + Send + 'static, delimiter: u8, header: bool) -> Self {
        TableChunks {
            reader: Limiter::new(Box::new(reader)),
            scan: QuoteScan::new(delimiter),
            buf: Vec::new(),
            header,
            seq: 0,
        }
    }

    fn read_block(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        if self.buf.capacity() == 0 {
            self.buf = control.buffer();
        }
        loop {
            let scanned = self.buf.len();
            let want = if scanned < control.chunk {
                control.chunk - scanned
            } else {
                64 * 1024
            };
            let n = (&mut self.reader)
                .take(want as u64)
                .read_to_end(&mut self.buf)?;
            if n == 0 {
                if !self.buf.is_empty() || self.seq == 0 {
                    self.scan.finish(&self.buf);
                    let unquoted = self.scan.take_unquoted(usize::MAX);
                    let block = std::mem::take(&mut self.buf);
                    return Ok(Some(self.block(block, unquoted)));
                }
                return Ok(None);
            }
            self.scan.scan(&self.buf, scanned);
            if self.buf.len() < control.chunk {
                continue;
            }
            // The csv crate drops a byte order mark at the start of what it reads, so a block
            // must not start with one (or with what may be the start of one): only the input's
            // first record loses it, as when one reader reads the whole input.
            let buf = &self.buf;
            let Some(cut) = self
                .scan
                .boundary
                .filter(|&c| c < buf.len() && buf[c] != 0xEF)
            else {
                continue;
            };
            // The header row (the first record) must be in the first block, which skips it;
            // blank lines, and a byte order mark that the csv crate drops, are no record.
            let first = &self.buf[..cut];
            let first = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(first);
            if self.header && self.seq == 0 && first.iter().all(|b| matches!(b, b'\n' | b'\r')) {
                continue;
            }
            let mut next = control.buffer();
            next.extend_from_slice(&self.buf[cut..]);
            self.buf.truncate(cut);
            let unquoted = self.scan.take_unquoted(cut);
            self.scan.cut(cut);
            let block = std::mem::replace(&mut self.buf, next);
            return Ok(Some(self.block(block, unquoted)));
        }
    }

    fn block(&mut self, data: Vec<u8>, unquoted: Vec<Range<usize>>) -> Chunk {
        let issues = self
            .reader
            .take_cut()
            .into_iter()
            .map(|e| {
                (
                    e.line,
                    MAX_LINE as u64 + 1,
                    format!(
                        "the line is {} bytes long; only its first {} bytes were read",
                        e.length, MAX_LINE
                    ),
                )
            })
            .collect();
        self.seq += 1;
        Chunk::block(self.seq - 1, data, issues, unquoted)
    }
}

impl ChunkSource for TableChunks {
    fn next(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        self.read_block(control)
    }
}

/// Parses one block into `table` (no rows; `fields` may hold bytes of an earlier block,
/// which are overwritten) with `csv_core`, the `csv` crate's own parser (the
/// same quoting, byte order mark and line-ending rules), writing the fields straight into the
/// table instead of into a record that would then be copied: its records (without the
/// header row when `skip_header`), with line numbers relative to the block. The records in
/// `unquoted` (ranges of the block, see [`QuoteScan`]) are read with quoting off. Returns
/// the number of lines in the block.
pub(crate) fn parse_block(
    data: &[u8],
    delimiter: u8,
    skip_header: bool,
    unquoted: &[Range<usize>],
    table: &mut TableChunk,
) -> u64 {
    use csv_core::ReadRecordResult;
    let mut quoted_reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut skip = skip_header;
    table.unquoted_header = None;
    // The fields are written straight into `table.fields`, whose length is its initialized
    // room while parsing (`used` bytes hold fields); the ends go to a scratch list, relative
    // to the record's start. The room left by an earlier block is reused as it is: zeroing
    // it again cost more than any other copy of the block.
    let mut used = 0;
    // Fields are never longer than the block (quotes, delimiters and line endings go): room
    // for them at once, instead of doubling (and zeroing) a fresh table's buffer as it fills.
    if table.fields.len() < data.len() + 1024 {
        table.fields.resize(data.len() + 1024, 0);
    }
    let mut ends: Vec<usize> = vec![0; 64];
    let mut pos = 0usize;
    // Line breaks read by the readers of unquoted records.
    let mut unquoted_lines = 0u64;
    let mut unquoted = unquoted.iter().peekable();
    // The reader of the unquoted record being read, and where that record ends.
    let mut plain: Option<(csv_core::Reader, usize)> = None;
    // The parser drops a byte order mark at the start of its first input: one that starts
    // after an unquoted record is fed a blank line first (no record, one line less).
    let mut quoted_started = false;
    let mut primed = 0u64;
    loop {
        if plain.as_ref().is_some_and(|(_, end)| pos >= *end) {
            let (reader, _) = plain.take().unwrap_or_else(|| unreachable!());
            unquoted_lines += reader.line() - 1;
        }
        // A range the quoted reader has passed (it cannot, when the scan and the parser
        // agree) is dropped rather than left to block the later ones.
        while plain.is_none() && unquoted.peek().is_some_and(|r| r.start < pos) {
            unquoted.next();
        }
        if plain.is_none()
            && let Some(range) = unquoted.peek()
            && range.start >= pos
            && data[pos..range.start]
                .iter()
                .all(|b| matches!(b, b'\n' | b'\r'))
        {
            let reader = csv_core::ReaderBuilder::new()
                .delimiter(delimiter)
                .quoting(false)
                .build();
            plain = Some((reader, range.end));
            unquoted.next();
        }
        let start = pos;
        // Each parser counts every \n it has consumed (from 1).
        if plain.is_none() && !quoted_started {
            quoted_started = true;
            if pos > 0 {
                let mut out = [0u8; 1];
                let mut ends = [0usize; 1];
                quoted_reader.read_record(b"\n", &mut out, &mut ends);
                primed = 1;
            }
        }
        let newlines_before = quoted_reader.line() - 1 - primed
            + unquoted_lines
            + plain.as_ref().map_or(0, |(reader, _)| reader.line() - 1);
        let (rdr, input_end) = match &mut plain {
            Some((reader, end)) => (reader, *end),
            None => (&mut quoted_reader, data.len()),
        };
        let field_base = used;
        let (mut outlen, mut endlen) = (0usize, 0usize);
        let done = loop {
            if table.fields.len() < field_base + outlen + 1024 {
                let room = (field_base + outlen + 1024).max(table.fields.len() * 2);
                table.fields.resize(room, 0);
            }
            let (res, nin, nout, nend) = rdr.read_record(
                &data[pos..input_end],
                &mut table.fields[field_base + outlen..],
                &mut ends[endlen..],
            );
            pos += nin;
            outlen += nout;
            endlen += nend;
            match res {
                // At the end of the block the next call, with no input, ends the record.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let room = table.fields.len() * 2;
                    table.fields.resize(room, 0);
                }
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record => break false,
                ReadRecordResult::End => break true,
            }
        };
        if done {
            if plain.is_some() {
                // An unquoted record at the very end of the block.
                pos = input_end;
                continue;
            }
            break;
        }
        // Like the `csv` crate, a record's start is where the reader stood before it, so it
        // may include the \n of a \r\n ending and skipped blank lines: step over them.
        let mut a = start;
        while a < pos && matches!(data[a], b'\n' | b'\r') {
            a += 1;
        }
        // A record's line is 1 + the \n before its first byte. The byte order mark that the
        // parser drops at the start of its input may stand before blank lines too (the raw
        // bytes keep it, as the csv crate's record position does).
        let mut first = a;
        if start == 0 && data.starts_with(b"\xEF\xBB\xBF") {
            first = pos.min(3);
            while first < pos && matches!(data[first], b'\n' | b'\r') {
                first += 1;
            }
        }
        let skipped = data[start..first].iter().filter(|&&b| b == b'\n').count() as u64;
        let line = newlines_before + skipped + 1;
        if std::mem::take(&mut skip) {
            if plain.is_some() {
                table.unquoted_header = Some((line, a..pos.max(a)));
            }
            continue;
        }
        used = field_base + outlen;
        let ends_start = table.ends.len();
        table
            .ends
            .extend(ends[..endlen].iter().map(|e| field_base + e));
        table.rows.push(Row {
            line,
            raw: a..pos.max(a),
            field_base,
            ends: ends_start..table.ends.len(),
            unquoted: plain.is_some(),
        });
    }
    // Bytes past `used` stay as room for the next block that reuses this table.
    quoted_reader.line() - 1 - primed + unquoted_lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boundaries(text: &str) -> Vec<usize> {
        // Every place a block may end, scanning byte by byte.
        let data = text.as_bytes();
        let mut scan = QuoteScan::new(b',');
        let mut found = Vec::new();
        for i in 0..data.len() {
            scan.scan(&data[..=i], i);
            if scan.boundary == Some(i + 1) {
                found.push(i + 1);
            }
        }
        found
    }

    #[test]
    fn boundaries_follow_the_quoting() {
        assert_eq!(boundaries("a,b\nc,d\n"), [4, 8]);
        assert_eq!(boundaries("a,\"b\nc\"\nd\n"), [8, 10]);
        assert_eq!(boundaries("a,\"b\"\"\nc\"\n"), [10]);
        // A quote inside an unquoted field is an ordinary byte.
        assert_eq!(boundaries("a\"b,c\nd\n"), [6, 8]);
        assert_eq!(boundaries("\"a\"x\"\ny\n"), [6, 8]);
        assert_eq!(boundaries("a\r\n\"b\nc\"\n"), [3, 9]);
    }

    /// The `csv` crate's reader, as `parse_block` used before it called `csv_core` itself:
    /// fields, raw range and line of every record.
    fn parse_with_csv_crate(data: &[u8], delimiter: u8) -> Vec<(Vec<Vec<u8>>, Range<usize>, u64)> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let breaks: Vec<usize> = memchr::memchr_iter(b'\n', data).collect();
        let mut record = csv::ByteRecord::new();
        let mut rows = Vec::new();
        while let Ok(true) = rdr.read_byte_record(&mut record) {
            let start = record.position().map_or(0, csv::Position::byte) as usize;
            let end = rdr.position().byte() as usize;
            let mut a = start;
            while a < end && matches!(data[a], b'\n' | b'\r') {
                a += 1;
            }
            // The line of the first byte after a byte order mark and the blank lines after it
            // (see `a_byte_order_mark_line_before_the_first_record`).
            let mut first = a;
            if start == 0 && data.starts_with(b"\xEF\xBB\xBF") {
                first = end.min(3);
                while first < end && matches!(data[first], b'\n' | b'\r') {
                    first += 1;
                }
            }
            let line = breaks.iter().filter(|&&b| b < first.max(a)).count() as u64 + 1;
            rows.push((
                record.iter().map(<[u8]>::to_vec).collect(),
                a..end.max(a),
                line,
            ));
        }
        rows
    }

    proptest::proptest! {
        #[test]
        fn parse_block_reads_like_the_csv_crate(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"ab,;\"\r\n \xef\xbb\xbf\xff".to_vec()),
                0..60,
            ),
            delimiter in proptest::sample::select(vec![b',', b';']),
        ) {
            let mut table = TableChunk::default();
            parse_block(&bytes, delimiter, false, &[], &mut table);
            let ours: Vec<(Vec<Vec<u8>>, Range<usize>, u64)> = table
                .rows
                .iter()
                .map(|row| {
                    let fields = (row.ends.start..row.ends.end)
                        .map(|i| {
                            let s = if i == row.ends.start { row.field_base } else { table.ends[i - 1] };
                            table.fields[s..table.ends[i]].to_vec()
                        })
                        .collect();
                    (fields, row.raw.clone(), row.line)
                })
                .collect();
            proptest::prop_assert_eq!(ours, parse_with_csv_crate(&bytes, delimiter));
        }
    }

    #[test]
    fn parsed_blocks_keep_raw_bytes_and_lines() {
        let data = b"isrc,title\r\nUSRC17607839,\"a\nb\"\r\n\r\nGBAYE0601498,c";
        let mut table = TableChunk::default();
        let lines = parse_block(data, b',', true, &[], &mut table);
        assert_eq!(lines, 4);
        let raw: Vec<&[u8]> = table.rows.iter().map(|r| &data[r.raw.clone()]).collect();
        // The csv crate ends a record at the \r of \r\n; the \n is passed through as a gap.
        assert_eq!(raw, [&b"USRC17607839,\"a\nb\"\r"[..], b"GBAYE0601498,c"]);
        let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5]);
    }
}

/// Where the input is cut into chunks changes nothing: every figure, issue, annotated row
/// and fixed byte is the same with chunks of a few bytes as with one chunk.
#[cfg(test)]
mod chunking {
    use crate::{AnnotateWriter, Checker, FixWriter, InputFormat, Options, RecordSink};
    use proptest::prelude::*;

    struct Both<'a>(&'a mut FixWriter<Vec<u8>>, &'a mut AnnotateWriter<Vec<u8>>);

    impl RecordSink for Both<'_> {
        fn start(&mut self, info: &crate::InputInfo<'_>) -> std::io::Result<()> {
            self.0.start(info)?;
            self.1.start(info)
        }
        fn record(&mut self, r: &crate::CheckedRecord<'_>) -> std::io::Result<()> {
            self.0.record(r)?;
            self.1.record(r)
        }
        fn passthrough(&mut self, bytes: &[u8]) -> std::io::Result<()> {
            self.0.passthrough(bytes)?;
            self.1.passthrough(bytes)
        }
    }

    fn run(input: &[u8], format: InputFormat, chunk: Option<usize>, sinks: bool) -> String {
        let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
        let options = Options {
            format: Some(format),
            ..Options::default()
        };
        let mut checker = Checker::new(policy, options);
        if let Some(chunk) = chunk {
            checker.set_chunk_bytes(chunk);
        }
        let mut fix = FixWriter::new(Vec::new(), false);
        let mut annotate = AnnotateWriter::new(Vec::new());
        let sink: Option<&mut dyn RecordSink> = if sinks {
            Some(&mut Both(&mut fix, &mut annotate))
        } else {
            None
        };
        let result = checker.check_reader("in", std::io::Cursor::new(input.to_vec()), sink);
        let summary = checker.finish();
        format!(
            "{result:?}\n{}\n{:?}\n{:?}\n{}\n{}",
            serde_json::to_string(&summary).unwrap(),
            summary.issues,
            summary.top_duplicates,
            String::from_utf8_lossy(&fix.into_inner()),
            String::from_utf8_lossy(&annotate.into_inner().unwrap_or_default()),
        )
    }

    fn text() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop::sample::select(vec![
            "USRC17607839",
            "usrc17607839",
            "GBAYE0601498",
            "USRC176O7839",
            "x",
            "a b",
            ",",
            ";",
            "\t",
            "\"",
            "\"\"",
            "\n",
            "\r\n",
            "\r",
            "isrc,title\n",
            "\u{e9}",
            "\u{feff}",
            "\u{0}",
        ]);
        prop::collection::vec(pieces, 0..60).prop_map(|p| p.concat().into_bytes())
    }

    /// Found by `tiny_chunks_change_nothing`: a second byte order mark and a line end before
    /// the header row made the first block hold no record, so the header row was counted;
    /// and a record after such a line was given line 1 when the input was one block.
    #[test]
    fn a_byte_order_mark_line_before_the_first_record() {
        for input in [
            "\u{feff}\u{feff}\nUSRC17607839isrc,title\n",
            "\u{feff}\u{feff}\nUSRC17607839\u{e9}",
        ] {
            let whole = run(input.as_bytes(), InputFormat::Csv, None, true);
            for chunk in 1..8 {
                let cut = run(input.as_bytes(), InputFormat::Csv, Some(chunk), true);
                assert_eq!(cut, whole, "{input:?}, chunk {chunk}");
            }
        }
        let lone = run(
            "\u{feff}\u{feff}\nUSRC17607839\u{e9}".as_bytes(),
            InputFormat::Csv,
            None,
            false,
        );
        assert!(lone.contains("\"line\":2"), "{lone}");
    }

    /// Found by `tiny_chunks_change_nothing`: the parser drops a second byte order mark at
    /// the start of the input, so a quote right after it opens a quoted field; the block
    /// cutter took it for a plain byte, so one block read the rest of the file as the header
    /// row (no records) while tiny blocks read the header row alone.
    #[test]
    fn a_quote_after_a_second_byte_order_mark_opens_a_field() {
        let input = "\u{feff}\u{feff}\"isrc,title\nUSRC17607839USRC17607839";
        let whole = run(input.as_bytes(), InputFormat::Csv, None, false);
        assert!(whole.starts_with("Ok(())"), "{whole}");
        assert!(whole.contains("\"records\":1,"), "{whole}");
        assert!(whole.contains("\"line\":2,"), "{whole}");
        // The unclosed quote of the header row is reported, with or without the marks.
        for input in [input, &input[6..]] {
            let report = run(input.as_bytes(), InputFormat::Csv, None, false);
            assert!(
                report.contains("\"input_problems\":{\"total\":1,"),
                "{report}"
            );
            assert!(report.contains("never closed"), "{report}");
        }
        for chunk in 1..8 {
            let cut = run(input.as_bytes(), InputFormat::Csv, Some(chunk), false);
            assert_eq!(cut, whole, "chunk {chunk}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn tiny_chunks_change_nothing(
            input in text(),
            chunk in 1usize..40,
            format in prop::sample::select(vec![
                InputFormat::Csv, InputFormat::Tsv, InputFormat::Lines, InputFormat::Jsonl,
            ]),
            sinks in any::<bool>(),
        ) {
            let (cut, whole) = (
                run(&input, format, Some(chunk), sinks),
                run(&input, format, None, sinks),
            );
            prop_assert_eq!(cut, whole);
        }
    }
}
