//! Reading and writing the ISRC of audio files, one module per container family:
//! [`id3`] (MP3, AIFF and the ID3 tag of WAV files), [`flac`] (FLAC metadata blocks),
//! [`ogg`] (Ogg Vorbis, Opus, Speex), [`mp4`], [`ape`] (Monkey's Audio, WavPack) and [`wav`]
//! (WAV/BWF). Each family implements [`Container`]; [`write`] holds the steps every write
//! takes.

mod ape;
mod flac;
mod id3;
mod mp4;
mod ogg;
mod wav;
mod write;

use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

use lofty::config::ParseOptions;
use lofty::file::{AudioFile, FileType, TaggedFile, TaggedFileExt};
use lofty::tag::{Accessor, ItemKey, Tag, TagType};
use serde::{Serialize, Serializer};

use crate::error::{Error, ErrorKind};
use crate::snapshot::Snapshot;

pub use write::{WriteOptions, WriteReport, write_isrc, write_locations};

/// One container family: how its ISRCs are read beyond what lofty's generic tags give, how
/// a copy with a new code is written, and what "everything else" is for the verification.
trait Container {
    /// Adds the ISRCs lofty's generic view misses (duplicate frames, other data types, other
    /// places) to `info`, replacing what lofty gave for the places it reads itself. Families
    /// that lofty reads fully keep this default, which adds nothing.
    fn read_more(&self, _path: &Path, _info: &mut MediaInfo) -> Result<(), Error> {
        Ok(())
    }
    /// Writes into `job.dest` a copy of `job.source` in which every location of `job.plan`
    /// holds its code.
    fn write(&self, job: Rewrite<'_>) -> Result<(), Error>;
    /// Everything of the file except its ISRCs: tag items, pictures, blocks, audio.
    fn snapshot(&self, path: &Path) -> Result<Snapshot, Error>;
}

/// One write's files: the file being changed (read from `source`, named `path` in errors),
/// the temporary copy being written, and what goes where.
struct Rewrite<'a> {
    path: &'a Path,
    source: &'a mut File,
    dest: &'a mut File,
    plan: &'a Plan,
}

impl Rewrite<'_> {
    /// Copies the source into the temporary file and rewinds it, for the families whose tags
    /// lofty edits in the copy.
    fn copy_source(&mut self) -> Result<(), Error> {
        io::copy(self.source, self.dest).map_err(io_error(self.path))?;
        self.rewind()
    }

    /// Back to the start of the temporary file.
    fn rewind(&mut self) -> Result<(), Error> {
        let at = self.dest.seek(SeekFrom::Start(0));
        at.map(drop).map_err(io_error(self.path))
    }

    /// Rewinds the temporary file and saves `tag` into it.
    fn save<T: lofty::tag::TagExt>(
        &mut self,
        tag: &T,
        options: lofty::config::WriteOptions,
    ) -> Result<(), Error> {
        self.rewind()?;
        let saved = tag.save_to(self.dest, options);
        saved.map_err(|e| lofty_error(self.path, e))
    }
}

/// What one write puts where.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The compact code.
    pub code: String,
    /// The locations to hold it.
    pub locations: Vec<Location>,
}

impl Plan {
    pub(crate) fn writes(&self, wanted: impl Fn(Location) -> bool) -> bool {
        self.locations.iter().any(|&l| wanted(l))
    }
}

/// The container family of a format.
fn family(format: Format) -> Option<&'static dyn Container> {
    Some(match format {
        Format::Mp3 | Format::Aiff => &id3::Id3Family,
        Format::Flac => &flac::FlacFamily,
        Format::OggVorbis | Format::Opus | Format::Speex => &ogg::OggFamily,
        Format::Mp4 => &mp4::Mp4Family,
        Format::Ape | Format::WavPack => &ape::ApeFamily,
        Format::Wav => &wav::WavFamily,
        Format::Aac | Format::Musepack => return None,
    })
}

