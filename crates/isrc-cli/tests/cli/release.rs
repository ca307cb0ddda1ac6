//! `isrc release add|edit|show|list|export` through the real binary, on SQLite and PostgreSQL:
//! the barcode's check digit, tracks of the registrant, edits that clear a field shown as
//! before -> — (empty), and the exports: CSV in a distributor profile, and a DDEX ERN 4.3
//! message that `xmllint` finds well-formed and `isrc check` reads back, every ISRC, title
//! and duration, with no `ern_*` finding.
//!
//! The DDEX XSD is not available here (see docs/registry.md): the message is not validated
//! against the schema.

use crate::common;

use std::process::Command;

fn setup(db: &common::Db) -> Vec<String> {
    db.ok(&[
        "registrant",
        "add",
        "--prefix",
        "CBXYZ",
        "--name",
        "Les Disques XYZ",
    ]);
    db.ok(&["registrant", "add", "--prefix", "CBAAA", "--name", "Autre"]);
    let mut codes = Vec::new();
    for (title, duration) in [
        ("Première neige", "3:25"),
        ("Dégel & <Fonte>", "1:02:03.500"),
    ] {
        let out = db.ok(&[
            "allocate",
            "--prefix",
            "CBXYZ",
            "--title",
            title,
            "--artist",
            "Ariane",
            "--duration",
            duration,
        ]);
        codes.push(out.trim().to_string());
    }
    codes
}

/// `xmllint --noout` finds the file well-formed.
fn assert_well_formed(path: &std::path::Path) {
    let lint = Command::new("xmllint")
        .arg("--noout")
        .arg(path)
        .output()
        .expect("xmllint (Debian libxml2-utils) is installed");
    assert!(
        lint.status.success(),
        "xmllint: {}",
        String::from_utf8_lossy(&lint.stderr)
    );
}

