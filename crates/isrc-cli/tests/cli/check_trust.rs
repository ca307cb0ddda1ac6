//! `isrc check` a data team can trust (issue 19), over the real binary on files made here:
//! nothing lost in silence, outputs never damaged, only right fixes, a report that lists what
//! it found. Each test fails on the code before the issue.

use crate::check_support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use check_support::{
    TODAY, assert_follows_schema, isrc, isrc_stdin, json, p, report_schema, stderr, write,
};
use serde_json::Value;

/// The files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A catalogue of `n` valid rows, each a distinct code of Re:Sound's CBYZ9 in 2022.
fn catalogue(n: u32) -> String {
    let mut out = String::from("isrc,title,artist\n");
    for i in 1..=n {
        out.push_str(&format!("CBYZ922{i:05},Song {i},Artist\n"));
    }
    out
}

#[test]
fn an_unclosed_quote_in_row_3_hides_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("isrc,title\n");
    for i in 1..=99_999u32 {
        if i == 3 {
            text.push_str("CBYZ92200003,\"Broken title\n");
        } else {
            text.push_str(&format!("CBYZ92{i:06},Song\n"));
        }
    }
    let path = write(dir.path(), "q.csv", text.as_bytes());
    let out = isrc(&["check", "--format", "json", p(&path)]);
    let report = json(&out);
    assert_eq!(report["records"], 99_999);
    assert_eq!(report["valid"], 99_999);
    assert!(
        stderr(&out)
            .contains("q.csv:4:14: broken quoting: the quoted field opened here is never closed"),
        "{}",
        stderr(&out)
    );
    // An input problem fails the check by default.
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn empty_header_only_and_columnless_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, message) in [
        ("empty.csv", &b""[..], "the file is empty"),
        ("header.csv", b"isrc,title\n\n", "no records"),
        ("blank.txt", b"\n\n\r\n", "no records"),
        ("nocode.csv", b"title,artist\nA,B\nC,D\n", "missing column"),
    ] {
        let path = write(dir.path(), name, bytes);
        let out = isrc(&["check", p(&path)]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{name}: {}", stderr(&out));
    }
}

/// An exit-2 error prints no report: no "0 records" line, no JSON or CSV of zeros, in any
/// format; the error is on stderr. Fails on b9e6b17, which printed "0 records".
#[test]
fn an_input_that_could_not_be_checked_prints_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(&str, String, &str)> = Vec::new();
    let blob: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    for (name, bytes, message) in [
        ("empty.csv", &b""[..], "the file is empty"),
        ("header.csv", b"isrc,title\n", "no records"),
        ("nocode.csv", b"title,artist\nA,B\n", "missing column"),
        ("blob.bin", &blob[..], "binary file"),
    ] {
        let path = write(dir.path(), name, bytes);
        cases.push((name, p(&path).to_owned(), message));
    }
    let gone = dir.path().join("gone.csv");
    cases.push(("gone.csv", p(&gone).to_owned(), "cannot open"));
    if std::path::Path::new("/proc/self/mem").exists() {
        cases.push(("/proc/self/mem", "/proc/self/mem".into(), "cannot read"));
    }
    for (name, path, message) in &cases {
        for format in ["human", "json", "csv", "prefixes-csv"] {
            let out = isrc(&["check", "--format", format, path]);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{name} {format}: {}",
                stderr(&out)
            );
            assert!(
                out.stdout.is_empty(),
                "{name} {format}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            assert!(
                stderr(&out).contains(message),
                "{name} {format}: {}",
                stderr(&out)
            );
        }
    }
    // An input that cannot be written back: refused before any record, so no report either.
    let array = write(
        dir.path(),
        "array.json",
        b"[{\"isrc\": \"CBYZ92200001\"}]\n",
    );
    let fixed = dir.path().join("fixed.json");
    let out = isrc(&["check", p(&array), "--fix", p(&fixed)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr(&out).contains("--fix cannot rewrite a JSON array"),
        "{}",
        stderr(&out)
    );
    // Of two inputs, one checked: its report is printed, and the exit status is still 2.
    let good = write(dir.path(), "good.txt", b"CBYZ92200001\n");
    let out = isrc(&["check", "--format", "json", p(&gone), p(&good)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["records"], 1);
}

#[test]
fn fail_on_chooses_what_gives_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    // A warning only (display form), an input problem only (ragged row), an error only.
    let warning = write(dir.path(), "w.txt", b"CBYZ92200001\ncbyz92200002\n");
    let ragged = write(
        dir.path(),
        "r.csv",
        b"isrc,title\nCBYZ92200001,a\nCBYZ92200002,b,c\n",
    );
    let error = write(dir.path(), "e.txt", b"CBYZ92200001\nCBYZ922O0002\n");
    let expect = [
        ("errors", [0, 0, 1]),
        ("input-problems", [0, 1, 1]),
        ("warnings", [1, 1, 1]),
        ("never", [0, 0, 0]),
    ];
    for (fail_on, codes) in expect {
        for (path, code) in [&warning, &ragged, &error].into_iter().zip(codes) {
            let out = isrc(&["check", "--fail-on", fail_on, p(path)]);
            assert_eq!(
                out.status.code(),
                Some(code),
                "--fail-on {fail_on} {}",
                path.display()
            );
        }
    }
    // The default is input-problems.
    assert_eq!(isrc(&["check", p(&ragged)]).status.code(), Some(1));
    assert_eq!(isrc(&["check", p(&warning)]).status.code(), Some(0));
    let help = String::from_utf8(isrc(&["check", "--help"]).stdout).unwrap();
    assert!(help.contains("Exit status:"), "{help}");
    assert!(help.contains("--fail-on"), "{help}");
}

