//! The DSR reader on arbitrary bytes after a `HEAD` record, through the checker. Never a
//! panic; the figures add up; and the report does not depend on how the file is cut into
//! chunks (the workers parse and tally their chunks on their own, issue 17): the same
//! input read in chunks of 1-64 bytes gives the same summary, JSON text included, as read
//! in one chunk.
#![no_main]

use isrc_check::{Checker, InputFormat, Options};
use libfuzzer_sys::fuzz_target;

fn check(dsr: &[u8], chunk: Option<usize>) -> (Result<(), String>, isrc_check::Summary) {
    let policy = isrc::Policy::new(isrc::policy::Date::new(2026, 11, 22).unwrap());
    let options = Options {
        format: Some(InputFormat::Dsr),
        ..Options::default()
    };
    let mut checker = Checker::new(policy, options);
    if let Some(bytes) = chunk {
        checker.set_chunk_bytes(bytes);
    }
    let checked = checker
        .check_reader("in.tsv", std::io::Cursor::new(dsr.to_vec()), None)
        .map_err(|e| format!("{}: {}", e.location, e.message));
    (checked, checker.finish())
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let mut dsr = b"HEAD\tdsrf/4.0\tBasicAudioProfile\t1.2\n".to_vec();
    if selector & 1 == 1 {
        // Header rows naming the usage and revenue cells, so that the money is tallied.
        dsr.extend_from_slice(
            b"#SU02\tBlockId\tSalesTransactionId\tNumberOfUsages\tNetRevenue\n",
        );
    }
    dsr.extend_from_slice(input);
    let (whole, summary) = check(&dsr, None);
    assert_eq!(summary.valid + summary.invalid, summary.records);
    if let Some(x) = &summary.exchange {
        for d in &x.dsr {
            assert!(d.usage_lines_valid_isrc <= d.usage_lines);
            assert!(d.usage_lines_without_resource <= d.usage_lines);
            assert!(d.resource_records <= summary.records.max(d.resource_records));
        }
    }
    let (cut, cut_summary) = check(&dsr, Some(1 + (selector as usize >> 2)));
    assert_eq!(whole.is_ok(), cut.is_ok(), "{whole:?} / {cut:?}");
    if whole.is_ok() {
        assert_eq!(summary.exchange, cut_summary.exchange);
        assert_eq!(
            (summary.records, summary.valid, summary.invalid),
            (cut_summary.records, cut_summary.valid, cut_summary.invalid)
        );
    }
});