/// The container of an audio file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// MPEG audio (MP3) with ID3v2.
    Mp3,
    /// FLAC with Vorbis comments.
    Flac,
    /// Ogg Vorbis.
    OggVorbis,
    /// Ogg Opus.
    Opus,
    /// Ogg Speex.
    Speex,
    /// MP4/M4A with an `ilst` atom.
    Mp4,
    /// AIFF with an `ID3 ` chunk.
    Aiff,
    /// Monkey's Audio with APEv2.
    Ape,
    /// WAV/BWF (RIFF or RF64).
    Wav,
    /// Raw AAC (ADTS), read only.
    Aac,
    /// Musepack, read only.
    Musepack,
    /// WavPack with APEv2.
    WavPack,
}

impl Format {
    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Format::Mp3 => "MP3",
            Format::Flac => "FLAC",
            Format::OggVorbis => "Ogg Vorbis",
            Format::Opus => "Opus",
            Format::Speex => "Speex",
            Format::Mp4 => "MP4",
            Format::Aiff => "AIFF",
            Format::Ape => "APE",
            Format::Wav => "WAV",
            Format::Aac => "AAC",
            Format::Musepack => "Musepack",
            Format::WavPack => "WavPack",
        }
    }

    /// Whether [`write_isrc`] can write this format.
    pub fn is_writable(self) -> bool {
        !matches!(self, Format::Aac | Format::Musepack)
    }

    fn from_lofty(file_type: FileType) -> Option<Format> {
        Some(match file_type {
            FileType::Aac => Format::Aac,
            FileType::Aiff => Format::Aiff,
            FileType::Ape => Format::Ape,
            FileType::Flac => Format::Flac,
            FileType::Mpeg => Format::Mp3,
            FileType::Mp4 => Format::Mp4,
            FileType::Mpc => Format::Musepack,
            FileType::Opus => Format::Opus,
            FileType::Vorbis => Format::OggVorbis,
            FileType::Speex => Format::Speex,
            FileType::Wav => Format::Wav,
            FileType::WavPack => Format::WavPack,
            _ => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in a file an ISRC was found (or is written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// An ID3v2 `TSRC` frame (MP3, AIFF); `version` is the minor version (3 or 4) when known.
    Id3v2 {
        /// 2, 3 or 4.
        version: Option<u8>,
    },
    /// An ID3v2 `TXXX` frame described `ISRC` (written by some taggers beside or instead of
    /// `TSRC`), in MP3 or AIFF.
    Id3v2UserText {
        /// 2, 3 or 4.
        version: Option<u8>,
    },
    /// A Vorbis comment `ISRC` (FLAC, Ogg Vorbis, Opus, Speex).
    VorbisComment,
    /// A per-track Vorbis comment `CUE_TRACKnn_ISRC` of a FLAC album image (as foobar2000
    /// writes them beside an embedded CUESHEET).
    VorbisCueTrack {
        /// The track number.
        track: u8,
    },
    /// The MP4 freeform atom `----:com.apple.iTunes:ISRC` (any data type, any case of the name:
    /// every such atom is read and, on write, replaced by one UTF-8 atom).
    Mp4Freeform,
    /// An APEv2 item `ISRC`.
    Ape,
    /// The `TSRC` frame of the ID3v2 tag in a WAV file's `ID3 ` chunk.
    WavId3 {
        /// 2, 3 or 4.
        version: Option<u8>,
    },
    /// A `TXXX` frame described `ISRC` in a WAV file's `ID3 ` chunk.
    WavId3UserText {
        /// 2, 3 or 4.
        version: Option<u8>,
    },
    /// An EBUCore identifier in the BWF `axml` chunk (EBU Tech 3352).
    Axml,
    /// The RIFF `LIST`/`INFO` chunk `ISRC`, which means "Source": non-standard. Other tools
    /// (ffmpeg) write the ISRC there and ffprobe shows it, so a value found there is replaced
    /// on write; it is never added.
    RiffInfo,
    /// A track of the FLAC CUESHEET metadata block.
    FlacCuesheet {
        /// The track number.
        track: u8,
    },
}

impl Location {
    /// False for places that do not mean "ISRC" by any standard (RIFF INFO `ISRC`).
    pub fn is_standard(self) -> bool {
        !matches!(self, Location::RiffInfo)
    }

    /// True for the places that hold one track's code of an album image (FLAC CUESHEET,
    /// `CUE_TRACKnn_ISRC`) rather than the file's own.
    pub fn is_per_track(self) -> bool {
        matches!(
            self,
            Location::FlacCuesheet { .. } | Location::VorbisCueTrack { .. }
        )
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Id3v2 { version: Some(v) } => write!(f, "ID3v2.{v} TSRC"),
            Location::Id3v2 { version: None } => write!(f, "ID3v2 TSRC"),
            Location::Id3v2UserText { version: Some(v) } => write!(f, "ID3v2.{v} TXXX:ISRC"),
            Location::Id3v2UserText { version: None } => write!(f, "ID3v2 TXXX:ISRC"),
            Location::VorbisComment => write!(f, "Vorbis comment ISRC"),
            Location::VorbisCueTrack { track } => {
                write!(f, "Vorbis comment CUE_TRACK{track:02}_ISRC")
            }
            Location::Mp4Freeform => write!(f, "MP4 ----:com.apple.iTunes:ISRC"),
            Location::Ape => write!(f, "APEv2 ISRC"),
            Location::WavId3 { version: Some(v) } => write!(f, "ID3 chunk (ID3v2.{v} TSRC)"),
            Location::WavId3 { version: None } => write!(f, "ID3 chunk (TSRC)"),
            Location::WavId3UserText { version: Some(v) } => {
                write!(f, "ID3 chunk (ID3v2.{v} TXXX:ISRC)")
            }
            Location::WavId3UserText { version: None } => write!(f, "ID3 chunk (TXXX:ISRC)"),
            Location::Axml => write!(f, "axml chunk (EBU Tech 3352)"),
            Location::RiffInfo => write!(f, "RIFF INFO ISRC (non-standard: means Source)"),
            Location::FlacCuesheet { track } => write!(f, "FLAC CUESHEET track {track}"),
        }
    }
}

/// One ISRC value found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundIsrc {
    /// Where it was.
    pub location: Location,
    /// The text as stored (several values in one frame or comment are reported separately).
    pub value: String,
}

/// What [`read`] learns about a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaInfo {
    /// The file.
    pub path: PathBuf,
    /// Its container.
    pub format: Format,
    /// Every ISRC value found, in file order.
    pub isrcs: Vec<FoundIsrc>,
    /// The title, from the main tag, else from the first other tag that has one (for WAV the
    /// `ID3 ` chunk, else RIFF INFO `INAM`; for AIFF the `ID3 ` chunk, else the `NAME` chunk).
    pub title: Option<String>,
    /// The artist, found like the title (WAV: RIFF INFO `IART`; AIFF: the `AUTH` chunk).
    pub artist: Option<String>,
    /// The playing time.
    #[serde(serialize_with = "seconds", rename = "duration_seconds")]
    pub duration: Option<Duration>,
    /// Remarks such as a code in a non-standard place.
    pub notes: Vec<String>,
    /// Problems a person must look at: several different codes in one file (other software
    /// shows only one of them, not always the same).
    pub warnings: Vec<String>,
}

