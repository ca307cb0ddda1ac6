//! The prefix table reader on arbitrary text: an error with a position, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match isrc::prefix::PrefixTable::from_csv(&text, "fuzz") {
        Ok(table) => {
            for entry in &table {
                assert_eq!(table.get(entry.code()), Some(entry));
            }
        }
        Err(error) => assert!(error.line() >= 1 && error.column() >= 1),
    }
});
