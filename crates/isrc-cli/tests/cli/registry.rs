//! The registry commands over the real binary, on SQLite and PostgreSQL.

use crate::common;

common::each_backend!(registrant_allocate_derive_import_void_export_agency);
fn registrant_allocate_derive_import_void_export_agency(db: common::Db) {
    let n = db.name;
    db.ok_line("registrant add --prefix CB-XYZ --name 'Disques XYZ' --range 00001-00020");
    let first = db.ok_line("allocate --prefix CBXYZ --title Neige --artist Ariane --duration 3:25 --published 2026-02-01");
    assert_eq!(
        first, "CBXYZ2600001\n",
        "[{n}] compact code alone on stdout"
    );
    // The year comes from --today over ISRC_TODAY.
    let other_year =
        db.ok_line("--today 2027-01-02 allocate --prefix CBXYZ --title Pluie --artist Ariane");
    assert_eq!(other_year, "CBXYZ2700001\n");
    // Duplicate refused naming the code, unless --force.
    let err =
        db.fails_line("allocate --prefix CBXYZ --title neige --artist ARIANE --duration 3:26");
    assert!(err.contains("CBXYZ2600001"), "[{n}] {err}");
    assert_eq!(
        db.ok_line("allocate --prefix CBXYZ --title neige --artist ARIANE --duration 3:26 --force"),
        "CBXYZ2600002\n"
    );
    // Derive: the rules per agency, and --allocate linking the parent.
    let keep = db.ok_line("derive --from CBXYZ2600001 --change edit --duration 3:18 --policy riaa");
    assert!(
        keep.starts_with("keep ISRC") && keep.contains("riaa.edit-10s"),
        "[{n}] {keep}"
    );
    let new = db.ok_line("derive --from CBXYZ2600001 --change edit --duration 3:18 --policy scpp");
    assert!(
        new.starts_with("new ISRC") && new.contains("scpp.edit-5s"),
        "[{n}] {new}"
    );
    assert!(
        db.ok_line("derive --from CBXYZ2600001 --change remaster --policy soproq")
            .starts_with("keep ISRC")
    );
    assert!(
        db.ok_line("derive --from CBXYZ2600001 --change remaster --policy ppl")
            .starts_with("new ISRC")
    );
    let edit = db.ok_line("derive --from CBXYZ2600001 --change edit --duration 3:00 --version 'Radio Edit' --allocate");
    assert_eq!(edit, "CBXYZ2600003\n");
    let shown = db.ok(&["show", "CB-XYZ-26-00003"]);
    assert!(
        shown.contains("parent      CBXYZ2600001 (edit)"),
        "[{n}] {shown}"
    );
    // Batch from CSV: CSV out, codes in order.
    let csv = db.file(
        "batch.csv",
        "title,artist,duration,type\nUn,A,1:00,audio\n\"Deux, trois\",B,2:00,video\n",
    );
    let out = db.ok(&[
        "allocate",
        "--prefix",
        "CBXYZ",
        "--from-csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(
        out,
        "isrc,title,artist,duration,type\nCBXYZ2600004,Un,A,1:00,audio\nCBXYZ2600005,\"Deux, trois\",B,2:00,video\n"
    );
    // Import: allocation then skips imported codes.
    let imp = db.file(
        "old.csv",
        "isrc,title,artist,status\nCB-XYZ-26-00006,Vieux,C,active\nCBXYZ2600008,Ancien,C,void\n",
    );
    assert!(
        db.ok(&["import", imp.to_str().unwrap()])
            .contains("imported 2")
    );
    assert_eq!(
        db.ok(&[
            "allocate", "--prefix", "CBXYZ", "--title", "Sept", "--artist", "D"
        ]),
        "CBXYZ2600007\n"
    );
    assert_eq!(
        db.ok(&[
            "allocate", "--prefix", "CBXYZ", "--title", "Neuf", "--artist", "D"
        ]),
        "CBXYZ2600009\n"
    );
    // Void: kept, listed with --all, never reissued.
    db.ok(&["void", "CBXYZ2600002", "--reason", "allocated twice"]);
    assert!(
        db.fails(&["void", "CBXYZ2600002", "--reason", "again"])
            .contains("already void")
    );
    let list = db.ok(&["list", "--year", "2026"]);
    assert!(
        !list.contains("CBXYZ2600002") && list.contains("CBXYZ2600009"),
        "[{n}] {list}"
    );
    assert!(db.ok(&["list", "--all"]).contains("CBXYZ2600002\tvoid"));
    // An empty list says why on stderr, and stdout stays empty.
    let empty = db.run(&["list", "--search", "no such title"]);
    assert!(empty.status.success() && empty.stdout.is_empty());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("no recordings match"));
    let hidden = db.run(&["list", "--search", "CBXYZ2600002"]);
    assert!(hidden.status.success() && hidden.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&hidden.stderr).contains("1 void one(s) hidden"),
        "[{n}] {}",
        String::from_utf8_lossy(&hidden.stderr)
    );
    // 90% warning, then exhausted with what to do.
    let csv = db.file(
        "fill.csv",
        &(0..10).fold("title,artist\n".to_string(), |s, i| {
            s + &format!("T{i},F\n")
        }),
    );
    let out = db.run(&[
        "allocate",
        "--prefix",
        "CBXYZ",
        "--from-csv",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("warning"),
        "[{n}] no 90% warning"
    );
    db.ok(&[
        "allocate", "--prefix", "CBXYZ", "--title", "Last", "--artist", "G",
    ]);
    let err = db.fails(&[
        "allocate", "--prefix", "CBXYZ", "--title", "Over", "--artist", "G",
    ]);
    assert!(
        err.contains("exhausted") && err.contains("apply"),
        "[{n}] {err}"
    );
    // Exports.
    let dist = db.ok(&["export", "--format", "csv", "--profile", "distributor"]);
    assert!(dist.starts_with("isrc,artist,title,version,duration,duration_seconds,type,published,client,parent,change,status\n"));
    assert!(
        dist.contains("CBXYZ2600001,Ariane,Neige,,3:25,205,audio,2026-02-01"),
        "[{n}] {dist}"
    );
    let rep = db.ok(&["export", "--format", "json", "--profile", "repertoire"]);
    let json: serde_json::Value = serde_json::from_str(&rep).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|r| r["isrc"] != "CBXYZ2600002")
    );
    // Numeric columns are JSON numbers (null when empty); the CSV above keeps its digits.
    let neige = &json.as_array().unwrap()[0];
    assert_eq!(neige["isrc"], "CBXYZ2600001", "[{n}] {rep}");
    assert_eq!(neige["duration_seconds"], 205, "[{n}] {rep}");
    assert!(neige["recording_year"].is_null(), "[{n}] {rep}");
    assert_eq!(neige["published"], "2026-02-01", "[{n}] {rep}");
    let dist: serde_json::Value =
        serde_json::from_str(&db.ok(&["export", "--format", "json", "--profile", "distributor"]))
            .unwrap();
    assert_eq!(dist[0]["duration_seconds"], 205, "[{n}] {dist}");
    assert_eq!(dist[0]["duration"], "3:25", "[{n}] {dist}");
    // Agency: apply, approve (Canada gets CB), reject, listings.
    db.ok_line(
        "agency apply --name Zed --contact z@z.example --address '1 rue A, Montréal' --country CA",
    );
    db.ok_line("agency apply --name Abc --contact a@a.example --address '2 rue B' --country CA");
    assert_eq!(db.ok(&["agency", "approve", "1"]), "CBAAA\n");
    assert!(
        db.fails(&["agency", "approve", "2", "--country-prefix", "CA"])
            .contains("CB")
    );
    db.ok(&["agency", "reject", "2", "--reason", "not a master owner"]);
    assert!(
        db.ok(&["agency", "list", "--status", "rejected"])
            .contains("not a master owner")
    );
    let listing = db.ok(&["export", "--profile", "agency-listing"]);
    assert!(listing.starts_with("prefix,name,contact,address,kind,issued_at\n"));
    assert_eq!(listing.lines().count(), 2, "[{n}] {listing}");
    assert!(listing.contains("CBAAA,Zed,z@z.example,\"1 rue A, Montréal\",own,"));
    // The new registrant can allocate right away.
    assert_eq!(
        db.ok(&[
            "allocate", "--prefix", "CBAAA", "--title", "Z", "--artist", "Zed"
        ]),
        "CBAAA2600001\n"
    );
}

