//! The CUE sheet parser and editor on arbitrary bytes: never a panic, positions inside the
//! sheet, and an edit keeps the sheet readable with the new code in place.
#![no_main]

use isrc_media::cue::{CueSheet, check_catalog};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(sheet) = CueSheet::parse(data) else {
        return;
    };
    let lines = data.split(|&b| b == b'\n').count();
    for track in &sheet.tracks {
        for isrc in &track.isrcs {
            assert!(isrc.line >= 1 && isrc.line <= lines);
        }
    }
    if let Some(catalog) = &sheet.catalog {
        let _ = check_catalog(&catalog.value);
    }
    let code: isrc::Isrc = "CBYZ92200001".parse().unwrap();
    if let Some(track) = sheet.tracks.first() {
        let number = track.number;
        let edited = sheet.set_isrc(number, code).unwrap();
        let again = CueSheet::parse(&edited).expect("an edited sheet parses");
        let first = again.tracks.iter().find(|t| t.number == number).unwrap();
        assert_eq!(first.isrc.as_ref().unwrap().value, "CBYZ92200001");
    }
});
