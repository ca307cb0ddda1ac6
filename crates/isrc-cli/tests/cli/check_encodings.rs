//! `--annotate` and `--fix` with `--encoding latin1|cp1252|utf-16` (and UTF-16 found by its
//! byte order mark) write the input's encoding: the bytes of every other column come out as
//! they went in. Over the real binary, on files written in those encodings; fails on 145beea,
//! which wrote `--annotate` in UTF-8.

use crate::check_support;

use check_support::{isrc, json, p, stderr, write};

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
        message.contains(&format!(
            "odd.txt:3:1: cannot read: not valid UTF-16LE at line 3, column 1 (byte offset {} in the input): an odd last byte",
            bytes.len() - 1
        )),
        "{message}"
    );
    assert_eq!(std::fs::read(&fixed).unwrap(), b"before");
}

fn utf16be(text: &str) -> Vec<u8> {
    let mut out = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}

/// A byte sequence that is no character names its line, its column and its byte offset, in
/// every encoding the reader accepts: in the first 64 KiB (read to detect the format) and
/// far into the file (read by the workers); UTF-16 little- and big-endian, by byte order
/// mark or `--encoding`; UTF-8 (invalid bytes in the ISRC column are an input problem at
/// their line and column; a JSON array must be UTF-8); Latin-1 and CP1252 have a character
/// for every byte, so no file is malformed in them. Fails on be26a73, which said 1:1.
#[test]
fn a_malformed_byte_is_named_by_line_column_and_offset_in_every_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let error_of = |name: &str, bytes: &[u8], args: &[&str]| {
        let input = write(dir.path(), name, bytes);
        let mut all = vec!["check", p(&input)];
        all.extend_from_slice(args);
        let out = isrc(&all);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        stderr(&out)
    };
    // A lone low surrogate (U+DC00 alone) after the header and two rows, column 4 of line 4.
    let head = "isrc,title\nUSRC17607839,a\nUSRC17607840,b\nabc";
    let mut le = utf16le(head, true);
    let at = le.len();
    le.extend_from_slice(&[0x00, 0xDC]);
    le.extend_from_slice(&utf16le(",x\n", false));
    let message = error_of("le.csv", &le, &[]);
    assert!(
        message.contains(&format!(
            "le.csv:4:4: cannot read: not valid UTF-16LE at line 4, column 4 (byte offset {at} in the input): a surrogate without its pair"
        )),
        "{message}"
    );
    // Without a byte order mark, by --encoding.
    let bare = le[2..].to_vec();
    let message = error_of("bare.csv", &bare, &["--encoding", "utf-16"]);
    assert!(
        message.contains(&format!(
            "bare.csv:4:4: cannot read: not valid UTF-16LE at line 4, column 4 (byte offset {} in the input)",
            at - 2
        )),
        "{message}"
    );
    // Big-endian, 2 MB into the file: the workers' read, after the rows before it were
    // checked; characters beyond ASCII count as one column each.
    let rows: String = (0..100_000)
        .map(|i| format!("USRC176{i:05},t\u{e9}\u{263a}\n"))
        .collect();
    let text = format!("isrc,title\n{rows}");
    let mut be = utf16be(&text);
    let cut = 2 + 2 * 1_000_000;
    let before = &text.encode_utf16().collect::<Vec<_>>()[..1_000_000];
    let before = String::from_utf16(before).unwrap();
    let line = before.matches('\n').count() + 1;
    let column = before.chars().count()
        - before
            .rfind('\n')
            .map_or(0, |p| before[..=p].chars().count())
        + 1;
    be.splice(cut..cut, [0xD8, 0x00]);
    let message = error_of("be.csv", &be, &[]);
    assert!(
        message.contains(&format!(
            "be.csv:{line}:{column}: reading stopped after "
        )) && message.contains(&format!(
            "not valid UTF-16BE at line {line}, column {column} (byte offset {cut} in the input): a surrogate without its pair"
        )),
        "line {line} column {column}: {message}"
    );
    // UTF-8: a JSON array that is not UTF-8 (byte order mark included in the offset).
    let json = b"\xEF\xBB\xBF[{\"isrc\": \"USRC17607839\"},\n {\"isrc\": \"USRC1760\xff7840\"}]\n";
    let message = error_of("bad.json", json, &[]);
    let offset = json.iter().position(|b| *b == 0xff).unwrap();
    assert!(
        message.contains(&format!(
            "bad.json:2:20: invalid UTF-8 at byte offset {offset} in the input"
        )),
        "{message}"
    );
    // UTF-8 text: bad bytes in the ISRC column are an input problem at their line and
    // column, the other rows still checked (exit 1).
    let input = write(
        dir.path(),
        "bad8.csv",
        b"isrc,title\nUSRC17607839,a\xff\nUSRC1760\xff7840,b\n",
    );
    let out = isrc(&["check", p(&input)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bad8.csv:3:9: invalid UTF-8"),
        "{}",
        stderr(&out)
    );
    // Latin-1 and CP1252: every byte is a character, so every byte of a title is read.
    let all: Vec<u8> = (0x80..=0xFFu8).collect();
    let mut bytes = b"isrc,title\nUSRC17607839,".to_vec();
    bytes.extend_from_slice(&all);
    bytes.push(b'\n');
    for encoding in ["latin1", "cp1252"] {
        let input = write(dir.path(), &format!("{encoding}.csv"), &bytes);
        let out = isrc(&["check", "--encoding", encoding, p(&input)]);
        assert_eq!(out.status.code(), Some(0), "{encoding}: {}", stderr(&out));
    }
}

