//! DDEX DSR flat files made by the tests: resource records checked as records, and the
//! figures a collecting society needs (usage on valid ISRCs, the money at risk, one
//! DspResourceId with several ISRCs and the converse).

use crate::support;

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

/// Record types written with their versions (`AS02.04`, `SU02.02`, as DSR Part 8 does) are
/// read as their base types, and single-record-block `SR01` records take the DSR text's
/// cells (no block; `DspResourceId` in cell 3, the ISRC in cell 4) and are their own usage.
#[test]
fn versioned_record_types_and_single_record_blocks() {
    let text = "HEAD\tdsrf/1.1.2/1.6/1.2\tBasicAudioProfile\t1.2\tM1\t2026-11-30T00:00:00Z\n\
        #SU02.02\tBlockId\tSummaryRecordId\tSalesTransactionId\tNumberOfUsages\tNetRevenue\n\
        AS02.04\tB1\tR1\tD1\tUSRC176O7839\tBad\t\tArtist\t\tPT3M0S\n\
        SU02.02\tB1\tS1\tT1\t10\t2.5\n\
        AS02.04\tB2\tR1\tD2\tUSRC17607840\tGood\t\tArtist\t\tPT3M0S\n\
        SU02.02\tB2\tS1\tT2\t4\t1\n";
    let summary = check("sales.tsv", text);
    assert_eq!((summary.records, summary.invalid), (2, 1));
    let figures = &summary.exchange.as_ref().unwrap().dsr[0];
    assert_eq!((figures.resource_records, figures.usage_lines), (2, 2));
    assert_eq!(figures.usage_lines_valid_isrc, 1);
    assert_eq!(figures.usages_at_risk, Some(10.0));
    assert_eq!(figures.revenue_at_risk, Some(2.5));
    assert_eq!(figures.invalid_values.listed[0].value, "USRC176O7839");

    let text = "HEAD\tdsrf/1.1.2/1.6/1.2\tBasicAudioProfileSRB\t1.2\tM1\t2026-11-30T00:00:00Z\n\
        #SR02.01\tSummaryRecordId\tDspResourceId\tIsrc\tResourceTitle\tResourceSubTitle\tResourceDisplayArtistName\tResourceDisplayArtistPartyId\tDuration\tNumberOfStreams\tNetRevenue\n\
        SR02.01\tS1\tD1\tUSRC17607839\tYesterday\t\tThe Band\t\tPT2M5S\t100\t1.5\n\
        SR02.01\tS1\tD2\tUSRC176O7840\tBad\t\tThe Band\t\tPT2M5S\t30\t0.5\n\
        SR02.01\tS2\tD1\tUSRC17607839\tYesterday\t\tThe Band\t\tPT2M5S\t50\t0.25\n";
    let summary = check("srb.tsv", text);
    assert_eq!((summary.records, summary.invalid), (3, 1));
    assert_eq!(
        summary.duplicate_isrcs, 1,
        "D1 is reported twice with one ISRC"
    );
    let figures = &summary.exchange.as_ref().unwrap().dsr[0];
    assert_eq!(figures.profile, "BasicAudioProfileSRB");
    assert_eq!((figures.resource_records, figures.usage_lines), (3, 3));
    assert_eq!(figures.usage_lines_valid_isrc, 2);
    assert_eq!(figures.usage_lines_without_resource, 0);
    assert_eq!(figures.usages_at_risk, Some(30.0));
    assert_eq!(figures.revenue_at_risk, Some(0.5));
    assert_eq!(figures.resources_with_several_isrcs, 0);
    let bad = &figures.invalid_values.listed[0];
    assert_eq!((bad.value.as_str(), bad.line), ("USRC176O7840", 4));
}

