//! Shared by the `isrc check` tests (`check.rs`, `check_trust.rs`): the real binary run with a
//! fixed reference date, the built-in prefix table and no colour, and small file helpers.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The reference date of every check test.
pub const TODAY: &str = "2026-11-22";

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isrc"));
    command
        .args(args)
        .env("ISRC_TODAY", TODAY)
        .env_remove("ISRC_PREFIXES")
        .env("NO_COLOR", "1");
    command
}

/// Runs `isrc ARGS`.
pub fn isrc(args: &[&str]) -> Output {
    command(args).output().expect("the isrc binary runs")
}

/// Runs `isrc ARGS` with `input` on standard input.
pub fn isrc_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the isrc binary runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The JSON on standard output, or a panic that shows both outputs.
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The validator of docs/check-report.schema.json.
pub fn report_schema() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("../../../../../docs/check-report.schema.json"))
            .expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

/// Panics, showing the report, unless `report` follows docs/check-report.schema.json.
pub fn assert_follows_schema(validator: &jsonschema::Validator, report: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{report:#}");
}

/// A path as a command-line argument.
pub fn p(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}