#[test]
fn a_failed_run_leaves_the_previous_output_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    // The input stops being readable half-way: a gzip stream cut short.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(catalogue(200_000).as_bytes()).unwrap();
    let mut bytes = gz.finish().unwrap();
    bytes.truncate(bytes.len() / 2);
    let input = write(dir.path(), "cut.csv.gz", &bytes);
    let fixed = write(dir.path(), "fixed.csv", b"the previous output\n");
    let annotated = write(dir.path(), "annotated.csv", b"the previous annotation\n");
    let out = isrc(&[
        "check",
        p(&input),
        "--fix",
        p(&fixed),
        "--annotate",
        p(&annotated),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read(&fixed).unwrap(), b"the previous output\n");
    assert_eq!(
        std::fs::read(&annotated).unwrap(),
        b"the previous annotation\n"
    );
    assert_eq!(
        listing(dir.path()),
        ["annotated.csv", "cut.csv.gz", "fixed.csv"]
    );
    assert!(stderr(&out).contains("was not written"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn sigint_during_fix_leaves_the_previous_output_byte_identical() {
    for signal in ["INT", "TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let fixed = write(dir.path(), "fixed.csv", b"the previous output\n");
        let mut child = Command::new(env!("CARGO_BIN_EXE_isrc"))
            .args(["check", "-", "--fix", p(&fixed)])
            .env("ISRC_TODAY", TODAY)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Half the input, then wait for the temporary output to appear beside the target.
        stdin.write_all(catalogue(50_000).as_bytes()).unwrap();
        stdin.flush().unwrap();
        let started = Instant::now();
        while listing(dir.path()).len() < 2 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no temporary file"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        assert_eq!(
            out.status.code(),
            Some(130),
            "SIG{signal}: {}",
            stderr(&out)
        );
        assert_eq!(std::fs::read(&fixed).unwrap(), b"the previous output\n");
        assert_eq!(listing(dir.path()), ["fixed.csv"], "SIG{signal}");
    }
}

#[test]
fn fix_writes_the_compression_its_name_says() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "in.csv",
        b"isrc,title\ncbyz922-00001,a\nCBYZ92200002,b\n",
    );
    let expected = "isrc,title\nCBYZ92200001,a\nCBYZ92200002,b\n";
    let gz = dir.path().join("out.csv.gz");
    let out = isrc(&["check", p(&input), "--fix", p(&gz)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap()),
        &mut text,
    )
    .unwrap();
    assert_eq!(text, expected);
    let zst = dir.path().join("out.csv.zst");
    let out = isrc(&["check", p(&input), "--fix", p(&zst)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bytes = std::fs::read(&zst).unwrap();
    assert_eq!(&bytes[..4], b"\x28\xb5\x2f\xfd", "a Zstandard frame");
    // And isrc check reads it back.
    let out = isrc(&["check", "--format", "json", p(&zst)]);
    assert_eq!(json(&out)["records"], 2, "{}", stderr(&out));
}

#[test]
fn a_suggested_fix_is_applied_only_when_it_is_right() {
    let dir = tempfile::tempdir().unwrap();
    // 0S reads as OS, QS or DS (none allocated); Z read as 2 gives year 27 (not yet reached);
    // 1T reads as IT or LT (both allocated): none of these is fixed. O in the designation is.
    let input = write(
        dir.path(),
        "in.txt",
        b"0SRC17607839\nUSRC1Z707839\n1TAB12600001\nUSRC176O7839\n",
    );
    let fixed = dir.path().join("fixed.txt");
    let out = isrc(&["check", p(&input), "--fix", p(&fixed), "--fix-suggested"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&fixed).unwrap(),
        "0SRC17607839\nUSRC1Z707839\n1TAB12600001\nUSRC17607839\n"
    );
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let out = isrc_stdin(
        &["check", "--format", "json", "-"],
        b"isrc,title\nCBYZ92200001,a\nCBYZ92200002,b\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["records"], 2);
}

/// Real reports of every input kind validate against docs/check-report.schema.json.
#[test]
fn reports_validate_against_the_schema() {
    let validator = report_schema();
    let dir = tempfile::tempdir().unwrap();
    let inputs = [
        write(dir.path(), "codes.txt", b"USRC17607839\nusrc17607839\n1TAB12600001\nUSRC176O7839\n"),
        write(
            dir.path(),
            "cat.csv",
            b"ISRC,Titre,Artiste,Dur\xc3\xa9e\nCBYZ92200001,A,x,3:05\nCBYZ92200001,B,x,3:05\nCBYZ922O0002,c,y,1:00\nCBYZ92200003,d,\"z\n",
        ),
        write(dir.path(), "arr.json", b"[{\"isrc\": \"CBYZ92200001\"},\n {\"isrc\": \"bad\"}, 3]\n"),
        write(dir.path(), "l.jsonl", b"{\"isrc\": \"CBYZ92200001\"}\nnot json\n"),
    ];
    for input in &inputs {
        let against = ["--against", p(&inputs[1])];
        for extra in [&[][..], &["--gaps", "--max-listed", "1"][..], &against[..]] {
            let mut args = vec!["check", "--format", "json", p(input)];
            args.extend_from_slice(extra);
            let out = isrc(&args);
            assert_follows_schema(&validator, &json(&out), &input.display().to_string());
        }
    }
    // The schema is strict enough to catch a wrong report.
    let mut wrong = json(&isrc(&["check", "--format", "json", p(&inputs[0])]));
    wrong["invalid_codes"]["listed"][0]["fix"] = Value::from("not a code");
    assert!(!validator.is_valid(&wrong));
}

/// The lists hold what was found, with their totals, capped by --max-listed; --format csv
/// is one finding a row.
#[test]
fn the_report_lists_what_it_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "cat.csv",
        b"ISRC,Titel,Interpret\n\
          CBYZ92200001,Song,A\n\
          CBYZ92200001,Other song,A\n\
          CBYZ922O0002,x,B\n\
          1TAB12600001,y,C\n\
          =cmd|' /C calc'!A0,z,D\n\
          CBYZ92200003,w,E,extra\n",
    );
    let out = isrc(&["check", "--format", "json", p(&path)]);
    let report = json(&out);
    assert_eq!(report["schema_version"], 4);
    assert_eq!(report["reference_date"], TODAY);
    assert_eq!(report["inputs"][0]["title"], "Titel");
    assert_eq!(report["inputs"][0]["artist"], "Interpret");
    assert_eq!(report["inputs"][0]["conflicts_checked"], true);
    assert_eq!(report["duplicates"]["total"], 1);
    assert_eq!(report["duplicates"]["listed"][0]["isrc"], "CBYZ92200001");
    assert_eq!(report["conflicts"]["total"], 1);
    assert_eq!(report["conflicts"]["listed"][0]["isrc"], "CBYZ92200001");
    // Every line of a duplicate; the field a conflict differs on, with the lines of each value.
    let name = p(&path);
    let at = |line: u64| serde_json::json!({ "file": name, "line": line });
    assert_eq!(
        report["duplicates"]["listed"][0]["lines"],
        serde_json::json!([at(2), at(3)])
    );
    assert_eq!(
        report["conflicts"]["listed"][0]["differing"],
        serde_json::json!([{
            "field": "title_artist",
            "values": [{ "seconds": null, "lines": [at(2)] }, { "seconds": null, "lines": [at(3)] }]
        }])
    );
    let invalid = &report["invalid_codes"];
    assert_eq!(invalid["total"], 3);
    assert_eq!(invalid["listed"][0]["line"], 4);
    assert_eq!(invalid["listed"][0]["value"], "CBYZ922O0002");
    assert_eq!(invalid["listed"][0]["rules"][0], "letter_in_digits");
    assert_eq!(invalid["listed"][0]["fix"], "CBYZ92200002");
    assert_eq!(invalid["listed"][1]["line"], 5);
    assert_eq!(invalid["listed"][1]["fix"], Value::Null);
    assert_eq!(
        invalid["listed"][1]["alternatives"],
        serde_json::json!(["ITAB12600001", "LTAB12600001"])
    );
    assert_eq!(report["input_problems"]["total"], 1);
    assert_eq!(report["input_problems"]["listed"][0]["location"]["line"], 7);
    let capped = json(&isrc(&[
        "check",
        "--format",
        "json",
        "--max-listed",
        "1",
        p(&path),
    ]));
    assert_eq!(capped["invalid_codes"]["total"], 3);
    assert_eq!(
        capped["invalid_codes"]["listed"].as_array().unwrap().len(),
        1
    );

    let out = isrc(&["check", "--format", "csv", p(&path)]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let kinds: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        kinds,
        [
            "invalid_code",
            "invalid_code",
            "invalid_code",
            "input_problem",
            "duplicate",
            "conflict"
        ],
        "{text}"
    );
    assert_eq!(&rows[0][2], "4");
    assert_eq!(&rows[0][7], "CBYZ92200002");
    // A value that a spreadsheet would run as a formula is neutralised.
    assert_eq!(&rows[2][5], "'=cmd|' /C calc'!A0");
    // A duplicate's row is at its first line and names every line; a conflict's, the field.
    assert_eq!((&rows[4][1], &rows[4][2]), (name, "2"));
    assert_eq!(
        &rows[5][8],
        "2 records, lines 2, 3; title or artist differs: line 2 vs line 3"
    );
}

/// A plain list's duplicates name every line too, across blank lines, up to --max-listed.
#[test]
fn a_plain_lists_duplicates_name_every_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "codes.txt",
        b"USRC17607839\n\nCBYZ92200001\nusrc17607839\nUSRC17607839\n",
    );
    let lines = |report: &Value| -> Vec<u64> {
        let listed = &report["duplicates"]["listed"][0];
        assert_eq!(listed["records"], 3);
        listed["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["line"].as_u64().unwrap())
            .collect()
    };
    let report = json(&isrc(&["check", "--format", "json", p(&path)]));
    assert_eq!(lines(&report), [1, 4, 5]);
    let capped = json(&isrc(&[
        "check",
        "--format",
        "json",
        "--max-listed",
        "2",
        p(&path),
    ]));
    assert_eq!(lines(&capped), [1, 4]);
}

