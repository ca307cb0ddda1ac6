//! `isrc tag` and `isrc cue` on real files made by the tests (ffmpeg and metaflac from Debian,
//! mutagen from PyPI as the independent reader; `.ci/run` installs them).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::media_support;

use media_support::{CODE, SONG, isrc, p};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fifth of a second of sine tone in the format the extension names.
fn make(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    media_support::tone(dir, name, 0.2, &SONG, extra)
}

fn read_json(path: &Path) -> Value {
    let out = isrc(&["tag", "read", "--format", "json", p(path)]);
    serde_json::from_str::<Value>(&stdout(&out)).unwrap()[0].clone()
}

/// The title and artist ffprobe, the independent reader, finds in the file's tags (format or
/// stream tags: Ogg keeps them per stream; AIFF calls the artist `author`).
fn ffprobe_title_artist(path: &Path) -> (Option<String>, Option<String>) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format_tags:stream_tags"])
        .args(["-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe is installed with ffmpeg");
    assert!(out.status.success(), "{}", stderr(&out));
    let probe: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut tags = Vec::new();
    if let Some(t) = probe["format"]["tags"].as_object() {
        tags.extend(t.iter());
    }
    for stream in probe["streams"].as_array().into_iter().flatten() {
        if let Some(t) = stream["tags"].as_object() {
            tags.extend(t.iter());
        }
    }
    let find = |keys: &[&str]| {
        tags.iter()
            .find(|(k, _)| keys.iter().any(|key| k.eq_ignore_ascii_case(key)))
            .and_then(|(_, v)| v.as_str().map(String::from))
    };
    (find(&["title"]), find(&["artist", "author"]))
}

use media_support::found as values;

#[test]
fn each_format_is_written_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (make(dir.path(), "a.mp3", &[]), "ID3v2.4 TSRC"),
        (
            make(dir.path(), "v23.mp3", &["-id3v2_version", "3"]),
            "ID3v2.3 TSRC",
        ),
        (make(dir.path(), "b.flac", &[]), "Vorbis comment ISRC"),
        (make(dir.path(), "c.ogg", &[]), "Vorbis comment ISRC"),
        (make(dir.path(), "d.opus", &[]), "Vorbis comment ISRC"),
        (
            make(dir.path(), "e.m4a", &[]),
            "MP4 ----:com.apple.iTunes:ISRC",
        ),
        // ffmpeg puts the artist of an AIFF file in its AUTH chunk only under the name author.
        (
            make(dir.path(), "f.aiff", &["-metadata", "author=Band"]),
            "ID3v2.4 TSRC",
        ),
        (make(dir.path(), "g.wav", &[]), "ID3 chunk (ID3v2.4 TSRC)"),
    ];
    for (path, place) in &files {
        let (title, artist) = ffprobe_title_artist(path);
        assert!(values(&read_json(path)).is_empty(), "{path:?}");
        let out = isrc(&["tag", "write", p(path), "cb-yz9-22-00001"]);
        assert!(out.status.success(), "{path:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("read back and verified"));
        let file = read_json(path);
        let found = values(&file);
        assert!(
            found.contains(&(place.to_string(), CODE.to_string())),
            "{path:?}: {found:?}"
        );
        assert!(found.iter().all(|(_, v)| v == CODE), "{found:?}");
        assert_eq!(
            title.as_deref(),
            Some("Song"),
            "{path:?}: ffmpeg wrote no title"
        );
        assert_eq!(file["title"], Value::from(title), "{path:?} lost its title");
        assert_eq!(
            file["artist"],
            Value::from(artist),
            "{path:?} lost its artist"
        );
        assert!(file["duration_seconds"].as_f64().unwrap() > 0.1);
        // Writing the same code again changes nothing.
        let before = std::fs::read(path).unwrap();
        let out = isrc(&["tag", "write", p(path), CODE]);
        assert!(stdout(&out).contains("already holds"), "{}", stdout(&out));
        assert_eq!(std::fs::read(path).unwrap(), before);
    }
    // An independent reader (mutagen) sees the same value.
    let script = "import mutagen,sys\nfor f in sys.argv[1:]:\n    t=mutagen.File(f).tags\n    v=[str(x) for k in t.keys() if k.upper() in ('TSRC','ISRC','----:COM.APPLE.ITUNES:ISRC') for x in (t[k] if isinstance(t[k], list) else [t[k]])]\n    print(f, v[0].replace(\"b'\", '').replace(\"'\", '') if v else None)\n";
    let mut cmd = Command::new("python3");
    cmd.args(["-c", script]);
    for (path, _) in &files {
        cmd.arg(path);
    }
    let out = cmd
        .output()
        .expect("python3 with mutagen (.ci/run installs it)");
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    for line in text.lines() {
        assert!(line.ends_with(CODE), "mutagen disagrees: {line}");
    }
    assert_eq!(text.lines().count(), files.len());
}

