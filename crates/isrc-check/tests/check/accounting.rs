//! Nothing lost in silence: for random CSV files with random damage (stray and unclosed
//! quotes, bytes that are not UTF-8, ragged rows, CR and CRLF endings), every line of the
//! file is part of a checked record, the header, a blank line, or a reported input problem.

use std::collections::BTreeSet;

use isrc_check::{CheckedRecord, Checker, InputFormat, InputInfo, Options, RecordSink};
use proptest::prelude::*;

use crate::support;

/// The lines each record covers.
#[derive(Default)]
struct Lines {
    covered: BTreeSet<u64>,
    records: u64,
    /// The most lines one record spans.
    longest: u64,
}

impl RecordSink for Lines {
    fn start(&mut self, _info: &InputInfo<'_>) -> std::io::Result<()> {
        Ok(())
    }
    fn record(&mut self, r: &CheckedRecord<'_>) -> std::io::Result<()> {
        let raw = r.raw.unwrap_or_default();
        let body = raw.strip_suffix(b"\n").unwrap_or(raw);
        let breaks = memchr_count(body);
        for l in r.line..=r.line + breaks {
            self.covered.insert(l);
        }
        self.longest = self.longest.max(breaks + 1);
        self.records += 1;
        Ok(())
    }
}

fn memchr_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

fn row() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        &b"USRC17607839"[..],
        b"usrc17607839",
        b"GBAYE06O1498",
        b"Title",
        b"a \"quoted\" word",
        b"\"",
        b"\"ok, quoted\"",
        b"\xff\xfe",
        b"\xe9t\xe9",
        b",",
        b",,",
        b"\r",
        b" ",
    ]);
    prop::collection::vec(piece, 0..6).prop_map(|p| p.concat())
}

fn file() -> impl Strategy<Value = (Vec<u8>, bool)> {
    (prop::collection::vec(row(), 1..300), any::<bool>()).prop_map(|(rows, crlf)| {
        let mut out = b"isrc,title,artist".to_vec();
        for r in rows {
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            out.extend_from_slice(&r);
        }
        out.push(b'\n');
        (out, crlf)
    })
}

