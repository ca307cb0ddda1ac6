//! `isrc serve` and `isrc admin create`, the real binary.

use crate::common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

fn isrc() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isrc"));
    command
        .env_remove("ISRC_DATABASE_URL")
        .env_remove("ISRC_LISTEN");
    command
}

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn serve_prints_the_first_admin_password_once_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("isrc.db");
    for run in 0..2 {
        let mut child = isrc()
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (addr, seen, mut stderr) = common::listening(&mut child);
        assert_eq!(
            seen.contains("admin@isrc.localhost"),
            run == 0,
            "the password is printed on the first start only: {seen}"
        );
        let answer = http_get(&addr, "/healthz");
        assert!(
            answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"),
            "{answer}"
        );
        assert!(answer.ends_with("ok"));
        // The access log: one JSON line per request, without the query (a reset link's token)
        // or any header.
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "GET /reset?token=SECRET-IN-QUERY HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer isrc_SECRET-TOKEN\r\n\r\n"
        )
        .unwrap();
        let mut ignored = String::new();
        stream.read_to_string(&mut ignored).unwrap();
        // The shell's built-in kill: no procps needed.
        let status = Command::new("sh")
            .args(["-c", &format!("kill -TERM {}", child.id())])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).unwrap();
        assert!(exit.success(), "{exit:?} {rest}");
        assert!(rest.contains("stopped"), "{rest}");
        let lines: Vec<serde_json::Value> = rest
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(
            lines
                .iter()
                .any(|l| l["path"] == "/healthz" && l["status"] == 200 && l["method"] == "GET"),
            "{rest}"
        );
        assert!(lines.iter().any(|l| l["path"] == "/reset"), "{rest}");
        assert!(!rest.contains("SECRET"), "no secret in the log: {rest}");
    }
}

#[test]
fn admin_create_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("isrc.db");
    let create = |password: &str| {
        let mut child = isrc()
            .args(["admin", "create", "--email", "Boss@Agency.example", "--db"])
            .arg(&db)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let short = create("short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12"));
    let made = create("a long enough password");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(String::from_utf8_lossy(&made.stderr).contains("boss@agency.example"));
    let again = create("a long enough password");
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already a user"));
}

#[test]
fn serve_refuses_insecure_cookies_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let out = isrc()
        .args([
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--insecure-cookies",
            "--db",
        ])
        .arg(dir.path().join("isrc.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

#[test]
fn serve_refuses_a_reference_date_in_a_past_year() {
    let dir = tempfile::tempdir().unwrap();
    let out = isrc()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--today",
            "2019-05-01",
            "--db",
        ])
        .arg(dir.path().join("isrc.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("codes of 2019"), "{stderr}");
}
