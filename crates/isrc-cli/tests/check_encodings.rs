//! `--annotate` and `--fix` with `--encoding latin1|cp1252|utf-16` (and UTF-16 found by its
//! byte order mark) write the input's encoding: the bytes of every other column come out as
//! they went in. Over the real binary, on files written in those encodings; fails on 145beea,
//! which wrote `--annotate` in UTF-8.

mod check_support;

use check_support::{isrc, p, stderr, write};

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// Runs `isrc check FILE --annotate A --fix F ARGS` and gives back the two outputs.
fn annotate_and_fix(input: &std::path::Path, args: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let dir = input.parent().unwrap();
    let (annotated, fixed) = (dir.join("annotated.csv"), dir.join("fixed.csv"));
    let mut all = vec![
        "check",
        p(input),
        "--annotate",
        p(&annotated),
        "--fix",
        p(&fixed),
    ];
    all.extend_from_slice(args);
    let out = isrc(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (
        std::fs::read(&annotated).unwrap(),
        std::fs::read(&fixed).unwrap(),
    )
}

#[test]
fn latin1_and_cp1252_outputs_keep_their_bytes() {
    // Latin-1 "Café", "Señor", "Zoë"; CP1252 adds curly quotes, the euro sign and a dash
    // (0x93 0x94 0x80 0x96), which Latin-1 does not have.
    let cases: [(&str, &[u8]); 2] = [
        ("latin1", b"isrc,title,artist\r\nus-rc1-76-07839,Caf\xe9,Se\xf1or\r\nCBYZ92200002,Zo\xeb,\xc9milie\r\n"),
        ("cp1252", b"isrc,title,artist\r\nus-rc1-76-07839,\x93Quoted\x94 \x80 5,A \x96 B\r\nCBYZ92200002,Fa\xe7ade,\xd8ystein\r\n"),
    ];
    for (encoding, bytes) in cases {
        let dir = tempfile::tempdir().unwrap();
        let input = write(dir.path(), "in.csv", bytes);
        let (annotated, fixed) = annotate_and_fix(&input, &["--encoding", encoding]);
        // --fix: only the code changed, every other byte as it was.
        let mut expected = bytes.to_vec();
        let at = expected
            .windows(15)
            .position(|w| w == b"us-rc1-76-07839")
            .unwrap();
        expected.splice(at..at + 15, b"USRC17607839".iter().copied());
        assert_eq!(
            fixed,
            expected,
            "{encoding}: {}",
            String::from_utf8_lossy(&fixed)
        );
        // --annotate: each input line's bytes, then the columns added.
        let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        let row = |i: usize| lines[i].strip_suffix(b"\r").unwrap();
        let annotated_lines: Vec<&[u8]> = annotated.split(|b| *b == b'\n').collect();
        assert!(
            annotated_lines[1].starts_with(row(1)),
            "{encoding}: {}",
            String::from_utf8_lossy(&annotated)
        );
        assert!(annotated_lines[2].starts_with(row(2)), "{encoding}");
        assert!(
            std::str::from_utf8(&annotated).is_err(),
            "{encoding}: the output is not UTF-8"
        );
    }
}

#[test]
fn utf16_outputs_are_utf16() {
    let text =
        "isrc,title\r\nus-rc1-76-07839,Caf\u{e9} \u{263a}\r\nCBYZ92200002,\u{65e5}\u{672c}\r\n";
    let fixed_text = text.replace("us-rc1-76-07839", "USRC17607839");
    for (bom, args) in [(true, &[][..]), (false, &["--encoding", "utf-16"][..])] {
        let dir = tempfile::tempdir().unwrap();
        let input = write(dir.path(), "in.csv", &utf16le(text, bom));
        let (annotated, fixed) = annotate_and_fix(&input, args);
        assert_eq!(fixed, utf16le(&fixed_text, bom), "bom {bom}");
        let expected = "isrc,title,isrc_normalized,isrc_valid,isrc_findings,isrc_fix,duplicate_of\n\
            us-rc1-76-07839,Caf\u{e9} \u{263a},USRC17607839,true,not_canonical legacy_year,USRC17607839,\n\
            CBYZ92200002,\u{65e5}\u{672c},CBYZ92200002,true,,,\n";
        assert_eq!(
            annotated,
            utf16le(expected, bom),
            "bom {bom}: {}",
            String::from_utf8_lossy(&annotated)
        );
    }
}

/// A UTF-16 file with an odd last byte (found by the `check_reader` fuzz target) is an input
/// error that names the byte, not a U+FFFD that `--fix` then writes where the byte was; an
/// existing output is left as it was.
#[test]
fn malformed_utf16_is_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = utf16le("isrc\nUSRC17607839\n", true);
    bytes.push(0x10);
    let input = write(dir.path(), "odd.txt", &bytes);
    let fixed = dir.path().join("fixed.txt");
    std::fs::write(&fixed, b"before").unwrap();
    let out = isrc(&["check", p(&input), "--fix", p(&fixed)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains(&format!("not valid UTF-16LE at byte {}", bytes.len() - 1)),
        "{message}"
    );
    assert_eq!(std::fs::read(&fixed).unwrap(), b"before");
}
