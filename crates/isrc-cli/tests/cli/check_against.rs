//! `isrc check NEW --against OLD`: two versions of a catalogue compared by code, over the
//! real binary, in the JSON, CSV and human reports.

use crate::check_support;

use check_support::{assert_follows_schema, isrc, json, p, report_schema, stderr, write};
use serde_json::{Value, json};

const OLD: &[u8] = b"isrc,title,artist,version,duration\n\
USRC17607839,Yesterday,The Band,,3:05\n\
GBAYE0601498,Song,Someone,,2:00\n\
FRZ039800212,Gone,X,,1:00\n\
CBYZ92200001,Same,Y,Live,4:00\n\
CBYZ92200002,Moved,Z,,1:00\n\
CBYZ92200003,Dup,W,,1:00\n\
CBYZ92200003,Dup later,W,,1:00\n";

/// In another column order, other header names, case, spacing and punctuation changed
/// (not a change), a second within the tolerance (not a change), and real changes.
const NEW: &[u8] = b"Artist Name,Track Name,ISRC,Duration,Version\n\
the band,Yesterday!,US-RC1-76-07839,3:06,\n\
Someone,Song 2,GBAYE0601498,2:30,\n\
Y,Same,CBYZ92200001,4:00,Live\n\
Z,Moved,CBYZ92200003,1:00,\n\
Q,New,FRZ039800213,1:00,\n\
Y2,Same,CBYZ92200001,9:00,Other\n\
Z,Moved,CBYZ92200002,1:00,Remix\n";

fn files() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.csv", OLD);
    let new = write(dir.path(), "new.csv", NEW);
    (dir, old, new)
}

#[test]
fn codes_added_removed_and_changed_with_their_lines() {
    let (_dir, old, new) = files();
    let out = isrc(&["check", "--format", "json", p(&new), "--against", p(&old)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_follows_schema(&report_schema(), &report, "--against");
    let against = &report["against"];
    assert_eq!(against["file"], p(&old));
    assert_eq!(against["records"], 7);
    assert_eq!(against["codes"], 6);
    assert_eq!(against["new_codes"], 6);
    assert_eq!(against["added"]["total"], 1);
    assert_eq!(
        against["added"]["listed"][0],
        json!({"isrc": "FRZ039800213", "file": p(&new), "line": 6})
    );
    assert_eq!(against["removed"]["total"], 1);
    assert_eq!(
        against["removed"]["listed"][0],
        json!({"isrc": "FRZ039800212", "file": p(&old), "line": 4})
    );
    // In code order; a code repeated in one version is compared by its first record
    // (CBYZ92200001's second record in the new file differs in everything).
    let changed: Vec<(&str, Vec<&str>, u64, u64)> = against["changed"]["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["isrc"].as_str().unwrap(),
                c["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap())
                    .collect(),
                c["line"].as_u64().unwrap(),
                c["old_line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("CBYZ92200002", vec!["version"], 8, 6),
            ("CBYZ92200003", vec!["title", "artist"], 5, 7),
            ("GBAYE0601498", vec!["title", "duration"], 3, 3),
        ]
    );
    assert_eq!(against["changed"]["total"], 3);
    // USRC17607839 (folded the same, 1 s apart) and CBYZ92200001.
    assert_eq!(against["unchanged"], 2);
    // The report of the newer version is the usual one.
    assert_eq!(report["records"], 7);
    assert_eq!(report["duplicate_isrcs"], 1);
}

#[test]
fn the_comparison_as_csv_and_for_people() {
    let (_dir, old, new) = files();
    let out = isrc(&["check", "--format", "csv", p(&new), "--against", p(&old)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("added") || l.starts_with("removed") || l.starts_with("changed"))
        .collect();
    let (new_name, old_name) = (p(&new), p(&old));
    assert_eq!(
        rows,
        [
            format!("added,{new_name},6,,FRZ039800213,,,,"),
            format!("removed,{old_name},4,,FRZ039800212,,,,"),
            format!(
                "changed,{new_name},8,,CBYZ92200002,,version,,version changed since {old_name} line 6"
            ),
            format!(
                "changed,{new_name},5,,CBYZ92200003,,title artist,,\"title, artist changed since {old_name} line 7\""
            ),
            format!(
                "changed,{new_name},3,,GBAYE0601498,,title duration,,\"title, duration changed since {old_name} line 3\""
            ),
        ]
    );
    let out = isrc(&["check", p(&new), "--against", p(&old)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "Against {old_name} (7 records, 6 codes): 1 added, 1 removed, 3 changed, 2 unchanged"
        )),
        "{text}"
    );
    assert!(text.contains("removed  FRZ039800212"), "{text}");
}

/// Plain lists have no fields: only codes added and removed; lists are capped by
/// --max-listed with the totals beside them.
#[test]
fn plain_lists_and_capped_lists() {
    let dir = tempfile::tempdir().unwrap();
    let old: String = (0..50).map(|i| format!("CBYZ922{i:05}\n")).collect();
    let new: String = (20..90).map(|i| format!("cbyz922{i:05}\n")).collect();
    let old = write(dir.path(), "old.txt", old.as_bytes());
    let new = write(dir.path(), "new.txt", new.as_bytes());
    let out = isrc(&[
        "check",
        "--format",
        "json",
        "--max-listed",
        "3",
        p(&new),
        "--against",
        p(&old),
    ]);
    let report = json(&out);
    let against = &report["against"];
    assert_eq!(against["added"]["total"], 40);
    assert_eq!(against["removed"]["total"], 20);
    assert_eq!(against["changed"]["total"], 0);
    assert_eq!(against["unchanged"], 30);
    assert_eq!(against["added"]["listed"].as_array().unwrap().len(), 3);
    assert_eq!(against["added"]["listed"][0]["isrc"], "CBYZ92200050");
    assert_eq!(against["added"]["listed"][0]["line"], 31);
    assert_eq!(against["removed"]["listed"][2]["line"], 3);
}

/// The older version must be readable: a missing file is exit 2, with its name, and no report.
#[test]
fn a_missing_older_version_is_an_error() {
    let (dir, _old, new) = files();
    let missing = dir.path().join("nope.csv");
    let out = isrc(&[
        "check",
        "--format",
        "json",
        p(&new),
        "--against",
        p(&missing),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.csv"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    // Without --against there is no `against` in the report.
    let report = json(&isrc(&["check", "--format", "json", p(&new)]));
    assert_eq!(report.get("against"), None::<&Value>);
}
