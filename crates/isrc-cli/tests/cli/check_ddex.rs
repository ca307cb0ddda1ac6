//! `isrc check` on DDEX inputs over the real binary: a folder of ERN messages (recursively,
//! audio and images skipped), a DSR report, in every report format and exit status.

use crate::check_support;
#[path = "../../../isrc-check/tests/check/support/ddex.rs"]
mod ddex;

use check_support::{assert_follows_schema, isrc, json, p, report_schema, stderr, write};
use ddex::{Rel, Track, ern};

fn delivery() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("batch1/resources")).unwrap();
    std::fs::create_dir_all(dir.path().join("batch2")).unwrap();
    let first = ern(
        "43",
        &[
            Track::new("A1", Some("USRC17607839"), "Yesterday"),
            Track::new("A2", None, "Today"),
        ],
        &[Rel {
            reference: "R0",
            isrc: None,
            track_release: false,
            tracks: vec!["A1", "A2"],
        }],
    );
    let mut second = vec![Track::new("A1", Some("USRC17607839"), "Tomorrow")];
    second[0].duration = "PT4M25S";
    write(&dir.path().join("batch1"), "m1.xml", first.as_bytes());
    write(&dir.path().join("batch1/resources"), "a1.flac", b"fLaC");
    write(
        &dir.path().join("batch2"),
        "m2.xml",
        ern("382", &second, &[]).as_bytes(),
    );
    dir
}

#[test]
fn a_folder_of_messages_in_every_report_format() {
    let dir = delivery();
    let out = isrc(&["check", "--format", "json", p(dir.path())]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a missing ISRC is an error: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("1 files under the folders"),
        "{}",
        stderr(&out)
    );
    let report = json(&out);
    assert_follows_schema(&report_schema(), &report, "ERN folder");
    assert_eq!(report["records"], 2);
    assert_eq!(report["duplicate_isrcs"], 1);
    assert_eq!(report["conflicting_isrcs"], 1);
    let exchange = &report["exchange"];
    assert_eq!(exchange["ern_messages"], 2);
    assert_eq!(exchange["ern_versions"]["4.3"], 1);
    assert_eq!(exchange["ern_versions"]["3.8.2"], 1);
    assert_eq!(exchange["by_rule"]["ern_missing_isrc"], 1);
    assert_eq!(exchange["by_rule"]["ern_title_mismatch"], 1);
    assert_eq!(exchange["by_rule"]["ern_duration_mismatch"], 1);
    let missing = &exchange["findings"]["listed"][0];
    assert!(
        missing["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("batch1/m1.xml")
    );
    assert_eq!(missing["reference"], "A2");

    let out = isrc(&["check", "--format", "csv", p(dir.path())]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("ddex,") && l.contains(",ern_duration_mismatch,")),
        "{csv}"
    );

    let out = isrc(&["check", p(dir.path())]);
    let human = String::from_utf8(out.stdout).unwrap();
    assert!(
        human.contains("DDEX ERN: 2 messages (1 in ERN 3.8.2, 1 in ERN 4.3)"),
        "{human}"
    );
    assert!(human.contains("ern_missing_isrc"), "{human}");

    let out = isrc(&[
        "check",
        "--fail-on",
        "errors",
        p(&dir.path().join("batch2")),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "one message alone is clean: {}",
        stderr(&out)
    );
}

#[test]
fn fix_is_refused_and_annotate_lists_resources() {
    let dir = delivery();
    let message = dir.path().join("batch1/m1.xml");
    let fixed = dir.path().join("fixed.xml");
    let out = isrc(&["check", "--fix", p(&fixed), p(&message)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--fix cannot rewrite a DDEX message"),
        "{}",
        stderr(&out)
    );
    assert!(!fixed.exists());
    let annotated = dir.path().join("a.csv");
    let out = isrc(&["check", "--annotate", p(&annotated), p(&message)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let csv = std::fs::read_to_string(&annotated).unwrap();
    assert!(csv.starts_with("ISRC,ResourceReference,Resource,EditionType,Title,DisplayArtistName,Duration,Location,isrc_normalized"), "{csv}");
    assert!(
        csv.contains("USRC17607839,A1,SoundRecording,NonImmersiveEdition,Yesterday"),
        "{csv}"
    );
}

#[test]
fn a_malformed_message_says_where_and_the_others_are_checked() {
    let dir = delivery();
    write(
        &dir.path().join("batch2"),
        "broken.xml",
        b"<ern:NewReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/43\">\n<ResourceList>\n</ern:NewReleaseMessage>",
    );
    let out = isrc(&["check", "--format", "json", p(dir.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("broken.xml:3:"), "{}", stderr(&out));
    assert_eq!(json(&out)["exchange"]["ern_messages"], 2);
}

#[test]
fn a_dsr_report_gives_the_money_at_risk() {
    let dir = tempfile::tempdir().unwrap();
    let text = ddex::dsr(&[
        ("B1", "D1", "USRC17607839", "Yesterday", &[(100, 1.5)]),
        ("B2", "D2", "USRC176O7840", "Bad", &[(10, 0.25), (5, 0.5)]),
    ]);
    let path = write(dir.path(), "sales.tsv", text.as_bytes());
    let out = isrc(&["check", "--format", "json", p(&path)]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_follows_schema(&report_schema(), &report, "DSR");
    let figures = &report["exchange"]["dsr"][0];
    assert_eq!(figures["usage_lines"], 3);
    assert_eq!(figures["usage_lines_valid_isrc"], 1);
    assert_eq!(figures["revenue_at_risk"], 0.75);
    assert_eq!(
        figures["invalid_values"]["listed"][0]["value"],
        "USRC176O7840"
    );
    let out = isrc(&["check", p(&path)]);
    let human = String::from_utf8(out.stdout).unwrap();
    assert!(
        human.contains("3 usage lines, 33.33% with a valid ISRC"),
        "{human}"
    );
    assert!(human.contains("15 usages and 0.75 revenue"), "{human}");
    let out = isrc(&["check", "--format", "csv", p(&path)]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.contains("dsr_invalid_value"), "{csv}");
}
