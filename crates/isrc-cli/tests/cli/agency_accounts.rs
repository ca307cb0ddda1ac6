//! Issue 14 on the command line, against SQLite and (when configured) PostgreSQL: `isrc agency
//! approve|reject` take the server's one approval path (account and mail), `isrc list` and
//! `show` escape control characters, and the agency listing CSV cannot run as formulas.

use crate::common;

use isrc_registry::Store;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn apply(db: &common::Db, name: &str, contact: &str) {
    db.ok(&[
        "agency",
        "apply",
        "--name",
        name,
        "--contact",
        contact,
        "--address",
        "1 rue A, Montréal",
        "--country",
        "CA",
    ]);
}

common::each_backend!(cli_approval_makes_the_account_and_queues_the_mail);
fn cli_approval_makes_the_account_and_queues_the_mail(db: common::Db) {
    let n = db.name;
    apply(&db, "Zed", "z@z.example");
    apply(&db, "Zed again", "Z@z.example");
    apply(&db, "Abc", "a@a.example");
    let out = db.run(&["agency", "approve", "1"]);
    assert!(out.status.success(), "[{n}]");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "CBAAA\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a new account z@z.example"),
        "[{n}] {stderr}"
    );
    assert!(
        stderr.contains("the mail is in the outbox"),
        "[{n}] {stderr}"
    );
    let password: String = stderr
        .split("shown only this once (it must be changed at the first sign-in): ")
        .nth(1)
        .expect("the generated password")
        .trim()
        .to_string();
    // The agency chooses the second code; the same address's account gets it.
    let out = db.ok(&["agency", "approve", "2", "--code", "Q7Z"]);
    assert_eq!(out, "CBQ7Z\n");
    db.ok(&["agency", "reject", "3", "--reason", "not a master owner"]);
    runtime().block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let user = store.user_by_email("z@z.example").await.unwrap().unwrap();
        assert_eq!(
            user.prefixes
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>(),
            ["CBAAA", "CBQ7Z"],
            "[{n}]"
        );
        assert!(user.must_change_password);
        let (_, hash) = store
            .user_with_password("z@z.example")
            .await
            .unwrap()
            .unwrap();
        assert!(isrc_server::auth::verify_password(&password, &hash));
        let outbox = store.outbox(10).await.unwrap();
        assert_eq!(outbox.len(), 3, "[{n}] one mail per decision");
        assert!(outbox[0].body.contains("not a master owner"));
        assert!(outbox[1].body.contains("now holds this prefix too"));
        assert!(outbox[2].body.contains("CB-AAA"));
        assert!(!outbox[2].body.contains(&password), "[{n}] not kept");
        store.close().await;
    });
    // An issued code cannot be chosen again.
    apply(&db, "Late", "l@l.example");
    assert!(
        db.fails(&["agency", "approve", "4", "--code", "CBAAA"])
            .contains("issued already")
    );
}

