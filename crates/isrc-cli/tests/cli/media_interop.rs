//! The interop table of `crates/isrc-media/README.md`, checked cell by cell: for each format
//! and each writer (isrc, mutagen, ffmpeg, metaflac), a file is made and its ISRC written by
//! that writer, then read by each reader (isrc, mutagen, ffprobe, exiftool). The table this
//! test measures must be the table in the README.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const CODE: &str = "CBYZ92200001";

/// (name in the table, extension, made without any tag: a WAV without a RIFF INFO list).
const FORMATS: [(&str, &str, bool); 9] = [
    ("MP3", "mp3", false),
    ("FLAC", "flac", false),
    ("Ogg Vorbis", "ogg", false),
    ("Opus", "opus", false),
    ("M4A", "m4a", false),
    ("WAV", "wav", false),
    ("WAV without INFO list", "wav", true),
    ("AIFF", "aiff", false),
    ("WavPack", "wv", false),
];
const WRITERS: [&str; 4] = ["isrc", "mutagen", "ffmpeg", "metaflac"];
const READERS: [&str; 4] = ["isrc", "mutagen", "ffprobe", "exiftool"];

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .expect("the tool is installed (.ci/run installs it)");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A second of tone with a title (or, `bare`, without any tag), no ISRC.
fn make(path: &Path, bare: bool) {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-f", "lavfi", "-i", "sine=d=1"]);
    if bare {
        cmd.args(["-map_metadata", "-1", "-fflags", "+bitexact"]);
    } else {
        cmd.args(["-metadata", "title=Song", "-metadata", "artist=Band"]);
    }
    run(cmd.arg(path));
}

const MUTAGEN_WRITE: &str = r#"
import sys, mutagen
path, code = sys.argv[1], sys.argv[2]
f = mutagen.File(path)
if path.endswith(('.mp3', '.aiff', '.wav')):
    from mutagen.id3 import TSRC
    if f.tags is None:
        f.add_tags()
    f.tags.add(TSRC(encoding=3, text=[code]))
elif path.endswith('.m4a'):
    from mutagen.mp4 import MP4FreeForm
    f['----:com.apple.iTunes:ISRC'] = [MP4FreeForm(code.encode())]
elif path.endswith('.wv'):
    f.tags['ISRC'] = code
else:
    f['ISRC'] = [code]
f.save()
"#;

/// Writes the code with `writer`; false when the writer does not handle the format.
fn write(writer: &str, path: &Path, dir: &Path) -> bool {
    match writer {
        "isrc" => {
            run(Command::new(env!("CARGO_BIN_EXE_isrc"))
                .args(["tag", "write"])
                .arg(path)
                .arg(CODE)
                .env("ISRC_TODAY", "2026-11-22"));
        }
        "mutagen" => {
            run(Command::new("python3")
                .args(["-c", MUTAGEN_WRITE])
                .arg(path)
                .arg(CODE));
        }
        "ffmpeg" => {
            // The way a user asks ffmpeg for it: -metadata ISRC=...
            let copy = dir.join(format!(
                "ffmpeg-copy.{}",
                path.extension().unwrap().to_str().unwrap()
            ));
            run(Command::new("ffmpeg")
                .args(["-v", "error", "-y", "-i"])
                .arg(path)
                .args(["-map", "0", "-c", "copy", "-metadata"])
                .arg(format!("ISRC={CODE}"))
                .arg(&copy));
            std::fs::rename(&copy, path).unwrap();
        }
        "metaflac" => {
            if path.extension().is_none_or(|e| e != "flac") {
                return false;
            }
            run(Command::new("metaflac")
                .arg(format!("--set-tag=ISRC={CODE}"))
                .arg(path));
        }
        _ => unreachable!(),
    }
    true
}

const MUTAGEN_READ: &str = r#"
import sys, mutagen
for path in sys.argv[1:]:
    f = mutagen.File(path)
    seen = []
    for k, v in (f.tags.items() if f is not None and f.tags is not None else []):
        if k.upper() in ('TSRC', 'ISRC', 'TXXX:ISRC', '----:COM.APPLE.ITUNES:ISRC'):
            for x in (v if isinstance(v, list) else getattr(v, 'text', [v])):
                seen.append(bytes(x).decode() if isinstance(x, bytes) else str(x))
    print(path, ' '.join(seen))
"#;