/// Invalid UTF-8 in a CSV's ISRC column, a plain list or a JSON Lines line is an input problem
/// named by its line, its column and its byte offset in the file, as UTF-16 errors are: a
/// quoted field with an escaped quote before the bad byte, a byte order mark and `--skip-rows`
/// lines before it, a multi-code cell's second code, and a bad byte far into the file (a later
/// chunk, checked by another worker). Fails on b9e6b17, which gave no byte offset.
#[test]
fn invalid_utf8_is_named_by_line_column_and_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    // 3 MB of rows before the bad byte: several chunks.
    let far: String = (0..200_000).map(|i| format!("USRC17{i:06},t\n")).collect();
    let far = format!("isrc,title\n{far}USRC1760\u{FFFF}7840,x\n");
    // The bad byte is written as 0xFF in place of each "\u{FFFF}" marker.
    let mark = |text: &str| -> Vec<u8> {
        let mut out = Vec::new();
        for (i, part) in text.split('\u{FFFF}').enumerate() {
            if i > 0 {
                out.push(0xFF);
            }
            out.extend_from_slice(part.as_bytes());
        }
        out
    };
    // (file, bytes, options, line, column)
    type Case<'a> = (&'a str, Vec<u8>, Vec<&'a str>, u64, u64);
    let cases: Vec<Case> = vec![
        (
            "plain.csv",
            mark("isrc,title\nUSRC17607839,a\nUSRC1760\u{FFFF}7840,b\n"),
            vec![],
            3,
            9,
        ),
        (
            "quoted.csv",
            mark("title,isrc\n\"x\",\"US\"\"RC\u{FFFF}1\"\n"),
            vec![],
            2,
            12,
        ),
        (
            "bom.csv",
            mark("\u{FEFF}isrc\nUSRC17607839\nUS\u{FFFF}RC17607840\n"),
            vec![],
            3,
            3,
        ),
        (
            "skip.csv",
            mark("Report\nDecember\nisrc,t\nUSRC1760\u{FFFF}7840,b\n"),
            vec!["--skip-rows", "2"],
            4,
            9,
        ),
        (
            "cell.csv",
            mark("isrc,t\n\"USRC17607839; USRC\u{FFFF}17607840\",b\n"),
            vec![],
            2,
            20,
        ),
        (
            "list.txt",
            mark("USRC17607839\r\nUSRC\u{FFFF}17607840\r\n"),
            vec![],
            2,
            5,
        ),
        (
            "lines.jsonl",
            mark("{\"isrc\": \"USRC17607839\"}\n{\"isrc\": \"US\u{FFFF}RC17607840\"}\n"),
            vec![],
            2,
            13,
        ),
        ("far.csv", mark(&far), vec![], 200_002, 9),
    ];
    for (name, bytes, options, line, column) in cases {
        let offset = bytes.iter().position(|b| *b == 0xFF).unwrap();
        let input = write(dir.path(), name, &bytes);
        let mut args = vec!["check", p(&input)];
        args.extend(options);
        let out = isrc(&args);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let expected =
            format!("{name}:{line}:{column}: invalid UTF-8 at byte offset {offset} in the input");
        assert!(
            stderr(&out).contains(&expected),
            "{expected}\n{}",
            stderr(&out)
        );
        // The JSON report gives the same message with its line and column.
        let report = json(&isrc(&[&args[..], &["--format", "json"]].concat()));
        let problem = &report["input_problems"]["listed"][0];
        let at = &problem["location"];
        assert_eq!(
            (&at["line"], &at["column"]),
            (&line.into(), &column.into()),
            "{name}"
        );
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains(&format!("byte offset {offset} ")),
            "{name}: {problem}"
        );
    }
}
