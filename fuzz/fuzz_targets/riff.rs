//! The RIFF/RF64 reader, the copy-with-edits writer and the axml reader on arbitrary bytes:
//! never a panic, and an edited copy reads back with the same chunks plus the new one.
#![no_main]

use std::io::Cursor;

use isrc_media::riff::{ChunkId, Riff};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = isrc_media::axml::isrcs(&String::from_utf8_lossy(data));
    let _ = isrc_media::flac_cue::parse_cuesheet_block(data);
    let Ok(riff) = Riff::read(&mut Cursor::new(data)) else {
        return;
    };
    for chunk in riff.chunks() {
        let _ = riff.read_chunk(&mut Cursor::new(data), chunk);
    }
    let tag = ChunkId(*b"zzzz");
    if riff.find(tag).is_some() {
        return;
    }
    let mut out = Vec::new();
    if riff
        .write_edited(&mut Cursor::new(data), &mut out, &[(tag, b"abc".to_vec())])
        .is_ok()
    {
        let edited = Riff::read(&mut Cursor::new(&out)).expect("an edited file reads back");
        assert_eq!(edited.chunks().len(), riff.chunks().len() + 1);
        let chunk = edited.find(tag).unwrap();
        assert_eq!(edited.read_chunk(&mut Cursor::new(&out), chunk).unwrap(), b"abc");
    }
});