fn account(input: &[u8], chunk: usize) -> Result<(), TestCaseError> {
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    let options = Options {
        format: Some(InputFormat::Csv),
        ..Options::default()
    };
    let mut checker = Checker::new(policy, options);
    checker.set_chunk_bytes(chunk);
    let mut lines = Lines::default();
    let result = checker.check_reader(
        "damaged.csv",
        std::io::Cursor::new(input.to_vec()),
        Some(&mut lines),
    );
    let summary = checker.finish();
    if summary.records == 0 {
        // Only a header and blank lines: an error, not "0 records".
        prop_assert!(result.is_err());
        return Ok(());
    }
    prop_assert!(result.is_ok(), "{result:?}");
    // Each code of a cell holding several is a record; the sink sees the row once.
    prop_assert_eq!(summary.records - summary.extra_codes, lines.records);
    // A stray quote does not swallow the rest of the file into one record.
    prop_assert!(
        lines.longest <= isrc_check::MAX_QUOTED_LINES as u64 + 1,
        "a record of {} lines",
        lines.longest
    );
    prop_assert!(summary.issue_count <= 1000, "the test keeps every issue");
    let mut accounted = lines.covered.clone();
    accounted.insert(1);
    accounted.extend(summary.issues.iter().map(|i| i.location.line));
    let total = memchr_count(input);
    for (i, text) in input
        .split(|&b| b == b'\n')
        .enumerate()
        .take(total as usize)
    {
        let line = i as u64 + 1;
        // A blank line is no record.
        if text.iter().all(|&b| b == b'\r') {
            continue;
        }
        prop_assert!(
            accounted.contains(&line),
            "line {} ({:?}) is in no record and no issue",
            line,
            String::from_utf8_lossy(text)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(support::proptest_config(200))]
    #[test]
    fn every_line_is_checked_or_reported((input, _crlf) in file(), chunk in prop::sample::select(vec![64usize, 1000, 1 << 20])) {
        account(&input, chunk)?;
    }
}

/// A stray quote in row 3 of a 100,000-row file: the other 99,999 rows are still checked,
/// and the quote is reported on its line.
#[test]
fn an_unclosed_quote_hides_no_rows() {
    let mut input = String::from("isrc,title\n");
    for i in 1..=100_000u32 {
        if i == 3 {
            input.push_str("USRC17600003,\"Broken title\n");
        } else {
            input.push_str(&format!("CBYZ9{:07},Song {i}\n", i));
        }
    }
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    for chunk in [4096, 1 << 20] {
        let mut checker = Checker::new(policy, Options::default());
        checker.set_chunk_bytes(chunk);
        checker
            .check_reader(
                "q.csv",
                std::io::Cursor::new(input.clone().into_bytes()),
                None,
            )
            .unwrap();
        let summary = checker.finish();
        assert_eq!(summary.records, 100_000);
        assert_eq!(summary.issue_count, 1, "{:?}", summary.issues);
        assert_eq!(summary.issues[0].location.line, 4);
        assert_eq!(summary.issues[0].location.column, 14);
        assert!(summary.issues[0].message.contains("never closed"));
    }
    // Two stray quotes 200 lines apart: neither swallows the rows between them.
    let mut input = String::from("isrc,title\n");
    for i in 1..=1000u32 {
        match i {
            10 | 210 => input.push_str(&format!("CBYZ9{i:07},\"stray\n")),
            _ => input.push_str(&format!("CBYZ9{i:07},Song\n")),
        }
    }
    let mut checker = Checker::new(policy, Options::default());
    checker
        .check_reader("q.csv", std::io::Cursor::new(input.into_bytes()), None)
        .unwrap();
    let summary = checker.finish();
    assert_eq!(summary.records, 1000);
    let lines: Vec<u64> = summary.issues.iter().map(|i| i.location.line).collect();
    assert_eq!(lines, [11, 211]);
}

/// Checks `input` as CSV with a `--fix` sink in chunks of `chunk` bytes: the summary, the
/// lines the records cover, and the `--fix` output.
fn checked_with_fix(
    name: &str,
    input: &[u8],
    chunk: usize,
) -> (isrc_check::Summary, Lines, Vec<u8>) {
    struct Both<'a>(&'a mut Lines, &'a mut isrc_check::FixWriter<Vec<u8>>);
    impl RecordSink for Both<'_> {
        fn start(&mut self, info: &InputInfo<'_>) -> std::io::Result<()> {
            self.0.start(info)?;
            self.1.start(info)
        }
        fn record(&mut self, r: &CheckedRecord<'_>) -> std::io::Result<()> {
            self.0.record(r)?;
            self.1.record(r)
        }
        fn passthrough(&mut self, bytes: &[u8]) -> std::io::Result<()> {
            self.1.passthrough(bytes)
        }
    }
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    let mut checker = Checker::new(policy, Options::default());
    checker.set_chunk_bytes(chunk);
    let mut lines = Lines::default();
    let mut fix = isrc_check::FixWriter::new(Vec::new(), false);
    checker
        .check_reader(
            name,
            std::io::Cursor::new(input.to_vec()),
            Some(&mut Both(&mut lines, &mut fix)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    (checker.finish(), lines, fix.into_inner())
}

/// A header row whose cells hold quoted line breaks (a spreadsheet's "Track\nTitle"): the
/// header is one record over several lines, and every row after it is checked, with its
/// columns (found by fuzzing, issue 19: the delimiter was chosen on physical lines, so a
/// `;` file whose header spans four lines was read with `,`: the header's later lines
/// became records and the ISRC column was lost).
#[test]
fn a_header_over_several_lines_hides_no_rows() {
    let input = b"isrc;\"Track\nTitle\";\"Main\r\n\nArtist\"\nUSRC17607839;One;A\nUSRC17607840;Two;B\nUSRC176O7841;Three;C\n";
    for chunk in [1 << 20, 1, 7, 30] {
        let (summary, lines, fixed) = checked_with_fix("in.csv", input, chunk);
        assert_eq!(
            summary.records, 3,
            "chunks of {chunk}: {:?}",
            summary.issues
        );
        assert_eq!(summary.issue_count, 0, "{:?}", summary.issues);
        assert_eq!(
            lines.covered.iter().copied().collect::<Vec<_>>(),
            [5, 6, 7],
            "chunks of {chunk}"
        );
        assert!(summary.inputs[0].title.is_some(), "{:?}", summary.inputs[0]);
        assert_eq!(fixed, input, "chunks of {chunk}");
    }
}

/// A file that starts with two UTF-8 byte order marks (an export re-saved by a tool that
/// adds one whatever the file holds): both are marks, not text of the first record, in
/// every format. `--fix` writes both back and changes only the codes it fixes, and its
/// output is read the same way (found by fuzzing, issue 19: in a plain list or JSON Lines
/// the second mark was read as part of the first code, which `--fix` then "fixed" by
/// dropping the mark, and a JSON Lines file lost its first record).
#[test]
fn a_doubled_byte_order_mark_is_kept_by_fix() {
    const MARKS: &[u8] = b"\xEF\xBB\xBF\xEF\xBB\xBF";
    let cases: [(&str, &[u8], &[u8]); 4] = [
        (
            "in.txt",
            b"USRC17607839\nus-rc1-76-07840\n",
            b"USRC17607839\nUSRC17607840\n",
        ),
        ("in.txt", b"us-rc1-76-07839\n", b"USRC17607839\n"),
        (
            "in.jsonl",
            b"{\"isrc\":\"us-rc1-76-07839\"}\n{\"isrc\":\"USRC17607840\"}\n",
            b"{\"isrc\":\"USRC17607839\"}\n{\"isrc\":\"USRC17607840\"}\n",
        ),
        (
            "in.csv",
            b"isrc,title\nus-rc1-76-07839,One\nUSRC17607840,Two\n",
            b"isrc,title\nUSRC17607839,One\nUSRC17607840,Two\n",
        ),
    ];
    for (name, text, want) in cases {
        let input = [MARKS, text].concat();
        let want = [MARKS, want].concat();
        for chunk in [1 << 20, 1, 5] {
            let (summary, _, fixed) = checked_with_fix(name, &input, chunk);
            let codes = if text.starts_with(b"us") { 1 } else { 2 };
            assert_eq!(summary.records, codes, "{name}: {:?}", summary.issues);
            assert_eq!(summary.valid, codes, "{name}: {:?}", summary.by_rule);
            assert_eq!(summary.by_rule.get("not_canonical"), Some(&1), "{name}");
            assert_eq!(fixed, want, "{name}, chunks of {chunk}");
            let (again, _, refixed) = checked_with_fix(name, &fixed, chunk);
            assert_eq!(
                (again.records, again.valid),
                (summary.records, summary.valid)
            );
            assert_eq!(again.by_rule.get("not_canonical"), None, "{name}");
            assert_eq!(refixed, fixed, "{name}");
        }
    }
}
