//! The steps every write takes, whatever the container: lock, read, check the stream is
//! whole, plan, snapshot, edit a copy, verify the copy, replace, verify again.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use isrc::Isrc;
use serde::Serialize;

use super::{Format, FoundIsrc, Location, MediaInfo, Plan, Rewrite, family, read, snapshot};
use crate::error::{Error, ErrorKind};
use crate::replace::{self, Registered, TEMP_PREFIX, TEMP_SUFFIX};
use crate::{integrity, snapshot::Snapshot};

/// Options for [`write_isrc`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Work out what would change, write nothing.
    pub dry_run: bool,
    /// Keep the file's access and modification times (by default the write updates them).
    pub keep_mtime: bool,
    /// FLAC album images: write the code of this track of the embedded CUESHEET (the block's
    /// track ISRC and the `CUE_TRACKnn_ISRC` comment) instead of the file's own ISRC.
    pub track: Option<u8>,
}

/// What [`write_isrc`] did (or would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WriteReport {
    /// The file (symbolic links resolved).
    pub path: PathBuf,
    /// The code written, compact.
    pub isrc: Isrc,
    /// Where the code goes in this format.
    pub locations: Vec<Location>,
    /// The ISRCs the file held before.
    pub before: Vec<FoundIsrc>,
    /// Whether the file's bytes changed (false when it already held the code, or on a dry run).
    pub written: bool,
    /// Whether the file already held exactly this code in every location.
    pub unchanged: bool,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// How many other parts (tag items, pictures, blocks, chunks, the audio) were compared
    /// before and after and found unchanged.
    pub kept: usize,
    /// Whether the file had several hard links and was overwritten in place (with a backup).
    pub in_place: bool,
    /// The file as read back after writing.
    pub after: Option<MediaInfo>,
}

/// The locations [`write_isrc`] writes for a file as read: the format's own place, and every
/// other place where the file already holds a code (`TXXX:ISRC`, an APE tag in an MP3, a
/// RIFF INFO `ISRC`), so that no reader keeps seeing an old one.
pub fn write_locations(info: &MediaInfo, options: &WriteOptions) -> Result<Vec<Location>, Error> {
    let found = |wanted: fn(Location) -> bool| info.isrcs.iter().any(|f| wanted(f.location));
    let id3_version = info.isrcs.iter().find_map(|f| match f.location {
        Location::Id3v2 { version } | Location::Id3v2UserText { version } => version,
        _ => None,
    });
    if let Some(track) = options.track {
        if info.format != Format::Flac {
            return Err(Error::new(
                &info.path,
                ErrorKind::Unsupported(format!(
                    "--track is for FLAC album images with an embedded CUESHEET, not {} files",
                    info.format
                )),
            ));
        }
        let tracks = super::flac::cuesheet_tracks(&info.path)?;
        if tracks.is_empty() {
            return Err(Error::new(
                &info.path,
                ErrorKind::Unsupported(String::from(
                    "the file has no CUESHEET block, so it has no tracks (--track is for album images)",
                )),
            ));
        }
        if !tracks.contains(&track) {
            let listed: Vec<String> = tracks.iter().map(u8::to_string).collect();
            return Err(Error::new(
                &info.path,
                ErrorKind::Unsupported(format!(
                    "the CUESHEET has no track {track} (tracks: {})",
                    listed.join(", ")
                )),
            ));
        }
        return Ok(vec![
            Location::FlacCuesheet { track },
            Location::VorbisCueTrack { track },
        ]);
    }
    let mut out = match info.format {
        Format::Mp3 => vec![Location::Id3v2 {
            version: Some(id3_version.unwrap_or(4).max(3)),
        }],
        Format::Aiff => vec![Location::Id3v2 { version: None }],
        Format::Flac | Format::OggVorbis | Format::Opus | Format::Speex => {
            vec![Location::VorbisComment]
        }
        Format::Mp4 => vec![Location::Mp4Freeform],
        Format::Ape | Format::WavPack => vec![Location::Ape],
        Format::Wav => vec![Location::WavId3 { version: None }, Location::Axml],
        other => {
            return Err(Error::new(
                &info.path,
                ErrorKind::Unsupported(format!(
                    "writing ISRCs into {other} files is not supported"
                )),
            ));
        }
    };
    if matches!(info.format, Format::Mp3 | Format::Aiff)
        && found(|l| matches!(l, Location::Id3v2UserText { .. }))
    {
        out.push(Location::Id3v2UserText { version: None });
    }
    if info.format == Format::Mp3 && found(|l| l == Location::Ape) {
        out.push(Location::Ape);
    }
    if info.format == Format::Wav {
        if found(|l| matches!(l, Location::WavId3UserText { .. })) {
            out.push(Location::WavId3UserText { version: None });
        }
        if found(|l| l == Location::RiffInfo) {
            out.push(Location::RiffInfo);
        }
    }
    Ok(out)
}