#[test]
fn json_arrays_are_read_as_records_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "api.json",
        b"[\n  {\"isrc\": \"CBYZ92200001\", \"title\": \"A\"},\n  {\n    \"isrc\": \"CBYZ922O0002\",\n    \"title\": \"B\"\n  }\n]\n",
    );
    let out = isrc(&["check", "--format", "json", p(&path)]);
    let report = json(&out);
    assert_eq!(report["records"], 2, "{}", stderr(&out));
    assert_eq!(report["invalid_codes"]["listed"][0]["line"], 3);
    assert_eq!(report["inputs"][0]["format"], "json");
    // A document that is neither JSON Lines nor an array of records is an error, not 0 records.
    let bad = write(dir.path(), "bad.json", b"[{\"isrc\": \"CBYZ92200001\"},\n");
    let out = isrc(&["check", p(&bad)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.json:2:"), "{}", stderr(&out));
}

#[test]
fn annotate_keeps_latin1_titles_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    // "Café" and "Señor" in Latin-1 (CP1252), as legacy Windows exports write them.
    let input = write(
        dir.path(),
        "latin1.csv",
        b"isrc,title\r\ncbyz92200001,Caf\xe9\r\nCBYZ92200002,Se\xf1or\r\n",
    );
    let annotated = dir.path().join("a.csv");
    let fixed = dir.path().join("f.csv");
    let out = isrc(&[
        "check",
        p(&input),
        "--annotate",
        p(&annotated),
        "--fix",
        p(&fixed),
    ]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    let a = std::fs::read(&annotated).unwrap();
    assert!(
        a.windows(5).any(|w| w == b"Caf\xe9,"),
        "{}",
        String::from_utf8_lossy(&a)
    );
    assert!(
        a.windows(6).any(|w| w == b"Se\xf1or,"),
        "{}",
        String::from_utf8_lossy(&a)
    );
    assert_eq!(
        std::fs::read(&fixed).unwrap(),
        b"isrc,title\r\nCBYZ92200001,Caf\xe9\r\nCBYZ92200002,Se\xf1or\r\n"
    );
}

#[test]
fn fix_decodes_json_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "e.jsonl",
        b"{\"isrc\": \"cbyz\\u002d922-00001\", \"t\": \"\\u00e9\"}\n",
    );
    let fixed = dir.path().join("f.jsonl");
    let out = isrc(&["check", p(&input), "--fix", p(&fixed)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&fixed).unwrap(),
        "{\"isrc\": \"CBYZ92200001\", \"t\": \"\\u00e9\"}\n"
    );
}