fn seconds<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0),
        None => s.serialize_none(),
    }
}

impl MediaInfo {
    /// The distinct values found in standard locations, in order.
    pub fn standard_values(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for found in self.isrcs.iter().filter(|f| f.location.is_standard()) {
            if !out.contains(&found.value.as_str()) {
                out.push(&found.value);
            }
        }
        out
    }

    /// The distinct values of the file itself (standard places, not one track of an album
    /// image), in order.
    pub fn file_values(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for found in self
            .isrcs
            .iter()
            .filter(|f| f.location.is_standard() && !f.location.is_per_track())
        {
            if !out.contains(&found.value.as_str()) {
                out.push(&found.value);
            }
        }
        out
    }

    /// The values found at `location`.
    pub fn values_at(&self, location: Location) -> Vec<&str> {
        self.isrcs
            .iter()
            .filter(|f| f.location == location)
            .map(|f| f.value.as_str())
            .collect()
    }

    pub(crate) fn note_disagreements(&mut self) {
        let values: Vec<String> = self.file_values().into_iter().map(String::from).collect();
        if values.len() > 1 {
            let listed: Vec<String> = values
                .iter()
                .map(|v| {
                    let places: Vec<String> = self
                        .isrcs
                        .iter()
                        .filter(|f| &f.value == v && !f.location.is_per_track())
                        .map(|f| f.location.to_string())
                        .collect();
                    format!("{v} ({})", places.join(", "))
                })
                .collect();
            self.warnings.push(format!(
                "the file holds {} different ISRCs: {}; other software shows only one of them",
                values.len(),
                listed.join("; ")
            ));
        }
        let standard = values;
        for found in self.isrcs.iter().filter(|f| !f.location.is_standard()) {
            if !standard.contains(&found.value) {
                let note = format!(
                    "{} holds {:?}, which is not the recording's ISRC anywhere else",
                    found.location, found.value
                );
                self.notes.push(note);
            }
        }
        let file_codes: Vec<&str> = self.file_values();
        let per_track: Vec<&FoundIsrc> = self
            .isrcs
            .iter()
            .filter(|f| f.location.is_per_track())
            .collect();
        if !file_codes.is_empty() && !per_track.is_empty() {
            let tracks: Vec<String> = per_track
                .iter()
                .filter(|f| !file_codes.contains(&f.value.as_str()))
                .map(|f| format!("{} in {}", f.value, f.location))
                .collect();
            if !tracks.is_empty() {
                self.notes.push(format!(
                    "an album image: its tracks hold different ISRCs from the file's {}: {}",
                    file_codes.join(", "),
                    tracks.join(", ")
                ));
            }
        }
    }
}

