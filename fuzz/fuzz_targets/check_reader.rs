//! `isrc-check` readers on arbitrary bytes, in every text format: never a panic, the figures
//! add up, and `--fix` with nothing to fix gives back the input byte for byte.
#![no_main]

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

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let (name, format) = match selector % 5 {
        0 => ("in.txt", None),
        1 => ("in.csv", Some(InputFormat::Csv)),
        2 => ("in.tsv", Some(InputFormat::Tsv)),
        3 => ("in.jsonl", Some(InputFormat::Jsonl)),
        _ => ("in", Some(InputFormat::Lines)),
    };
    let policy = isrc::Policy::new(isrc::Date::new(2026, 11, 22).unwrap());
    let options = Options {
        format,
        gaps: selector & 0x80 != 0,
        ..Options::default()
    };
    let mut fix = FixWriter::new(Vec::new(), false);
    let mut annotate = AnnotateWriter::new(Vec::new());
    let mut checker = Checker::new(policy, options);
    let result = checker.check_reader(name, std::io::Cursor::new(input.to_vec()), Some(&mut Both(&mut fix, &mut annotate)));
    let summary = checker.finish();
    assert_eq!(summary.valid + summary.invalid, summary.records);
    assert!(summary.duplicate_isrcs >= summary.conflicting_isrcs);
    let _ = serde_json::to_string(&summary).unwrap();
    if result.is_ok() && fix.fixed() == 0 && !input.starts_with(&[0x1f, 0x8b]) {
        let out = fix.into_inner();
        assert_eq!(out, input, "--fix with nothing to fix must copy the input");
    }
});