/// Whether `location` (as planned) matches a location found when reading.
fn same_place(planned: Location, found: Location) -> bool {
    match (planned, found) {
        (Location::Id3v2 { .. }, Location::Id3v2 { .. }) => true,
        (Location::Id3v2UserText { .. }, Location::Id3v2UserText { .. }) => true,
        (Location::WavId3 { .. }, Location::WavId3 { .. }) => true,
        (Location::WavId3UserText { .. }, Location::WavId3UserText { .. }) => true,
        (a, b) => a == b,
    }
}

fn holds_exactly(info: &MediaInfo, locations: &[Location], code: &str) -> Result<(), String> {
    for &location in locations {
        let values: Vec<&str> = info
            .isrcs
            .iter()
            .filter(|f| same_place(location, f.location))
            .map(|f| f.value.as_str())
            .collect();
        if values.is_empty() || values.iter().any(|v| *v != code) {
            return Err(format!(
                "{location} reads back as {} instead of {code}",
                if values.is_empty() {
                    String::from("nothing")
                } else {
                    values.join(", ")
                }
            ));
        }
    }
    // No other place of the file's own code may still hold another one.
    let per_track = locations.iter().any(|l| l.is_per_track());
    if !per_track
        && let Some(other) = info.isrcs.iter().find(|f| {
            !f.location.is_per_track()
                && f.value != code
                && !locations.iter().any(|&l| same_place(l, f.location))
        })
    {
        return Err(format!(
            "{} still holds {} beside {code}",
            other.location, other.value
        ));
    }
    Ok(())
}

/// Writes `code` as the ISRC of the audio file at `path`, safely:
///
/// 1. the file is opened for writing and locked (`flock`, exclusive) for the whole write: a
///    second writer is refused with [`ErrorKind::Busy`]; a read-only file, or one the user may
///    not write, is refused with [`ErrorKind::ReadOnly`];
/// 2. it is read, and its stream checked whole (a truncated FLAC, MP3, Ogg, Opus, WavPack,
///    WAV, AIFF or M4A is refused); everything but its ISRCs is recorded (every tag item,
///    picture, metadata block or chunk, and the audio);
/// 3. a copy is edited in a temporary file (`.isrc-*.tmp`) in the same directory, in every
///    place [`write_locations`] names; it gets the file's mode, owner, extended attributes and
///    (with `keep_mtime`) times;
/// 4. the copy is read back: it must hold exactly `code`, be whole, and keep everything else;
///    then it replaces the file by an atomic rename (a file with several hard links is
///    overwritten in place instead, after a backup copy, so that every name sees the change);
///    the file is read back and compared once more.
///
/// A file that already holds exactly `code` is not rewritten. This is the function `isrc tag
/// assign` builds on: [`read`] the file's title, artist and duration, allocate a code, then
/// call `write_isrc`.
pub fn write_isrc(path: &Path, code: Isrc, options: &WriteOptions) -> Result<WriteReport, Error> {
    super::guard(path, || write_isrc_with(path, code, options, read))
}

