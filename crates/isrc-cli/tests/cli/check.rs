//! `isrc check` end to end: the real binary on files made here.

use crate::check_support;

use std::io::Write;
use std::path::Path;
use std::process::Output;

use check_support::{isrc, isrc_stdin, json, stderr, write};
use serde_json::{Value, json};

fn json_report(path: &Path, extra: &[&str]) -> (Value, Output) {
    let mut args = vec!["check", "--format", "json", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = isrc(&args);
    (json(&out), out)
}

/// A catalogue whose composition is known: 10 records, 3 invalid, 2 duplicated codes, one
/// of them with conflicting titles.
const LINES: &str = "\
USRC17607839
GBAYE0601498
usrc17607839
USRC176O7839
XXRC12600001
GBAYE0601498

CBYZ92200001
CBYZ92200002
JMK400000001
FRZ032600010
";

#[test]
fn lines_exact_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "codes.txt", LINES.as_bytes());
    let (report, out) = json_report(&path, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "by_rule",
            "bytes",
            "conflicting_isrcs",
            "conflicts",
            "duplicate_isrcs",
            "duplicates",
            "extra_codes",
            "input_problems",
            "inputs",
            "invalid",
            "invalid_codes",
            "possible_duplicate_recordings",
            "prefix_table",
            "prefixes",
            "records",
            "reference_date",
            "schema_version",
            "valid",
            "warnings"
        ]
    );
    assert_eq!(report["records"], 10);
    assert_eq!(report["valid"], 7);
    assert_eq!(report["invalid"], 3);
    assert_eq!(
        report["by_rule"],
        json!({
            "example_code": 1,
            "legacy_year": 2,
            "letter_in_digits": 1,
            "not_canonical": 1,
            "unknown_prefix": 1
        })
    );
    assert_eq!(report["duplicate_isrcs"], 2);
    assert_eq!(report["conflicting_isrcs"], 0);
    let prefixes = report["prefixes"].as_array().unwrap();
    let usrc1 = prefixes.iter().find(|p| p["prefix"] == "USRC1").unwrap();
    assert_eq!(usrc1["records"], 3);
    assert_eq!(usrc1["problems"], 2);
    assert_eq!(usrc1["invalid"], 1);
    assert_eq!(
        usrc1["rules"],
        json!({"letter_in_digits": 1, "not_canonical": 1})
    );
    assert_eq!(usrc1["examples"][0]["line"], 3);
    assert_eq!(usrc1["examples"][1]["input"], "USRC176O7839");
    assert_eq!(usrc1["examples"][1]["line"], 4);
    let jmk = prefixes.iter().find(|p| p["prefix"] == "JMK40").unwrap();
    assert_eq!(jmk["examples"][0]["line"], 10);
    // The input is never modified.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), LINES);
}

/// A plain list first (checked with the compact bit-page index), then a CSV catalogue: the
/// catalogue's conflicts are still found, and duplicates count across both files.
#[test]
fn csv_after_a_plain_list_keeps_its_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let list = write(dir.path(), "codes.txt", LINES.as_bytes());
    let csv = write(
        dir.path(),
        "catalogue.csv",
        b"isrc,title,artist\nCBYZ92200001,Rain,The Golds\nCBYZ92200001,Fire,The Golds\n\
          CBYZ92200003,Road,The Blues\nCBYZ92200003,road!,the blues\n",
    );
    let out = isrc(&[
        "check",
        "--format",
        "json",
        list.to_str().unwrap(),
        csv.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["records"], 14, "{}", stderr(&out));
    // USRC17607839 and GBAYE0601498 in the list, CBYZ92200001 in both, CBYZ92200003 in the
    // catalogue (with the same title and artist once folded: no conflict).
    assert_eq!(report["duplicate_isrcs"], 4);
    assert_eq!(report["conflicting_isrcs"], 1);
}

#[test]
fn all_valid_exits_zero_and_stdin_works() {
    let out = isrc_stdin(&["check", "-"], b"CBYZ92200001\nCBYZ92200002\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2 records, 2 valid, 0 invalid"), "{text}");
}