/// A Monkey's Audio file written by code (Debian has no encoder): the version 3.99 descriptor
/// and header for one frame of one second of 16-bit stereo at 44.1 kHz, then stand-in frame
/// bytes. Tag readers parse the header and the APEv2 tag at the end, never the frames.
fn monkeys_audio(path: &Path) -> Vec<u8> {
    let frame_bytes = 4000u32;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"MAC ");
    bytes.extend_from_slice(&3990u16.to_le_bytes()); // version
    bytes.extend_from_slice(&0u16.to_le_bytes()); // padding
    for field in [52u32, 24, 0, 0, frame_bytes, 0, 0] {
        // descriptor, header, seek table, WAV header, frame data (low, high), terminating data
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    bytes.extend_from_slice(&[0u8; 16]); // MD5
    bytes.extend_from_slice(&2000u16.to_le_bytes()); // compression level
    bytes.extend_from_slice(&0u16.to_le_bytes()); // format flags
    for field in [73_728u32, 44_100, 1] {
        // blocks per frame, blocks in the final frame, frames
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    bytes.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    bytes.extend_from_slice(&2u16.to_le_bytes()); // channels
    bytes.extend_from_slice(&44_100u32.to_le_bytes()); // sample rate
    bytes.extend((0..frame_bytes).map(|i| (i * 7 % 251) as u8));
    std::fs::write(path, &bytes).unwrap();
    bytes
}

/// mutagen, the independent reader: `KEY=value` for each APEv2 item of each file.
fn mutagen_ape_items(files: &[&Path]) -> String {
    let script = "import sys\nfrom mutagen.apev2 import APEv2\nfor f in sys.argv[1:]:\n    t=APEv2(f)\n    print(f, sorted((k.upper(), str(v)) for k, v in t.items()))\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .args(files)
        .output()
        .expect("python3 with mutagen (.ci/run installs it)");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// The decoded audio's MD5 (ffmpeg), to show that writing a tag left the audio alone.
fn audio_md5(path: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:a", "-f", "md5", "-"])
        .output()
        .expect("ffmpeg");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn apev2_tags_of_monkeys_audio_and_wavpack_are_written_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    // Monkey's Audio: title and artist put in an APEv2 tag by mutagen first.
    let ape = dir.path().join("a.ape");
    let original = monkeys_audio(&ape);
    let status = Command::new("python3")
        .args([
            "-c",
            "import sys\nfrom mutagen.apev2 import APEv2\nt=APEv2()\nt['Title']='Song'\nt['Artist']='Band'\nt.save(sys.argv[1])\n",
        ])
        .arg(&ape)
        .status()
        .unwrap();
    assert!(status.success());
    // WavPack, made by ffmpeg with its own APEv2 tag.
    let wv = make(dir.path(), "b.wv", &[]);
    let wv_audio = audio_md5(&wv);

    for path in [&ape, &wv] {
        let file = read_json(path);
        assert!(values(&file).is_empty(), "{path:?}: {file}");
        let out = isrc(&["tag", "write", p(path), "CB-YZ9-22-00001"]);
        assert!(out.status.success(), "{path:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("APEv2 ISRC"), "{}", stdout(&out));
        let file = read_json(path);
        assert_eq!(
            values(&file),
            [("APEv2 ISRC".to_string(), CODE.to_string())],
            "{path:?}"
        );
        assert_eq!(file["title"], "Song", "{path:?} lost its title");
        assert_eq!(file["artist"], "Band", "{path:?} lost its artist");
        assert!(file["duration_seconds"].as_f64().unwrap() > 0.1, "{file}");
    }
    // mutagen reads the same tags: the code, and the other items kept.
    let items = mutagen_ape_items(&[&ape, &wv]);
    for line in items.lines() {
        assert!(line.contains("('ISRC', 'CBYZ92200001')"), "{line}");
        assert!(line.contains("('TITLE', 'Song')"), "{line}");
        assert!(line.contains("('ARTIST', 'Band')"), "{line}");
    }
    assert_eq!(items.lines().count(), 2, "{items}");
    // The audio is untouched: the Monkey's Audio header and frames byte for byte, the WavPack
    // stream as decoded by ffmpeg.
    let written = std::fs::read(&ape).unwrap();
    assert_eq!(&written[..original.len()], &original[..]);
    assert_eq!(audio_md5(&wv), wv_audio);
}

fn wav_chunks(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        let id = String::from_utf8_lossy(&bytes[at..at + 4]).into_owned();
        out.push((id, bytes[at + 8..at + 8 + size].to_vec()));
        at += 8 + size + size % 2;
    }
    out
}

#[test]
fn wav_gets_id3_and_axml_keeps_every_other_chunk_and_replaces_riff_info() {
    let dir = tempfile::tempdir().unwrap();
    // ffmpeg puts ISRC metadata into the RIFF INFO chunk, where it means "Source" (and where
    // ffprobe reads it back as the ISRC).
    let path = make(dir.path(), "info.wav", &["-metadata", "ISRC=GBAAA2600001"]);
    let file = read_json(&path);
    let isrcs = file["isrcs"].as_array().unwrap();
    assert_eq!(isrcs.len(), 1);
    assert_eq!(isrcs[0]["location"]["kind"], "riff_info");
    assert_eq!(isrcs[0]["standard"], false);
    let before = std::fs::read(&path).unwrap();
    let out = isrc(&["tag", "write", p(&path), CODE]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read(&path).unwrap();
    let old = wav_chunks(&before);
    let new = wav_chunks(&after);
    // The old chunks come first, in order: unchanged but for the INFO ISRC, which now holds
    // the new code; the id3 and axml chunks are appended.
    assert_eq!(new.len(), old.len() + 2);
    for (a, b) in old.iter().zip(&new) {
        if a.0 == "LIST" {
            let expected = String::from_utf8_lossy(&a.1).replace("GBAAA2600001", CODE);
            assert_eq!(String::from_utf8_lossy(&b.1), expected);
        } else {
            assert_eq!(a, b);
        }
    }
    let ids: Vec<&str> = new[old.len()..].iter().map(|c| c.0.as_str()).collect();
    assert_eq!(ids, ["id3 ", "axml"]);
    let axml = String::from_utf8(new.last().unwrap().1.clone()).unwrap();
    assert!(axml.contains("formatLabel=\"ISRC\""));
    assert!(axml.contains("<dc:identifier>ISRC:CBYZ92200001</dc:identifier>"));
    let found = values(&read_json(&path));
    assert!(found.contains(&(
        "RIFF INFO ISRC (non-standard: means Source)".into(),
        CODE.into()
    )));
    // mutagen reads the ID3 chunk independently; ffprobe reads the INFO ISRC, which now holds
    // the new code too.
    let probe = Command::new("python3")
        .args([
            "-c",
            "import mutagen,sys; print(mutagen.File(sys.argv[1]).tags['TSRC'])",
            p(&path),
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&probe).trim(), CODE, "{}", stderr(&probe));
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format_tags=ISRC",
            "-of",
            "csv=p=0",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(stdout(&probe).trim(), CODE, "{}", stderr(&probe));
}

#[test]
fn flac_cuesheet_isrcs_are_compared() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "cd.flac", &[]);
    media_support::import_cuesheet(
        &path,
        "FILE \"cd.flac\" WAVE\n  TRACK 01 AUDIO\n    ISRC GBAAA2600001\n    INDEX 01 00:00:00\n",
    );
    assert!(
        values(&read_json(&path))
            .contains(&("FLAC CUESHEET track 1".into(), "GBAAA2600001".into()))
    );
    let out = isrc(&["tag", "write", p(&path), CODE]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = read_json(&path);
    let notes = file["notes"].to_string();
    assert!(notes.contains("different ISRCs"), "{notes}");
}

#[test]
fn bad_input_is_refused_and_left_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let good = make(dir.path(), "good.flac", &[]);
    let wav = make(dir.path(), "good.wav", &[]);
    let truncated = dir.path().join("truncated.wav");
    std::fs::write(&truncated, &std::fs::read(&wav).unwrap()[..3000]).unwrap();
    let text = dir.path().join("notes.mp3");
    std::fs::write(&text, "this is not audio\n").unwrap();
    let readonly = make(dir.path(), "readonly.mp3", &[]);
    let mut perms = std::fs::metadata(&readonly).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&readonly, perms).unwrap();
    let cases: [(&Path, &str, u8, &str); 6] = [
        (&good, "CBYZ9220000", 1, "not a valid ISRC"),
        (&good, "AQRC12600001", 1, "not a valid ISRC"),
        (&truncated, CODE, 2, "truncated"),
        (&text, CODE, 2, "not an audio file"),
        (&readonly, CODE, 2, "read-only"),
        (dir.path(), CODE, 2, "not a regular file"),
    ];
    for (path, code, exit, message) in cases {
        let before = std::fs::read(path).ok();
        let out = isrc(&["tag", "write", p(path), code]);
        assert_eq!(
            out.status.code(),
            Some(i32::from(exit)),
            "{path:?} {code}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains(message), "{path:?}: {}", stderr(&out));
        assert_eq!(std::fs::read(path).ok(), before, "{path:?} was changed");
    }
    // Dry run: says what would change, writes nothing.
    let before = std::fs::read(&good).unwrap();
    let out = isrc(&["tag", "write", "--dry-run", p(&good), CODE]);
    assert!(
        stdout(&out).contains("would write CBYZ92200001"),
        "{}",
        stdout(&out)
    );
    assert_eq!(std::fs::read(&good).unwrap(), before);
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".isrc-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[cfg(unix)]
#[test]
fn scan_inventories_a_tree_with_a_loop_and_shared_codes() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("album");
    std::fs::create_dir(&sub).unwrap();
    std::os::unix::fs::symlink(dir.path(), sub.join("back")).unwrap();
    let a = make(dir.path(), "a.flac", &[]);
    let b = make(&sub, "b.mp3", &["-metadata", "title=Other Song"]);
    make(&sub, "c.ogg", &[]);
    std::fs::write(sub.join("broken.wav"), b"RIFF\x10\0\0\0WAVE").unwrap();
    for path in [&a, &b] {
        assert!(isrc(&["tag", "write", p(path), CODE]).status.success());
    }
    let before = std::fs::read(&a).unwrap();
    let out = isrc(&["tag", "scan", "--format", "json", p(dir.path())]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let inventory: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let statuses: Vec<(String, String)> = inventory["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let name = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, f["status"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(
        statuses.contains(&("a.flac".into(), "present".into())),
        "{statuses:?}"
    );
    assert!(statuses.contains(&("c.ogg".into(), "missing".into())));
    assert!(statuses.contains(&("broken.wav".into(), "error".into())));
    assert_eq!(inventory["conflicts"][0]["isrc"], CODE);
    assert_eq!(inventory["conflicts"][0]["differs"][0], "title");
    assert!(
        inventory["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("loop")
    );
    assert_eq!(std::fs::read(&a).unwrap(), before, "scan must only read");
    let table = isrc(&["tag", "scan", p(dir.path())]);
    assert!(stdout(&table).contains("1 missing"), "{}", stdout(&table));
    let csv = isrc(&["tag", "scan", "--format", "csv", p(dir.path())]);
    assert!(stdout(&csv).starts_with("file,format,status,isrcs"));
}

/// A file whose title lives outside the tag the ISRC is written to (AIFF NAME/AUTH chunks, WAV
/// RIFF INFO) still reads with its title, so the same code in another format of the same
/// recording is no conflict.
#[test]
fn scan_sees_no_conflict_between_formats_of_one_recording() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        make(dir.path(), "a.flac", &[]),
        make(dir.path(), "b.aiff", &["-metadata", "author=Band"]),
        make(dir.path(), "c.wav", &[]),
    ];
    for path in &files {
        let out = isrc(&["tag", "write", p(path), CODE]);
        assert!(out.status.success(), "{path:?}: {}", stderr(&out));
    }
    let out = isrc(&["tag", "scan", "--format", "json", p(dir.path())]);
    let inventory: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(inventory["conflicts"], Value::Array(vec![]), "{inventory}");
    assert!(out.status.success(), "{}", stderr(&out));
}

const SHEET: &[u8] = b"\xEF\xBB\xBFREM GENRE Pop\r\nCATALOG 0724384260521\r\nPERFORMER \"Disc\"\r\nFILE \"a.wav\" WAVE\r\n  TRACK 01 AUDIO\r\n    TITLE \"Caf\xC3\xA9\"\r\n    INDEX 01 00:00:00\r\n  TRACK 02 AUDIO\r\n    TITLE \"Two\"\r\n    PERFORMER \"Guest\"\r\n    INDEX 01 01:00:00\r\n    isrc gbaaa26000011\r\n  TRACK 03 AUDIO\r\n    ISRC CBYZ92200003\r\n    INDEX 01 02:00:00\r\n";

#[test]
fn cue_read_reports_tracks_catalog_and_bad_codes() {
    let dir = tempfile::tempdir().unwrap();
    let cue = dir.path().join("disc.cue");
    std::fs::write(&cue, SHEET).unwrap();
    let out = isrc(&["cue", "read", "--format", "json", p(&cue)]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the 13-character code is invalid"
    );
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["catalog"]["valid"], true);
    assert_eq!(json["catalog"]["kind"], "EAN-13");
    let tracks = json["tracks"].as_array().unwrap();
    assert_eq!(tracks[0]["track"], 1);
    assert_eq!(tracks[0]["title"], "Café");
    assert_eq!(tracks[0]["isrc"], Value::Null);
    assert_eq!(tracks[1]["performer"], "Guest");
    assert_eq!(
        tracks[1]["isrc"], "gbaaa26000011",
        "reported as written, not cut"
    );
    assert_eq!(tracks[1]["valid"], false);
    assert_eq!(tracks[1]["findings"][0]["rule"], "length");
    assert_eq!(tracks[2]["valid"], true);
    let table = isrc(&["cue", "read", p(&cue)]);
    assert!(
        stdout(&table).contains("comes after its INDEX"),
        "{}",
        stdout(&table)
    );
}

