//! `isrc check` and the registry decide "the same recording" alike (`isrc::recording`): two
//! records of one ISRC conflict in the check exactly when the registry would give the second
//! one its own code. Fifty-eight pairs, on both sides of the 10 s tolerance, with durations written
//! as m:ss, h:mm:ss, seconds and ISO 8601.

use isrc::code::PrefixCode;
use isrc_check::{Checker, Options};
use isrc_registry::*;

/// (title, artist, duration) of the first and second record, and whether they are the same
/// recording.
type Pair = (
    (&'static str, &'static str, &'static str),
    (&'static str, &'static str, &'static str),
    bool,
);

const PAIRS: [Pair; 58] = [
    // Durations: the tolerance's edges, as m:ss.
    (("One", "Ariane", "3:20"), ("One", "Ariane", "3:20"), true),
    (("One", "Ariane", "3:20"), ("One", "Ariane", "3:21"), true),
    (("One", "Ariane", "3:20"), ("One", "Ariane", "3:29"), true),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "3:29.999"),
        true,
    ),
    (("One", "Ariane", "3:20"), ("One", "Ariane", "3:30"), true),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "3:30.001"),
        false,
    ),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "3:30.5"),
        false,
    ),
    (("One", "Ariane", "3:20"), ("One", "Ariane", "3:31"), false),
    (("One", "Ariane", "3:20"), ("One", "Ariane", "3:10"), true),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "3:09.999"),
        false,
    ),
    (("One", "Ariane", "3:20"), ("One", "Ariane", "3:09"), false),
    (("One", "Ariane", "3:20"), ("One", "Ariane", "4:20"), false),
    (("One", "Ariane", "3:20"), ("One", "Ariane", "2:50"), false),
    // ISO 8601 against m:ss.
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "PT3M20S"),
        true,
    ),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "PT3M25S"),
        true,
    ),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "PT3M30S"),
        true,
    ),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "PT3M30.001S"),
        false,
    ),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "PT3M31S"),
        false,
    ),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "PT3M10S"),
        true,
    ),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "PT3M9S"),
        false,
    ),
    (("One", "Ariane", "3:20"), ("One", "Ariane", "PT200S"), true),
    (
        ("One", "Ariane", "3:20"),
        ("One", "Ariane", "PT211S"),
        false,
    ),
    (
        ("One", "Ariane", "PT3M20S"),
        ("One", "Ariane", "PT3M30S"),
        true,
    ),
    (
        ("One", "Ariane", "PT3M20S"),
        ("One", "Ariane", "PT3M31S"),
        false,
    ),
    (
        ("One", "Ariane", "PT1H0M0S"),
        ("One", "Ariane", "1:00:10"),
        true,
    ),
    (
        ("One", "Ariane", "PT1H"),
        ("One", "Ariane", "1:00:11"),
        false,
    ),
    // h:mm:ss and plain seconds.
    (
        ("One", "Ariane", "1:02:03"),
        ("One", "Ariane", "1:02:13"),
        true,
    ),
    (
        ("One", "Ariane", "1:02:03"),
        ("One", "Ariane", "1:02:14"),
        false,
    ),
    (
        ("One", "Ariane", "0:03:20"),
        ("One", "Ariane", "3:30"),
        true,
    ),
    (("One", "Ariane", "200"), ("One", "Ariane", "3:30"), true),
    (("One", "Ariane", "200"), ("One", "Ariane", "211"), false),
    (("One", "Ariane", "200"), ("One", "Ariane", "PT3M30S"), true),
    (("One", "Ariane", "200.5"), ("One", "Ariane", "210.5"), true),
    (
        ("One", "Ariane", "200.5"),
        ("One", "Ariane", "210.6"),
        false,
    ),
    // Titles and artists: case and spacing fold away, other words do not.
    (
        ("Yesterday", "The Band", "2:05"),
        ("YESTERDAY", "the band", "2:06"),
        true,
    ),
    (
        ("Let It Be", "The Band", "2:05"),
        ("let  it  be", "The Band", "2:05"),
        true,
    ),
    (
        ("Let It Be", "The Band", "2:05"),
        ("  Let It Be ", "THE BAND", "PT2M5S"),
        true,
    ),
    (
        ("Let It Be", "The Band", "2:05"),
        ("Let It Go", "The Band", "2:05"),
        false,
    ),
    (
        ("Let It Be", "The Band", "2:05"),
        ("Let It Be", "Other Band", "2:05"),
        false,
    ),
    (
        ("Let It Be", "The Band", "2:05"),
        ("Let It Be Live", "The Band", "2:05"),
        false,
    ),
    (("Élan", "Zoé", "3:00"), ("ÉLAN", "ZOÉ", "3:05"), true),
    (("Élan", "Zoé", "3:00"), ("Elan", "Zoe", "3:00"), false),
    (
        ("Straße", "Björk", "3:00"),
        ("straße", "björk", "3:00"),
        true,
    ),
    (("Ночь", "Кино", "4:00"), ("ночь", "кино", "4:10"), true),
    (("Ночь", "Кино", "4:00"), ("ночь", "кино", "4:11"), false),
    // A title match with durations apart, and a duration match with titles apart.
    (
        ("Intro", "Ariane", "0:45"),
        ("Intro", "Ariane", "1:00"),
        false,
    ),
    (
        ("Intro", "Ariane", "0:45"),
        ("Outro", "Ariane", "0:45"),
        false,
    ),
    (
        ("Radio", "Ariane", "3:58"),
        ("radio", "ariane", "3:48"),
        true,
    ),
    (
        ("Radio", "Ariane", "3:58"),
        ("radio", "ariane", "3:47.9"),
        false,
    ),
    (
        ("Radio", "Ariane", "3:58"),
        ("Radio", "Ariane", "PT4M8S"),
        true,
    ),
    // Punctuation folds away too (the registry's key is `isrc::recording::fold`'s).
    (
        ("Don't Stop (Live)", "AC/DC", "3:00"),
        ("dont stop live", "ACDC", "3:00"),
        true,
    ),
    (
        ("Re-Birth", "Ariane & Zoé", "3:00"),
        ("Rebirth", "Ariane Zoé", "3:05"),
        true,
    ),
    (
        ("Re-Birth", "Ariane", "3:00"),
        ("Re-Birth 2", "Ariane", "3:00"),
        false,
    ),
    // Numbers stay apart: punctuation between two digits folds to a space, not to nothing.
    (
        ("Take 1-12", "Ariane", "3:00"),
        ("Take 11-2", "Ariane", "3:00"),
        false,
    ),
    (
        ("Take 1-12", "Ariane", "3:00"),
        ("TAKE 1 / 12", "Ariane", "3:00"),
        true,
    ),
    (
        ("Version 1.0", "Ariane", "3:00"),
        ("Version 10", "Ariane", "3:00"),
        false,
    ),
    (
        ("Suite 3:25", "Ariane", "3:00"),
        ("Suite 325", "Ariane", "3:00"),
        false,
    ),
    (("No.1", "Ariane", "3:00"), ("No 1", "Ariane", "3:00"), true),
];