/// The usage of a block that starts in one chunk and goes on in the next counts for the
/// block's resource, and sums come out the same however the file is cut.
#[test]
fn blocks_across_chunks_give_the_same_figures() {
    let mut text = String::from(
        "HEAD\tdsrf/4.0\tBasicAudioProfile\t1.2\n\
         #SU02\tBlockId\tSalesTransactionId\tTransactedResource\tNumberOfUsages\tNetRevenue\n",
    );
    for b in 0..40 {
        let code = if b % 7 == 3 {
            "USRC176O7839".to_owned()
        } else {
            format!("GBAYE26{:05}", b % 30)
        };
        text.push_str(&format!(
            "AS01\tB{b}\tR1\tD{}\t{code}\tSong\t\tArtist\t\tPT3M0S\n",
            b % 25
        ));
        if b % 5 == 0 {
            text.push_str(&format!(
                "AS01\tB{b}\tR2\tD9{b}\tGBAYE2699999\tOther\t\tArtist\t\tPT3M0S\n"
            ));
        }
        for j in 0..(b % 4) {
            let named = ["", "R1", "R2", "R7"][(b + j) as usize % 4];
            text.push_str(&format!(
                "SU02\tB{b}\tT{b}-{j}\t{named}\t{}\t0.{}1\n",
                j + 1,
                b
            ));
        }
        if b % 9 == 0 {
            text.push_str("SU02\tB-none\tT\t\t1\t0.7\n");
        }
    }
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    let whole = check("s.tsv", &text);
    for bytes in [1, 7, 50, 333] {
        let mut checker = Checker::new(policy, Options::default());
        checker.set_chunk_bytes(bytes);
        checker
            .check_reader(
                "s.tsv",
                std::io::Cursor::new(text.clone().into_bytes()),
                None,
            )
            .unwrap();
        let cut = checker.finish();
        assert_eq!(cut.exchange, whole.exchange, "chunks of {bytes} bytes");
        assert_eq!(
            (cut.records, cut.invalid, cut.duplicate_isrcs),
            (whole.records, whole.invalid, whole.duplicate_isrcs)
        );
    }
    let figures = &whole.exchange.as_ref().unwrap().dsr[0];
    assert_eq!(figures.usage_lines_without_resource, 5);
    assert_eq!(figures.resource_records, 48);
}

/// A usage line names its resource by `TransactedResource` (cell 6 of `SU02.02`, or the cell
/// a header row names): in a block of several resources it counts for that one; a line
/// naming none, or a reference not in the block (a release's usage), counts for the block's
/// first resource.
#[test]
fn usage_counts_for_the_transacted_resource_of_its_block() {
    let text = "HEAD\tdsrf/4.0\tBasicAudioProfile\t1.2\n\
        AS02\tB1\t1\tD1\tGBAYE2600001\tGood\t\tArtist\t\tPT3M0S\n\
        AS02\tB1\t2\tD2\tGBAYE26O0002\tBad\t\tArtist\t\tPT3M0S\n\
        SU02\tB1\tS1\tT1\t\t2\n\
        SU02\tB1\tS1\tT2\t\t1\n\
        SU02\tB1\tS1\tT3\tREL1\t\n\
        SU02\tB1\tS1\tT4\t\t\n";
    let figures = check("sales.tsv", text).exchange.unwrap().dsr.remove(0);
    assert_eq!(figures.usage_lines, 4);
    // T1 names resource 2 (invalid code); T2 resource 1; T3 a release; T4 nothing.
    assert_eq!(figures.usage_lines_valid_isrc, 3);
    assert_eq!(figures.invalid_values.listed[0].usage_lines, 1);
    assert_eq!(figures.usage_lines_without_resource, 0);
}

/// Invalid values with the same revenue, usage and first line (the values of one cell) are
/// listed in the order of their text: the report does not depend on the order of a hash
/// map, nor on how the file is cut into chunks (found by fuzzing, issue 19).
#[test]
fn invalid_values_of_one_cell_are_listed_in_a_fixed_order() {
    let values = [
        "ZZ9", "B1", "QQ4", "A7", "MM0", "C3", "XX1", "D0", "K5", "E2", "J8", "F6",
    ];
    let text = dsr(&[
        ("B1", "D1", &values.join("|"), "Many", &[(3, 0.5)]),
        ("B2", "D2", "USRC17607839", "Good", &[(1, 0.25)]),
    ]);
    let mut want: Vec<&str> = values.to_vec();
    want.sort_unstable();
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    for bytes in [1 << 20, 1, 40] {
        let mut checker = Checker::new(policy, Options::default());
        checker.set_chunk_bytes(bytes);
        checker
            .check_reader(
                "s.tsv",
                std::io::Cursor::new(text.clone().into_bytes()),
                None,
            )
            .unwrap();
        let figures = checker.finish().exchange.unwrap().dsr.remove(0);
        let listed: Vec<&str> = figures
            .invalid_values
            .listed
            .iter()
            .map(|v| v.value.as_str())
            .collect();
        assert_eq!(listed, want, "chunks of {bytes} bytes");
    }
}
