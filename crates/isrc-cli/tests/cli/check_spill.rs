//! `isrc check --memory`: the real binary with a budget too small for its duplicate index,
//! which then spills to a temporary file: the same report as in memory, and no temporary
//! file left behind, after success and after Ctrl-C (SIGINT).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-22";

fn isrc(args: &[&str], tmp: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_isrc"))
        .args(args)
        .env("ISRC_TODAY", TODAY)
        .env_remove("ISRC_PREFIXES")
        .env("NO_COLOR", "1")
        .env("TMPDIR", tmp)
        .output()
        .expect("the isrc binary runs")
}

/// A plain list of `n` codes of many registrants, one in ten repeated.
fn codes(n: usize) -> String {
    let mut out = String::with_capacity(n * 13);
    for i in 0..n {
        let j = if i % 10 == 9 { i * 7 % (i + 1) } else { i };
        let registrant = j % 997;
        out.push_str(&format!(
            "US{}{}{}{:02}{:05}\n",
            (b'A' + (registrant % 26) as u8) as char,
            (b'A' + (registrant / 26 % 26) as u8) as char,
            registrant % 10,
            20 + j % 5,
            j / 997 % 100_000
        ));
    }
    out
}

/// A CSV catalogue of the same codes with titles; a repeat has another title one time in
/// three (a conflict).
fn catalogue(n: usize) -> String {
    let mut out = String::from("isrc,title,artist\n");
    for (i, code) in codes(n).lines().enumerate() {
        let title = if i % 30 == 29 { "Other" } else { "Song" };
        out.push_str(&format!("{code},{title},The Band\n"));
    }
    out
}

fn left_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_spilled_index_gives_the_same_report_and_leaves_no_file() {
    let work = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("codes.txt", codes(300_000)),
        ("catalogue.csv", catalogue(200_000)),
    ] {
        let path = work.path().join(name);
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        let in_memory = isrc(&["check", "--format", "json", path], tmp.path());
        let spilled = isrc(
            &["check", "--format", "json", "--memory", "64K", path],
            tmp.path(),
        );
        let stderr = String::from_utf8_lossy(&spilled.stderr);
        assert!(
            in_memory.status.success() && spilled.status.success(),
            "{stderr}"
        );
        assert!(stderr.contains("spilled"), "{name}: {stderr}");
        assert!(
            !String::from_utf8_lossy(&in_memory.stderr).contains("spilled"),
            "{name}"
        );
        assert_eq!(
            String::from_utf8_lossy(&in_memory.stdout),
            String::from_utf8_lossy(&spilled.stdout),
            "{name}"
        );
        let report: serde_json::Value = serde_json::from_slice(&spilled.stdout).unwrap();
        assert!(
            report["duplicate_isrcs"].as_u64().unwrap() > 1000,
            "{report}"
        );
        if name.ends_with(".csv") {
            assert!(
                report["conflicting_isrcs"].as_u64().unwrap() > 100,
                "{report}"
            );
        }
        assert_eq!(left_in(tmp.path()), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn a_bad_memory_size_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = isrc(&["check", "--memory", "lots", "-"], tmp.path());
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a size"), "{stderr}");
}

/// Ctrl-C while the index is spilled: the temporary file is open (it shows in
/// `/proc/PID/fd`), has no name in `TMPDIR`, and nothing is left once the process is gone.
#[cfg(target_os = "linux")]
#[test]
fn nothing_is_left_after_ctrl_c() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_isrc"))
        .args(["check", "--format", "json", "--memory", "1K", "-"])
        .env("ISRC_TODAY", TODAY)
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // More than two chunks: the first ones are checked, and their codes spilled, while the
    // checker waits for the rest of the input.
    stdin.write_all(codes(250_000).as_bytes()).unwrap();
    stdin.flush().unwrap();
    let fd_dir = format!("/proc/{}/fd", child.id());
    let deadline = Instant::now() + Duration::from_secs(60);
    let spill_open = loop {
        let open: Vec<String> = std::fs::read_dir(&fd_dir)
            .map(|d| {
                d.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(file) = open
            .iter()
            .find(|p| p.starts_with(tmp.path().to_str().unwrap()))
        {
            break file.clone();
        }
        assert!(Instant::now() < deadline, "no spill file opened: {open:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(spill_open.ends_with("(deleted)"), "{spill_open}");
    assert_eq!(left_in(tmp.path()), Vec::<String>::new());
    // Ctrl-C, unless this test runs with SIGINT ignored (started in the background, `cmd &`,
    // which the child inherits): then SIGTERM, which ends it the same way.
    let signal = if sigint_ignored() { "-TERM" } else { "-INT" };
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Closed before the wait: a child that outlived the signal ends at the end of its input
    // (and fails the assertion below) instead of waiting for more.
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert_eq!(left_in(tmp.path()), Vec::<String>::new());
}

/// Whether this process ignores SIGINT (its children then start ignoring it too).
#[cfg(target_os = "linux")]
fn sigint_ignored() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (2 - 1)) != 0)
}
