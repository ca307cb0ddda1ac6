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

use crate::common;

/// `isrc` on a test ledger with `-v` when `verbose`: (stdout, stderr).
fn run(db: &common::Db, verbose: bool, args: &[&str]) -> (String, String) {
    let mut command = db.cmd(&[]);
    command.env_remove("RUST_LOG");
    if verbose {
        command.arg("-v");
    }
    let out = command.args(args).output().unwrap();
    assert!(out.status.success(), "isrc {args:?}: {out:?}");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (text(out.stdout), text(out.stderr))
}

#[test]
fn long_commands_tell_their_steps_with_verbose() {
    let db = common::sqlite();
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    let batch = db.file("batch.csv", "title,artist\nUn,A\nDeux,B\n");
    let batch = batch.to_str().unwrap();
    let allocate = ["allocate", "--prefix", "CBXYZ", "--from-csv", batch];
    let (_, stderr) = run(&db, false, &allocate);
    assert!(stderr.is_empty(), "quiet by default: {stderr}");
    let more = db.file("more.csv", "title,artist\nTrois,C\nQuatre,D\n");
    let (stdout, stderr) = run(
        &db,
        true,
        &[
            "allocate",
            "--prefix",
            "CBXYZ",
            "--from-csv",
            more.to_str().unwrap(),
        ],
    );
    assert!(
        stdout.starts_with("isrc,title,artist\nCBXYZ2600003,"),
        "{stdout}"
    );
    for event in ["read", "rows=2", "allocated", "codes=2", "prefix=CBXYZ"] {
        assert!(stderr.contains(event), "allocate -v: {event}: {stderr}");
    }

    let old = db.file("old.csv", "isrc,title,artist\nCBXYZ2600009,Vieux,C\n");
    let (stdout, stderr) = run(&db, true, &["import", old.to_str().unwrap()]);
    assert!(stdout.starts_with("imported 1 codes"), "{stdout}");
    for event in ["read", "rows=1", "imported", "codes=1"] {
        assert!(stderr.contains(event), "import -v: {event}: {stderr}");
    }

    let audio = db.dir.path().join("audio");
    std::fs::create_dir(&audio).unwrap();
    let song = audio.join("song.mp3");
    let made = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=1"])
        .arg(&song)
        .status()
        .expect("ffmpeg is installed (.ci/run installs it)");
    assert!(made.success());
    let song = song.to_str().unwrap();
    let (_, stderr) = run(&db, true, &["tag", "write", song, "CBXYZ2600001"]);
    for event in ["written", "code=CBXYZ2600001", "unchanged=false"] {
        assert!(stderr.contains(event), "tag write -v: {event}: {stderr}");
    }
    let (quiet, _) = run(&db, false, &["tag", "scan", audio.to_str().unwrap()]);
    let (loud, stderr) = run(&db, true, &["tag", "scan", audio.to_str().unwrap()]);
    assert_eq!(loud, quiet, "tag scan -v: stdout unchanged");
    for event in ["scanned", "files=1"] {
        assert!(stderr.contains(event), "tag scan -v: {event}: {stderr}");
    }
}