/// The checks of a copy or of the replaced file: the code in place, the stream whole,
/// everything else as before.
fn verify(
    path: &Path,
    info: &MediaInfo,
    locations: &[Location],
    code: &str,
    before: &Snapshot,
) -> Result<(), String> {
    holds_exactly(info, locations, code)?;
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    integrity::check(info.format, &mut file)
        .map_err(|e| e.to_string())?
        .map_err(|why| format!("the written stream is not whole: {why}"))?;
    let after = snapshot(path, info.format).map_err(|e| e.to_string())?;
    match before.differences(&after) {
        None => Ok(()),
        Some(diff) => Err(format!("the write would change more than the ISRC: {diff}")),
    }
}

fn open_for_writing(path: &Path, target: &Path) -> Result<File, Error> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(target)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::PermissionDenied => Error::new(path, ErrorKind::ReadOnly),
            _ => Error::io(path, e),
        })
}

/// [`write_isrc`] with the reader of the two read-backs given, so that the tests can make a
/// read-back differ from what was written, which a correct writer never produces.
fn write_isrc_with(
    path: &Path,
    code: Isrc,
    options: &WriteOptions,
    read_back: impl Fn(&Path) -> Result<MediaInfo, Error>,
) -> Result<WriteReport, Error> {
    let target = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let meta = fs::metadata(&target).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::new(
            path,
            ErrorKind::NotAudio("not a regular file".into()),
        ));
    }
    if meta.permissions().readonly() {
        return Err(Error::new(path, ErrorKind::ReadOnly));
    }
    let mut handle = if options.dry_run {
        File::open(&target).map_err(|e| Error::io(path, e))?
    } else {
        open_for_writing(path, &target)?
    };
    if !options.dry_run {
        match handle.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(Error::new(path, ErrorKind::Busy)),
            Err(fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
    }
    let before = read(&target)?;
    if let Err(why) =
        integrity::check(before.format, &mut handle).map_err(|e| Error::io(path, e))?
    {
        return Err(Error::new(
            path,
            ErrorKind::Malformed(format!(
                "the file is truncated or damaged: {why}; it was not changed"
            )),
        ));
    }
    let locations = write_locations(&before, options)?;
    let compact = code.to_string();
    let unchanged = holds_exactly(&before, &locations, &compact).is_ok();
    let in_place = replace::has_other_links(&meta);
    let mut report = WriteReport {
        path: target.clone(),
        isrc: code,
        locations: locations.clone(),
        before: before.isrcs.clone(),
        written: false,
        unchanged,
        dry_run: options.dry_run,
        kept: 0,
        in_place,
        after: None,
    };
    if unchanged || options.dry_run {
        return Ok(report);
    }
    let Some(container) = family(before.format) else {
        return Err(Error::new(
            path,
            ErrorKind::Unsupported(format!(
                "writing ISRCs into {} files is not supported",
                before.format
            )),
        ));
    };
    let everything_else = snapshot(&target, before.format)?;
    report.kept = everything_else.len();
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp_in_dir = || {
        tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir)
            .map_err(|e| {
                Error::io(
                    path,
                    std::io::Error::new(
                        e.kind(),
                        format!("cannot make a temporary file in {}: {e}", dir.display()),
                    ),
                )
            })
    };
    let mut temp = temp_in_dir()?;
    let _registered = Registered::new(temp.path());
    let plan = Plan {
        code: compact.clone(),
        locations: locations.clone(),
    };
    {
        let mut source = File::open(&target).map_err(|e| Error::io(path, e))?;
        container.write(Rewrite {
            path: &target,
            source: &mut source,
            dest: temp.as_file_mut(),
            plan: &plan,
        })?;
    }
    if !in_place {
        replace::copy_attributes(&meta, &handle, temp.as_file(), options.keep_mtime)
            .map_err(|e| Error::io(path, e))?;
    }
    temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    let check = read_back(temp.path())?;
    if let Err(problem) = verify(temp.path(), &check, &locations, &compact, &everything_else) {
        return Err(Error::new(
            path,
            ErrorKind::Verify(format!("{problem}; the file was not changed")),
        ));
    }
    let _kept_lock;
    if in_place {
        let backup = temp_in_dir()?;
        let _backup_registered = Registered::new(backup.path());
        let mut original = File::open(&target).map_err(|e| Error::io(path, e))?;
        std::io::copy(&mut original, &mut backup.as_file()).map_err(|e| Error::io(path, e))?;
        backup
            .as_file()
            .sync_all()
            .map_err(|e| Error::io(path, e))?;
        let restore = |handle: &mut File, why: String| -> Error {
            match replace::critical(|| replace::overwrite_in_place(handle, backup.path())) {
                Ok(()) => Error::new(
                    path,
                    ErrorKind::Verify(format!("{why}; the original was put back from its backup")),
                ),
                Err(e) => {
                    let kept = backup.path().with_extension("backup");
                    let _ = fs::copy(backup.path(), &kept);
                    Error::new(
                        path,
                        ErrorKind::Verify(format!(
                            "{why}; putting the original back failed ({e}): it is kept as {}",
                            kept.display()
                        )),
                    )
                }
            }
        };
        if let Err(e) = replace::critical(|| replace::overwrite_in_place(&mut handle, temp.path()))
        {
            return Err(restore(
                &mut handle,
                format!("overwriting in place failed: {e}"),
            ));
        }
        if options.keep_mtime {
            let mut times = fs::FileTimes::new();
            if let Ok(t) = meta.modified() {
                times = times.set_modified(t);
            }
            if let Ok(t) = meta.accessed() {
                times = times.set_accessed(t);
            }
            let _ = handle.set_times(times);
        }
        let mut after = read_back(&target)?;
        after.path = target.clone();
        if let Err(problem) = verify(&target, &after, &locations, &compact, &everything_else) {
            return Err(restore(
                &mut handle,
                format!("{problem} after overwriting in place"),
            ));
        }
        report.after = Some(after);
        _kept_lock = handle;
    } else {
        // The copy is locked before it takes the file's name, so that a second writer that
        // opens the new file waits for this one's last read-back.
        let _ = temp.as_file().try_lock();
        let persisted =
            replace::critical(|| temp.persist(&target)).map_err(|e| Error::io(path, e.error))?;
        _kept_lock = persisted;
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        let mut after = read_back(&target)?;
        after.path = target.clone();
        if let Err(problem) = verify(&target, &after, &locations, &compact, &everything_else) {
            return Err(Error::new(
                path,
                ErrorKind::Verify(format!("{problem} after the rename")),
            ));
        }
        report.after = Some(after);
    }
    report.written = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "CBYZ92200001";

    /// A WAV file of a tenth of a second of 8-bit mono silence, with no tags.
    fn silent_wav(dir: &Path) -> PathBuf {
        let samples = 800u32;
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"RIFF");
        bytes.extend_from_slice(&(4 + 24 + 8 + samples).to_le_bytes());
        bytes.extend_from_slice(b"WAVEfmt ");
        bytes.extend_from_slice(&16u32.to_le_bytes());
        // PCM, mono, 8000 Hz, 8000 bytes a second, 1-byte frames, 8 bits.
        bytes.extend_from_slice(&[1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x40, 0x1F, 0, 0, 1, 0, 8, 0]);
        bytes.extend_from_slice(b"data");
        bytes.extend_from_slice(&samples.to_le_bytes());
        bytes.extend(std::iter::repeat_n(0x80u8, samples as usize));
        let path = dir.join("a.wav");
        fs::write(&path, bytes).unwrap();
        path
    }

    /// Reads `path`, then replaces every ISRC when `corrupt` says so for that path.
    fn misread(path: &Path, corrupt: bool) -> Result<MediaInfo, Error> {
        let mut info = read(path)?;
        if corrupt {
            for found in &mut info.isrcs {
                found.value = String::from("CBYZ92299999");
            }
        }
        Ok(info)
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".isrc-"))
            .collect()
    }

    #[test]
    fn the_real_read_back_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let wav = silent_wav(dir.path());
        let report =
            write_isrc_with(&wav, CODE.parse().unwrap(), &WriteOptions::default(), read).unwrap();
        assert!(report.written);
        assert_eq!(read(&wav).unwrap().standard_values(), [CODE]);
    }

    #[test]
    fn a_copy_that_reads_back_differently_is_not_installed() {
        let dir = tempfile::tempdir().unwrap();
        let wav = silent_wav(dir.path());
        let before = fs::read(&wav).unwrap();
        let err = write_isrc_with(&wav, CODE.parse().unwrap(), &WriteOptions::default(), |p| {
            misread(p, true)
        })
        .unwrap_err();
        let ErrorKind::Verify(message) = err.kind() else {
            panic!("not a verification error: {err}");
        };
        assert!(
            message.contains("reads back as CBYZ92299999 instead of CBYZ92200001"),
            "{message}"
        );
        assert!(message.ends_with("the file was not changed"), "{message}");
        assert_eq!(fs::read(&wav).unwrap(), before, "the file was changed");
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
    }

    #[test]
    fn a_file_that_reads_back_differently_after_the_rename_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let wav = silent_wav(dir.path());
        let target = fs::canonicalize(&wav).unwrap();
        let err = write_isrc_with(&wav, CODE.parse().unwrap(), &WriteOptions::default(), |p| {
            misread(p, p == target)
        })
        .unwrap_err();
        let ErrorKind::Verify(message) = err.kind() else {
            panic!("not a verification error: {err}");
        };
        assert!(message.ends_with("after the rename"), "{message}");
        assert!(
            err.to_string()
                .contains("verification after writing failed")
        );
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn the_verification_compares_everything_else() {
        use crate::riff::{ChunkId, Riff};
        let dir = tempfile::tempdir().unwrap();
        let wav = silent_wav(dir.path());
        let before = snapshot(&wav, Format::Wav).unwrap();
        let info = read(&wav).unwrap();
        assert_eq!(
            verify(&wav, &info, &[], CODE, &before),
            Ok(()),
            "a file is itself"
        );
        // A copy with one more chunk, and one with the audio changed: both are refused.
        let bytes = fs::read(&wav).unwrap();
        let riff = Riff::read(&mut std::io::Cursor::new(&bytes)).unwrap();
        let mut added = Vec::new();
        riff.write_edited(
            &mut std::io::Cursor::new(&bytes),
            &mut added,
            &[(ChunkId(*b"cue "), vec![0; 4])],
        )
        .unwrap();
        let copy = dir.path().join("copy.wav");
        fs::write(&copy, &added).unwrap();
        let problem = verify(&copy, &read(&copy).unwrap(), &[], CODE, &before).unwrap_err();
        assert!(problem.contains("added cue  chunk"), "{problem}");
        let mut changed = bytes.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        fs::write(&copy, &changed).unwrap();
        let problem = verify(&copy, &read(&copy).unwrap(), &[], CODE, &before).unwrap_err();
        assert!(problem.contains("changed data chunk"), "{problem}");
    }

    #[cfg(unix)]
    #[test]
    fn a_hard_linked_file_that_reads_back_differently_is_put_back_from_its_backup() {
        let dir = tempfile::tempdir().unwrap();
        let wav = silent_wav(dir.path());
        let link = dir.path().join("b.wav");
        fs::hard_link(&wav, &link).unwrap();
        let before = fs::read(&wav).unwrap();
        let target = fs::canonicalize(&wav).unwrap();
        let err = write_isrc_with(&wav, CODE.parse().unwrap(), &WriteOptions::default(), |p| {
            misread(p, p == target)
        })
        .unwrap_err();
        let ErrorKind::Verify(message) = err.kind() else {
            panic!("not a verification error: {err}");
        };
        assert!(
            message
                .ends_with("after overwriting in place; the original was put back from its backup"),
            "{message}"
        );
        assert_eq!(fs::read(&wav).unwrap(), before);
        assert_eq!(fs::read(&link).unwrap(), before);
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
        // The real read-back: both names see the code.
        let report =
            write_isrc_with(&wav, CODE.parse().unwrap(), &WriteOptions::default(), read).unwrap();
        assert!(report.in_place);
        assert_eq!(read(&link).unwrap().file_values(), [CODE]);
    }
}