common::each_backend!(control_characters_are_refused_and_stored_ones_are_escaped);
fn control_characters_are_refused_and_stored_ones_are_escaped(db: common::Db) {
    let n = db.name;
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    let error = db.fails(&[
        "allocate",
        "--prefix",
        "CBXYZ",
        "--title",
        "Evil\u{1b}[2J",
        "--artist",
        "A",
    ]);
    assert!(
        error.contains("title") && error.contains("U+001B"),
        "[{n}] {error}"
    );
    db.ok(&[
        "allocate", "--prefix", "CBXYZ", "--title", "Fine", "--artist", "A",
    ]);
    // Text stored before the rule (or by another program) cannot drive the terminal.
    runtime().block_on(async {
        use sqlx::Connection as _;
        sqlx::any::install_default_drivers();
        let url = if db.url.starts_with("postgres") {
            db.url.clone()
        } else {
            format!("sqlite://{}", db.url)
        };
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query("UPDATE recordings SET title = $1")
            .bind("Bell\u{7}\u{1b}[31mRed\nLine")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
    for args in [vec!["list"], vec!["show", "CBXYZ2600001"]] {
        let out = db.ok(&args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "[{n}] {out:?}"
        );
        assert!(
            out.contains("Bell\\u{7}\\u{1b}[31mRed\\nLine"),
            "[{n}] {out:?}"
        );
    }
}

common::each_backend!(the_agency_listing_csv_cannot_run_formulas);
fn the_agency_listing_csv_cannot_run_formulas(db: common::Db) {
    apply(&db, "=cmd|' /C calc'!A0", "a@x.example");
    db.ok(&["agency", "approve", "1"]);
    let listing = db.ok(&["export", "--profile", "agency-listing"]);
    let mut reader = csv::Reader::from_reader(listing.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[1], "'=cmd|' /C calc'!A0", "{listing}");
    assert!(
        row.iter()
            .all(|cell| !cell.starts_with(['=', '+', '-', '@']))
    );
    // The distributor export too, from the CLI as from the API.
    db.ok_line("allocate --prefix CBAAA --title=-1+1 --artist +A");
    let export = db.ok(&["export"]);
    assert!(export.contains(",'+A,'-1+1,"), "{export}");
}

common::each_backend!(a_backdated_reference_date_does_not_allocate_codes_of_a_past_year);
fn a_backdated_reference_date_does_not_allocate_codes_of_a_past_year(db: common::Db) {
    let n = db.name;
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    let before = db.snapshot();
    let song = [
        "allocate", "--prefix", "CBXYZ", "--title", "Old", "--artist", "A",
    ];
    let error = db.fails(&[&["--today", "2019-05-01"][..], &song[..]].concat());
    assert!(
        error.contains("2019") && error.contains("--year 2019"),
        "[{n}] {error}"
    );
    assert_eq!(db.snapshot(), before, "[{n}] nothing allocated");
    // Deliberately, with --year: allocated under 2019 and recorded in the audit log.
    let code = db.ok(&[&song[..], &["--year", "2019"][..]].concat());
    assert_eq!(code, "CBXYZ1900001\n", "[{n}]");
    let audit = db.ok(&["audit", "--format", "json"]);
    assert!(audit.contains("allocation.backdated"), "[{n}] {audit}");
    assert!(audit.contains("CBXYZ1900001"), "[{n}] {audit}");
    // The current year needs no --year; a year in the future or before ISRC is refused.
    assert_eq!(
        db.ok(&[&song[..], &["--force"][..]].concat()),
        "CBXYZ2600001\n",
        "[{n}] ISRC_TODAY is in the current year"
    );
    assert!(
        db.fails(&[&song[..], &["--year", "1950"][..]].concat())
            .contains("1986")
    );
    // Derivations and tagging follow the same rule.
    let error =
        db.fails_line("--today 2019-05-01 derive --from CBXYZ2600001 --change remix --allocate");
    assert!(error.contains("--year 2019"), "[{n}] {error}");
}

common::each_backend!(a_refused_batch_names_every_conflict);
fn a_refused_batch_names_every_conflict(db: common::Db) {
    let n = db.name;
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    db.ok(&[
        "allocate", "--prefix", "CBXYZ", "--title", "One", "--artist", "A",
    ]);
    db.ok(&[
        "allocate", "--prefix", "CBXYZ", "--title", "Two", "--artist", "A",
    ]);
    let csv = db.file(
        "batch.csv",
        "title,artist\nNew,A\nOne,A\nTwo,A\nNew,A\nFine,B\n",
    );
    let before = db.snapshot();
    let error = db.fails(&[
        "allocate",
        "--prefix",
        "CBXYZ",
        "--from-csv",
        csv.to_str().unwrap(),
    ]);
    assert!(error.contains("3 recording(s)"), "[{n}] {error}");
    for expected in ["CBXYZ2600001", "CBXYZ2600002", "earlier in the batch"] {
        assert!(error.contains(expected), "[{n}] {expected}: {error}");
    }
    for line in [":3", ":4", ":5"] {
        assert!(error.contains(line), "[{n}] line {line}: {error}");
    }
    assert_eq!(db.snapshot(), before, "[{n}] nothing allocated");
}
