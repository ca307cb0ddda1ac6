//! Reliability: concurrent processes, a batch killed mid-way, bad input changing nothing.

use crate::common;

use std::collections::BTreeSet;

fn concurrent_processes(db: &common::Db, processes: usize, each: usize) {
    db.ok_line("registrant add --prefix CBCON --name Concurrent");
    let handles: Vec<_> = (0..processes)
        .map(|p| {
            let cmds: Vec<std::process::Command> = (0..each)
                .map(|i| {
                    db.cmd(&[
                        "allocate",
                        "--prefix",
                        "CBCON",
                        "--title",
                        &format!("p{p} n{i}"),
                        "--artist",
                        "Many",
                    ])
                })
                .collect();
            std::thread::spawn(move || {
                cmds.into_iter()
                    .map(|mut c| {
                        let out = c.output().unwrap();
                        assert!(
                            out.status.success(),
                            "{}",
                            String::from_utf8_lossy(&out.stderr)
                        );
                        String::from_utf8(out.stdout).unwrap().trim().to_string()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut codes = Vec::new();
    for h in handles {
        codes.extend(h.join().unwrap());
    }
    let distinct: BTreeSet<&String> = codes.iter().collect();
    assert_eq!(
        distinct.len(),
        processes * each,
        "[{}] duplicate codes: {codes:?}",
        db.name
    );
    let expected: BTreeSet<String> = (1..=processes * each)
        .map(|d| format!("CBCON26{d:05}"))
        .collect();
    let got: BTreeSet<String> = codes.iter().cloned().collect();
    assert_eq!(got, expected, "[{}] designations not contiguous", db.name);
    let listed = db.ok(&["list", "--prefix", "CBCON"]);
    assert_eq!(
        listed.lines().count(),
        processes * each,
        "[{}] lost codes",
        db.name
    );
}

#[test]
fn eight_processes_allocating_at_once_on_sqlite() {
    concurrent_processes(&common::sqlite(), 8, 8);
}

#[test]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
fn sixteen_processes_allocating_at_once_on_postgres() {
    concurrent_processes(&common::postgres(), 16, 5);
}

common::each_backend!(a_batch_killed_mid_way_leaves_nothing);
fn a_batch_killed_mid_way_leaves_nothing(db: common::Db) {
    db.ok(&["registrant", "add", "--prefix", "CBKIL", "--name", "Killed"]);
    assert_eq!(
        db.ok(&[
            "allocate", "--prefix", "CBKIL", "--title", "Before", "--artist", "A"
        ]),
        "CBKIL2600001\n"
    );
    let before = db.snapshot();
    let csv = db.file(
        "big.csv",
        &(0..3000).fold("title,artist\n".to_string(), |s, i| {
            s + &format!("Song {i},B\n")
        }),
    );
    let marker = db.dir.path().join("holding");
    let mut child = db
        .cmd(&[
            "allocate",
            "--prefix",
            "CBKIL",
            "--from-csv",
            csv.to_str().unwrap(),
        ])
        .env("ISRC_REGISTRY_TEST_HOLD", &marker)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The batch has written its first rows inside its transaction: kill it (SIGKILL).
    common::wait_for(&marker, &mut child);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        db.snapshot(),
        before,
        "[{}] the killed batch left traces",
        db.name
    );
    assert_eq!(
        db.ok(&[
            "allocate", "--prefix", "CBKIL", "--title", "After", "--artist", "A"
        ]),
        "CBKIL2600002\n"
    );
    // And the whole batch still goes through afterwards, repeating nothing.
    let out = db.ok(&[
        "allocate",
        "--prefix",
        "CBKIL",
        "--from-csv",
        csv.to_str().unwrap(),
    ]);
    assert!(out.lines().nth(1).unwrap().starts_with("CBKIL2600003,"));
    assert!(out.lines().last().unwrap().starts_with("CBKIL2603002,"));
}

common::each_backend!(bad_input_to_every_command_changes_nothing);
/// The arguments of one command, owned.
fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| arg.to_string()).collect()
}

fn bad_input_to_every_command_changes_nothing(db: common::Db) {
    let n = db.name;
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "Mine"]);
    db.ok_line("registrant add --prefix CBMGR --name Manager --kind manager");
    db.ok_line("allocate --prefix CBXYZ --title T --artist A --duration 3:00");
    db.ok_line("agency apply --name Zed --contact z@z.example --address x --country CA");
    let before = db.snapshot();
    let broken = db.file("broken.csv", "title,artist\n\"unterminated,A\nB,C,D\n");
    let bad_dur = db.file("baddur.csv", "title,artist,duration\nA,B,1:00\nC,D,9:99\n");
    let bad_col = db.file("badcol.csv", "title,singer\nA,B\n");
    let bad_isrc = db.file(
        "badisrc.csv",
        "isrc,title,artist\nCBXYZ2600002,A,B\nCBXYZ26O0003,C,D\n",
    );
    let dup_isrc = db.file(
        "dup.csv",
        "isrc,title,artist\nCBXYZ2600005,A,B\nCB-XYZ-26-00005,C,D\n",
    );
    let in_ledger = db.file(
        "exists.csv",
        "isrc,title,artist\nCBXYZ2600009,A,B\nCBXYZ2600001,C,D\n",
    );
    let others = db.file(
        "others.csv",
        "isrc,title,artist\nCBXYZ2600010,A,B\nCBMGR2600001,C,D\n",
    );
    let unknown = db.file(
        "unknown.csv",
        "isrc,title,artist\nCBXYZ2600011,A,B\nCBQQQ2600001,C,D\n",
    );
    let not_utf8 = db.dir.path().join("latin1.csv");
    std::fs::write(&not_utf8, b"title,artist\nCaf\xe9,A\n").unwrap();
    let p = |path: &std::path::Path| path.to_str().unwrap().to_string();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            strings(&[
                "allocate", "--prefix", "CBQQQ", "--title", "T", "--artist", "A",
            ]),
            "unknown prefix",
        ),
        (
            strings(&[
                "allocate", "--prefix", "C1XYZ", "--title", "T", "--artist", "A",
            ]),
            "prefix",
        ),
        (
            strings(&[
                "allocate",
                "--prefix",
                "CBXYZ",
                "--title",
                "T2",
                "--artist",
                "A",
                "--published",
                "2026-02-30",
            ]),
            "YYYY-MM-DD",
        ),
        (
            strings(&[
                "allocate",
                "--prefix",
                "CBXYZ",
                "--title",
                "T2",
                "--artist",
                "A",
                "--duration",
                "3:7",
            ]),
            "duration",
        ),
        (
            strings(&[
                "allocate",
                "--prefix",
                "CBXYZ",
                "--title",
                "T2",
                "--artist",
                "A",
                "--duration=-5",
            ]),
            "duration",
        ),
        (
            strings(&[
                "allocate", "--prefix", "CBXYZ", "--title", "T2", "--artist", "A", "--client",
                "Someone",
            ]),
            "client",
        ),
        (
            strings(&[
                "allocate", "--prefix", "CBMGR", "--title", "T2", "--artist", "A",
            ]),
            "client",
        ),
        (
            strings(&["allocate", "--prefix", "CBXYZ", "--title", "T2"]),
            "--artist",
        ),
        (
            strings(&[
                "allocate", "--prefix", "CBXYZ", "--title", "T2", "--artist", "A", "--type", "midi",
            ]),
            "audio or video",
        ),
        (
            vec![
                "allocate".into(),
                "--prefix".into(),
                "CBXYZ".into(),
                "--from-csv".into(),
                p(&broken),
            ],
            "broken.csv:",
        ),
        (
            vec![
                "allocate".into(),
                "--prefix".into(),
                "CBXYZ".into(),
                "--from-csv".into(),
                p(&bad_dur),
            ],
            "baddur.csv:3:3",
        ),
        (
            vec![
                "allocate".into(),
                "--prefix".into(),
                "CBXYZ".into(),
                "--from-csv".into(),
                p(&bad_col),
            ],
            "badcol.csv:1:2",
        ),
        (
            vec![
                "allocate".into(),
                "--prefix".into(),
                "CBXYZ".into(),
                "--from-csv".into(),
                p(&not_utf8),
            ],
            "UTF-8",
        ),
        (
            vec![
                "allocate".into(),
                "--prefix".into(),
                "CBXYZ".into(),
                "--from-csv".into(),
                "missing.csv".into(),
            ],
            "missing.csv",
        ),
        (vec!["import".into(), p(&bad_isrc)], "badisrc.csv:3:1"),
        (vec!["import".into(), p(&dup_isrc)], "CBXYZ2600005"),
        (
            vec!["import".into(), p(&in_ledger)],
            "already in the ledger",
        ),
        (
            vec![
                "import".into(),
                "--prefix".into(),
                "CBXYZ".into(),
                p(&others),
            ],
            "not under CBXYZ",
        ),
        (vec!["import".into(), p(&unknown)], "CBQQQ"),
        (vec!["import".into(), p(&broken)], "broken.csv"),
        (
            strings(&["registrant", "add", "--prefix", "CBXYZ", "--name", "Again"]),
            "already",
        ),
        (
            strings(&[
                "registrant",
                "add",
                "--prefix",
                "QQABC",
                "--name",
                "Nowhere",
            ]),
            "QQ",
        ),
        (
            strings(&[
                "registrant",
                "add",
                "--prefix",
                "JMK40",
                "--name",
                "Example",
            ]),
            "example",
        ),
        (
            strings(&[
                "registrant",
                "add",
                "--prefix",
                "CBNEW",
                "--name",
                "R",
                "--range",
                "9-2",
            ]),
            "range",
        ),
        (
            strings(&[
                "registrant",
                "add",
                "--prefix",
                "CBNEW",
                "--name",
                "R",
                "--kind",
                "label",
            ]),
            "own or manager",
        ),
        (
            strings(&["void", "CBXYZ2600099", "--reason", "x"]),
            "not in the ledger",
        ),
        (
            strings(&["void", "CBXYZ2600001", "--reason", " "]),
            "reason",
        ),
        (strings(&["void", "not-a-code", "--reason", "x"]), "ISRC"),
        (strings(&["show", "CBXYZ2600099"]), "not in the ledger"),
        (
            strings(&["derive", "--from", "CBXYZ2600001", "--change", "edit"]),
            "duration",
        ),
        (
            strings(&["derive", "--from", "CBXYZ2600001", "--change", "mashup"]),
            "change kind",
        ),
        (
            strings(&[
                "derive",
                "--from",
                "CBXYZ2600001",
                "--change",
                "remix",
                "--policy",
                "xyz",
            ]),
            "ifpi",
        ),
        (
            strings(&[
                "derive",
                "--from",
                "CBXYZ2600001",
                "--change",
                "carrier",
                "--allocate",
            ]),
            "keep",
        ),
        (
            strings(&[
                "derive",
                "--from",
                "CBXYZ2600077",
                "--change",
                "remix",
                "--allocate",
            ]),
            "not in the ledger",
        ),
        (strings(&["agency", "approve", "99"]), "no application"),
        (
            strings(&["agency", "approve", "1", "--country-prefix", "YU"]),
            "retired",
        ),
        (
            strings(&["agency", "approve", "1", "--country-prefix", "CA"]),
            "CB",
        ),
        (
            strings(&["agency", "reject", "1", "--reason", ""]),
            "reason",
        ),
        (
            strings(&[
                "agency",
                "apply",
                "--name",
                "X",
                "--contact",
                "c",
                "--address",
                "a",
                "--country",
                "Canada",
            ]),
            "country",
        ),
        (strings(&["list", "--prefix", "C-B"]), "prefix"),
        (strings(&["export", "--format", "xml"]), "xml"),
    ];
    for (args, expected) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = db.fails(&args);
        assert!(
            err.contains(expected),
            "[{n}] isrc {args:?}: expected {expected:?} in: {err}"
        );
    }
    assert_eq!(db.snapshot(), before, "[{n}] bad input changed the ledger");
}

#[test]
fn a_file_that_is_not_sqlite_and_an_unreachable_postgres_are_clear_errors() {
    let db = common::sqlite();
    let text = "name,notes\nthis is a spreadsheet, not a database\n".repeat(50);
    let path = db.file("catalogue.db", &text);
    for args in [
        vec!["list"],
        vec![
            "allocate", "--prefix", "CBXYZ", "--title", "T", "--artist", "A",
        ],
        vec!["registrant", "add", "--prefix", "CBXYZ", "--name", "N"],
    ] {
        let mut full = args.clone();
        full.extend(["--db", path.to_str().unwrap()]);
        let err = db.fails(&full);
        assert!(err.contains("not an SQLite database"), "{err}");
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "the file was changed"
    );
    let err = db.fails(&["list", "--db", "postgres://postgres@127.0.0.1:1/isrc"]);
    assert!(
        err.contains("cannot open the registry database postgres://"),
        "{err}"
    );
    let err = db.fails(&["list", "--db", db.dir.path().to_str().unwrap()]);
    assert!(err.contains("directory"), "{err}");
}
