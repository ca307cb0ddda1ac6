//! `isrc tag assign` over the real binary: real audio files made by ffmpeg, the ledger on
//! SQLite (and PostgreSQL when `ISRC_TEST_POSTGRES_URL` is set), the tags checked with an
//! independent reader (ffprobe) and the ledger with `isrc show`.

use crate::common;
use crate::media_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Db;
use media_support::p;

/// Two seconds of tone with the given tags (`None`: no such tag), in the format the extension
/// names.
fn make(dir: &Path, name: &str, title: Option<&str>, artist: &str, extra: &[&str]) -> PathBuf {
    let mut tags = vec![("artist", artist)];
    tags.extend(title.map(|title| ("title", title)));
    media_support::tone(dir, name, 2.0, &tags, extra)
}

/// The ISRC an independent reader (ffprobe) sees in the file's tags.
fn ffprobe_isrc(path: &Path) -> Option<String> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format_tags", "-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe is installed with ffmpeg");
    assert!(out.status.success(), "ffprobe {path:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tags = json["format"]["tags"].as_object()?;
    tags.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("isrc") || k.eq_ignore_ascii_case("tsrc"))
        .map(|(_, v)| v.as_str().unwrap().to_string())
}

fn ledger_codes(db: &Db) -> Vec<String> {
    db.ok(&["list", "--all"])
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

common::each_backend!(assign_allocates_writes_verifies_and_records);
fn assign_allocates_writes_verifies_and_records(db: common::Db) {
    let n = db.name;
    let dir = db.dir.path();
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    let a = make(dir, "a.mp3", Some("Song A"), "Band", &[]);
    let b = make(dir, "b.flac", Some("Song B"), "Band", &[]);
    let tagged = make(
        dir,
        "c.ogg",
        Some("Song C"),
        "Band",
        &["-metadata", "ISRC=CBXYZ2500007"],
    );
    let untitled = make(dir, "d.m4a", None, "Band", &[]);
    let originals: Vec<Vec<u8>> = [&a, &b, &tagged, &untitled]
        .iter()
        .map(|f| std::fs::read(f).unwrap())
        .collect();

    // Dry run: says what would happen, allocates and writes nothing.
    let out = db.ok(&[
        "tag",
        "assign",
        "--dry-run",
        "--prefix",
        "CBXYZ",
        p(&a),
        p(&b),
    ]);
    assert!(out.contains("would allocate"), "[{n}] {out}");
    assert!(ledger_codes(&db).is_empty(), "[{n}] dry run allocated");
    assert_eq!(std::fs::read(&a).unwrap(), originals[0]);

    // The tagged file's code is under the prefix but not in the ledger: it could be
    // allocated again, so nothing is allocated until it is imported.
    let err = db.fails(&["tag", "assign", "--prefix", "CBXYZ", p(&a)]);
    assert!(
        err.contains("CBXYZ2500007 on") && err.contains("--import-found"),
        "[{n}] {err}"
    );
    assert!(ledger_codes(&db).is_empty(), "[{n}] allocated anyway");
    assert_eq!(std::fs::read(&a).unwrap(), originals[0]);

    // The real run: the code on disk is imported, two files get codes, the tagged one is
    // skipped, the untitled one is refused before anything is allocated for it.
    let out = db.run(&[
        "tag",
        "assign",
        "--import-found",
        "--prefix",
        "CB-XYZ",
        p(&a),
        p(&b),
        p(&tagged),
        p(&untitled),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "[{n}] {stdout} {stderr}");
    assert!(
        stdout.contains("imported 1 code(s) found on disk into the ledger: CBXYZ2500007"),
        "[{n}] {stdout}"
    );
    assert!(
        stdout.contains("a.mp3: assigned CBXYZ2600001"),
        "[{n}] {stdout}"
    );
    assert!(
        stdout.contains("b.flac: assigned CBXYZ2600002"),
        "[{n}] {stdout}"
    );
    assert!(
        stdout.contains("c.ogg: skipped, already holds CBXYZ2500007"),
        "[{n}] {stdout}"
    );
    assert!(
        stderr.contains("d.m4a: the file has no title tag; nothing allocated"),
        "[{n}] {stderr}"
    );
    assert_eq!(std::fs::read(&tagged).unwrap(), originals[2]);
    assert_eq!(std::fs::read(&untitled).unwrap(), originals[3]);

    // An independent reader sees the codes in the files.
    assert_eq!(ffprobe_isrc(&a).as_deref(), Some("CBXYZ2600001"), "[{n}]");
    assert_eq!(ffprobe_isrc(&b).as_deref(), Some("CBXYZ2600002"), "[{n}]");

    // The ledger holds them with the files' own metadata.
    let show = db.ok(&["show", "CBXYZ2600001"]);
    assert!(show.contains("title       Song A"), "[{n}] {show}");
    assert!(show.contains("artist      Band"), "[{n}] {show}");
    assert!(show.contains("duration    0:02"), "[{n}] {show}");
    assert!(show.contains("assigned to file a.mp3"), "[{n}] {show}");
    assert!(show.contains("status      active"), "[{n}] {show}");
    assert_eq!(
        ledger_codes(&db),
        ["CBXYZ2500007", "CBXYZ2600001", "CBXYZ2600002"]
    );
    let show = db.ok(&["show", "CBXYZ2500007"]);
    assert!(show.contains("title       Song C"), "[{n}] {show}");
    assert!(show.contains("found on file c.ogg"), "[{n}] {show}");

    // Again: both are skipped now, nothing is re-allocated.
    let out = db.ok(&["tag", "assign", "--prefix", "CBXYZ", p(&a), p(&b)]);
    assert_eq!(
        out.matches("skipped, already holds").count(),
        2,
        "[{n}] {out}"
    );
    assert_eq!(ledger_codes(&db).len(), 3);

    // Another file of the same recording is refused as a duplicate, naming the code.
    let copy = make(dir, "copy.mp3", Some("Song A"), "Band", &[]);
    let before = std::fs::read(&copy).unwrap();
    let err = db.fails(&["tag", "assign", "--prefix", "CBXYZ", p(&copy)]);
    assert!(err.contains("CBXYZ2600001"), "[{n}] {err}");
    assert!(err.contains("isrc tag write"), "[{n}] {err}");
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    assert_eq!(ledger_codes(&db).len(), 3);

    // A prefix the ledger does not hold: refused before any file is touched.
    let err = db.fails(&["tag", "assign", "--prefix", "CBAAA", p(&copy)]);
    assert!(err.contains("CBAAA"), "[{n}] {err}");
}

/// Makes a directory unwritable (even for root: the immutable attribute) while alive.
struct Unwritable<'a>(&'a Path, bool);

impl<'a> Unwritable<'a> {
    fn new(dir: &'a Path) -> Unwritable<'a> {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout.starts_with(b"0\n"))
            .unwrap_or(false);
        let ok = if root {
            Command::new("chattr").arg("+i").arg(dir).status()
        } else {
            Command::new("chmod").arg("0555").arg(dir).status()
        };
        assert!(ok.unwrap().success(), "cannot make {dir:?} unwritable");
        Unwritable(dir, root)
    }
}

impl Drop for Unwritable<'_> {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(self.0).status();
        } else {
            let _ = Command::new("chmod").arg("0755").arg(self.0).status();
        }
    }
}