#[test]
fn csv_quoted_fields_bom_crlf_and_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "\u{FEFF}Title,\"ISRC Code\",Main Artist,Version,Duration\r\n\
        \"Hello, World\",USRC17607839,\"The \"\"Band\"\"\",,3:05\r\n\
        \"Two\r\nlines\",GBAYE0601498,Someone,,2:00\r\n\
        \"hello world!\",USRC17607839,the band,,3:16\r\n\
        Other,GBAYE0601498,Someone,Live,2:00\r\n\
        Same,CBYZ92200001,X,,2:00\r\n\
        Same,CBYZ92200001,X,,2:30\r\n";
    let path = write(dir.path(), "cat.csv", csv.as_bytes());
    let (report, out) = json_report(&path, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(report["records"], 6);
    assert_eq!(report["valid"], 6);
    assert_eq!(report["duplicate_isrcs"], 3);
    // Folded titles agree but 11 s is past the 10 s same-recording tolerance (isrc::recording,
    // shared with the registry); a version differs; 30 s is too much.
    assert_eq!(report["conflicting_isrcs"], 3);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn tsv_without_header_finds_the_column_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "data.tsv",
        b"1\tSong A\tUSRC17607839\n2\tSong B\tGBAYE06O1498\n3\tSong C\tCBYZ92200001\n",
    );
    let (report, out) = json_report(&path, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["records"], 3);
    assert_eq!(report["invalid"], 1);
    assert_eq!(report["by_rule"]["letter_in_digits"], 1);
    // Overriding the column by number.
    let (report, _) = json_report(&path, &["--column", "2"]);
    assert_eq!(report["invalid"], 3);
}

#[test]
fn semicolon_csv_and_column_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "semi.csv",
        b"id;code isrc;other\n1;USRC17607839;GBAYE0601498\n2;CBYZ92200001;x\n",
    );
    let (report, _) = json_report(&path, &[]);
    assert_eq!(report["records"], 2);
    assert_eq!(report["invalid"], 0);
    let (report, _) = json_report(&path, &["--column", "other"]);
    assert_eq!(report["invalid"], 1);
}

#[test]
fn json_lines_with_nested_field() {
    let dir = tempfile::tempdir().unwrap();
    let input = "{\"track\":{\"isrc\":\"USRC17607839\"},\"title\":\"a\"}\n\
        {\"track\":{\"isrc\":\"usrc1760783O\"}}\n\
        \n\
        {\"track\":{}}\n\
        not json\n";
    let path = write(dir.path(), "rows.jsonl", input.as_bytes());
    let (report, out) = json_report(&path, &["--field", "track.isrc"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["records"], 4);
    assert_eq!(report["valid"], 1);
    assert_eq!(report["by_rule"]["letter_in_digits"], 1);
    assert_eq!(report["by_rule"]["empty"], 2);
    let err = stderr(&out);
    assert!(
        err.contains("rows.jsonl:4:1: missing value: no \"track.isrc\""),
        "{err}"
    );
    assert!(err.contains("rows.jsonl:5:"), "{err}");
}

#[test]
fn gzip_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"isrc,title\nUSRC17607839,a\nUSRC17607839,b\nXXRC12600001,c\n")
        .unwrap();
    let path = write(dir.path(), "cat.csv.gz", &gz.finish().unwrap());
    let (report, out) = json_report(&path, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["records"], 3);
    assert_eq!(report["invalid"], 1);
    assert_eq!(report["duplicate_isrcs"], 1);
    assert_eq!(report["conflicting_isrcs"], 1);
}

/// A minimal xlsx workbook with inline strings.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    isrc_test_support::xlsx::workbook(rows, false)
}

