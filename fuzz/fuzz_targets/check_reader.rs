//! `isrc-check` readers on arbitrary bytes, in every text format (lines, CSV, TSV, JSON
//! Lines, JSON arrays; UTF-8 or UTF-16 with a byte order mark; with or without `--skip-rows`):
//! never a panic, the figures add up, every line of the input is part of a checked record or
//! a reported input problem (records + problem lines = lines read), and `--fix` with nothing
//! to fix gives back the input byte for byte.
#![no_main]

use std::collections::BTreeSet;

use isrc_check::{AnnotateWriter, Checker, FixWriter, InputFormat, Options, RecordSink};
use libfuzzer_sys::fuzz_target;

struct Both<'a>(&'a mut dyn RecordSink, &'a mut dyn RecordSink);

impl RecordSink for Both<'_> {
    fn start(&mut self, info: &isrc_check::InputInfo<'_>) -> std::io::Result<()> {
        self.0.start(info)?;
        self.1.start(info)
    }
    fn record(&mut self, r: &isrc_check::CheckedRecord<'_>) -> std::io::Result<()> {
        self.0.record(r)?;
        self.1.record(r)
    }
    fn passthrough(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0.passthrough(bytes)?;
        self.1.passthrough(bytes)
    }
}

/// The lines the records given to the sinks cover, and the format read.
#[derive(Default)]
struct Lines {
    covered: BTreeSet<u64>,
    format: Option<(InputFormat, bool)>,
    /// Read through a decoder (UTF-16: by our encoding, or by a byte order mark that the
    /// random bytes happen to start with).
    decoded: bool,
    /// The lines the header row spans (a quoted header field may hold line breaks).
    header_lines: u64,
}

impl RecordSink for Lines {
    fn start(&mut self, info: &isrc_check::InputInfo<'_>) -> std::io::Result<()> {
        self.format = Some((info.format, info.json_array));
        self.decoded = info.encoding.is_some();
        self.header_lines = info.header_raw.map_or(1, |raw| {
            let body = raw.strip_suffix(b"\n").unwrap_or(raw);
            1 + body.iter().filter(|&&b| b == b'\n').count() as u64
        });
        Ok(())
    }
    fn record(&mut self, r: &isrc_check::CheckedRecord<'_>) -> std::io::Result<()> {
        let raw = r.raw.unwrap_or_default();
        let body = raw.strip_suffix(b"\n").unwrap_or(raw);
        let breaks = body.iter().filter(|&&b| b == b'\n').count() as u64;
        self.covered.extend(r.line..=r.line + breaks);
        Ok(())
    }
}

/// `text` as UTF-16 little-endian with a byte order mark.
fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// Counts the codes the sinks are given: a record's own and the later codes of its cell.
#[derive(Default)]
struct Codes(u64);

