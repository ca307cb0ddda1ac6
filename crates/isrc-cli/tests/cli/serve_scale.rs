//! Two `isrc serve` processes on one database (how an agency scales: more stateless servers on
//! one PostgreSQL), 16 clients spread over both: every code distinct, no gap.

use crate::common;

use std::io::{Read, Write};
use std::process::{Child, Stdio};

const PASSWORD: &str = "Quartz-Lantern-Meadow-2187";

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &common::Db) -> Server {
    let mut child = db
        .cmd(&["serve", "--listen", "127.0.0.1:0", "--insecure-cookies"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (addr, _, mut stderr) = common::listening(&mut child);
    // Keep reading so that the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    Server { child, addr }
}

/// One HTTP/1.0 request: (status, headers, body).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

common::each_backend!(two_servers_on_one_database_hand_out_distinct_contiguous_codes);
fn two_servers_on_one_database_hand_out_distinct_contiguous_codes(db: common::Db) {
    db.ok_line("registrant add --prefix CBTWO --name 'Two Servers'");
    let mut create = db
        .cmd(&["admin", "create", "--email", "boss@agency.example"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(create.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let made = create.wait_with_output().unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let servers = [serve(&db), serve(&db)];
    // A session made through one server is good on the other: they share only the database.
    let (status, head, body) = http(
        &servers[0].addr,
        "POST",
        "/api/v1/session",
        &[("content-type", "application/json")],
        &format!(r#"{{"email":"boss@agency.example","password":"{PASSWORD}"}}"#),
    );
    assert_eq!(status, 200, "[{}] sign-in: {body}", db.name);
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string();
    let session: serde_json::Value = serde_json::from_str(&body).unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_string();

    let clients = 16;
    let each = 12;
    let codes: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let addr = servers[client % 2].addr.clone();
                let (cookie, csrf) = (cookie.clone(), csrf.clone());
                scope.spawn(move || {
                    let mut got = Vec::new();
                    for i in 0..each {
                        let (status, _, body) = http(
                            &addr,
                            "POST",
                            "/api/v1/allocations",
                            &[
                                ("content-type", "application/json"),
                                ("cookie", &cookie),
                                ("x-csrf-token", &csrf),
                            ],
                            &format!(
                                r#"{{"prefix":"CBTWO","title":"Take {client}-{i}","artist":"Both"}}"#
                            ),
                        );
                        assert_eq!(status, 201, "client {client} on {addr}: {body}");
                        let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
                        got.push(answer["isrcs"][0].as_str().unwrap().to_string());
                    }
                    got
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut designations: Vec<u32> = codes
        .iter()
        .map(|c| {
            assert!(c.starts_with("CBTWO26"), "{c}");
            c[7..].parse().unwrap()
        })
        .collect();
    designations.sort_unstable();
    let expected: Vec<u32> = (1..=(clients * each) as u32).collect();
    assert_eq!(
        designations, expected,
        "[{}] no duplicate and no gap over two servers",
        db.name
    );
}
