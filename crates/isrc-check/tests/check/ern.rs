//! DDEX ERN messages made by the tests, one per version of each layout, each with a known
//! report; malformed, hostile (XXE, billion laughs) and cut messages refused with a line and
//! column.

use crate::support;

use isrc_check::{AnnotateWriter, CheckError, Checker, Options, Summary};
use support::ddex::{Rel, Track, ern};

fn policy() -> isrc::Policy<'static> {
    isrc::Policy::new("2026-11-22".parse().unwrap())
}

fn check(files: &[(&str, String)]) -> Summary {
    let mut checker = Checker::new(policy(), Options::default());
    for (name, text) in files {
        checker
            .check_reader(name, std::io::Cursor::new(text.clone().into_bytes()), None)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    checker.finish()
}

fn refuse(text: &[u8]) -> CheckError {
    let mut checker = Checker::new(policy(), Options::default());
    checker
        .check_reader("m.xml", std::io::Cursor::new(text.to_vec()), None)
        .unwrap_err()
}

/// The catalogue every version is tested with.
fn catalogue() -> (Vec<Track>, Vec<Rel>) {
    let tracks = vec![
        Track::new("A1", Some("USRC17607839"), "Yesterday"),
        Track::new("A2", Some("us-rc1-76-07840"), "Tomorrow"),
        Track::new("A3", None, "Today"),
        Track::new("A4", Some("USRC17607839"), "Yesterday (Reprise)"),
        Track::new("A5", Some("USRC176O7841"), "Bad"),
    ];
    let releases = vec![
        Rel {
            reference: "R0",
            isrc: Some("USRC17607899"),
            track_release: false,
            tracks: vec!["A1", "A2", "A3", "A4", "A5"],
        },
        Rel {
            reference: "R1",
            isrc: Some("USRC17607839"),
            track_release: true,
            tracks: vec!["A1"],
        },
    ];
    (tracks, releases)
}

fn rule_counts(summary: &Summary) -> Vec<(&'static str, u64)> {
    let exchange = summary.exchange.as_ref().expect("an exchange report");
    exchange.by_rule.iter().map(|(k, v)| (*k, *v)).collect()
}

#[test]
fn every_version_gives_the_known_report() {
    for (ns, label) in [
        ("34", "3.4"),
        ("341", "3.4.1"),
        ("37", "3.7"),
        ("382", "3.8.2"),
        ("41", "4.1"),
        ("411", "4.1.1"),
        ("42", "4.2"),
        ("43", "4.3"),
    ] {
        let (tracks, releases) = catalogue();
        let summary = check(&[("m.xml", ern(ns, &tracks, &releases))]);
        assert_eq!(
            (summary.records, summary.valid, summary.invalid),
            (4, 3, 1),
            "{label}"
        );
        assert_eq!(summary.duplicate_isrcs, 1, "{label}");
        assert_eq!(
            summary.conflicting_isrcs, 1,
            "{label}: A1 and A4 differ in title"
        );
        assert_eq!(summary.by_rule.get("letter_in_digits"), Some(&1), "{label}");
        assert_eq!(summary.by_rule.get("not_canonical"), Some(&1), "{label}");
        assert_eq!(summary.invalid_codes.listed[0].value, "USRC176O7841");
        assert_eq!(summary.inputs[0].format, "ern");
        assert_eq!(summary.inputs[0].title.as_deref(), Some("Title"));
        assert!(summary.inputs[0].conflicts_checked, "{label}");
        let exchange = summary.exchange.as_ref().unwrap();
        assert_eq!(exchange.ern_messages, 1);
        assert_eq!(exchange.ern_versions.get(label), Some(&1), "{label}");
        assert_eq!(
            rule_counts(&summary),
            vec![
                ("ern_isrc_not_compact", 1),
                ("ern_isrc_reused", 1),
                ("ern_missing_isrc", 1),
                ("ern_multi_track_release_isrc", 1),
                ("ern_track_release_isrc", 1),
            ],
            "{label}"
        );
        assert_eq!(
            exchange.errors, 4,
            "{label}: all but the TrackRelease are errors"
        );
        let missing = exchange
            .findings
            .listed
            .iter()
            .find(|f| f.rule == "ern_missing_isrc")
            .unwrap();
        assert_eq!(missing.reference.as_deref(), Some("A3"));
        assert!(
            missing.path.ends_with("/ResourceList/SoundRecording[3]"),
            "{label}: {}",
            missing.path
        );
        let reused = exchange
            .findings
            .listed
            .iter()
            .find(|f| f.rule == "ern_isrc_reused")
            .unwrap();
        let expected_path = match &label[..1] {
            "3" => "/NewReleaseMessage/ResourceList/SoundRecording[4]/SoundRecordingId/ISRC",
            _ if label.starts_with("4.3") => {
                "/NewReleaseMessage/ResourceList/SoundRecording[4]/SoundRecordingEdition[1]/ResourceId/ISRC"
            }
            _ => "/NewReleaseMessage/ResourceList/SoundRecording[4]/ResourceId/ISRC",
        };
        assert_eq!(reused.path, expected_path, "{label}");
        // The line and column are those of the value in the generated text.
        let text = ern(ns, &catalogue().0, &catalogue().1);
        let nth = text.match_indices("USRC17607839</ISRC>").nth(1).unwrap().0;
        let line = text[..nth].matches('\n').count() as u64 + 1;
        let column = (nth - text[..nth].rfind('\n').unwrap()) as u64;
        assert_eq!(
            (reused.location.line, reused.location.column),
            (line, column),
            "{label}"
        );
        assert!(reused.message.contains("resource A1"), "{}", reused.message);
    }
}

#[test]
fn editions_of_one_recording_in_4_3() {
    let mut shared = Track::new("A1", Some("GBAYE2600001"), "Song");
    shared.immersive = Some("GBAYE2600001");
    let mut derived = Track::new("A2", Some("GBAYE2600002"), "Other song");
    derived.immersive = Some("GBAYE2600002");
    derived.mechanical = true;
    let mut own = Track::new("A3", Some("GBAYE2600003"), "Third");
    own.immersive = Some("GBAYE2600004");
    let summary = check(&[("m.xml", ern("43", &[shared, derived, own], &[]))]);
    assert_eq!(summary.records, 6);
    assert_eq!(summary.invalid, 0);
    assert_eq!(rule_counts(&summary), vec![("ern_edition_isrc_shared", 1)]);
    let f = &summary.exchange.as_ref().unwrap().findings.listed[0];
    assert_eq!(f.reference.as_deref(), Some("A1"));
    assert!(
        f.path.ends_with("SoundRecordingEdition[2]/ResourceId/ISRC"),
        "{}",
        f.path
    );
    assert!(
        f.message
            .contains("NonImmersiveEdition and ImmersiveEdition"),
        "{}",
        f.message
    );
}

#[test]
fn across_messages_titles_and_durations() {
    let a = vec![Track::new("A1", Some("FRZ032600001"), "Blue")];
    let mut b = vec![Track::new("A1", Some("FRZ032600001"), "Bleu")];
    b[0].duration = "PT3M50S";
    let mut c = vec![Track::new("A9", Some("FRZ032600001"), "blue")];
    c[0].duration = "PT3M30S";
    let summary = check(&[
        ("a.xml", ern("43", &a, &[])),
        ("b.xml", ern("382", &b, &[])),
        ("c.xml", ern("41", &c, &[])),
    ]);
    assert_eq!(summary.records, 3);
    assert_eq!(summary.duplicate_isrcs, 1);
    assert_eq!(
        rule_counts(&summary),
        vec![("ern_duration_mismatch", 1), ("ern_title_mismatch", 1)],
        "c.xml is within 10 s and its title folds to the same"
    );
    let exchange = summary.exchange.as_ref().unwrap();
    assert_eq!(exchange.ern_messages, 3);
    assert_eq!(exchange.errors, 0);
    let f = &exchange.findings.listed[0];
    assert_eq!(f.location.file, "b.xml");
    assert!(f.message.contains("a.xml line"), "{}", f.message);
}

#[test]
fn a_primary_resource_only_as_secondary_needs_no_isrc() {
    let text = r#"<NewReleaseMessage xmlns="http://ddex.net/xml/ern/382">
<ResourceList><SoundRecording><ResourceReference>A1</ResourceReference></SoundRecording>
<SoundRecording><ResourceReference>A2</ResourceReference><SoundRecordingId><ISRC>USRC17607839</ISRC></SoundRecordingId></SoundRecording></ResourceList>
<ReleaseList><Release><ReleaseId><ICPN>0602557012347</ICPN></ReleaseId><ReleaseResourceReferenceList>
<ReleaseResourceReference ReleaseResourceType="SecondaryResource">A1</ReleaseResourceReference>
<ReleaseResourceReference>A2</ReleaseResourceReference></ReleaseResourceReferenceList></Release></ReleaseList>
</NewReleaseMessage>"#;
    let summary = check(&[("m.xml", text.to_owned())]);
    assert_eq!(summary.records, 1);
    assert!(rule_counts(&summary).is_empty());
}

#[test]
fn a_message_without_any_isrc_is_reported_not_refused() {
    let summary = check(&[(
        "m.xml",
        ern("42", &[Track::new("A1", None, "Nothing")], &[]),
    )]);
    assert_eq!(summary.records, 0);
    assert_eq!(rule_counts(&summary), vec![("ern_missing_isrc", 1)]);
}

#[test]
fn entities_and_cdata_are_read() {
    let text = "<NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/43\"><ResourceList><SoundRecording>\
        <ResourceReference>A1</ResourceReference><SoundRecordingEdition><ResourceId><ISRC>&#x55;SRC17607839</ISRC>\
        </ResourceId></SoundRecordingEdition><DisplayTitleText>Rock &amp; <![CDATA[Roll]]></DisplayTitleText>\
        </SoundRecording></ResourceList></NewReleaseMessage>";
    let message = isrc_check::formats::ern::read_message(text.as_bytes()).unwrap();
    assert_eq!(message.resources[0].isrcs[0].value, "USRC17607839");
    assert_eq!(message.resources[0].title, "Rock & Roll");
}

#[test]
fn malformed_messages_say_where() {
    let cases: &[(&[u8], (u64, u64), &str)] = &[
        (
            b"<NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/43\">\n<ResourceList>\n  </SoundRecording>\n</NewReleaseMessage>",
            (3, 3),
            "malformed XML",
        ),
        (
            b"<NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/43\">\n<ResourceList>\n<SoundRecording>",
            (3, 17),
            "cut short",
        ),
        (
            b"<NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/43\">\n<A>&nbsp;</A></NewReleaseMessage>",
            (2, 4),
            "predefined entities",
        ),
        (
            b"<NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/99\"><A/></NewReleaseMessage>",
            (1, 1),
            "known version",
        ),
    ];
    for (text, (line, column), what) in cases {
        let e = refuse(text);
        assert_eq!(
            (e.location.line, e.location.column),
            (*line, *column),
            "{e}"
        );
        assert!(e.message.contains(what), "{e}");
    }
}

#[test]
fn billion_laughs_and_external_entities_are_refused() {
    let mut laughs =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        laughs.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    laughs.push_str("]>\n<NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/43\"><A>&lol9;</A></NewReleaseMessage>\n");
    let e = refuse(laughs.as_bytes());
    assert_eq!(e.location.line, 2, "{e}");
    assert!(e.message.contains("DOCTYPE"), "{e}");
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n\
        <NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/43\"><A>&x;</A></NewReleaseMessage>";
    let e = refuse(xxe.as_bytes());
    assert!(e.message.contains("DOCTYPE"), "{e}");
    // Without the DOCTYPE, the entity is undefined and refused as well.
    let e = refuse(
        b"<NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/43\"><A>&x;</A></NewReleaseMessage>",
    );
    assert!(e.message.contains("&x;"), "{e}");
}

#[test]
fn annotate_lists_every_resource_with_its_verdict() {
    let (tracks, releases) = catalogue();
    let mut out = AnnotateWriter::new(Vec::new());
    let mut checker = Checker::new(policy(), Options::default());
    let text = ern("43", &tracks, &releases);
    checker
        .check_reader(
            "m.xml",
            std::io::Cursor::new(text.into_bytes()),
            Some(&mut out),
        )
        .unwrap();
    let csv = String::from_utf8(out.into_inner().unwrap()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("ISRC,ResourceReference,Resource,EditionType,Title"),
        "{csv}"
    );
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(
        lines[2].starts_with("us-rc1-76-07840,A2,SoundRecording,NonImmersiveEdition,Tomorrow"),
        "{csv}"
    );
    assert!(lines[4].contains("letter_in_digits"), "{csv}");
}

#[test]
fn a_gzip_message_is_read() {
    use std::io::Write;
    let (tracks, releases) = catalogue();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(ern("43", &tracks, &releases).as_bytes())
        .unwrap();
    let bytes = gz.finish().unwrap();
    let mut checker = Checker::new(policy(), Options::default());
    checker
        .check_reader("m.xml.gz", std::io::Cursor::new(bytes), None)
        .unwrap();
    assert_eq!(checker.finish().records, 4);
}

/// Shapes seen in public ERN samples and tools (read, not copied: the messages here are the
/// tests' own): the `ern:` prefix with `xsi:schemaLocation` and `MessageSchemaVersionId`,
/// a default namespace, 4.1.1's `service.ddex.net` namespace, 4.3.1 and 4.3.2, and a
/// message in UTF-16 that says so in its XML declaration.
#[test]
fn namespace_variants_of_public_samples_are_read() {
    let body = "<ResourceList><SoundRecording><ResourceReference>A1</ResourceReference>\
        <SoundRecordingEdition><Type>NonImmersiveEdition</Type><ResourceId><ISRC>USRC17607839</ISRC></ResourceId>\
        </SoundRecordingEdition><SoundRecordingId><ISRC>USRC17607839</ISRC></SoundRecordingId>\
        <DisplayTitleText>Yesterday</DisplayTitleText><Duration>PT2M5S</Duration>\
        </SoundRecording></ResourceList>";
    let cases = [
        (
            "<ern:NewReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/432\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:schemaLocation=\"http://ddex.net/xml/ern/432 http://service.ddex.net/xml/ern/432/release-notification.xsd\" \
             AvsVersionId=\"9\" LanguageAndScriptCode=\"en\">",
            "</ern:NewReleaseMessage>",
            "4.3.2",
        ),
        (
            "<ern:NewReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/431\">",
            "</ern:NewReleaseMessage>",
            "4.3.1",
        ),
        (
            "<NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/432\">",
            "</NewReleaseMessage>",
            "4.3.2",
        ),
        (
            "<ern:NewReleaseMessage xmlns:ern=\"http://service.ddex.net/xml/ern/411\" \
             MessageSchemaVersionId=\"ern/411\">",
            "</ern:NewReleaseMessage>",
            "4.1.1",
        ),
        (
            "<ern:NewReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/383\" \
             xmlns:xs=\"http://www.w3.org/2001/XMLSchema-instance\" MessageSchemaVersionId=\"ern/383\">",
            "</ern:NewReleaseMessage>",
            "3.8.3",
        ),
    ];
    for (open, close, version) in cases {
        let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{open}\n{body}\n{close}\n");
        let summary = check(&[("m.xml", xml)]);
        let exchange = summary.exchange.as_ref().unwrap();
        assert_eq!(
            exchange.ern_versions.keys().collect::<Vec<_>>(),
            [version],
            "{open}"
        );
        // The edition's code and the 3.x path's are both read: one resource, one ISRC twice.
        assert_eq!((summary.records, summary.invalid), (2, 0), "{open}");
    }
    // UTF-16 with a byte order mark, declared as such (a DDEX sample says a message may be
    // either): decoded before it is parsed.
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<ern:NewReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/43\">{body}</ern:NewReleaseMessage>\n"
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in xml.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let mut checker = Checker::new(policy(), Options::default());
    checker
        .check_reader("m.xml", std::io::Cursor::new(utf16), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = checker.finish();
    assert_eq!((summary.records, summary.invalid), (2, 0));
    // A namespace of another host is not an ERN namespace.
    let other = refuse(
        format!(
            "<NewReleaseMessage xmlns=\"http://example.com/xml/ern/43\">{body}</NewReleaseMessage>"
        )
        .as_bytes(),
    );
    assert!(other.message.contains("not"), "{}", other.message);
}
