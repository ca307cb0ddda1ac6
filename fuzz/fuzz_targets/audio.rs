//! Reading and writing audio files of arbitrary bytes (every container family's parsers: the
//! raw ID3 frame scanner, the FLAC block editor, the truncation checks, lofty's readers):
//! never a panic; a write either fails or leaves a file that holds exactly the code; a failed
//! write leaves the file byte for byte as it was.
#![no_main]

use std::path::PathBuf;

use isrc_media::{WriteOptions, read, write_isrc};
use libfuzzer_sys::fuzz_target;

const EXTENSIONS: [&str; 9] = ["mp3", "flac", "ogg", "opus", "m4a", "wav", "aiff", "wv", "ape"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("isrc-fuzz-audio-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path: PathBuf = dir.join(format!("f.{}", EXTENSIONS[usize::from(pick) % EXTENSIONS.len()]));
    std::fs::write(&path, bytes).unwrap();
    let Ok(info) = read(&path) else {
        return;
    };
    let _ = info.file_values();
    let code: isrc::Isrc = "CBYZ92200001".parse().unwrap();
    match write_isrc(&path, code, &WriteOptions::default()) {
        Ok(report) if report.written => {
            let after = read(&path).expect("a written file reads back");
            assert!(after.isrcs.iter().any(|f| f.value == "CBYZ92200001"));
        }
        Ok(_) => {}
        Err(_) => assert_eq!(std::fs::read(&path).unwrap(), bytes, "a failed write changed the file"),
    }
});
