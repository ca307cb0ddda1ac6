//! DDEX DSR flat files made by the tests: resource records checked as records, and the
//! figures a collecting society needs (usage on valid ISRCs, the money at risk, one
//! DspResourceId with several ISRCs and the converse).

mod support;

use isrc_check::{Checker, Options, Summary};
use support::ddex::dsr;

fn check(name: &str, text: &str) -> Summary {
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    let mut checker = Checker::new(policy, Options::default());
    checker
        .check_reader(name, std::io::Cursor::new(text.as_bytes().to_vec()), None)
        .unwrap_or_else(|e| panic!("{e}"));
    checker.finish()
}

#[test]
fn a_report_with_known_figures() {
    let text = dsr(&[
        (
            "B1",
            "D1",
            "USRC17607839",
            "Yesterday",
            &[(100, 1.5), (50, 0.5)],
        ),
        ("B2", "D2", "USRC176O7840", "Bad", &[(10, 0.25)]),
        ("B3", "D3", "", "No code", &[(5, 0.125)]),
        ("B4", "D1", "GBAYE2600001", "Yesterday", &[(1, 0.01)]),
        ("B5", "D5", "GBAYE2600002|GBAYE2600003", "Two", &[(2, 0.02)]),
        ("B6", "D6", "GBAYE2600002", "Two", &[]),
    ]);
    let summary = check("sales.tsv", &text);
    // Every resource record is a record; the second code of B5 is an extra.
    assert_eq!(summary.records, 7);
    assert_eq!(summary.extra_codes, 1);
    assert_eq!(summary.invalid, 2, "USRC176O7840 and the empty one");
    assert_eq!(summary.inputs[0].format, "dsr");
    let exchange = summary.exchange.as_ref().unwrap();
    let figures = &exchange.dsr[0];
    assert_eq!(figures.profile, "BasicAudioProfile");
    assert_eq!(figures.profile_version, "1.2");
    assert_eq!(figures.message_version, "dsrf/4.0");
    assert_eq!(figures.resource_records, 6);
    assert_eq!(figures.usage_lines, 6);
    assert_eq!(figures.usage_lines_valid_isrc, 4);
    assert!((figures.valid_share - 4.0 / 6.0).abs() < 1e-9);
    assert_eq!(figures.usages_at_risk, Some(15.0));
    assert_eq!(figures.revenue_at_risk, Some(0.375));
    assert_eq!(figures.invalid_values.total, 2);
    let bad = &figures.invalid_values.listed[0];
    assert_eq!(
        (bad.value.as_str(), bad.usage_lines, bad.revenue),
        ("USRC176O7840", 1, Some(0.25))
    );
    assert_eq!(bad.rules, vec!["letter_in_digits"]);
    assert_eq!(figures.invalid_values.listed[1].rules, vec!["empty"]);
    assert_eq!(figures.resources_with_several_isrcs, 2, "D1 and D5");
    assert_eq!(figures.isrcs_with_several_resources, 1, "GBAYE2600002");
    let rules: Vec<_> = exchange.by_rule.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        rules,
        vec![
            ("dsr_isrc_several_resources", 1),
            ("dsr_resource_several_isrcs", 2)
        ]
    );
    let d1 = exchange
        .findings
        .listed
        .iter()
        .find(|f| f.reference.as_deref() == Some("D1"))
        .unwrap();
    assert_eq!(d1.value.as_deref(), Some("GBAYE2600001|USRC17607839"));
    assert_eq!(
        d1.location.line, 11,
        "the later of its resource records (B4)"
    );
}

#[test]
fn without_header_rows_usage_lines_are_counted_and_money_is_unknown() {
    let text = dsr(&[("B1", "D1", "USRC176O7840", "Bad", &[(10, 2.0)])]);
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let summary = check("sales.tsv", &text);
    let figures = &summary.exchange.as_ref().unwrap().dsr[0];
    assert_eq!(
        (figures.usage_lines, figures.usage_lines_valid_isrc),
        (1, 0)
    );
    assert_eq!(
        (figures.usages_at_risk, figures.revenue_at_risk),
        (None, None)
    );
    assert_eq!(summary.invalid_codes.listed[0].line, 2);
}

#[test]
fn a_gzip_report_in_many_chunks_gives_the_same_figures() {
    use std::io::Write;
    let rows: Vec<(String, String, String)> = (0..20_000)
        .map(|i| {
            let isrc = if i % 10 == 0 {
                format!("GBAYE26O{i:04}")
            } else {
                format!("GBAYE26{i:05}")
            };
            (format!("B{i}"), format!("D{i}"), isrc)
        })
        .collect();
    let uses: &[(u64, f64)] = &[(3, 0.5)];
    let resources: Vec<support::ddex::DsrResource<'_>> = rows
        .iter()
        .map(|(b, d, i)| (b.as_str(), d.as_str(), i.as_str(), "T", uses))
        .collect();
    let text = dsr(&resources);
    let plain = check("big.tsv", &text);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    let mut checker = Checker::new(policy, Options::default());
    checker.set_chunk_bytes(4096);
    checker
        .check_reader(
            "big.tsv.gz",
            std::io::Cursor::new(gz.finish().unwrap()),
            None,
        )
        .unwrap();
    let chunked = checker.finish();
    assert_eq!(plain.records, 20_000);
    assert_eq!(plain.invalid, 2_000);
    assert_eq!(
        (chunked.records, chunked.invalid),
        (plain.records, plain.invalid)
    );
    let (a, b) = (
        &plain.exchange.as_ref().unwrap().dsr[0],
        &chunked.exchange.as_ref().unwrap().dsr[0],
    );
    assert_eq!(a.usage_lines, 20_000);
    assert_eq!(a.usage_lines_valid_isrc, 18_000);
    assert_eq!(a.revenue_at_risk, Some(1000.0));
    assert_eq!(
        (
            a.usage_lines_valid_isrc,
            a.revenue_at_risk,
            a.invalid_values.total
        ),
        (
            b.usage_lines_valid_isrc,
            b.revenue_at_risk,
            b.invalid_values.total
        )
    );
}