#[test]
fn xlsx_first_sheet_and_named_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let book = xlsx(&[
        &["Title", "ISRC"],
        &["A", "USRC17607839"],
        &["B", "GBAYE06O1498"],
        &["C", "USRC17607839"],
    ]);
    let path = write(dir.path(), "book.xlsx", &book);
    let (report, out) = json_report(&path, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(report["records"], 3);
    assert_eq!(report["invalid"], 1);
    assert_eq!(report["duplicate_isrcs"], 1);
    assert_eq!(report["conflicting_isrcs"], 1);
    assert_eq!(report["prefixes"][0]["examples"][0]["line"], 3);
    let (report, _) = json_report(&path, &["--sheet", "Catalogue"]);
    assert_eq!(report["records"], 3);
    let out = isrc(&["check", path.to_str().unwrap(), "--sheet", "Nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no sheet named \"Nope\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fix_rewrites_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let input = "\u{FEFF}isrc;title;note\r\n\
        us-rc1-76-07839;\"a; b\";keep  spacing\r\n\
        \r\n\
        \"CB-YZ9-22-00001\";c;\"x\"\"y\"\r\n\
        USRC176O7839;d;\r\n\
        XXRC12600001;e;f\r\n\
        GBAYE0601498;g;h";
    let path = write(dir.path(), "in.csv", input.as_bytes());
    let out_path = dir.path().join("fixed.csv");
    let out = isrc(&[
        "check",
        path.to_str().unwrap(),
        "--fix",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let expected = "\u{FEFF}isrc;title;note\r\n\
        USRC17607839;\"a; b\";keep  spacing\r\n\
        \r\n\
        \"CBYZ92200001\";c;\"x\"\"y\"\r\n\
        USRC176O7839;d;\r\n\
        XXRC12600001;e;f\r\n\
        GBAYE0601498;g;h";
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), expected);
    let err = stderr(&out);
    assert!(
        err.contains("2 codes fixed, 2 invalid codes kept as they were"),
        "{err}"
    );
    assert!(err.contains("in.csv:5:1: \"USRC176O7839\""), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), input);

    // With suggested fixes, the letter O is read as a zero.
    let out = isrc(&[
        "check",
        path.to_str().unwrap(),
        "--fix",
        out_path.to_str().unwrap(),
        "--fix-suggested",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let fixed = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(fixed, expected.replace("USRC176O7839", "USRC17607839"));
}

#[test]
fn fix_lines_and_refuses_to_overwrite_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "codes.txt",
        b"usrc17607839\n\n  \nISRC CB-YZ9-22-00001\r\nbad\n",
    );
    let out_path = dir.path().join("out.txt");
    let out = isrc(&[
        "check",
        path.to_str().unwrap(),
        "--fix",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&out_path).unwrap(),
        b"USRC17607839\n\n  \nCBYZ92200001\r\nbad\n"
    );
    let out = isrc(&[
        "check",
        path.to_str().unwrap(),
        "--fix",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("never modified"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"usrc17607839\n\n  \nISRC CB-YZ9-22-00001\r\nbad\n"
    );
}

#[test]
fn annotate_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "c.csv",
        b"isrc,title\nUSRC17607839,\"a, b\"\nusrc176o7839,c\nUSRC17607839,d\n",
    );
    let out_path = dir.path().join("notes.csv");
    let out = isrc(&[
        "check",
        path.to_str().unwrap(),
        "--annotate",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        format!(
            "isrc,title,isrc_normalized,isrc_valid,isrc_findings,isrc_fix,duplicate_of\n\
             USRC17607839,\"a, b\",USRC17607839,true,legacy_year,,\n\
             usrc176o7839,c,,false,letter_in_digits,USRC17607839,\n\
             USRC17607839,d,USRC17607839,true,legacy_year,,{}:2\n",
            path.to_str().unwrap()
        )
    );
}

#[test]
fn prefix_table_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "codes.txt", LINES.as_bytes());
    let out = isrc(&["check", "--format", "prefixes-csv", path.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("prefix,records,problems,invalid,share,rules,examples")
    );
    // The share is the error share: one invalid record of three (warnings are not errors).
    assert!(
        text.contains("USRC1,3,2,1,0.3333,letter_in_digits:1 not_canonical:1,"),
        "{text}"
    );
}

#[test]
fn gaps_and_out_of_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "ledger.txt",
        b"CBYZ92600001\nCBYZ92600002\nCBYZ92600005\nCBYZ92600004\nCBYZ92600009\n",
    );
    let (report, _) = json_report(&path, &["--gaps"]);
    assert_eq!(
        report["gaps"],
        json!([{
            "prefix_year": "CBYZ926",
            "designations": 5,
            "first": 1,
            "last": 9,
            "missing": 4,
            "missing_ranges": [[3, 3], [6, 8]],
            "out_of_order": 1
        }])
    );
}

#[test]
fn ragged_rows_and_broken_quoting() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "bad.csv",
        b"title,isrc,artist\nA,USRC17607839,x\nB\nC,GBAYE0601498,y,extra\nD,CBYZ92200001,say \"hi\nE,\"CBYZ92200002,z\n",
    );
    let (report, out) = json_report(&path, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("bad.csv:3:1: ragged row: 1 fields where the first row has 3"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:3:1: missing value: the row has 1 fields, the ISRC is in column 2"),
        "{err}"
    );
    assert!(err.contains("bad.csv:4:1: ragged row: 4 fields"), "{err}");
    assert!(
        err.contains("bad.csv:5:20: broken quoting: a quote inside an unquoted field"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:6:3: broken quoting: the quoted field opened here is never closed"),
        "{err}"
    );
    assert_eq!(report["records"], 5);
    assert_eq!(report["valid"], 3);
}

#[test]
fn invalid_utf8_and_nul_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "mixed.txt",
        b"USRC17607839\nUSRC1\xff607839\nUS\0C17607839\nCBYZ92200001\n",
    );
    let (report, out) = json_report(&path, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["records"], 4);
    assert_eq!(report["invalid"], 2);
    assert_eq!(report["by_rule"]["invalid_character"], 2);
    let err = stderr(&out);
    assert!(err.contains("mixed.txt:2:6: invalid UTF-8"), "{err}");
    assert!(err.contains("mixed.txt:3:3: a NUL byte"), "{err}");
}

