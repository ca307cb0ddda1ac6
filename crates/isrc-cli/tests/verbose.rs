//! `-v/--verbose` and `RUST_LOG`: diagnostics on stderr only when asked for, and the output on
//! stdout the same with or without them.

use std::process::{Command, Output};

fn isrc(args: &[&str], rust_log: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isrc"));
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("ISRC_PREFIXES")
        .env_remove("RUST_LOG");
    if let Some(filter) = rust_log {
        command.env("RUST_LOG", filter);
    }
    command.output().unwrap()
}

#[test]
fn verbose_tells_the_steps_on_stderr_and_changes_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalogue.csv");
    std::fs::write(&file, "isrc,title\nUSRC17607839,One\nUSRC176O7839,Two\n").unwrap();
    let file = file.to_str().unwrap();
    let check = ["check", "--today", "2026-03-01", file];

    let quiet = isrc(&check, None);
    assert!(quiet.stderr.is_empty(), "quiet by default: {quiet:?}");

    for verbose in [&["-v"][..], &["--verbose"], &["-vv"]] {
        let args: Vec<&str> = verbose.iter().chain(check.iter()).copied().collect();
        let loud = isrc(&args, None);
        assert_eq!(loud.stdout, quiet.stdout, "{verbose:?}: stdout unchanged");
        assert_eq!(loud.status.code(), quiet.status.code(), "{verbose:?}");
        let stderr = String::from_utf8(loud.stderr).unwrap();
        assert!(
            stderr.contains("started") && stderr.contains("command=\"check\""),
            "{verbose:?}: {stderr}"
        );
        assert!(
            stderr.contains("checked") && stderr.contains("records=2"),
            "{verbose:?}: {stderr}"
        );
        assert!(stderr.contains("finished"), "{verbose:?}: {stderr}");
    }

    // RUST_LOG chooses instead of -v: here only the events of `isrc check`'s module (the
    // binary's crate is named `isrc`), not the start and end of every command.
    let filtered = isrc(&check, Some("isrc::check=info"));
    assert_eq!(filtered.stdout, quiet.stdout);
    let stderr = String::from_utf8(filtered.stderr).unwrap();
    assert!(stderr.contains("checked"), "{stderr}");
    assert!(!stderr.contains("started"), "{stderr}");
    let off = isrc(&["-v", "check", "--today", "2026-03-01", file], Some("off"));
    assert!(off.stderr.is_empty(), "RUST_LOG=off wins over -v: {off:?}");
}
