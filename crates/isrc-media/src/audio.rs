//! Reading and writing the ISRC of audio files.

use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

use isrc::Isrc;
use lofty::config::{ParseOptions, WriteOptions as LoftyWriteOptions};
use lofty::file::{AudioFile, FileType, TaggedFile, TaggedFileExt};
use lofty::id3::v2::{Frame, FrameId, Id3v2Tag, Id3v2Version, TextInformationFrame};
use lofty::tag::{Accessor, ItemKey, Tag, TagExt, TagType};
use serde::{Serialize, Serializer};

use crate::axml;
use crate::error::{Error, ErrorKind};
use crate::flac_cue;
use crate::riff::{ChunkId, Riff};

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
    /// A Vorbis comment `ISRC` (FLAC, Ogg Vorbis, Opus, Speex).
    VorbisComment,
    /// The MP4 freeform atom `----:com.apple.iTunes:ISRC`.
    Mp4Freeform,
    /// An APEv2 item `ISRC`.
    Ape,
    /// The `TSRC` frame of the ID3v2 tag in a WAV file's `ID3 ` chunk.
    WavId3 {
        /// 2, 3 or 4.
        version: Option<u8>,
    },
    /// An EBUCore identifier in the BWF `axml` chunk (EBU Tech 3352).
    Axml,
    /// The RIFF `LIST`/`INFO` chunk `ISRC`, which means "Source": non-standard, never written.
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
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Id3v2 { version: Some(v) } => write!(f, "ID3v2.{v} TSRC"),
            Location::Id3v2 { version: None } => write!(f, "ID3v2 TSRC"),
            Location::VorbisComment => write!(f, "Vorbis comment ISRC"),
            Location::Mp4Freeform => write!(f, "MP4 ----:com.apple.iTunes:ISRC"),
            Location::Ape => write!(f, "APEv2 ISRC"),
            Location::WavId3 { version: Some(v) } => write!(f, "ID3 chunk (ID3v2.{v} TSRC)"),
            Location::WavId3 { version: None } => write!(f, "ID3 chunk (TSRC)"),
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
    /// Remarks such as disagreeing locations.
    pub notes: Vec<String>,
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

    /// The values found at `location`.
    pub fn values_at(&self, location: Location) -> Vec<&str> {
        self.isrcs
            .iter()
            .filter(|f| f.location == location)
            .map(|f| f.value.as_str())
            .collect()
    }

    fn note_disagreements(&mut self) {
        let values: Vec<String> = self
            .standard_values()
            .into_iter()
            .map(String::from)
            .collect();
        if values.len() > 1 {
            let list = values.join(", ");
            self.notes.push(format!(
                "the file holds different ISRCs in different places: {list}"
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
    }
}

const TSRC: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TSRC"));
const TIT2: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TIT2"));
const TPE1: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TPE1"));

fn parse_options() -> ParseOptions {
    ParseOptions::new().read_cover_art(false)
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
/// Values are taken from each tag the file holds (ID3v2 `TSRC`, Vorbis comment `ISRC`, MP4
/// freeform `ISRC`, APEv2 `ISRC`), and for WAV/BWF from the `ID3 ` chunk, the `axml` chunk and
/// the RIFF INFO `ISRC` (reported as non-standard); for FLAC also from the CUESHEET block.
/// Several values in one frame or comment are reported one by one.
pub fn read(path: &Path) -> Result<MediaInfo, Error> {
    let mut file = open(path)?;
    let header = sniff(&mut file).map_err(|e| Error::io(path, e))?;
    let mut info = if crate::riff::is_wave(&header) {
        read_wav(path, &mut file)?
    } else {
        read_lofty(path, file)?
    };
    if info.format == Format::Flac {
        let mut file = open(path)?;
        if let Ok(tracks) = flac_cue::read_cuesheet_isrcs(&mut BufReader::new(&mut file)) {
            for track in tracks {
                info.isrcs.push(FoundIsrc {
                    location: Location::FlacCuesheet { track: track.track },
                    value: track.value,
                });
            }
        }
    }
    info.note_disagreements();
    Ok(info)
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
    let id3_version = match format {
        Format::Mp3 => {
            let mut head = [0u8; 4];
            let mut f = open(path)?;
            f.read_exact(&mut head).ok();
            (&head[..3] == b"ID3").then_some(head[3])
        }
        _ => None,
    };
    let mut isrcs = Vec::new();
    for tag in tagged.tags() {
        let location = match tag.tag_type() {
            TagType::Id3v2 => Location::Id3v2 {
                version: id3_version,
            },
            TagType::VorbisComments => Location::VorbisComment,
            TagType::Mp4Ilst => Location::Mp4Freeform,
            TagType::Ape => Location::Ape,
            TagType::RiffInfo => Location::RiffInfo,
            _ => continue,
        };
        for value in tag.get_strings(ItemKey::Isrc) {
            push_values(&mut isrcs, location, value);
        }
    }
    let title = first_text(&tagged, |t| t.title());
    let artist = first_text(&tagged, |t| t.artist());
    let duration = Some(tagged.properties().duration()).filter(|d| !d.is_zero());
    Ok(MediaInfo {
        path: path.to_path_buf(),
        format,
        isrcs,
        title,
        artist,
        duration,
        notes: Vec::new(),
    })
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

/// Parses the ID3v2 tag held by a WAV `ID3 ` chunk, through lofty's WAV reader on a minimal
/// in-memory WAVE holding only that chunk.
fn parse_id3_chunk(data: &[u8]) -> Option<Id3v2Tag> {
    let mut wav = Vec::with_capacity(data.len() + 64);
    wav.extend_from_slice(b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0");
    wav.extend_from_slice(&[1, 0, 1, 0, 0x44, 0xAC, 0, 0, 0x88, 0x58, 1, 0, 2, 0, 16, 0]);
    wav.extend_from_slice(b"data\0\0\0\0ID3 ");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(data);
    if data.len() % 2 == 1 {
        wav.push(0);
    }
    let size = (wav.len() - 8) as u32;
    wav[4..8].copy_from_slice(&size.to_le_bytes());
    let options = parse_options().read_properties(false);
    let file = lofty::iff::wav::WavFile::read_from(&mut Cursor::new(wav), options).ok()?;
    file.id3v2().cloned()
}

fn id3_texts<'a>(tag: &'a Id3v2Tag, id: &FrameId<'_>) -> Vec<&'a str> {
    tag.get_texts(id).map(|t| t.collect()).unwrap_or_default()
}

/// The first non-empty text of frame `id`, so that an empty frame lets RIFF INFO speak.
fn first_id3_text(tag: &Id3v2Tag, id: &FrameId<'_>) -> Option<String> {
    id3_texts(tag, id)
        .into_iter()
        .find(|text| !text.trim().is_empty())
        .map(String::from)
}

/// The chunk id of the WAV file's ID3 chunk (`ID3 ` or `id3 `).
fn id3_chunk_id(riff: &Riff) -> ChunkId {
    riff.chunks()
        .iter()
        .map(|c| c.id)
        .find(|id| id.0.eq_ignore_ascii_case(b"id3 "))
        .unwrap_or(ChunkId(*b"ID3 "))
}

fn read_wav(path: &Path, file: &mut File) -> Result<MediaInfo, Error> {
    let mut reader = BufReader::new(file);
    let riff = Riff::read(&mut reader).map_err(|e| Error::riff(path, e))?;
    let mut info = MediaInfo {
        path: path.to_path_buf(),
        format: Format::Wav,
        isrcs: Vec::new(),
        title: None,
        artist: None,
        duration: None,
        notes: Vec::new(),
    };
    let mut byte_rate = 0u32;
    let mut data_size = None;
    let mut info_title = None;
    let mut info_artist = None;
    for chunk in riff.chunks() {
        match &chunk.id.0 {
            b"fmt " => {
                let data = riff
                    .read_chunk(&mut reader, chunk)
                    .map_err(|e| Error::riff(path, e))?;
                if let Some(rate) = data.get(8..12) {
                    byte_rate = u32::from_le_bytes([rate[0], rate[1], rate[2], rate[3]]);
                }
            }
            b"data" => data_size = Some(chunk.size),
            id if id.eq_ignore_ascii_case(b"id3 ") => {
                let data = riff
                    .read_chunk(&mut reader, chunk)
                    .map_err(|e| Error::riff(path, e))?;
                let version = (data.len() > 3 && &data[..3] == b"ID3").then(|| data[3]);
                match parse_id3_chunk(&data) {
                    Some(tag) => {
                        for value in id3_texts(&tag, &TSRC) {
                            push_values(&mut info.isrcs, Location::WavId3 { version }, value);
                        }
                        info.title = first_id3_text(&tag, &TIT2);
                        info.artist = first_id3_text(&tag, &TPE1);
                    }
                    None => info
                        .notes
                        .push(String::from("the ID3 chunk could not be read")),
                }
            }
            b"axml" => {
                let data = riff
                    .read_chunk(&mut reader, chunk)
                    .map_err(|e| Error::riff(path, e))?;
                let text = String::from_utf8_lossy(&data);
                for found in axml::isrcs(text.trim_end_matches('\0')) {
                    push_values(&mut info.isrcs, Location::Axml, &found.value);
                }
            }
            b"LIST" => {
                let data = riff
                    .read_chunk(&mut reader, chunk)
                    .map_err(|e| Error::riff(path, e))?;
                if data.starts_with(b"INFO") {
                    for (id, value) in info_entries(&data[4..]) {
                        match &id {
                            b"ISRC" => push_values(&mut info.isrcs, Location::RiffInfo, &value),
                            b"INAM" if !value.trim().is_empty() => info_title = Some(value),
                            b"IART" if !value.trim().is_empty() => info_artist = Some(value),
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    info.title = info.title.or(info_title);
    info.artist = info.artist.or(info_artist);
    if let Some(size) = data_size
        && byte_rate > 0
    {
        info.duration = Some(Duration::from_secs_f64(size as f64 / f64::from(byte_rate)));
    }
    Ok(info)
}

/// The subchunks of a RIFF `INFO` list, as text.
fn info_entries(mut data: &[u8]) -> Vec<([u8; 4], String)> {
    let mut out = Vec::new();
    while data.len() >= 8 {
        let id = [data[0], data[1], data[2], data[3]];
        let size = u32::from_le_bytes([data[4], data[5], data[6], data[7]]) as usize;
        let Some(value) = data.get(8..8 + size) else {
            break;
        };
        let text: String = String::from_utf8_lossy(value)
            .trim_end_matches('\0')
            .to_string();
        out.push((id, text));
        let next = 8 + size + size % 2;
        data = data.get(next..).unwrap_or(&[]);
    }
    out
}

/// Options for [`write_isrc`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Work out what would change, write nothing.
    pub dry_run: bool,
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
    /// The file as read back after writing.
    pub after: Option<MediaInfo>,
}

/// The locations [`write_isrc`] writes for a file as read.
pub fn write_locations(info: &MediaInfo) -> Result<Vec<Location>, Error> {
    let id3_version = info.isrcs.iter().find_map(|f| match f.location {
        Location::Id3v2 { version } => version,
        _ => None,
    });
    Ok(match info.format {
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
    })
}

/// Whether `location` (as planned) matches a location found when reading.
fn same_place(planned: Location, found: Location) -> bool {
    match (planned, found) {
        (Location::Id3v2 { .. }, Location::Id3v2 { .. }) => true,
        (Location::WavId3 { .. }, Location::WavId3 { .. }) => true,
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
    Ok(())
}

/// Writes `code` as the ISRC of the audio file at `path`, safely:
///
/// 1. the file is read first (an unreadable, truncated, non-audio or read-only file is an
///    error and is left alone);
/// 2. a copy is edited in a temporary file in the same directory: only the ISRC (ID3v2 `TSRC`,
///    Vorbis comment `ISRC`, MP4 freeform `ISRC`, APEv2 `ISRC`; for WAV the `ID3 ` chunk and the
///    `axml` chunk) changes, other tags and the audio data are kept;
/// 3. the copy is read back and must hold exactly `code` in every written location, then it
///    replaces the file by an atomic rename; the file is read back once more.
///
/// A file that already holds exactly `code` is not rewritten. This is the function `isrc tag
/// assign` builds on: [`read`] the file's title, artist and duration, allocate a code, then
/// call `write_isrc`.
pub fn write_isrc(path: &Path, code: Isrc, options: &WriteOptions) -> Result<WriteReport, Error> {
    write_isrc_with(path, code, options, read)
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
    let before = read(&target)?;
    let locations = write_locations(&before)?;
    let compact = code.to_string();
    let unchanged = holds_exactly(&before, &locations, &compact).is_ok();
    let mut report = WriteReport {
        path: target.clone(),
        isrc: code,
        locations: locations.clone(),
        before: before.isrcs.clone(),
        written: false,
        unchanged,
        dry_run: options.dry_run,
        after: None,
    };
    if unchanged || options.dry_run {
        return Ok(report);
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".isrc-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, e))?;
    {
        let mut source = File::open(&target).map_err(|e| Error::io(path, e))?;
        if before.format == Format::Wav {
            write_wav(&target, &mut source, temp.as_file_mut(), &compact)?;
        } else {
            io::copy(&mut source, temp.as_file_mut()).map_err(|e| Error::io(path, e))?;
            temp.as_file_mut()
                .seek(SeekFrom::Start(0))
                .map_err(|e| Error::io(path, e))?;
            write_lofty(&target, temp.as_file_mut(), before.format, &compact)?;
        }
    }
    temp.as_file()
        .set_permissions(meta.permissions())
        .map_err(|e| Error::io(path, e))?;
    temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    let check = read_back(temp.path())?;
    if let Err(problem) = holds_exactly(&check, &locations, &compact) {
        return Err(Error::new(
            path,
            ErrorKind::Verify(format!("{problem}; the file was not changed")),
        ));
    }
    temp.persist(&target)
        .map_err(|e| Error::io(path, e.error))?;
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    let mut after = read_back(&target)?;
    after.path = target.clone();
    if let Err(problem) = holds_exactly(&after, &locations, &compact) {
        return Err(Error::new(
            path,
            ErrorKind::Verify(format!("{problem} after the rename")),
        ));
    }
    report.written = true;
    report.after = Some(after);
    Ok(report)
}

fn lofty_error(path: &Path, e: impl fmt::Display) -> Error {
    Error::new(path, ErrorKind::Malformed(e.to_string()))
}

fn set_tsrc(tag: &mut Id3v2Tag, code: &str) {
    let _ = tag.remove(&TSRC).count();
    tag.insert(Frame::Text(TextInformationFrame::new(
        TSRC,
        lofty::TextEncoding::Latin1,
        code.to_string(),
    )));
}

fn id3_write_options(tag: &Id3v2Tag) -> LoftyWriteOptions {
    LoftyWriteOptions::default().use_id3v23(tag.original_version() == Id3v2Version::V3)
}

fn write_lofty(path: &Path, file: &mut File, format: Format, code: &str) -> Result<(), Error> {
    use lofty::ogg::tag::VorbisComments;
    let options = parse_options();
    let err = |e: lofty::error::FileParseError| lofty_error(path, e);
    let werr = |e: lofty::error::FileEncodingError| lofty_error(path, e);
    let set_vorbis = |comments: &mut VorbisComments| {
        let _ = comments.remove("ISRC").count();
        comments.push(String::from("ISRC"), code.to_string());
    };
    macro_rules! rewind {
        () => {
            file.seek(SeekFrom::Start(0))
                .map_err(|e| Error::io(path, e))?
        };
    }
    match format {
        Format::Mp3 => {
            let parsed = lofty::mpeg::MpegFile::read_from(file, options).map_err(err)?;
            let mut tag = parsed.id3v2().cloned().unwrap_or_default();
            set_tsrc(&mut tag, code);
            rewind!();
            tag.save_to(file, id3_write_options(&tag)).map_err(werr)?;
        }
        Format::Aiff => {
            let parsed = lofty::iff::aiff::AiffFile::read_from(file, options).map_err(err)?;
            let mut tag = parsed.id3v2().cloned().unwrap_or_default();
            set_tsrc(&mut tag, code);
            rewind!();
            tag.save_to(file, id3_write_options(&tag)).map_err(werr)?;
        }
        Format::Flac => {
            let parsed = lofty::flac::FlacFile::read_from(file, options).map_err(err)?;
            let mut tag = parsed.vorbis_comments().cloned().unwrap_or_default();
            set_vorbis(&mut tag);
            rewind!();
            tag.save_to(file, LoftyWriteOptions::default())
                .map_err(werr)?;
        }
        Format::OggVorbis => {
            let parsed = lofty::ogg::VorbisFile::read_from(file, options).map_err(err)?;
            let mut tag = parsed.vorbis_comments().clone();
            set_vorbis(&mut tag);
            rewind!();
            tag.save_to(file, LoftyWriteOptions::default())
                .map_err(werr)?;
        }
        Format::Opus => {
            let parsed = lofty::ogg::OpusFile::read_from(file, options).map_err(err)?;
            let mut tag = parsed.vorbis_comments().clone();
            set_vorbis(&mut tag);
            rewind!();
            tag.save_to(file, LoftyWriteOptions::default())
                .map_err(werr)?;
        }
        Format::Speex => {
            let parsed = lofty::ogg::SpeexFile::read_from(file, options).map_err(err)?;
            let mut tag = parsed.vorbis_comments().clone();
            set_vorbis(&mut tag);
            rewind!();
            tag.save_to(file, LoftyWriteOptions::default())
                .map_err(werr)?;
        }
        Format::Mp4 => {
            use lofty::mp4::{Atom, AtomData, AtomIdent};
            let parsed = lofty::mp4::Mp4File::read_from(file, options).map_err(err)?;
            let mut tag = parsed.ilst().cloned().unwrap_or_default();
            tag.insert(Atom::new(
                AtomIdent::Freeform {
                    mean: Cow::Borrowed("com.apple.iTunes"),
                    name: Cow::Borrowed("ISRC"),
                },
                AtomData::UTF8(code.to_string()),
            ));
            rewind!();
            tag.save_to(file, LoftyWriteOptions::default())
                .map_err(werr)?;
        }
        Format::Ape | Format::WavPack => {
            use lofty::ape::ApeItem;
            use lofty::tag::ItemValue;
            let existing = if format == Format::Ape {
                let parsed = lofty::ape::ApeFile::read_from(file, options).map_err(err)?;
                parsed.ape().cloned()
            } else {
                let parsed = lofty::wavpack::WavPackFile::read_from(file, options).map_err(err)?;
                parsed.ape().cloned()
            };
            let mut tag = existing.unwrap_or_default();
            let item = ApeItem::new(String::from("ISRC"), ItemValue::Text(code.to_string()))
                .map_err(|e| Error::new(path, ErrorKind::Malformed(e.to_string())))?;
            tag.insert(item);
            rewind!();
            tag.save_to(file, LoftyWriteOptions::default())
                .map_err(werr)?;
        }
        other => {
            return Err(Error::new(
                path,
                ErrorKind::Unsupported(format!(
                    "writing ISRCs into {other} files is not supported"
                )),
            ));
        }
    }
    Ok(())
}

fn write_wav(path: &Path, source: &mut File, dest: &mut File, code: &str) -> Result<(), Error> {
    let mut reader = BufReader::new(source);
    let riff = Riff::read(&mut reader).map_err(|e| Error::riff(path, e))?;
    let id3_id = id3_chunk_id(&riff);
    let mut tag = match riff.find(id3_id) {
        Some(chunk) => {
            let data = riff
                .read_chunk(&mut reader, chunk)
                .map_err(|e| Error::riff(path, e))?;
            parse_id3_chunk(&data).ok_or_else(|| {
                Error::new(
                    path,
                    ErrorKind::Malformed(String::from(
                        "the ID3 chunk cannot be read, so it is not rewritten",
                    )),
                )
            })?
        }
        None => Id3v2Tag::default(),
    };
    set_tsrc(&mut tag, code);
    let mut id3 = Vec::new();
    tag.dump_to(&mut id3, id3_write_options(&tag))
        .map_err(|e| lofty_error(path, e))?;
    let axml_id = ChunkId(*b"axml");
    let old_axml = match riff.find(axml_id) {
        Some(chunk) => {
            let data = riff
                .read_chunk(&mut reader, chunk)
                .map_err(|e| Error::riff(path, e))?;
            let text = String::from_utf8(data).map_err(|_| {
                Error::new(
                    path,
                    ErrorKind::Malformed(String::from("the axml chunk is not UTF-8 text")),
                )
            })?;
            Some(text)
        }
        None => None,
    };
    let trimmed = old_axml.as_deref().map(|t| t.trim_end_matches('\0'));
    let code_value: Isrc = code
        .parse()
        .map_err(|_| Error::new(path, ErrorKind::Malformed(String::from("bad code"))))?;
    let mut new_axml = axml::set_isrc(trimmed, code_value)
        .map_err(|e| Error::new(path, ErrorKind::Malformed(e.to_string())))?;
    // Keep the NUL padding some writers reserve after the XML, when the new text fits in it.
    if let Some(old) = &old_axml
        && old.len() > new_axml.len()
        && old.len() - old.trim_end_matches('\0').len() > 0
    {
        let pad = old.len() - new_axml.len();
        new_axml.extend(std::iter::repeat_n('\0', pad));
    }
    let mut writer = BufWriter::new(dest);
    riff.write_edited(
        &mut reader,
        &mut writer,
        &[(id3_id, id3), (axml_id, new_axml.into_bytes())],
    )
    .map_err(|e| Error::riff(path, e))?;
    Ok(())
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
}