#[test]
fn a_failed_write_voids_the_code_and_a_read_only_file_costs_none() {
    let db = common::sqlite();
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    let music = db.dir.path().join("music");
    std::fs::create_dir(&music).unwrap();

    // A read-only file is refused by the dry run that precedes the allocation.
    let locked = make(&music, "locked.flac", Some("Locked"), "Band", &[]);
    let mut perms = std::fs::metadata(&locked).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&locked, perms).unwrap();
    let err = db.fails(&["tag", "assign", "--prefix", "CBXYZ", p(&locked)]);
    assert!(err.contains("read-only"), "{err}");
    assert!(
        ledger_codes(&db).is_empty(),
        "a code was spent on a read-only file"
    );

    // The temporary file cannot be created next to it: the write fails after the
    // allocation, so the code is voided, and the next allocation does not reuse it.
    let file = make(&music, "song.mp3", Some("Song"), "Band", &[]);
    let original = std::fs::read(&file).unwrap();
    {
        let _guard = Unwritable::new(&music);
        let err = db.fails(&["tag", "assign", "--prefix", "CBXYZ", p(&file)]);
        assert!(err.contains("CBXYZ2600001"), "{err}");
        assert!(err.contains("now void"), "{err}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), original);
    let show = db.ok(&["show", "CBXYZ2600001"]);
    assert!(
        show.contains("status      void (tag write failed"),
        "{show}"
    );
    // Voiding freed the duplicate check: the retry gets the next code.
    let out = db.ok(&["tag", "assign", "--prefix", "CBXYZ", p(&file)]);
    assert!(out.contains("assigned CBXYZ2600002"), "{out}");
    assert_eq!(ffprobe_isrc(&file).as_deref(), Some("CBXYZ2600002"));
}

/// A code that `tag write` put on a file beside the ones being assigned is known before any
/// allocation: without `--import-found` nothing is allocated; with it the code is imported
/// and the next allocation skips it, so no two files carry one code.
#[test]
fn codes_written_by_tag_write_are_never_allocated_again() {
    let db = common::sqlite();
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    let dir = db.dir.path().join("album");
    std::fs::create_dir(&dir).unwrap();
    // Someone wrote the code the ledger would allocate next, by hand.
    let by_hand = make(&dir, "by-hand.flac", Some("Other"), "Band", &[]);
    db.ok(&["tag", "write", p(&by_hand), "CBXYZ2600001"]);
    let new = make(&dir, "new.mp3", Some("New"), "Band", &[]);
    let err = db.fails(&["tag", "assign", "--prefix", "CBXYZ", p(&new)]);
    assert!(
        err.contains("CBXYZ2600001 on") && err.contains("by-hand.flac"),
        "{err}"
    );
    assert!(ledger_codes(&db).is_empty());
    assert_eq!(ffprobe_isrc(&new), None);
    let out = db.ok(&[
        "tag",
        "assign",
        "--import-found",
        "--prefix",
        "CBXYZ",
        p(&new),
    ]);
    assert!(out.contains("imported 1 code(s)"), "{out}");
    assert!(out.contains("new.mp3: assigned CBXYZ2600002"), "{out}");
    assert_eq!(ffprobe_isrc(&new).as_deref(), Some("CBXYZ2600002"));
    assert_eq!(ledger_codes(&db), ["CBXYZ2600001", "CBXYZ2600002"]);
}
