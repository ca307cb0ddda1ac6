//! `isrc check` on what data teams send: several codes in one cell, where a duplicate's
//! first record is (its line, not its record number), and warnings kept out of the error
//! share. Over the real binary; each fails on 145beea.

use crate::check_support;

use check_support::{isrc, json, p, stderr, write};

/// `;`, `/`, `,` (in a quoted cell), `|` and a line break inside a quoted cell: every code
/// is checked on its cell's line; the totals say how many came from shared cells.
#[test]
fn several_codes_in_one_cell_are_each_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "cells.csv",
        b"isrc,title\n\
          USRC17607839; USRC17607840,a\n\
          GBAYE0601498 / GBAYE06O1499,b\n\
          \"CBYZ92200001, CBYZ92200002\",c\n\
          \"CBYZ92200003\nCBYZ92200001\",d\n\
          US/RC1/76/07841,e\n",
    );
    let out = isrc(&["check", "--format", "json", p(&path)]);
    let report = json(&out);
    assert_eq!(report["records"], 9, "{report:#}");
    assert_eq!(report["extra_codes"], 4);
    assert_eq!(report["invalid"], 2);
    let invalid = &report["invalid_codes"]["listed"][0];
    assert_eq!(invalid["value"], "GBAYE06O1499");
    assert_eq!(invalid["line"], 3);
    // The slashes of one code written with them are not separators: one value, not four.
    let invalid = &report["invalid_codes"]["listed"][1];
    assert_eq!(invalid["value"], "US/RC1/76/07841");
    assert_eq!(invalid["line"], 7);
    // CBYZ92200001 is in two cells: a duplicate whose first record is on line 4.
    assert_eq!(report["duplicate_isrcs"], 1);
    assert_eq!(report["duplicates"]["listed"][0]["isrc"], "CBYZ92200001");
    assert_eq!(report["duplicates"]["listed"][0]["first_line"], 4);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // --fix has nothing to fix here (every valid code is compact): the cells stay as they are.
    let fixed = dir.path().join("fixed.csv");
    let out = isrc(&["check", p(&path), "--fix", p(&fixed)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = std::fs::read_to_string(&fixed).unwrap();
    assert!(text.contains("USRC17607839; USRC17607840,a\n"), "{text}");
    assert!(
        text.contains("\"CBYZ92200003\nCBYZ92200001\",d\n"),
        "{text}"
    );
}

/// A catalogue with cells of several codes, one of them on two lines, in Latin-1.
const CELLS: &[u8] = b"isrc,title\n\
    \"us-rc1-76-07839 ;USRC17607840\",Caf\xe9\n\
    GBAYE0601498 / GBAYE06O1499,b\n\
    \"CBYZ92200003\n cbyz92200001\",d\n\
    USRC17607840,e\n";

/// --annotate gives every code of a cell its own row and verdict (the ISRC column holding
/// that code, the other columns' bytes repeated as they were); --fix fixes each code of a
/// cell in place and keeps its separators, spaces, quotes and every other byte. Fails on
/// be26a73, where the later codes of a cell were neither annotated nor fixed.
#[test]
fn every_code_of_a_cell_is_annotated_and_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cells.csv", CELLS);
    let annotated = dir.path().join("notes.csv");
    let fixed = dir.path().join("fixed.csv");
    let out = isrc(&[
        "check",
        "--encoding",
        "latin1",
        p(&path),
        "--annotate",
        p(&annotated),
        "--fix",
        p(&fixed),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let expected = format!(
        "isrc,title,isrc_normalized,isrc_valid,isrc_findings,isrc_fix,duplicate_of\n\
         us-rc1-76-07839,Caf\u{e9},USRC17607839,true,not_canonical legacy_year,USRC17607839,\n\
         USRC17607840,Caf\u{e9},USRC17607840,true,legacy_year,,\n\
         GBAYE0601498,b,GBAYE0601498,true,,,\n\
         GBAYE06O1499,b,,false,letter_in_digits,GBAYE0601499,\n\
         CBYZ92200003,d,CBYZ92200003,true,,,\n\
         cbyz92200001,d,CBYZ92200001,true,not_canonical,CBYZ92200001,\n\
         USRC17607840,e,USRC17607840,true,legacy_year,,{}:2\n",
        p(&path)
    );
    let expected: Vec<u8> = expected
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    let notes = std::fs::read(&annotated).unwrap();
    assert!(notes == expected, "{}", String::from_utf8_lossy(&notes));
    // One row per record of the report.
    let report = json(&isrc(&[
        "check",
        "--format",
        "json",
        "--encoding",
        "latin1",
        p(&path),
    ]));
    assert_eq!(report["records"], 7);

    let fixed_bytes = std::fs::read(&fixed).unwrap();
    assert_eq!(
        fixed_bytes,
        &b"isrc,title\n\
           \"USRC17607839 ;USRC17607840\",Caf\xe9\n\
           GBAYE0601498 / GBAYE06O1499,b\n\
           \"CBYZ92200003\n CBYZ92200001\",d\n\
           USRC17607840,e\n"[..],
        "{}",
        String::from_utf8_lossy(&fixed_bytes)
    );
    let err = stderr(&out);
    assert!(
        err.contains("2 codes fixed, 1 invalid code kept as they were"),
        "{err}"
    );
    // The code kept is named by its own line and column, the second of its cell.
    assert!(
        err.contains(&format!("{}:3:16: \"GBAYE06O1499\"", p(&path))),
        "{err}"
    );

    // With suggested fixes, the second code of line 3 is fixed too, the first kept.
    let out = isrc(&[
        "check",
        "--encoding",
        "latin1",
        p(&path),
        "--fix",
        p(&fixed),
        "--fix-suggested",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let fixed_bytes = std::fs::read(&fixed).unwrap();
    assert!(
        fixed_bytes
            .windows(30)
            .any(|w| w == b"GBAYE0601498 / GBAYE0601499,b\n"),
        "{}",
        String::from_utf8_lossy(&fixed_bytes)
    );
}

/// Plain lists and JSON Lines: each code of a line or string fixed in place.
#[test]
fn every_code_of_a_list_line_or_json_string_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    for (name, input, expected) in [
        (
            "codes.txt",
            &b"us-rc1-76-07839;  usrc17607840\r\nCBYZ92200001\r\n"[..],
            &b"USRC17607839;  USRC17607840\r\nCBYZ92200001\r\n"[..],
        ),
        (
            "codes.jsonl",
            b"{\"isrc\": \"us-rc1-76-07839 | CBYZ92200001\", \"t\": 1}\n",
            b"{\"isrc\": \"USRC17607839 | CBYZ92200001\", \"t\": 1}\n",
        ),
    ] {
        let path = write(dir.path(), name, input);
        let fixed = dir.path().join(format!("fixed-{name}"));
        let out = isrc(&["check", p(&path), "--fix", p(&fixed)]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let got = std::fs::read(&fixed).unwrap();
        assert_eq!(got, expected, "{name}: {}", String::from_utf8_lossy(&got));
    }
}

/// `duplicate_of` in --annotate says where the first record is as FILE:LINE, the line the
/// human report gives ("first in FILE line N"), also after a multi-line quoted field and
/// when the first is a later code of a cell. Fails on be26a73 (a record number).
#[test]
fn annotate_duplicate_of_is_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "dups.csv",
        b"isrc,title\n\
          CBYZ92200009,\"a\nlong\ntitle\"\n\
          \n\
          \"CBYZ92200002; CBYZ92200001\",b\n\
          CBYZ92200001,c\n\
          CBYZ92200009,d\n",
    );
    let annotated = dir.path().join("notes.csv");
    let out = isrc(&["check", p(&path), "--annotate", p(&annotated)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let notes = std::fs::read_to_string(&annotated).unwrap();
    let mut reader = csv::Reader::from_reader(notes.as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "duplicate_of")
        .unwrap();
    let firsts: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[column].to_owned())
        .collect();
    let at = |line: u64| format!("{}:{line}", p(&path));
    assert_eq!(firsts, ["", "", "", &at(6), &at(2)], "{notes}");
    // The human report names the same lines.
    let text = String::from_utf8(isrc(&["check", p(&path)]).stdout).unwrap();
    assert!(
        text.contains(&format!("first in {} line 2", p(&path))),
        "{text}"
    );
}

/// A plain list too: a line of two codes is two records.
#[test]
fn several_codes_on_one_line_of_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "codes.txt",
        b"USRC17607839;USRC17607840\nUSRC17607840\n",
    );
    let report = json(&isrc(&["check", "--format", "json", p(&path)]));
    assert_eq!(
        (report["records"].as_u64(), report["extra_codes"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(report["valid"], 3);
    assert_eq!(report["duplicate_isrcs"], 1);
}

/// People read lines: a duplicate's first record is given by its file and line, also after
/// a multi-line quoted field, where the record number differs.
#[test]
fn a_duplicates_first_record_is_given_by_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "cat.csv",
        b"isrc,title\n\
          CBYZ92200009,\"a\nlong\ntitle\"\n\
          \n\
          CBYZ92200001,b\n\
          CBYZ92200001,c\n",
    );
    let out = isrc(&["check", p(&path)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "CBYZ92200001       2 records  first in {} line 6",
            p(&path)
        )),
        "{text}"
    );
    assert!(!text.contains("record 2"), "{text}");
    // The CSV row's file and line are the first record's; its detail lists every line.
    let out = isrc(&["check", "--format", "csv", p(&path)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "duplicate,{},6,,CBYZ92200001,,,,\"2 records, lines 6, 7",
            p(&path)
        )),
        "{text}"
    );
    let report = json(&isrc(&["check", "--format", "json", p(&path)]));
    let first = &report["duplicates"]["listed"][0];
    assert_eq!(
        (first["first_record"].as_u64(), first["first_line"].as_u64()),
        (Some(2), Some(6))
    );
}

/// Warnings (display form, lower case) are not errors: a prefix of only warned records has
/// an error share of 0, and the default --fail-on passes.
#[test]
fn warnings_are_not_in_the_error_share() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "warned.txt",
        b"usrc17607839\nUS-RC1-76-07840\nUSRC17607841\nUSRC176O7842\n",
    );
    let out = isrc(&["check", "--format", "json", p(&path)]);
    let report = json(&out);
    assert_eq!(report["invalid"], 1);
    assert_eq!(report["warnings"], 2);
    let prefix = &report["prefixes"][0];
    assert_eq!(prefix["prefix"], "USRC1");
    assert_eq!(prefix["problems"], 3);
    assert_eq!(prefix["share"], 0.25);
    let out = isrc(&["check", "--format", "json", "--fail-on", "errors", p(&path)]);
    assert_eq!(out.status.code(), Some(1));
    let only_warned = write(dir.path(), "w.txt", b"usrc17607839\nUS-RC1-76-07840\n");
    let out = isrc(&["check", "--format", "json", p(&only_warned)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["prefixes"][0]["share"], 0.0);
    let out = isrc(&["check", "--fail-on", "warnings", p(&only_warned)]);
    assert_eq!(out.status.code(), Some(1));
}
