//! `isrc check` on what data teams send: several codes in one cell, where a duplicate's
//! first record is (its line, not its record number), and warnings kept out of the error
//! share. Over the real binary; each fails on 145beea.

mod check_support;

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

    // --fix leaves a cell of several codes as it is.
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