#[test]
fn the_report_says_when_conflicts_were_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "c.csv",
        b"isrc,Werk,Mensch\nCBYZ92200001,a,b\nCBYZ92200001,c,d\n",
    );
    let out = isrc(&["check", p(&path)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("conflicts not checked"), "{text}");
    let report = json(&isrc(&[
        "check",
        "--format",
        "json",
        p(&path),
        "--title-column",
        "Werk",
    ]));
    assert_eq!(report["inputs"][0]["conflicts_checked"], true);
    assert_eq!(report["conflicting_isrcs"], 1);
}

#[test]
fn encodings_are_read_and_written_back() {
    let dir = tempfile::tempdir().unwrap();
    // UTF-16 with a byte order mark, as spreadsheets save "Unicode text": read by itself
    // (it was refused before), and --fix writes UTF-16 back.
    let text = "isrc\ttitle\r\nus-rc1-76-07839\tCaf\u{e9}\r\nCBYZ92200002\tSe\u{f1}or\r\n";
    let mut utf16 = b"\xFF\xFE".to_vec();
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let input = write(dir.path(), "unicode.txt", &utf16);
    let fixed = dir.path().join("fixed.txt");
    let out = isrc(&["check", p(&input), "--fix", p(&fixed), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["records"], 2);
    let mut expected = b"\xFF\xFE".to_vec();
    for unit in text
        .replace("us-rc1-76-07839", "USRC17607839")
        .encode_utf16()
    {
        expected.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(std::fs::read(&fixed).unwrap(), expected);
    // CP1252: en dashes in the code are read as dashes, the titles' bytes come back as they were.
    let input = write(
        dir.path(),
        "w.csv",
        b"isrc,title\r\nus\x96rc1\x9676\x9607839,Caf\xe9 \x96 live\r\n",
    );
    let fixed = dir.path().join("w.fixed.csv");
    let out = isrc(&[
        "check",
        p(&input),
        "--encoding",
        "cp1252",
        "--fix",
        p(&fixed),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&fixed).unwrap(),
        b"isrc,title\r\nUSRC17607839,Caf\xe9 \x96 live\r\n"
    );
}

#[test]
fn one_recording_under_two_codes_is_a_possible_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    // Rows 2 and 3 are one recording (folded title and artist equal, 1 s apart) under two
    // codes; row 4 is another edit (55 s longer); row 5 repeats code 1 twelve seconds longer:
    // a conflict under the same 10 s tolerance the registry uses.
    let path = write(
        dir.path(),
        "pd.csv",
        b"isrc,title,artist,duration\n\
          CBYZ92200001,Yesterday,The Band,3:05\n\
          CBYZ92200002,YESTERDAY,the band,186\n\
          CBYZ92200003,Yesterday,The Band,PT4M\n\
          CBYZ92200001,Yesterday,The Band,3:17\n",
    );
    let report = json(&isrc(&["check", "--format", "json", p(&path)]));
    let found = &report["possible_duplicate_recordings"];
    assert_eq!(found["total"], 1, "{report:#}");
    assert_eq!(found["listed"][0]["isrc"], "CBYZ92200001");
    assert_eq!(found["listed"][0]["line"], 2);
    assert_eq!(found["listed"][0]["other_isrc"], "CBYZ92200002");
    assert_eq!(found["listed"][0]["other_line"], 3);
    assert_eq!(report["conflicting_isrcs"], 1);
    let csv = String::from_utf8(isrc(&["check", "--format", "csv", p(&path)]).stdout).unwrap();
    assert!(csv.contains("possible_duplicate_recording,"), "{csv}");
}

#[test]
fn skip_rows_steps_over_a_title_block() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Catalogue export\nLabel: Example Records, 2026\n\nisrc,title\ncbyz92200001,a\nCBYZ922O0002,b\n";
    let path = write(dir.path(), "export.csv", text.as_bytes());
    let fixed = dir.path().join("fixed.csv");
    let out = isrc(&[
        "check",
        "--format",
        "json",
        "--skip-rows",
        "3",
        p(&path),
        "--fix",
        p(&fixed),
    ]);
    let report = json(&out);
    assert_eq!(report["records"], 2, "{}", stderr(&out));
    assert_eq!(report["inputs"][0]["isrc"], "isrc");
    // Lines are the file's: the invalid code is on line 6.
    assert_eq!(report["invalid_codes"]["listed"][0]["line"], 6);
    assert_eq!(
        std::fs::read_to_string(&fixed).unwrap(),
        text.replace("cbyz92200001", "CBYZ92200001")
    );
}
