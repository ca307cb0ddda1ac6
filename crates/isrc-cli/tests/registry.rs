//! The registry commands over the real binary, on SQLite and PostgreSQL.

mod common;

#[test]
fn registrant_allocate_derive_import_void_export_agency() {
    for db in common::all() {
        let n = db.name;
        db.ok(&[
            "registrant",
            "add",
            "--prefix",
            "CB-XYZ",
            "--name",
            "Disques XYZ",
            "--range",
            "00001-00020",
        ]);
        let first = db.ok(&[
            "allocate",
            "--prefix",
            "CBXYZ",
            "--title",
            "Neige",
            "--artist",
            "Ariane",
            "--duration",
            "3:25",
            "--published",
            "2026-02-01",
        ]);
        assert_eq!(
            first, "CBXYZ2600001\n",
            "[{n}] compact code alone on stdout"
        );
        // The year comes from --today over ISRC_TODAY.
        let other_year = db.ok(&[
            "--today",
            "2027-01-02",
            "allocate",
            "--prefix",
            "CBXYZ",
            "--title",
            "Pluie",
            "--artist",
            "Ariane",
        ]);
        assert_eq!(other_year, "CBXYZ2700001\n");
        // Duplicate refused naming the code, unless --force.
        let err = db.fails(&[
            "allocate",
            "--prefix",
            "CBXYZ",
            "--title",
            "neige",
            "--artist",
            "ARIANE",
            "--duration",
            "3:26",
        ]);
        assert!(err.contains("CBXYZ2600001"), "[{n}] {err}");
        assert_eq!(
            db.ok(&[
                "allocate",
                "--prefix",
                "CBXYZ",
                "--title",
                "neige",
                "--artist",
                "ARIANE",
                "--duration",
                "3:26",
                "--force"
            ]),
            "CBXYZ2600002\n"
        );
        // Derive: the rules per agency, and --allocate linking the parent.
        let keep = db.ok(&[
            "derive",
            "--from",
            "CBXYZ2600001",
            "--change",
            "edit",
            "--duration",
            "3:18",
            "--policy",
            "riaa",
        ]);
        assert!(
            keep.starts_with("keep ISRC") && keep.contains("riaa.edit-10s"),
            "[{n}] {keep}"
        );
        let new = db.ok(&[
            "derive",
            "--from",
            "CBXYZ2600001",
            "--change",
            "edit",
            "--duration",
            "3:18",
            "--policy",
            "scpp",
        ]);
        assert!(
            new.starts_with("new ISRC") && new.contains("scpp.edit-5s"),
            "[{n}] {new}"
        );
        assert!(
            db.ok(&[
                "derive",
                "--from",
                "CBXYZ2600001",
                "--change",
                "remaster",
                "--policy",
                "soproq"
            ])
            .starts_with("keep ISRC")
        );
        assert!(
            db.ok(&[
                "derive",
                "--from",
                "CBXYZ2600001",
                "--change",
                "remaster",
                "--policy",
                "ppl"
            ])
            .starts_with("new ISRC")
        );
        let edit = db.ok(&[
            "derive",
            "--from",
            "CBXYZ2600001",
            "--change",
            "edit",
            "--duration",
            "3:00",
            "--version",
            "Radio Edit",
            "--allocate",
        ]);
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
        let imp = db.file("old.csv", "isrc,title,artist,status\nCB-XYZ-26-00006,Vieux,C,active\nCBXYZ2600008,Ancien,C,void\n");
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
        // Agency: apply, approve (Canada gets CB), reject, listings.
        db.ok(&[
            "agency",
            "apply",
            "--name",
            "Zed",
            "--contact",
            "z@z.example",
            "--address",
            "1 rue A, Montréal",
            "--country",
            "CA",
        ]);
        db.ok(&[
            "agency",
            "apply",
            "--name",
            "Abc",
            "--contact",
            "a@a.example",
            "--address",
            "2 rue B",
            "--country",
            "CA",
        ]);
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
}

#[test]
fn default_database_is_isrc_db_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_isrc"))
            .args(args)
            .env_remove("ISRC_DATABASE_URL")
            .env("ISRC_TODAY", "2026-05-05")
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
