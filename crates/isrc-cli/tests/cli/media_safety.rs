//! `isrc tag write` keeps what it does not mean to change, on real files made by the tests
//! (ffmpeg, metaflac, mutagen): cover art byte for byte, other tag items, the audio; mode,
//! owner, extended attributes, times and hard links; it refuses truncated files, waits for no
//! one (a locked file is refused), cleans up after a signal, and replaces every old code.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::media_support;

use media_support::{CODE, SONG, isrc, p};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `seconds` of tone in the format the extension names, with a title and an artist.
fn make(dir: &Path, name: &str, seconds: f32, extra: &[&str]) -> PathBuf {
    media_support::tone(dir, name, seconds, &SONG, extra)
}

/// Runs a mutagen script with the file as `sys.argv[1]`, returns its standard output.
fn mutagen(script: &str, path: &Path) -> String {
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 with mutagen (.ci/run installs it)");
    assert!(out.status.success(), "{script}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// A small PNG made by ffmpeg: the cover.
fn cover(dir: &Path) -> Vec<u8> {
    let path = dir.join("cover.png");
    let status = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=s=32x32",
            "-frames:v",
            "1",
        ])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(path).unwrap()
}

/// Adds the cover (and a comment, a custom item) with mutagen, the way taggers do.
const ADD_COVER: &str = r#"
import sys, mutagen, base64
from mutagen.flac import Picture
path, png = sys.argv[1], open(sys.argv[2], 'rb').read()
f = mutagen.File(path)
if path.endswith(('.mp3', '.aiff', '.wav')):
    from mutagen.id3 import APIC, COMM, TXXX
    if f.tags is None:
        f.add_tags()
    f.tags.add(APIC(encoding=3, mime='image/png', type=3, desc='front', data=png))
    f.tags.add(COMM(encoding=3, lang='eng', desc='', text=['mastered 2026']))
    f.tags.add(TXXX(encoding=3, desc='LABEL', text=['Label']))
elif path.endswith('.m4a'):
    from mutagen.mp4 import MP4Cover
    f['covr'] = [MP4Cover(png, imageformat=MP4Cover.FORMAT_PNG)]
    f['\xa9cmt'] = ['mastered 2026']
    f['----:com.apple.iTunes:LABEL'] = [b'Label']
elif path.endswith(('.ogg', '.opus')):
    pic = Picture(); pic.type = 3; pic.mime = 'image/png'; pic.desc = 'front'; pic.data = png
    f['METADATA_BLOCK_PICTURE'] = [base64.b64encode(pic.write()).decode()]
    f['COMMENT'] = ['mastered 2026']
    f['LABEL'] = ['Label']
elif path.endswith('.flac'):
    pic = Picture(); pic.type = 3; pic.mime = 'image/png'; pic.desc = 'front'; pic.data = png
    f.add_picture(pic)
    f['COMMENT'] = ['mastered 2026']
    f['LABEL'] = ['Label']
elif path.endswith('.wv'):
    from mutagen.apev2 import APEValue, BINARY
    f.tags['Cover Art (Front)'] = APEValue(b'front.png\x00' + png, BINARY)
    f.tags['Comment'] = 'mastered 2026'
    f.tags['Label'] = 'Label'
f.save()
"#;

/// Every picture's bytes and every other item, as mutagen sees them, one per line, sorted.
const DUMP: &str = r#"
import sys, mutagen, hashlib, base64
from mutagen.flac import Picture
f = mutagen.File(sys.argv[1])
out = []
for pic in getattr(f, 'pictures', []) or []:
    out.append('picture ' + hashlib.sha256(pic.data).hexdigest())
for k, v in (f.tags.items() if f.tags is not None else []):
    key = k.upper()
    if key in ('TSRC', 'ISRC', '----:COM.APPLE.ITUNES:ISRC', 'TXXX:ISRC'):
        continue
    if key.startswith('APIC'):
        out.append('picture ' + hashlib.sha256(v.data).hexdigest()); continue
    if key == 'COVR':
        out += ['picture ' + hashlib.sha256(bytes(c)).hexdigest() for c in v]; continue
    if key == 'METADATA_BLOCK_PICTURE':
        out += ['picture ' + hashlib.sha256(Picture(base64.b64decode(x)).data).hexdigest() for x in v]; continue
    if key == 'COVER ART (FRONT)':
        out.append('picture ' + hashlib.sha256(bytes(v.value).split(b'\x00', 1)[1]).hexdigest()); continue
    if key in ('TSSE', 'ENCODER', '\xa9TOO'):
        continue
    out.append(key + '=' + str(v))