#[test]
fn default_database_is_isrc_db_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_isrc"))
            .args(args)
            .env_remove("ISRC_DATABASE_URL")
            .env("ISRC_TODAY", "2026-05-05")
            .env("ISRC_CLOCK", "2026-05-05")
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    assert!(
        run(&["registrant", "add", "--prefix", "GBABC", "--name", "N"])
            .status
            .success()
    );
    let out = run(&[
        "allocate", "--prefix", "GBABC", "--title", "T", "--artist", "A",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "GBABC2600001\n");
    assert!(dir.path().join("isrc.db").exists());
}

#[test]
fn db_option_works_before_and_after_the_subcommand() {
    let db = common::sqlite();
    let dir = db.dir.path();
    let run = |args: &[&str]| {
        let mut cmd = db.cmd(args);
        // Only the option names the ledger here.
        cmd.env_remove("ISRC_DATABASE_URL");
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "isrc {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&[
        "--db",
        "first.db",
        "registrant",
        "add",
        "--prefix",
        "CBXYZ",
        "--name",
        "X",
    ]);
    run(&[
        "registrant",
        "add",
        "--prefix",
        "CBXYZ",
        "--name",
        "X",
        "--db",
        "second.db",
    ]);
    let a = run(&[
        "--db", "first.db", "allocate", "--prefix", "CBXYZ", "--title", "T", "--artist", "A",
    ]);
    let b = run(&[
        "allocate", "--prefix", "CBXYZ", "--title", "U", "--artist", "A", "--db", "first.db",
    ]);
    assert_eq!(
        (a.as_str(), b.as_str()),
        ("CBXYZ2600001\n", "CBXYZ2600002\n")
    );
    assert_eq!(run(&["list", "--db", "first.db"]).lines().count(), 2);
    assert_eq!(run(&["--db", "second.db", "list"]).lines().count(), 0);
    // The option wins over ISRC_DATABASE_URL, which wins over ./isrc.db.
    let out = db
        .cmd(&["list", "--db", "first.db"])
        .env("ISRC_DATABASE_URL", "second.db")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    assert!(!dir.join("isrc.db").exists());
    run(&[
        "registrant",
        "add",
        "--prefix",
        "CBDEF",
        "--name",
        "Default",
    ]);
    assert!(dir.join("isrc.db").exists(), "the default is ./isrc.db");
}