#[test]
fn a_100_mb_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.txt");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    file.write_all(b"USRC17607839\n").unwrap();
    let block = vec![b'A'; 1 << 20];
    for _ in 0..100 {
        file.write_all(&block).unwrap();
    }
    file.write_all(b"\nCBYZ92200001\n").unwrap();
    file.flush().unwrap();
    drop(file);
    let (report, out) = json_report(&path, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["records"], 3);
    assert_eq!(report["valid"], 2);
    assert_eq!(report["by_rule"]["length"], 1);
    let err = stderr(&out);
    assert!(
        err.contains("long.txt:2:1048577: the line is 104857600 bytes long; only its first 1048576 bytes were read"),
        "{err}"
    );
    // --fix refuses rather than writing a cut line.
    let fixed = dir.path().join("fixed.txt");
    let out = isrc(&[
        "check",
        path.to_str().unwrap(),
        "--fix",
        fixed.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot write output: line 2 is longer than"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "empty.csv", b"");
    let out = isrc(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    // No report of zeros: nothing was checked.
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr(&out).contains("empty.csv:1:1: the file is empty: there is nothing to check"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn binary_file() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    let path = write(dir.path(), "blob.bin", &bytes);
    let out = isrc(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("blob.bin:1:1: this is a binary file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "no.csv", b"title,artist\nA,B\nC,D\n");
    let out = isrc(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no.csv:1:1: missing column"),
        "{}",
        stderr(&out)
    );
    let path = write(dir.path(), "named.csv", b"isrc,title\nUSRC17607839,A\n");
    let out = isrc(&["check", path.to_str().unwrap(), "--column", "code"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("missing column: no ISRC column named \"code\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreadable_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    // A file that opens but whose every read fails, as when a file vanishes from a network
    // share (on Linux, reading /proc/self/mem at offset 0 fails with EIO).
    if std::path::Path::new("/proc/self/mem").exists() {
        let out = isrc(&["check", "/proc/self/mem"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains(":1:1: cannot read:"),
            "{}",
            stderr(&out)
        );
    }
    // A folder stands for the catalogues under it; one that holds none is an error.
    let out = isrc(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the folders given hold no catalogue or message files"),
        "{}",
        stderr(&out)
    );
    let gone = dir.path().join("gone.csv");
    let good = write(dir.path(), "good.txt", b"CBYZ92200001\n");
    let out = isrc(&["check", gone.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("gone.csv:1:1: cannot open:"),
        "{}",
        stderr(&out)
    );
    // The other file was still checked.
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 record, 1 valid"));
}

#[test]
fn usage_errors_exit_two() {
    let out = isrc(&["check", "--format-in", "parquet", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = isrc(&["check"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A count of one takes the singular in the human report and the `--fix` summary ("1
/// record", not "1 records"); other counts the plural.
#[test]
fn a_count_of_one_is_singular() {
    let dir = tempfile::tempdir().unwrap();
    let one = write(dir.path(), "one.csv", b"isrc,title\nUSRC1760783O,Song\n");
    let fixed = dir.path().join("fixed.csv");
    let out = isrc(&[
        "check",
        one.to_str().unwrap(),
        "--fix-suggested",
        "--fix",
        fixed.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(": 1 record, 0 valid, 1 invalid"),
        "{stdout}"
    );
    assert!(!stdout.contains("1 records"), "{stdout}");
    assert!(stdout.contains("Duplicates: 0 ISRCs"), "{stdout}");
    let err = stderr(&out);
    assert!(err.contains("1 code fixed, 0 invalid codes kept"), "{err}");
    let two = write(dir.path(), "two.txt", b"USRC17607839\nUSRC17607839\n");
    let out = isrc(&["check", two.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(": 2 records, 2 valid"), "{stdout}");
    assert!(
        stdout.contains("Duplicates: 1 ISRC in more than one record"),
        "{stdout}"
    );
}