common::each_backend!(releases_through_the_cli);
fn releases_through_the_cli(db: common::Db) {
    let codes = setup(&db);
    let tracks = codes.join(",");
    let added = db.ok(&[
        "release",
        "add",
        "--prefix",
        "CBXYZ",
        "--upc",
        "036000291452",
        "--title",
        "Hiver",
        "--label",
        "Les Disques XYZ",
        "--p-line",
        "2026 Les Disques XYZ",
        "--date",
        "2026-03-01",
        "--track",
        &tracks,
    ]);
    assert!(added.contains("release 036000291452 (CBXYZ)"), "{added}");
    assert!(added.contains(&format!("2. {}", codes[1])), "{added}");

    let e = db.fails(&[
        "release",
        "add",
        "--prefix",
        "CBXYZ",
        "--upc",
        "036000291453",
        "--title",
        "X",
        "--track",
        &codes[0],
    ]);
    assert!(e.contains("check digit"), "{e}");
    let e = db.fails(&[
        "release",
        "add",
        "--prefix",
        "CBAAA",
        "--upc",
        "4006381333931",
        "--title",
        "X",
        "--track",
        &codes[0],
    ]);
    assert!(e.contains("is not a code of CBAAA"), "{e}");
    let e = db.fails(&["release", "show", "4006381333931"]);
    assert!(e.contains("no release 4006381333931"), "{e}");

    // An edit clears the label and reorders; the change list shows before -> — (empty).
    let out = db.ok(&[
        "release",
        "edit",
        "0036000291452",
        "--clear",
        "label",
        "--track",
        &codes[1],
        "--track",
        &codes[0],
    ]);
    assert!(out.contains("label: Les Disques XYZ -> —"), "{out}");
    assert!(
        out.contains(&format!(
            "tracks: {},{} -> {},{}",
            codes[0], codes[1], codes[1], codes[0]
        )),
        "{out}"
    );
    let e = db.fails(&["release", "edit", "036000291452", "--clear", "title"]);
    assert!(e.contains("cannot"), "{e}");
    let shown = db.ok(&["release", "show", "036000291452"]);
    assert!(shown.contains("release.edit"), "{shown}");
    assert!(!shown.contains("label:"), "{shown}");

    let list = db.ok(&["release", "list", "--prefix", "CBXYZ"]);
    assert!(
        list.starts_with("036000291452\tCBXYZ\tHiver\t2026-03-01\t2 tracks"),
        "{list}"
    );

    // CSV in the distributor profile.
    let csv = db.ok(&[
        "release",
        "export",
        "036000291452",
        "--profile",
        "distributor",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with(&format!(
            "036000291452,Hiver,,2026 Les Disques XYZ,2026-03-01,,1,{},Ariane,Dégel & <Fonte>",
            codes[1]
        )),
        "{csv}"
    );

    // ERN 4.3: well-formed (xmllint), read back by `isrc check` with no ern_* finding.
    db.ok(&[
        "release",
        "export",
        "036000291452",
        "--format",
        "ern",
        "--output",
        "hiver.xml",
    ]);
    let path = db.dir.path().join("hiver.xml");
    assert_well_formed(&path);
    let bytes = std::fs::read(&path).unwrap();
    let message = isrc_check::formats::ern::read_message(&bytes).expect("reads back");
    let read: Vec<(String, String, String)> = message
        .resources
        .iter()
        .map(|r| {
            (
                r.isrcs[0].value.clone(),
                r.title.clone(),
                r.duration.clone(),
            )
        })
        .collect();
    assert_eq!(
        read,
        vec![
            (
                codes[1].clone(),
                "Dégel & <Fonte>".into(),
                "PT1H2M3.500S".into()
            ),
            (codes[0].clone(), "Première neige".into(), "PT3M25S".into()),
        ]
    );
    let check = db.run(&["check", "hiver.xml", "--format", "json"]);
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let value: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(value["records"], 2, "{report}");
    assert_eq!(value["valid"], 2, "{report}");
    let exchange = &value["exchange"];
    assert_eq!(exchange["ern_versions"]["4.3"], 1, "{report}");
    assert_eq!(
        exchange["findings"]["total"], 0,
        "no ern_* finding: {report}"
    );
    assert_eq!(exchange["by_rule"], serde_json::json!({}), "{report}");
    assert!(
        !path.with_extension("xml.tmp").exists()
            && std::fs::read_dir(db.dir.path()).unwrap().all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")),
        "no temporary file left"
    );
}

common::each_backend!(contributors_through_the_cli);
fn contributors_through_the_cli(db: common::Db) {
    let codes = setup(&db);
    let add = |contributors: &[&str]| {
        let mut args = vec![
            "release",
            "add",
            "--prefix",
            "CBXYZ",
            "--upc",
            "036000291452",
            "--title",
            "Hiver",
            "--track",
            &codes[0],
            "--track",
            &codes[1],
        ];
        for c in contributors {
            args.extend(["--contributor", c]);
        }
        db.run(&args)
    };
    // A role that DDEX does not name, no role (the argument's own check: exit 2), a track
    // the release does not have (the ledger's: exit 1): refused by name, nothing stored.
    for (bad, says, code) in [
        ("Zed:Drummer", "Drummer", 2),
        ("Zed", "Name:Role", 2),
        ("Zed:FeaturedArtist:3", "the release has 2 track(s)", 1),
    ] {
        let out = add(&[bad]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{bad}: {stderr}");
        assert!(stderr.contains(says), "{bad}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let e = db.fails(&["release", "show", "036000291452"]);
    assert!(e.contains("no release"), "{e}");

    let out = add(&[
        "Ariane:MainArtist",
        "Zed:featured-artist:2",
        "Ana Sol:Composer:1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = db.ok(&["release", "show", "036000291452"]);
    for line in [
        "contributor: Ariane:MainArtist",
        "contributor: Zed:FeaturedArtist:2",
        "contributor: Ana Sol:Composer:1",
    ] {
        assert!(shown.contains(line), "{line}: {shown}");
    }

    // The CSV: each track's credits (the whole release's, then its own).
    let csv = db.ok(&[
        "release",
        "export",
        "036000291452",
        "--profile",
        "distributor",
    ]);
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let column = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "contributors")
        .expect("a contributors column");
    let credits: Vec<String> = rows
        .records()
        .map(|r| r.unwrap()[column].to_string())
        .collect();
    assert_eq!(
        credits,
        [
            "Ariane:MainArtist; Ana Sol:Composer",
            "Ariane:MainArtist; Zed:FeaturedArtist"
        ],
        "{csv}"
    );

    // ERN 4.3: the featured artist a DisplayArtist of track 2, the composer a Contributor
    // of track 1; well-formed for xmllint.
    db.ok(&[
        "release",
        "export",
        "036000291452",
        "--format",
        "ern",
        "--output",
        "hiver.xml",
    ]);
    let path = db.dir.path().join("hiver.xml");
    assert_well_formed(&path);
    let xml = std::fs::read_to_string(&path).unwrap();
    assert!(
        xml.contains("<DisplayArtistRole>FeaturedArtist</DisplayArtistRole>"),
        "{xml}"
    );
    assert!(xml.contains("<Role>Composer</Role>"), "{xml}");

    // An edit replaces the list; `release list --limit` out of range is refused, exit 1.
    let out = db.ok(&[
        "release",
        "edit",
        "036000291452",
        "--contributor",
        "Ariane:MainArtist",
    ]);
    assert!(
        out.contains(
            "contributors: Ariane:MainArtist; Zed:FeaturedArtist:2; Ana Sol:Composer:1 -> Ariane:MainArtist"
        ),
        "{out}"
    );
    let shown = db.ok(&["release", "show", "036000291452"]);
    assert!(!shown.contains("Zed"), "{shown}");
    let out = db.run(&["release", "list", "--limit", "5000"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 to 1000"));
}