#[test]
fn cue_set_writes_before_index_and_keeps_every_other_byte() {
    let dir = tempfile::tempdir().unwrap();
    let cue = dir.path().join("disc.cue");
    std::fs::write(&cue, SHEET).unwrap();
    let out = isrc(&["cue", "set", p(&cue), "--track", "1", "CB-YZ9-22-00001"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(std::fs::read(&cue).unwrap()).unwrap();
    let expected = String::from_utf8(SHEET.to_vec()).unwrap().replacen(
        "    TITLE \"Café\"\r\n",
        "    TITLE \"Café\"\r\n    ISRC CBYZ92200001\r\n",
        1,
    );
    assert_eq!(text, expected);
    // Track 2's ISRC after INDEX moves before it; --from-csv sets several.
    let csv = dir.path().join("codes.csv");
    std::fs::write(&csv, "track,isrc\n2,CBYZ92200002\n3,CBYZ92200004\n").unwrap();
    let out = isrc(&["cue", "set", p(&cue), "--from-csv", p(&csv)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&isrc(&[
        "cue",
        "read",
        "--format",
        "json",
        p(&cue),
    ])))
    .unwrap();
    let codes: Vec<&str> = json["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["isrc"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CBYZ92200001", "CBYZ92200002", "CBYZ92200004"]);
    assert_eq!(json["warnings"].as_array().unwrap().len(), 0);
    let text = String::from_utf8(std::fs::read(&cue).unwrap()).unwrap();
    assert!(text.contains(
        "    PERFORMER \"Guest\"\r\n    ISRC CBYZ92200002\r\n    INDEX 01 01:00:00\r\n  TRACK 03"
    ));
    // Refusals leave the sheet alone; errors name the file, line and column.
    let before = std::fs::read(&cue).unwrap();
    assert_eq!(
        isrc(&["cue", "set", p(&cue), "--track", "2", "CBYZ9220000X"])
            .status
            .code(),
        Some(1)
    );
    let out = isrc(&["cue", "set", p(&cue), "--track", "9", CODE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no TRACK 09"));
    assert_eq!(std::fs::read(&cue).unwrap(), before);
    let broken = dir.path().join("broken.cue");
    std::fs::write(&broken, "FILE \"a.wav\" WAVE\n  TRACK one AUDIO\n").unwrap();
    let out = isrc(&["cue", "read", p(&broken)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("broken.cue:2:9:"), "{}", stderr(&out));
}

#[test]
fn cue_latin1_sheet_is_edited_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let cue = dir.path().join("latin1.cue");
    let sheet = b"TITLE \"Ol\xE9\"\nFILE \"a.wav\" WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n";
    std::fs::write(&cue, sheet).unwrap();
    let out = isrc(&["cue", "read", "--format", "json", p(&cue)]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["encoding"], "latin1");
    assert!(
        isrc(&["cue", "set", p(&cue), "--track", "1", CODE])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read(&cue).unwrap(),
        b"TITLE \"Ol\xE9\"\nFILE \"a.wav\" WAVE\nTRACK 01 AUDIO\nISRC CBYZ92200001\nINDEX 01 00:00:00\n"
    );
}

#[test]
fn cue_reader_takes_utf16_refuses_non_sheets_and_warns_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    // UTF-16 LE with BOM, as Windows tools write it: read, and edited in UTF-16.
    let text =
        "TITLE \"Disc\"\r\nFILE \"a.wav\" WAVE\r\n  TRACK 01 AUDIO\r\n    INDEX 01 00:00:00\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let cue = dir.path().join("utf16.cue");
    std::fs::write(&cue, &bytes).unwrap();
    let out = isrc(&["cue", "read", "--format", "json", p(&cue)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["encoding"], "utf16_le");
    assert_eq!(json["tracks"].as_array().unwrap().len(), 1);
    assert!(
        isrc(&["cue", "set", p(&cue), "--track", "1", CODE])
            .status
            .success()
    );
    let written = std::fs::read(&cue).unwrap();
    assert_eq!(&written[..2], b"\xFF\xFE", "still UTF-16");
    let units: Vec<u16> = written[2..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(
        String::from_utf16(&units).unwrap(),
        text.replace("    INDEX", "    ISRC CBYZ92200001\r\n    INDEX")
    );

    // Not sheets: refused with a clear error, exit 2.
    let flac = make(dir.path(), "a.flac", &[]);
    let png = dir.path().join("cover.cue");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let empty = dir.path().join("empty.cue");
    std::fs::write(&empty, b"").unwrap();
    for (path, message) in [
        (&flac, "a FLAC file, not a CUE sheet"),
        (&png, "a PNG picture, not a CUE sheet"),
        (&empty, "empty"),
    ] {
        let out = isrc(&["cue", "read", p(path)]);
        assert_eq!(out.status.code(), Some(2), "{path:?}: {}", stdout(&out));
        assert!(stderr(&out).contains(message), "{path:?}: {}", stderr(&out));
    }

    // Oddities are warned with their line; a hyphenated code is invalid for a CD.
    let odd = dir.path().join("odd.cue");
    std::fs::write(
        &odd,
        "FILE \"a.wav WAVE\nTRACK 01 AUDIO\nISRC CB-YZ9-22-00001\nINDEX 01 00:00:00\nTRACK 01 AUDIO\nINDEX 01 01:00:00\nTRACK 02 AUDIO\nISRC CBYZ92200001\nINDEX 01 02:00:00\n",
    )
    .unwrap();
    let out = isrc(&["cue", "read", p(&odd)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let table = stdout(&out);
    for expected in [
        "odd.cue:1:6: warning: the quoted file name has no closing quote",
        "odd.cue:3:6: warning: CD burners take an ISRC only as 12 capital letters and digits",
        "odd.cue:5:1: warning: track 01 appears twice (first on line 2)",
        "odd.cue:8:6: warning: the ISRC CBYZ92200001 of track 02 is also on track 01 (line 3)",
    ] {
        assert!(table.contains(expected), "{expected}\n{table}");
    }
    assert!(table.contains("01  CB-YZ9-22-00001  invalid"), "{table}");
}

#[cfg(unix)]
#[test]
fn cue_set_keeps_hard_links_and_refuses_read_only_sheets() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let cue = dir.path().join("disc.cue");
    std::fs::write(&cue, SHEET).unwrap();
    let link = dir.path().join("copy.cue");
    std::fs::hard_link(&cue, &link).unwrap();
    let out = isrc(&["cue", "set", p(&cue), "--track", "1", CODE]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::metadata(&link).unwrap().nlink(), 2);
    assert_eq!(std::fs::read(&link).unwrap(), std::fs::read(&cue).unwrap());
    assert!(String::from_utf8_lossy(&std::fs::read(&link).unwrap()).contains(CODE));
    let mut perms = std::fs::metadata(&cue).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&cue, perms).unwrap();
    let before = std::fs::read(&cue).unwrap();
    let out = isrc(&["cue", "set", p(&cue), "--track", "2", "CBYZ92200002"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&cue).unwrap(), before);
}
