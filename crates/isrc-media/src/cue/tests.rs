//! The CUE reader and editor on sheets as real tools write them.
use super::*;

fn code(s: &str) -> Isrc {
    s.parse().unwrap()
}

#[test]
fn tolerates_real_sheets() {
    let mut text = b"\xEF\xBB\xBFREM GENRE Rock\r\nPERFORMER \"Disc\"\r\nFILE \"x.flac\" WAVE\r\n  track 01 AUDIO\r\n    TITLE \"Caf\xC3\xA9\"\r\n    INDEX 01 00:00:00\r\n    isrc gbaaa26000011\r\n".to_vec();
    let sheet = CueSheet::parse(&text).unwrap();
    assert_eq!(sheet.encoding, Encoding::Utf8Bom);
    let track = &sheet.tracks[0];
    assert_eq!(track.title.as_deref(), Some("Café"));
    let isrc = track.isrc.as_ref().unwrap();
    assert_eq!(isrc.value, "gbaaa26000011");
    assert_eq!((isrc.line, isrc.column), (7, 10));
    // Lowercase command, after INDEX, not 12 capital letters and digits.
    assert_eq!(sheet.warnings.len(), 3);
    let edited = sheet.set_isrc(1, code("GBAAA2600001")).unwrap();
    text = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.starts_with(b"    isrc"))
        .collect::<Vec<_>>()
        .join(&b'\n');
    let expected = String::from_utf8(text)
        .unwrap()
        .replace("    INDEX", "    ISRC GBAAA2600001\r\n    INDEX");
    assert_eq!(String::from_utf8(edited).unwrap(), expected);
}

#[test]
fn latin1_and_replacement_in_place() {
    let text = b"TITLE \"Ol\xE9\"\nFILE \"a.wav\" WAVE\nTRACK 01 AUDIO\nISRC XXXXX0000000\nINDEX 01 00:00:00\nTRACK 02 AUDIO\nINDEX 01 01:00:00";
    let sheet = CueSheet::parse(text).unwrap();
    assert_eq!(sheet.encoding, Encoding::Latin1);
    assert_eq!(sheet.title.as_deref(), Some("Olé"));
    let out = sheet.set_isrc(1, code("CBYZ92200001")).unwrap();
    assert_eq!(out.len(), text.len());
    assert!(out.windows(17).any(|w| w == b"ISRC CBYZ92200001"));
    let out = sheet.set_isrc(2, code("CBYZ92200002")).unwrap();
    assert!(out.ends_with(b"TRACK 02 AUDIO\nISRC CBYZ92200002\nINDEX 01 01:00:00"));
    let err = sheet.set_isrc(3, code("CBYZ92200002")).unwrap_err();
    assert!(err.message.contains("no TRACK 03"));
}

#[test]
fn errors_name_line_and_column() {
    let err = CueSheet::parse(b"FILE \"a.wav\" WAVE\n  TRACK x AUDIO\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 9));
    let err = CueSheet::parse(b"TITLE \"open\n").unwrap_err();
    assert_eq!((err.line, err.column), (1, 7));
}

#[test]
fn what_is_not_a_sheet_is_refused() {
    let cases: [(&[u8], &str); 6] = [
        (b"", "empty"),
        (b"  \r\n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\0\0", "a PNG picture"),
        (b"fLaC\0\0\0\x22", "a FLAC file"),
        (b"TITLE \"x\"\nsome\0binary", "binary data"),
        (b"REM just a remark\nTITLE \"Disc\"\n", "no TRACK"),
    ];
    for (bytes, message) in cases {
        let err = CueSheet::parse(bytes).unwrap_err();
        assert!(err.message.contains(message), "{bytes:?}: {err}");
    }
    let err = CueSheet::parse(b"TITLE \"x\"\nsome\0binary").unwrap_err();
    assert_eq!((err.line, err.column), (2, 5));
}

#[test]
fn utf16_sheets_are_read_and_edited_in_utf16() {
    let text = "TITLE \"Caf\u{e9}\"\r\nFILE \"a.wav\" WAVE\r\n  TRACK 01 AUDIO\r\n    INDEX 01 00:00:00\r\n";
    for little in [true, false] {
        let mut bytes = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        let sheet = CueSheet::parse(&bytes).unwrap();
        assert_eq!(sheet.title.as_deref(), Some("Caf\u{e9}"));
        assert_eq!(sheet.tracks.len(), 1);
        let edited = sheet.set_isrc(1, code("CBYZ92200001")).unwrap();
        assert_eq!(&edited[..2], &bytes[..2]);
        let again = CueSheet::parse(&edited).unwrap();
        assert_eq!(again.tracks[0].isrc.as_ref().unwrap().value, "CBYZ92200001");
        assert_eq!(again.encoding, sheet.encoding);
    }
    assert!(CueSheet::parse(b"\xFF\xFEx").is_err());
}

#[test]
fn oddities_are_warned_with_their_line() {
    let text = b"FILE \"a.wav WAVE\nTRACK 01 AUDIO\nISRC CB-YZ9-22-00001\nINDEX 01 00:00:00\nTRACK 01 AUDIO\nISRC cbyz92200001\nINDEX 01 01:00:00\nTRACK 03 AUDIO\nISRC CBYZ92200001\nINDEX 01 02:00:00\n";
    let sheet = CueSheet::parse(text).unwrap();
    let lines: Vec<(usize, &str)> = sheet
        .warnings
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    let has = |line: usize, part: &str| lines.iter().any(|(l, m)| *l == line && m.contains(part));
    assert!(has(1, "no closing quote"), "{lines:?}");
    assert!(has(3, "write it as CBYZ92200001"), "{lines:?}");
    assert!(
        has(5, "track 01 appears twice (first on line 2)"),
        "{lines:?}"
    );
    assert!(has(6, "capital letters"), "{lines:?}");
    assert!(has(9, "is also on track 01 (line 3)"), "{lines:?}");
}

#[test]
fn track_without_index_gets_the_line_at_its_end() {
    let sheet = CueSheet::parse(b"  TRACK 01 AUDIO").unwrap();
    let out = sheet.set_isrc(1, code("CBYZ92200001")).unwrap();
    assert_eq!(out, b"  TRACK 01 AUDIO\n    ISRC CBYZ92200001\n");
}
