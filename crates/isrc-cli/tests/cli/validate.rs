//! `isrc validate`, run as a user runs it: the real binary, real pipes, real files.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn isrc(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_isrc"))
        .args(args)
        .env("ISRC_TODAY", "2026-11-22")
        .env_remove("ISRC_PREFIXES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the isrc binary runs");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        pipe.write_all(bytes).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

#[test]
fn a_valid_code_exits_0_and_shows_both_forms() {
    let output = isrc(&["validate", "us-rc1-76-07839"], None);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("valid"), "{text}");
    assert!(text.contains("USRC17607839"));
    assert!(text.contains("ISRC US-RC1-76-07839"));
    assert!(text.contains("RIAA"));
    assert!(text.contains("warning[not_canonical]"));
    assert!(!text.contains('\u{1b}'), "no colour codes when piped");
}

#[test]
fn an_invalid_code_exits_1_with_a_caret_and_a_fix() {
    let output = isrc(&["validate", "USRC176O7839"], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("error[letter_in_digits]"), "{text}");
    assert!(
        text.contains("    | USRC176O7839\n    |        ^\n"),
        "{text}"
    );
    assert!(text.contains("= fix: USRC17607839"), "{text}");
}

#[test]
fn json_has_the_documented_shape() {
    let output = isrc(&["validate", "--json", "USRC17607839", "XX"], None);
    assert_eq!(output.status.code(), Some(1));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2);
    let expected = serde_json::json!({
        "input": "USRC17607839",
        "valid": true,
        "isrc": "USRC17607839",
        "display": "ISRC US-RC1-76-07839",
        "country": "US",
        "registrant": "RC1",
        "year": 76,
        "designation": 7839,
        "prefix": {"agency": "RIAA", "territory": "United States of America", "status": "active", "introduced": null},
        "findings": [{
            "rule": "legacy_year",
            "severity": "info",
            "message": lines[0]["findings"][0]["message"],
            "span": [5, 7],
            "fix": null
        }]
    });
    assert_eq!(lines[0], expected);
    assert_eq!(lines[1]["isrc"], serde_json::Value::Null);
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["findings"][0]["rule"], "length");
}

#[test]
fn standard_input_is_read_line_by_line() {
    let input = b"USRC17607839\r\nusrc17607839\n\nUSRC1760783\xff9\nCBYZ92200001";
    let output = isrc(&["validate", "--json"], Some(input));
    assert_eq!(output.status.code(), Some(1));
    let lines = json_lines(&output);
    let verdicts: Vec<(bool, String)> = lines
        .iter()
        .map(|l| {
            (
                l["valid"].as_bool().unwrap(),
                l["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["rule"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            (true, "legacy_year".to_string()),
            (true, "legacy_year,not_canonical".to_string()),
            (false, "empty".to_string()),
            (false, "invalid_character".to_string()),
            (true, String::new()),
        ]
    );
    assert!(
        lines[3]["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8")
    );
}

#[test]
fn all_valid_input_on_stdin_exits_0_with_a_summary() {
    let output = isrc(&["validate"], Some(b"CBYZ92200001\nCBYZ92200002\n"));
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("2 inputs: 2 valid, 0 invalid"));
}

#[test]
fn today_decides_the_year_of_reference() {
    let output = isrc(&["validate", "USRC12700001"], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("year_future"));
    let output = isrc(&["validate", "--today", "2027-01-01", "USRC12700001"], None);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_prefix_table_file_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prefixes.csv");
    std::fs::write(
        &path,
        "# as of 2027-03-01\nprefix,territory,agency,status,introduced\nQQ,Worldwide,Test agency,active,\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let output = isrc(
        &[
            "validate",
            "--prefixes",
            path,
            "--json",
            "QQAB12600001",
            "USRC12600001",
        ],
        None,
    );
    let lines = json_lines(&output);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["prefix"]["agency"], "Test agency");
    assert_eq!(lines[1]["findings"][0]["rule"], "unknown_prefix");
    assert!(
        lines[1]["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2027-03-01")
    );
}

#[test]
fn a_broken_prefix_table_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.csv");
    std::fs::write(
        &path,
        "prefix,territory,agency,status,introduced\nQ1,Worldwide,Test,active,\n",
    )
    .unwrap();
    let output = isrc(
        &[
            "validate",
            "--prefixes",
            path.to_str().unwrap(),
            "USRC12600001",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.csv:2:1:"), "{stderr}");
    let output = isrc(
        &[
            "validate",
            "--prefixes",
            "/nonexistent/prefixes.csv",
            "USRC12600001",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/prefixes.csv"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        isrc(&["validate", "--frobnicate"], None).status.code(),
        Some(2)
    );
    assert_eq!(
        isrc(&["validate", "--today", "2026-02-30", "X"], None)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn version_names_the_prefix_table() {
    let output = isrc(&["--version"], None);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("prefix table 2025-11-04, 223 prefixes"));
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let output = isrc(&["validate", "USRC17607839\u{1b}[2J"], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(!stdout(&output).contains('\u{1b}'));
}
