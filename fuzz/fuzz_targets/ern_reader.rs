//! The ERN reader on arbitrary bytes, alone and through the checker. Never a panic; a
//! message read has every ISRC located inside the input, and the checker counts one record
//! per ISRC element. (The DSR reader has its own target, `dsr_reader`.)
#![no_main]

use isrc_check::{Checker, InputFormat, Options};
use libfuzzer_sys::fuzz_target;

/// Most inputs start inside a message, so the fuzzer spends its time on the resources.
const PREFIX: &[u8] =
    b"<ern:NewReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/43\"><ResourceList><SoundRecording>";

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let mut bytes = Vec::new();
    if selector & 1 == 1 {
        bytes.extend_from_slice(PREFIX);
    }
    bytes.extend_from_slice(input);
    let policy = isrc::Policy::new(isrc::policy::Date::new(2026, 11, 22).unwrap());
    let lines = 1 + bytes.iter().filter(|b| **b == b'\n').count() as u64;
    let read = isrc_check::formats::ern::read_message(&bytes);
    let expected = match &read {
        Ok(message) => {
            let mut n = 0;
            for r in &message.resources {
                for v in &r.isrcs {
                    assert!(v.at.line >= 1 && v.at.line <= lines, "{v:?}");
                    assert!(v.at.column >= 1);
                    assert!(!v.value.is_empty());
                    n += 1;
                }
            }
            Some(n)
        }
        Err(e) => {
            assert!(e.line >= 1 && e.line <= lines, "{e:?}");
            None
        }
    };
    let mut checker = Checker::new(policy, Options { format: Some(InputFormat::Ern), ..Options::default() });
    let checked = checker.check_reader("in.xml", std::io::Cursor::new(bytes), None);
    let summary = checker.finish();
    // The source refuses binary data (NUL and control bytes) before the reader sees it, and
    // decodes a byte order mark or UTF-16 that the reader, given raw bytes, does not.
    let prefixed = selector & 1 == 1;
    match (expected, checked) {
        (Some(n), Ok(())) => {
            assert_eq!(summary.records, n);
            assert_eq!(summary.exchange.map(|x| x.ern_messages), Some(1));
        }
        (Some(_), Err(e)) => assert!(!prefixed || e.message.contains("binary"), "{e}"),
        (None, Ok(())) => assert!(!prefixed, "the checker read what the reader refused"),
        (None, Err(_)) => {}
    }
});
