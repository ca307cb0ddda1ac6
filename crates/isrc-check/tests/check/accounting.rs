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