/// For each file, whether each reader sees the code.
fn read_all(files: &[PathBuf]) -> BTreeMap<PathBuf, [bool; 4]> {
    let mut out: BTreeMap<PathBuf, [bool; 4]> =
        files.iter().map(|f| (f.clone(), [false; 4])).collect();
    for file in files {
        let json = run(Command::new(env!("CARGO_BIN_EXE_isrc"))
            .args(["tag", "read", "--format", "json"])
            .arg(file)
            .env("ISRC_TODAY", "2026-11-22"));
        let json: Value = serde_json::from_slice(&json.stdout).unwrap();
        out.get_mut(file).unwrap()[0] = json[0]["isrcs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["value"] == CODE);
        let probe = run(Command::new("ffprobe")
            .args(["-v", "error", "-show_entries", "format_tags:stream_tags"])
            .args(["-of", "json"])
            .arg(file));
        out.get_mut(file).unwrap()[2] = String::from_utf8_lossy(&probe.stdout).contains(CODE);
    }
    let mutagen = run(Command::new("python3")
        .args(["-c", MUTAGEN_READ])
        .args(files));
    for line in String::from_utf8_lossy(&mutagen.stdout).lines() {
        let (path, seen) = line.split_once(' ').unwrap_or((line, ""));
        if let Some(cells) = out.get_mut(Path::new(path)) {
            cells[1] = seen.split(' ').any(|v| v == CODE);
        }
    }
    // exiftool exits 1 when it cannot read one of the files (some WavPack): its JSON still
    // lists every file.
    let exif = Command::new("exiftool")
        .args(["-j", "-a", "-G1"])
        .args(files)
        .output()
        .expect("exiftool is installed (.ci/run installs libimage-exiftool-perl)");
    let exif: Value = serde_json::from_slice(&exif.stdout).unwrap();
    for entry in exif.as_array().unwrap() {
        let path = PathBuf::from(entry["SourceFile"].as_str().unwrap());
        let seen = entry
            .as_object()
            .unwrap()
            .iter()
            .any(|(k, v)| k.to_ascii_uppercase().contains("ISRC") && v == CODE);
        if let Some(cells) = out.get_mut(&path) {
            cells[3] = seen;
        }
    }
    out
}

/// The table measured now, as README rows: `| format | writer | isrc | mutagen | ffprobe | exiftool |`.
fn measure() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut cells: Vec<(String, String, Option<PathBuf>)> = Vec::new();
    for (name, ext, bare) in FORMATS {
        for writer in WRITERS {
            let stem = if bare { "-bare" } else { "" };
            let path = dir.path().join(format!("{writer}{stem}.{ext}"));
            make(&path, bare);
            if write(writer, &path, dir.path()) {
                files.push(path.clone());
                cells.push((name.to_string(), writer.to_string(), Some(path)));
            } else {
                cells.push((name.to_string(), writer.to_string(), None));
            }
        }
    }
    let seen = read_all(&files);
    cells
        .into_iter()
        .map(|(format, writer, path)| {
            let marks: Vec<&str> = match path {
                None => vec!["n/a"; 4],
                Some(path) => seen[&path]
                    .iter()
                    .map(|&s| if s { "yes" } else { "no" })
                    .collect(),
            };
            format!("| {format} | {writer} | {} |", marks.join(" | "))
        })
        .collect()
}

/// The table's rows in the README, between its markers.
fn documented() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../isrc-media/README.md"
    ))
    .unwrap();
    let start = readme
        .find("<!-- interop-table -->")
        .expect("the README has the interop table");
    let end = readme.find("<!-- /interop-table -->").unwrap();
    readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| format") && !l.starts_with("|---"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            // A cell may carry a footnote mark: `no¹`.
            let cells: Vec<String> = cells
                .iter()
                .map(|c| c.trim_end_matches(['¹', '²', '³', '⁴', '⁵']).to_string())
                .collect();
            format!("| {} |", cells.join(" | "))
        })
        .collect()
}

#[test]
fn the_readme_interop_table_is_what_the_tools_do() {
    let measured = measure();
    let documented = documented();
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../isrc-media/README.md"
    ))
    .unwrap();
    let header = format!("| format | writer | {} |", READERS.join(" | "));
    assert!(
        readme.contains(&header),
        "the README table's header is {header}"
    );
    assert_eq!(
        documented,
        measured,
        "crates/isrc-media/README.md's table differs from what was measured:\n{}",
        measured.join("\n")
    );
}