common::each_backend!(audit_shows_who_when_what_before_and_after);
fn audit_shows_who_when_what_before_and_after(db: common::Db) {
    let n = db.name;
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    db.ok(&["registrant", "add", "--prefix", "CBXYY", "--name", "Other"]);
    for (title, prefix) in [("Neige", "CBXYZ"), ("Pluie", "CBXYZ"), ("Vent", "CBXYY")] {
        db.ok(&[
            "allocate", "--prefix", prefix, "--title", title, "--artist", "A",
        ]);
    }
    db.ok(&["void", "CBXYZ2600002", "--reason", "typo in title"]);

    // One code: its allocation and its voiding, with the states before and after.
    let json: serde_json::Value =
        serde_json::from_str(&db.ok(&["audit", "CB-XYZ-26-00002", "--format", "json"])).unwrap();
    let events = json.as_array().unwrap();
    assert_eq!(events.len(), 2, "[{n}] {json}");
    assert_eq!(events[0]["action"], "allocate");
    assert_eq!(events[0]["actor"], "tester");
    assert!(events[0]["before"].is_null());
    assert_eq!(events[0]["after"]["title"], "Pluie", "[{n}]");
    assert_eq!(events[0]["after"]["status"], "active");
    assert_eq!(events[1]["action"], "void");
    assert_eq!(events[1]["before"]["status"], "active");
    assert_eq!(events[1]["after"]["status"], "void");
    assert_eq!(events[1]["after"]["void_reason"], "typo in title");
    assert!(events[1]["at"].as_str().unwrap().starts_with("20"));

    // A prefix: the registrant and every code under it, not the other registrant's.
    let table = db.ok(&["audit", "CBXYZ"]);
    let actions: Vec<&str> = table
        .lines()
        .map(|l| l.split('\t').nth(3).unwrap())
        .collect();
    assert_eq!(
        actions,
        ["registrant.add", "allocate", "allocate", "void"],
        "[{n}] {table}"
    );
    assert!(
        table.contains("status: active -> void; void_reason: - -> typo in title"),
        "[{n}] {table}"
    );
    assert!(!table.contains("CBXYY"), "[{n}] {table}");

    // The whole log as CSV: a header and one row per event.
    let csv = db.ok(&["audit", "--format", "csv"]);
    assert!(
        csv.starts_with("id,at,actor,action,subject,before,after\n"),
        "[{n}] {csv}"
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.records().count(), 6, "[{n}] {csv}");

    // Unknown subjects are errors, not empty answers.
    let err = db.fails(&["audit", "CBXYZ2600099"]);
    assert!(err.contains("not in the ledger"), "[{n}] {err}");
    db.fails(&["audit", "CBQQQ"]);
    db.fails(&["audit", "not a code!"]);
}