/// The check's answer: no conflict between two records of one ISRC.
fn check_says_same(pair: &Pair) -> bool {
    let ((t1, a1, d1), (t2, a2, d2), _) = pair;
    let input = format!(
        "isrc,title,artist,duration\nCBXYZ2600001,{t1},{a1},{d1}\nCBXYZ2600001,{t2},{a2},{d2}\n"
    );
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    let mut checker = Checker::new(policy, Options::default());
    checker
        .check_reader(
            "pair.csv",
            std::io::Cursor::new(input.clone().into_bytes()),
            None,
        )
        .unwrap();
    let summary = checker.finish();
    assert_eq!(summary.duplicate_isrcs, 1, "{input}");
    summary.conflicting_isrcs == 0
}

#[tokio::test]
async fn check_and_registry_agree_on_fifty_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("same.db").to_str().unwrap())
        .await
        .unwrap();
    let prefix: PrefixCode = "CBXYZ".parse().unwrap();
    store
        .add_registrant(
            NewRegistrant {
                prefix,
                name: "Label".into(),
                contact: "a@b.example".into(),
                kind: RegistrantKind::Own,
                ranges: parse_ranges("00001-99999").unwrap(),
            },
            "test",
        )
        .await
        .unwrap();
    let request = |title: String, artist: &str, duration: &str| AllocationRequest {
        prefix,
        year: 2026,
        recordings: vec![RecordingInput {
            title,
            artist: artist.into(),
            duration_ms: Some(parse_duration(duration).unwrap()),
            ..Default::default()
        }],
        force: false,
        actor: "test".into(),
        idempotency_key: None,
        labels: vec![],
    };
    let mut same = 0;
    for (i, pair) in PAIRS.iter().enumerate() {
        let ((t1, a1, d1), (t2, a2, d2), expected) = *pair;
        // Each pair under its own artist suffix, so that pairs never meet in the ledger.
        let (a1, a2) = (format!("{a1} {i}"), format!("{a2} {i}"));
        store.allocate(&request(t1.into(), &a1, d1)).await.unwrap();
        let registry_says_same = match store.allocate(&request(t2.into(), &a2, d2)).await {
            Ok(_) => false,
            Err(e) if e.code() == "duplicate_recording" => true,
            Err(e) => panic!("pair {i}: {e}"),
        };
        assert_eq!(registry_says_same, expected, "registry, pair {i}: {pair:?}");
        assert_eq!(check_says_same(pair), expected, "check, pair {i}: {pair:?}");
        same += usize::from(expected);
    }
    // Both verdicts are well represented.
    assert!((20..=30).contains(&same), "{same} of 50 pairs are the same");
}