print('\n'.join(sorted(out)))
"#;

fn sha256(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    text(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// The decoded audio's MD5 (ffmpeg).
fn audio_md5(path: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:a", "-f", "md5", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

fn read_json(path: &Path) -> Value {
    let out = isrc(&["tag", "read", "--format", "json", p(path)]);
    serde_json::from_slice::<Value>(&out.stdout).unwrap()[0].clone()
}

fn values(path: &Path) -> Vec<(String, String)> {
    media_support::found(&read_json(path))
}

#[test]
fn cover_art_and_every_other_item_survive_a_write_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let png = cover(dir.path());
    let png_path = dir.path().join("cover.png");
    let names = [
        "a.flac", "b.mp3", "c.m4a", "d.ogg", "e.opus", "f.wv", "g.aiff", "h.wav",
    ];
    for name in names {
        let extra: &[&str] = if name.ends_with(".aiff") {
            &["-metadata", "author=Band"]
        } else {
            &[]
        };
        let path = make(dir.path(), name, 0.5, extra);
        let out = Command::new("python3")
            .args(["-c", ADD_COVER])
            .arg(&path)
            .arg(&png_path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let before = mutagen(DUMP, &path);
        assert!(
            before.contains(&format!("picture {}", sha256(&png))),
            "{name}: no cover to start with: {before}"
        );
        assert!(before.contains("mastered 2026"), "{name}: {before}");
        let audio = audio_md5(&path);
        let out = isrc(&["tag", "write", p(&path), CODE]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("read back and verified"),
            "{name}: {}",
            text(&out.stdout)
        );
        assert_eq!(
            mutagen(DUMP, &path),
            before,
            "{name}: an item or picture changed"
        );
        assert_eq!(audio_md5(&path), audio, "{name}: the audio changed");
        assert!(
            values(&path).iter().any(|(_, v)| v == CODE),
            "{name}: {:?}",
            values(&path)
        );
    }
}

#[test]
fn flac_blocks_are_kept_byte_for_byte_and_the_audio_does_not_move() {
    let dir = tempfile::tempdir().unwrap();
    cover(dir.path());
    let path = make(dir.path(), "a.flac", 1.0, &[]);
    let status = Command::new("metaflac")
        .arg(format!(
            "--import-picture-from={}",
            dir.path().join("cover.png").display()
        ))
        .args(["--add-seekpoint=10", "--add-padding=4096"])
        .arg(&path)
        .status()
        .expect("metaflac (Debian flac) is installed");
    assert!(status.success());
    let blocks = |path: &Path| {
        let out = Command::new("metaflac")
            .args(["--list", "--except-block-type=VORBIS_COMMENT,PADDING"])
            .arg(path)
            .output()
            .unwrap();
        text(&out.stdout)
    };
    let before = std::fs::read(&path).unwrap();
    let listed = blocks(&path);
    assert!(listed.contains("PICTURE") && listed.contains("SEEKTABLE"));
    let out = isrc(&["tag", "write", p(&path), CODE]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after = std::fs::read(&path).unwrap();
    assert_eq!(blocks(&path), listed);
    // The padding took up the new comment: same length, same audio frames at the same place.
    assert_eq!(after.len(), before.len());
    let tail = 4000.min(before.len() / 2);
    assert_eq!(after[after.len() - tail..], before[before.len() - tail..]);
    let out = Command::new("flac")
        .args(["-t", "-s"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(out.success(), "flac -t finds the stream damaged");
}

#[test]
fn truncated_streams_are_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.flac", "b.mp3", "c.ogg", "d.opus", "e.wv"] {
        let whole = make(dir.path(), name, 2.0, &[]);
        let bytes = std::fs::read(&whole).unwrap();
        // Cut inside a frame (60 %), and for Ogg also at a page boundary.
        let cut = dir.path().join(format!("cut-{name}"));
        std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();
        let out = isrc(&["tag", "write", p(&cut), CODE]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out.stdout));
        assert!(
            text(&out.stderr).contains("truncated"),
            "{name}: {}",
            text(&out.stderr)
        );
        assert_eq!(std::fs::read(&cut).unwrap(), &bytes[..bytes.len() * 6 / 10]);
        // The whole file is written.
        let out = isrc(&["tag", "write", p(&whole), CODE]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
    }
    // An Ogg stream cut exactly after a page: every page whole, but no end of stream.
    let ogg = std::fs::read(dir.path().join("c.ogg")).unwrap();
    let pages: Vec<usize> = ogg
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"OggS")
        .map(|(i, _)| i)
        .collect();
    let cut = dir.path().join("page.ogg");
    std::fs::write(&cut, &ogg[..pages[pages.len() - 1]]).unwrap();
    let out = isrc(&["tag", "write", p(&cut), CODE]);
    assert!(
        text(&out.stderr).contains("end of stream"),
        "{}",
        text(&out.stderr)
    );
}

#[cfg(unix)]
#[test]
fn mode_owner_xattrs_times_and_hard_links_are_kept() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "a.flac", 0.5, &[]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let root = is_root();
    if root {
        // nobody:nogroup
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    }
    let xattr = Command::new("python3")
        .args([
            "-c",
            "import os,sys; os.setxattr(sys.argv[1], 'user.origin', b'studio A')",
        ])
        .arg(&path)
        .status()
        .unwrap()
        .success();
    // An old modification time, kept with --keep-mtime.
    let old = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let before = std::fs::metadata(&path).unwrap();
    let out = isrc(&["tag", "write", "--keep-mtime", p(&path), CODE]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after = std::fs::metadata(&path).unwrap();
    assert_ne!(after.ino(), before.ino(), "replaced by a rename");
    assert_eq!(after.mode(), before.mode());
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    assert_eq!(after.modified().unwrap(), old);
    if xattr {
        let got = Command::new("python3")
            .args([
                "-c",
                "import os,sys; print(os.getxattr(sys.argv[1], 'user.origin').decode())",
            ])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(text(&got.stdout).trim(), "studio A");
    }
    // Without --keep-mtime the time moves on.
    let out = isrc(&["tag", "write", p(&path), "CBYZ92200002"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_ne!(std::fs::metadata(&path).unwrap().modified().unwrap(), old);

    // Two names of one file: both see the new code, and they stay one file.
    let link = dir.path().join("link.flac");
    std::fs::hard_link(&path, &link).unwrap();
    let inode = std::fs::metadata(&path).unwrap().ino();
    let out = isrc(&["tag", "write", p(&path), "CBYZ92200003"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("hard links"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(std::fs::metadata(&link).unwrap().ino(), inode);
    assert_eq!(std::fs::metadata(&link).unwrap().nlink(), 2);
    assert!(values(&link).contains(&("Vorbis comment ISRC".into(), "CBYZ92200003".into())));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".isrc-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A file without write permission is refused, even where the folder is writable.
    std::fs::set_permissions(&link, std::fs::Permissions::from_mode(0o444)).unwrap();
    let bytes = std::fs::read(&link).unwrap();
    let out = isrc(&["tag", "write", p(&link), CODE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("read-only"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&link).unwrap(), bytes);
}

/// The defect: a file the user may not write was replaced because its folder was writable.
#[cfg(unix)]
#[test]
fn a_file_the_user_may_not_write_is_refused_in_a_writable_folder() {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        // Needs to run isrc as another user (CI runs as root).
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let path = make(dir.path(), "a.mp3", 0.5, &[]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    // A copy of the binary that nobody may run wherever the build is (a private folder).
    let bin_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(bin_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = bin_dir.path().join("isrc");
    std::fs::copy(env!("CARGO_BIN_EXE_isrc"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    // As nobody: the folder is writable, the file (root's, 0644) is not.
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(["tag", "write", p(&path), CODE])
        .env("ISRC_TODAY", "2026-11-22")
        .output()
        .expect("setpriv (util-linux) is installed");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("you may not write it"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a file was left"
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

#[test]
fn a_file_locked_by_another_writer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "a.mp3", 0.5, &[]);
    let bytes = std::fs::read(&path).unwrap();
    // Another program holds the lock (flock) while it writes.
    let mut holder = Command::new("python3")
        .args([
            "-c",
            "import fcntl,sys,time\nf=open(sys.argv[1],'rb+')\nfcntl.flock(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(30)",
        ])
        .arg(&path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    let out = isrc(&["tag", "write", p(&path), CODE]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("another program is writing this file"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    // Once the lock is gone, the write goes through.
    assert!(isrc(&["tag", "write", p(&path), CODE]).status.success());
}

#[cfg(unix)]
#[test]
fn sigterm_during_a_write_removes_the_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // Long enough (about 100 MB) that the write is still going when the signal comes.
    let path = make(dir.path(), "long.wav", 540.0, &["-ac", "2", "-ar", "48000"]);
    let before = std::fs::metadata(&path).unwrap().len();
    let mut child = Command::new(env!("CARGO_BIN_EXE_isrc"))
        .args(["tag", "write", p(&path), CODE])
        .env("ISRC_TODAY", "2026-11-22")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let temp = |dir: &Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(".isrc-"))
    };
    let start = Instant::now();
    while !temp(dir.path()) && start.elapsed() < Duration::from_secs(60) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let seen = temp(dir.path());
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert!(seen, "the write never made its temporary file");
    // The write of 100 MB takes seconds; the signal came while it was going.
    assert_eq!(out.status.code(), Some(128 + 15), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("removed 1 temporary file"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), before);
    assert!(values(&path).is_empty(), "the file was changed");
    assert!(!temp(dir.path()), "a temporary file was left behind");

    // tag scan reports a leftover (of a process killed with SIGKILL, say).
    std::fs::write(dir.path().join(".isrc-AbC123.tmp"), b"partial").unwrap();
    let out = isrc(&["tag", "scan", "--format", "json", p(dir.path())]);
    let inventory: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        inventory["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("temporary file left by an interrupted `isrc` write"),
        "{inventory}"
    );
}

/// An ID3v2.3 tag with the given text frames (id, text), Latin-1.
fn id3v23(frames: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (id, value) in frames {
        body.extend_from_slice(id.as_bytes());
        body.extend_from_slice(&(value.len() as u32 + 1).to_be_bytes());
        body.extend_from_slice(&[0, 0, 0]);
        body.extend_from_slice(value.as_bytes());
    }
    let size = body.len();
    let mut tag = b"ID3\x03\x00\x00".to_vec();
    for shift in [21, 14, 7, 0] {
        tag.push(((size >> shift) & 0x7F) as u8);
    }
    tag.extend(body);
    tag
}

#[test]
fn every_code_in_every_place_is_listed_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    // MP3 with two TSRC frames and a TXXX:ISRC, made by hand before ffmpeg's audio.
    let plain = make(
        dir.path(),
        "plain.mp3",
        0.5,
        &["-id3v2_version", "0", "-write_xing", "0"],
    );
    let audio = std::fs::read(&plain).unwrap();
    let two = dir.path().join("two.mp3");
    let mut bytes = id3v23(&[
        ("TIT2", "Song"),
        ("TSRC", "GBAAA2600001"),
        ("TSRC", "GBAAA2600002"),
        ("TXXX", "ISRC\0GBAAA2600003"),
    ]);
    bytes.extend_from_slice(&audio);
    std::fs::write(&two, &bytes).unwrap();
    let found = values(&two);
    for code in ["GBAAA2600001", "GBAAA2600002", "GBAAA2600003"] {
        assert!(found.iter().any(|(_, v)| v == code), "{code}: {found:?}");
    }
    let out = isrc(&["tag", "read", p(&two)]);
    let table = text(&out.stdout);
    assert!(
        table.contains("warning:") && table.contains("3 different ISRCs"),
        "{table}"
    );
    let out = isrc(&["tag", "write", p(&two), CODE]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after = values(&two);
    assert!(after.iter().all(|(_, v)| v == CODE), "{after:?}");
    assert_eq!(after.len(), 2, "one TSRC and one TXXX: {after:?}");
    let seen = mutagen(
        "import sys,mutagen\nt=mutagen.File(sys.argv[1]).tags\nprint(t.getall('TSRC')[0].text, t.getall('TXXX:ISRC')[0].text)",
        &two,
    );
    assert_eq!(seen.trim(), "['CBYZ92200001'] ['CBYZ92200001']");

    // MP3 with an APEv2 tag at the end (written by foobar2000 and others).
    let ape = make(dir.path(), "ape.mp3", 0.5, &[]);
    mutagen(
        "import sys\nfrom mutagen.apev2 import APEv2\nt=APEv2()\nt['ISRC']='GBAAA2600009'\nt.save(sys.argv[1])",
        &ape,
    );
    assert!(values(&ape).contains(&("APEv2 ISRC".into(), "GBAAA2600009".into())));
    assert!(isrc(&["tag", "write", p(&ape), CODE]).status.success());
    let seen = mutagen(
        "import sys\nfrom mutagen.apev2 import APEv2\nprint(APEv2(sys.argv[1])['ISRC'])",
        &ape,
    );
    assert_eq!(seen.trim(), CODE);

    // MP4 with a lowercase ISRC atom of "implicit" type and a second, UTF-8 one.
    let m4a = make(dir.path(), "a.m4a", 0.5, &[]);
    mutagen(
        "import sys\nfrom mutagen.mp4 import MP4, MP4FreeForm, AtomDataType\nf=MP4(sys.argv[1])\nf['----:com.apple.iTunes:isrc']=[MP4FreeForm(b'GBAAA2600004', dataformat=AtomDataType.IMPLICIT)]\nf['----:com.apple.iTunes:ISRC']=[MP4FreeForm(b'GBAAA2600005')]\nf.save()",
        &m4a,
    );
    let found = values(&m4a);
    assert!(found.iter().any(|(_, v)| v == "GBAAA2600004"), "{found:?}");
    assert!(found.iter().any(|(_, v)| v == "GBAAA2600005"), "{found:?}");
    let out = isrc(&["tag", "write", p(&m4a), CODE]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let seen = mutagen(
        "import sys\nfrom mutagen.mp4 import MP4\nf=MP4(sys.argv[1])\nprint(sorted((k, [bytes(v) for v in f[k]]) for k in f.keys() if k.lower().endswith(':isrc')))",
        &m4a,
    );
    assert_eq!(
        seen.trim(),
        "[('----:com.apple.iTunes:ISRC', [b'CBYZ92200001'])]"
    );
}

#[test]
fn one_track_of_a_flac_album_image_gets_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let path = make(dir.path(), "album.flac", 4.0, &[]);
    media_support::import_cuesheet(
        &path,
        "FILE \"album.flac\" WAVE\n  TRACK 01 AUDIO\n    ISRC GBAAA2600001\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:02:00\n",
    );
    let out = isrc(&["tag", "write", "--track", "2", p(&path), CODE]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("FLAC CUESHEET track 2, Vorbis comment CUE_TRACK02_ISRC"),
        "{}",
        text(&out.stdout)
    );
    let exported = dir.path().join("out.cue");
    let status = Command::new("metaflac")
        .arg(format!("--export-cuesheet-to={}", exported.display()))
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let sheet = std::fs::read_to_string(&exported).unwrap();
    assert!(sheet.contains("ISRC GBAAA2600001"), "{sheet}");
    assert!(sheet.contains(&format!("ISRC {CODE}")), "{sheet}");
    let comment = mutagen(
        "import sys,mutagen\nprint(mutagen.File(sys.argv[1])['CUE_TRACK02_ISRC'][0])",
        &path,
    );
    assert_eq!(comment.trim(), CODE);
    // The file's own ISRC was not touched: there is none.
    assert!(
        !values(&path)
            .iter()
            .any(|(w, _)| w == "Vorbis comment ISRC")
    );
    // Tracks the sheet does not have, and --track on other formats, are refused.
    let out = isrc(&["tag", "write", "--track", "3", p(&path), CODE]);
    assert!(
        text(&out.stderr).contains("no track 3"),
        "{}",
        text(&out.stderr)
    );
    let mp3 = make(dir.path(), "a.mp3", 0.5, &[]);
    let out = isrc(&["tag", "write", "--track", "1", p(&mp3), CODE]);
    assert!(
        text(&out.stderr).contains("--track is for FLAC"),
        "{}",
        text(&out.stderr)
    );
    // The track's own file carries the code with its own title: no conflict with the image.
    let single = make(
        dir.path(),
        "track2.flac",
        2.0,
        &["-metadata", "title=Track Two"],
    );
    assert!(isrc(&["tag", "write", p(&single), CODE]).status.success());
    let out = isrc(&["tag", "scan", "--format", "json", p(dir.path())]);
    let inventory: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inventory["conflicts"], Value::Array(vec![]), "{inventory}");
}

#[test]
fn missing_metadata_is_no_conflict_in_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    // The master: a WAV without any tag; its MP3 with title and artist; same code.
    let master = dir.path().join("master.wav");
    let status = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=d=1",
            "-map_metadata",
            "-1",
        ])
        .args(["-fflags", "+bitexact"])
        .arg(&master)
        .status()
        .unwrap();
    assert!(status.success());
    let mp3 = make(dir.path(), "song.mp3", 1.0, &[]);
    for path in [&master, &mp3] {
        assert!(isrc(&["tag", "write", p(path), CODE]).status.success());
    }
    let out = isrc(&["tag", "scan", "--format", "json", p(dir.path())]);
    let inventory: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inventory["conflicts"], Value::Array(vec![]), "{inventory}");
    assert!(out.status.success());
    // A real difference still is one.
    let other = make(
        dir.path(),
        "other.mp3",
        1.0,
        &["-metadata", "title=Another"],
    );
    assert!(isrc(&["tag", "write", p(&other), CODE]).status.success());
    let out = isrc(&["tag", "scan", "--format", "json", p(dir.path())]);
    let inventory: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        inventory["conflicts"][0]["differs"][0], "title",
        "{inventory}"
    );
}