common::each_backend!(recording_year_language_iswc_and_notes_reach_show_and_export);
fn recording_year_language_iswc_and_notes_reach_show_and_export(db: common::Db) {
    let n = db.name;
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    let code = db.ok_line("allocate --prefix CBXYZ --title Neige --artist Ariane --recording-year 2019 --language fr --iswc T-034.524.680-1 --notes 'first take'");
    assert_eq!(code, "CBXYZ2600001\n", "[{n}]");
    let show = db.ok(&["show", "CBXYZ2600001"]);
    for line in [
        "recorded    2019",
        "language    fr",
        "iswc        T-034.524.680-1",
        "notes       first take",
    ] {
        assert!(show.contains(line), "[{n}] no {line:?} in {show}");
    }
    let export: serde_json::Value =
        serde_json::from_str(&db.ok(&["export", "--format", "json", "--profile", "repertoire"]))
            .unwrap();
    assert_eq!(export[0]["isrc"], "CBXYZ2600001", "[{n}] {export}");
    assert_eq!(export[0]["recording_year"], 2019, "[{n}] {export}");
    assert_eq!(export[0]["language"], "fr", "[{n}] {export}");
    assert_eq!(export[0]["iswc"], "T-034.524.680-1", "[{n}] {export}");

    // derive --allocate: the parent's year unless --recording-year says otherwise.
    let derive = |year: Option<&str>| {
        let mut args = vec![
            "derive",
            "--from",
            "CBXYZ2600001",
            "--change",
            "remix",
            "--allocate",
            "--force",
        ];
        if let Some(y) = year {
            args.extend(["--recording-year", y]);
        }
        db.ok(&args)
    };
    assert_eq!(derive(None), "CBXYZ2600002\n", "[{n}]");
    assert_eq!(derive(Some("2026")), "CBXYZ2600003\n", "[{n}]");
    let year_of = |code: &str| {
        let json: serde_json::Value =
            serde_json::from_str(&db.ok(&["show", "--json", code])).unwrap();
        json["recording"]["recording_year"].clone()
    };
    assert_eq!(year_of("CBXYZ2600002"), 2019, "[{n}]");
    assert_eq!(year_of("CBXYZ2600003"), 2026, "[{n}]");

    // Not four digits, or after this year (2026 by ISRC_TODAY): refused, nothing allocated.
    let before = db.snapshot();
    for bad in ["19", "20190", "+201", "year"] {
        let err = db.fails(&[
            "allocate",
            "--prefix",
            "CBXYZ",
            "--title",
            "Pluie",
            "--artist",
            "Ariane",
            "--recording-year",
            bad,
        ]);
        assert!(err.contains("is not a year"), "[{n}] {bad}: {err}");
    }
    let err = db
        .fails_line("allocate --prefix CBXYZ --title Pluie --artist Ariane --recording-year 2027");
    assert!(
        err.contains("2027 is after the current year (2026)"),
        "[{n}] {err}"
    );
    let err = db.fails_line(
        "derive --from CBXYZ2600001 --change remix --allocate --force --recording-year 2030",
    );
    assert!(err.contains("after the current year"), "[{n}] {err}");
    // With --from-csv the year is a column of the file.
    let csv = db.file("rows.csv", "title,artist\nVent,Ariane\n");
    let err = db.fails(&[
        "allocate",
        "--prefix",
        "CBXYZ",
        "--from-csv",
        csv.to_str().unwrap(),
        "--recording-year",
        "2019",
    ]);
    assert!(err.contains("cannot be used with"), "[{n}] {err}");
    // An ISWC with a wrong check digit, or something else in its place.
    for bad in ["T-034.524.680-2", "USRC17607839"] {
        let err = db.fails(&[
            "allocate", "--prefix", "CBXYZ", "--title", "Pluie", "--artist", "Ariane", "--iswc",
            bad,
        ]);
        assert!(err.contains("is not an ISWC"), "[{n}] {bad}: {err}");
    }
    assert_eq!(db.snapshot(), before, "[{n}] a refusal changed the ledger");
}