impl RecordSink for Codes {
    fn start(&mut self, _info: &isrc_check::InputInfo<'_>) -> std::io::Result<()> {
        Ok(())
    }
    fn record(&mut self, r: &isrc_check::CheckedRecord<'_>) -> std::io::Result<()> {
        self.0 += 1 + r.more.len() as u64;
        for code in &r.more {
            // A later code of a cell is within its record's bytes, after the first code.
            if let (Some(raw), Some(range)) = (r.raw, &code.value_range) {
                assert!(range.end <= raw.len());
                assert!(r.value_range.as_ref().is_none_or(|first| first.end <= range.start));
            }
        }
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some((&more, input)) = rest.split_first() else {
        return;
    };
    let (name, format) = match selector % 6 {
        0 => ("in.txt", None),
        1 => ("in.csv", Some(InputFormat::Csv)),
        2 => ("in.tsv", Some(InputFormat::Tsv)),
        3 => ("in.jsonl", Some(InputFormat::Jsonl)),
        4 => ("in.json", None),
        _ => ("in", Some(InputFormat::Lines)),
    };
    // UTF-16 with a byte order mark, recognised by itself: the text is the input read as
    // UTF-8 (bad bytes as U+FFFD), and lines are counted on that text.
    let wide = more & 0x01 != 0;
    let text: Vec<u8> = if wide {
        String::from_utf8_lossy(input).into_owned().into_bytes()
    } else {
        input.to_vec()
    };
    let input: Vec<u8> = if wide {
        utf16(std::str::from_utf8(&text).unwrap())
    } else {
        input.to_vec()
    };
    let input = &input[..];
    let skip_rows = u64::from(more >> 1 & 0x03);
    let policy = isrc::Policy::new(isrc::policy::Date::new(2026, 11, 22).unwrap());
    let options = Options {
        format,
        gaps: selector & 0x80 != 0,
        skip_rows,
        ..Options::default()
    };
    let mut fix = FixWriter::new(Vec::new(), false);
    let mut annotate = AnnotateWriter::new(Vec::new());
    let mut codes = Codes::default();
    let mut lines = Lines::default();
    let mut checker = Checker::new(policy, options.clone());
    let result = checker.check_reader(
        name,
        std::io::Cursor::new(input.to_vec()),
        // `lines` first: it learns the format even when `--fix` then refuses the input.
        Some(&mut Both(
            &mut lines,
            &mut Both(&mut fix, &mut Both(&mut annotate, &mut codes)),
        )),
    );
    let summary = checker.finish();
    if result.is_ok() {
        // Every record reaches the sinks, each code of a cell of several included.
        assert_eq!(codes.0, summary.records, "codes given to --annotate and --fix");
    }
    assert_eq!(summary.valid + summary.invalid, summary.records);
    assert!(summary.duplicate_isrcs >= summary.conflicting_isrcs);
    let _ = serde_json::to_string(&summary).unwrap();
    // Nothing lost in silence: every line of a text input read to its end is a skipped row,
    // the header, a blank line, part of a record, or the line of a reported input problem.
    if let (Ok(()), Some((format, false))) = (&result, lines.format)
        && matches!(
            format,
            InputFormat::Lines | InputFormat::Csv | InputFormat::Tsv | InputFormat::Jsonl
        )
        && summary.issue_count <= 1000
        // Lines are counted on `text`: not when random UTF-8 bytes start with a UTF-16 mark.
        && lines.decoded == wide
    {
        let mut accounted = lines.covered.clone();
        accounted.extend(1..=skip_rows + lines.header_lines);
        accounted.extend(summary.issues.iter().map(|i| i.location.line));
        let table = matches!(format, InputFormat::Csv | InputFormat::Tsv);
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text[..]);
        let total = text.iter().filter(|&&b| b == b'\n').count() + 1;
        for (i, line) in text.split(|&b| b == b'\n').enumerate().take(total) {
            let blank = if table {
                line.iter().all(|&b| b == b'\r')
            } else {
                line.iter().all(u8::is_ascii_whitespace)
            };
            assert!(
                blank || accounted.contains(&(i as u64 + 1)),
                "line {} ({:?}) is in no record and no input problem",
                i + 1,
                String::from_utf8_lossy(line)
            );
        }
    }
    let fixed = fix.fixed();
    let fix_out = fix.into_inner();
    if result.is_ok() && fixed == 0 && !input.starts_with(&[0x1f, 0x8b]) {
        assert_eq!(fix_out, input, "--fix with nothing to fix must copy the input");
    }

    // The same input cut into chunks of a few bytes, without sinks (so plain lists take the
    // bit-page fast path), with a memory budget of a few bytes, so that the duplicate index
    // spills to its temporary file after every chunk: the same figures, issues and error.
    let chunk = 1 + usize::from(selector >> 3 & 0x0f);
    let tiny = Options {
        memory: Some(1 + u64::from(selector >> 5 & 0x03) * 64),
        ..options.clone()
    };
    let mut small = Checker::new(policy, tiny);
    small.set_chunk_bytes(chunk);
    let small_result = small.check_reader(name, std::io::Cursor::new(input.to_vec()), None);
    let small_summary = small.finish();
    // A JSON array, a DDEX message or report, a workbook or a Parquet file is refused by the
    // `--fix` sink before its first record (none can be rewritten byte for byte), so the run
    // with sinks has nothing to compare.
    let rewritable = match lines.format {
        None => true,
        Some((format, json_array)) => {
            !json_array
                && matches!(
                    format,
                    InputFormat::Lines | InputFormat::Csv | InputFormat::Tsv | InputFormat::Jsonl
                )
        }
    };
    if rewritable {
        assert_eq!(
            format!("{result:?}"),
            format!("{small_result:?}"),
            "chunks of {chunk} bytes"
        );
        let figures = |s: &isrc_check::Summary| {
            (serde_json::to_value(s).unwrap(), format!("{:?}", s.issues), s.issue_count)
        };
        assert_eq!(figures(&summary), figures(&small_summary), "chunks of {chunk} bytes");
    }

    // `--against`: the input compared with itself cut into other chunks has nothing added,
    // removed or changed, and every distinct code unchanged.
    let compare = Options {
        compare: true,
        ..options
    };
    let catalogue = |chunk: usize| {
        let mut checker = Checker::new(policy, compare.clone());
        checker.set_chunk_bytes(chunk);
        let result = checker.check_reader(name, std::io::Cursor::new(input.to_vec()), None);
        (result.is_ok(), checker.take_catalogue())
    };
    let (ok, whole) = catalogue(1 << 20);
    let (_, cut) = catalogue(chunk);
    let diff = whole.compare(cut, 10);
    assert_eq!(
        (diff.added.total, diff.removed.total, diff.changed.total),
        (0, 0, 0),
        "{diff:?}"
    );
    assert_eq!(diff.unchanged, diff.codes);
    assert_eq!(diff.codes, diff.new_codes);
    if ok && result.is_ok() {
        assert!(diff.records >= diff.codes);
    }
});
