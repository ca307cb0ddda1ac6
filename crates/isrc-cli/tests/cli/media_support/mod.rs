//! What the tests of `isrc tag` share: audio files made by ffmpeg, the binary without a
//! ledger, and the ISRCs of `isrc tag read --format json`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The code the tests write.
pub const CODE: &str = "CBYZ92200001";

/// `isrc` with the date fixed and no prefix table from the environment.
pub fn isrc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_isrc"))
        .args(args)
        .env("ISRC_TODAY", "2026-11-22")
        .env_remove("ISRC_PREFIXES")
        .output()
        .expect("run isrc")
}

/// The path as the binary's argument.
pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `seconds` of 440 Hz tone with the `tags` (`title`, `artist`...), in the format the
/// extension of `name` names, ffmpeg given `extra` too.
pub fn tone(
    dir: &Path,
    name: &str,
    seconds: f32,
    tags: &[(&str, &str)],
    extra: &[&str],
) -> PathBuf {
    let path = dir.join(name);
    let mut command = Command::new("ffmpeg");
    command.args(["-v", "error", "-f", "lavfi", "-i"]);
    command.arg(format!("sine=f=440:d={seconds}"));
    for (key, value) in tags {
        command.arg("-metadata").arg(format!("{key}={value}"));
    }
    let status = command
        .args(extra)
        .arg(&path)
        .status()
        .expect("ffmpeg is installed (.ci/run installs it)");
    assert!(status.success(), "ffmpeg failed for {name}");
    path
}

/// Writes `sheet` beside the FLAC file `path` and imports it as the file's CUESHEET block
/// (metaflac, from Debian's flac).
pub fn import_cuesheet(path: &Path, sheet: &str) {
    let cue = path.with_extension("cue");
    std::fs::write(&cue, sheet).unwrap();
    let status = Command::new("metaflac")
        .arg(format!("--import-cuesheet-from={}", cue.display()))
        .arg(path)
        .status()
        .expect("metaflac (Debian flac) is installed");
    assert!(
        status.success(),
        "metaflac --import-cuesheet-from for {path:?}"
    );
}

/// The title and artist most tests give their files.
pub const SONG: [(&str, &str); 2] = [("title", "Song"), ("artist", "Band")];

/// (where found, value) of each ISRC of one file of `isrc tag read --format json`.
pub fn found(file: &Value) -> Vec<(String, String)> {
    let isrcs = file["isrcs"].as_array().unwrap().iter();
    let text = |v: &Value, key: &str| v[key].as_str().unwrap().to_string();
    isrcs
        .map(|v| (text(v, "where_found"), text(v, "value")))
        .collect()
}