fn parse_options() -> ParseOptions {
    ParseOptions::new().read_cover_art(false)
}

/// Options for reading a file whose tags are rewritten: pictures must be read, or the writer
/// drops them.
fn full_parse_options() -> ParseOptions {
    ParseOptions::new().read_cover_art(true)
}

fn open(path: &Path) -> Result<File, Error> {
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::new(
            path,
            ErrorKind::NotAudio("it is a directory".into()),
        ));
    }
    File::open(path).map_err(|e| Error::io(path, e))
}

fn sniff(file: &mut File) -> io::Result<[u8; 12]> {
    let mut header = [0u8; 12];
    let mut filled = 0;
    while filled < 12 {
        let n = file.read(&mut header[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(header)
}

/// Reads every ISRC of an audio file, with its title, artist and duration.
///
/// Values are taken from every place common software writes them: ID3v2 `TSRC` (every frame,
/// also duplicates) and `TXXX:ISRC`, Vorbis comment `ISRC`, MP4 freeform `ISRC` atoms of any
/// data type and case, APEv2 `ISRC` (also an APE tag in an MP3), and for WAV/BWF the `ID3 `
/// chunk, the `axml` chunk and the RIFF INFO `ISRC` (reported as non-standard); for FLAC also
/// the CUESHEET block and `CUE_TRACKnn_ISRC` comments. Several values in one frame or comment
/// are reported one by one; several different codes give a warning.
pub fn read(path: &Path) -> Result<MediaInfo, Error> {
    guard(path, || read_unguarded(path))
}

/// Runs `step`, turning a panic of a parser (lofty has overflowing arithmetic on some damaged
/// files, found by the `audio` fuzz target) into an error about the file.
pub(crate) fn guard<T>(path: &Path, step: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    thread_local! {
        static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    // A panic caught here becomes an error message: the default hook's report (and
    // backtrace) is left out for it, and kept for every other panic.
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = GUARDED.with(|g| g.replace(true));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(step));
    GUARDED.with(|g| g.set(outer));
    match caught {
        Ok(result) => result,
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| String::from("a parser failed"));
            Err(Error::new(
                path,
                ErrorKind::Malformed(format!("the file is damaged: reading it failed ({why})")),
            ))
        }
    }
}

fn read_unguarded(path: &Path) -> Result<MediaInfo, Error> {
    let mut file = open(path)?;
    let header = sniff(&mut file).map_err(|e| Error::io(path, e))?;
    let mut info = if crate::riff::is_wave(&header) {
        let mut info = MediaInfo::empty(path, Format::Wav);
        wav::WavFamily.read_more(path, &mut info)?;
        info
    } else {
        let mut info = read_lofty(path, file)?;
        if let Some(family) = family(info.format) {
            family.read_more(path, &mut info)?;
        }
        info
    };
    info.note_disagreements();
    Ok(info)
}

impl MediaInfo {
    fn empty(path: &Path, format: Format) -> MediaInfo {
        MediaInfo {
            path: path.to_path_buf(),
            format,
            isrcs: Vec::new(),
            title: None,
            artist: None,
            duration: None,
            notes: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Drops what was read at the locations `drop` names (before a family reads them itself).
    fn forget(&mut self, drop: impl Fn(Location) -> bool) {
        self.isrcs.retain(|f| !drop(f.location));
    }
}

fn push_values(out: &mut Vec<FoundIsrc>, location: Location, value: &str) {
    for part in value.split('\0') {
        let part = part.trim();
        if !part.is_empty() {
            out.push(FoundIsrc {
                location,
                value: part.to_string(),
            });
        }
    }
}

/// The snapshot of a file's "everything else", for the verification after a write.
pub(crate) fn snapshot(path: &Path, format: Format) -> Result<Snapshot, Error> {
    match family(format) {
        Some(family) => family.snapshot(path),
        None => Err(Error::new(
            path,
            ErrorKind::Unsupported(format!(
                "writing ISRCs into {format} files is not supported"
            )),
        )),
    }
}

fn read_lofty(path: &Path, file: File) -> Result<MediaInfo, Error> {
    let probe = lofty::probe::Probe::new(BufReader::new(file))
        .options(parse_options())
        .guess_file_type()
        .map_err(|e| Error::io(path, e))?;
    let Some(format) = probe.file_type().and_then(Format::from_lofty) else {
        return Err(Error::new(
            path,
            ErrorKind::NotAudio("not a recognised audio file".into()),
        ));
    };
    let tagged = probe
        .read()
        .map_err(|e| Error::new(path, ErrorKind::Malformed(e.to_string())))?;
    let mut info = MediaInfo::empty(path, format);
    for tag in tagged.tags() {
        let location = match tag.tag_type() {
            TagType::Id3v2 => Location::Id3v2 { version: None },
            TagType::VorbisComments => Location::VorbisComment,
            TagType::Mp4Ilst => Location::Mp4Freeform,
            TagType::Ape => Location::Ape,
            TagType::RiffInfo => Location::RiffInfo,
            _ => continue,
        };
        for value in tag.get_strings(ItemKey::Isrc) {
            push_values(&mut info.isrcs, location, value);
        }
    }
    info.title = first_text(&tagged, |t| t.title());
    info.artist = first_text(&tagged, |t| t.artist());
    info.duration = Some(tagged.properties().duration()).filter(|d| !d.is_zero());
    Ok(info)
}

/// The first non-empty value `get` finds, in the primary tag first, then in the file's other
/// tags: writing an ISRC may create a primary tag (an AIFF `ID3 ` chunk) that holds nothing
/// else, while the title stays where the file's author put it (the AIFF `NAME` chunk).
fn first_text<'a>(
    tagged: &'a TaggedFile,
    get: impl Fn(&'a Tag) -> Option<Cow<'a, str>>,
) -> Option<String> {
    let primary = tagged.primary_tag();
    let others = tagged
        .tags()
        .iter()
        .filter(|t| Some(t.tag_type()) != primary.map(|p| p.tag_type()));
    primary
        .into_iter()
        .chain(others)
        .filter_map(get)
        .find(|text| !text.trim().is_empty())
        .map(Cow::into_owned)
}

fn lofty_error(path: &Path, e: impl fmt::Display) -> Error {
    Error::new(path, ErrorKind::Malformed(e.to_string()))
}

fn io_error(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}
