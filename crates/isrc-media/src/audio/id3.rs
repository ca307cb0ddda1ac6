//! ID3v2: MP3 and AIFF files, and the tag of a WAV file's `ID3 ` chunk.
//!
//! lofty parses and writes the tags; its parser keeps only the last of several `TSRC` frames,
//! so the ISRCs are read from the raw frames here ([`scan`]), which also finds `TXXX:ISRC`.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use lofty::config::WriteOptions as LoftyWriteOptions;
use lofty::file::AudioFile;
use lofty::id3::v2::{
    ExtendedTextFrame, Frame, FrameId, Id3v2Tag, Id3v2Version, TextInformationFrame,
};

use super::{
    Container, Format, Location, MediaInfo, Rewrite, full_parse_options, io_error, lofty_error,
    push_values,
};
use crate::error::{Error, ErrorKind};
use crate::snapshot::Snapshot;
use crate::{integrity, snapshot};

pub(super) const TSRC: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TSRC"));
pub(super) const TIT2: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TIT2"));
pub(super) const TPE1: FrameId<'static> = FrameId::Valid(Cow::Borrowed("TPE1"));

/// The ISRCs of one ID3v2 tag, read from its raw frames.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct RawIsrcs {
    /// The minor version (2, 3 or 4).
    pub version: u8,
    /// The text of every `TSRC` (`TRC` in v2.2) frame, in order.
    pub tsrc: Vec<String>,
    /// The value of every `TXXX` (`TXX`) frame described `ISRC` (any case), in order.
    pub user_text: Vec<String>,
}

fn synchsafe(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .fold(0usize, |n, b| (n << 7) | usize::from(b & 0x7F))
}

fn unsynchronise(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        out.push(data[i]);
        if data[i] == 0xFF && data.get(i + 1) == Some(&0) {
            i += 1;
        }
        i += 1;
    }
    out
}

/// Decodes an ID3v2 text frame body (encoding byte, then text).
fn decode_text(body: &[u8]) -> Option<String> {
    let (&encoding, text) = body.split_first()?;
    Some(match encoding {
        0 => text.iter().map(|&b| b as char).collect(),
        1 | 2 => {
            let mut units: Vec<u16> = text
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            let mut little = false;
            if encoding == 1 {
                // A BOM starts each string; the first one decides.
                match units.first() {
                    Some(0xFFFE) => little = true,
                    Some(0xFEFF) => {}
                    _ => {}
                }
            }
            if little {
                for u in &mut units {
                    *u = u.swap_bytes();
                }
            }
            units.retain(|&u| u != 0xFEFF);
            String::from_utf16_lossy(&units)
        }
        3 => String::from_utf8_lossy(text).into_owned(),
        _ => return None,
    })
}

/// Reads the ISRCs of the ID3v2 tag at the start of `data` (which holds at least the whole
/// tag), or `None` when `data` does not start with one.
pub(crate) fn scan(data: &[u8]) -> Option<RawIsrcs> {
    if data.len() < 10 || &data[..3] != b"ID3" {
        return None;
    }
    let version = data[3];
    let flags = data[5];
    let size = synchsafe(&data[6..10]);
    let body = data.get(10..10 + size).unwrap_or(&data[10..]);
    let body: Cow<[u8]> = if flags & 0x80 != 0 && version < 4 {
        Cow::Owned(unsynchronise(body))
    } else {
        Cow::Borrowed(body)
    };
    let mut at = 0usize;
    if flags & 0x40 != 0 && version >= 3 {
        let raw = body.get(..4)?;
        at = if version == 3 {
            4 + u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]) as usize
        } else {
            synchsafe(raw)
        };
    }
    let mut out = RawIsrcs {
        version,
        ..RawIsrcs::default()
    };
    let (id_len, header_len) = if version == 2 { (3, 6) } else { (4, 10) };
    while at + header_len <= body.len() {
        let header = &body[at..at + header_len];
        if header[0] == 0 {
            break; // padding
        }
        let id = &header[..id_len];
        let (size, frame_flags) = match version {
            2 => (
                u32::from_be_bytes([0, header[3], header[4], header[5]]) as usize,
                0u8,
            ),
            3 => (
                u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize,
                header[9],
            ),
            _ => (synchsafe(&header[4..8]), header[9]),
        };
        let start = at + header_len;
        let Some(raw) = body.get(start..start + size) else {
            break;
        };
        at = start + size;
        let compressed_or_encrypted = match version {
            3 => frame_flags & 0xC0 != 0,
            4 => frame_flags & 0x0C != 0,
            _ => false,
        };
        if compressed_or_encrypted {
            continue;
        }
        let mut raw: Cow<[u8]> = Cow::Borrowed(raw);
        if version == 4 {
            if frame_flags & 0x01 != 0 {
                raw = Cow::Owned(raw.get(4..).unwrap_or(&[]).to_vec());
            }
            if frame_flags & 0x02 != 0 || flags & 0x80 != 0 {
                raw = Cow::Owned(unsynchronise(&raw));
            }
        }
        match id {
            b"TSRC" | b"TRC" => {
                if let Some(text) = decode_text(&raw) {
                    out.tsrc.push(text);
                }
            }
            b"TXXX" | b"TXX" => {
                if let Some(text) = decode_text(&raw)
                    && let Some((description, value)) = text.split_once('\0')
                    && description.trim().eq_ignore_ascii_case("ISRC")
                {
                    out.user_text.push(value.to_string());
                }
            }
            _ => {}
        }
    }
    Some(out)
}

/// Pushes the ISRCs of a raw scan to `info`.
pub(super) fn push_raw(info: &mut MediaInfo, raw: &RawIsrcs, in_wav: bool) {
    let version = Some(raw.version);
    let (tsrc, user) = if in_wav {
        (
            Location::WavId3 { version },
            Location::WavId3UserText { version },
        )
    } else {
        (
            Location::Id3v2 { version },
            Location::Id3v2UserText { version },
        )
    };
    for value in &raw.tsrc {
        push_values(&mut info.isrcs, tsrc, value);
    }
    for value in &raw.user_text {
        push_values(&mut info.isrcs, user, value);
    }
}

/// Sets the code in a parsed tag: one `TSRC` (every old one removed), and in `TXXX:ISRC`
/// frames when the plan says one was found (their description kept, duplicates merged).
pub(super) fn set_isrc(tag: &mut Id3v2Tag, code: &str, user_text: bool) {
    let _ = tag.remove(&TSRC).count();
    tag.insert(Frame::Text(TextInformationFrame::new(
        TSRC,
        lofty::TextEncoding::Latin1,
        code.to_string(),
    )));
    if user_text {
        let mut description = None;
        tag.retain(|frame| match frame {
            Frame::UserText(ExtendedTextFrame { description: d, .. })
                if d.trim().eq_ignore_ascii_case("ISRC") =>
            {
                description.get_or_insert_with(|| d.to_string());
                false
            }
            _ => true,
        });
        let description = description.unwrap_or_else(|| String::from("ISRC"));
        tag.insert(Frame::UserText(ExtendedTextFrame::new(
            lofty::TextEncoding::Latin1,
            description,
            code.to_string(),
        )));
    }
}

pub(super) fn write_options(tag: &Id3v2Tag) -> LoftyWriteOptions {
    LoftyWriteOptions::default().use_id3v23(tag.original_version() == Id3v2Version::V3)
}

fn is_isrc_frame(frame: &Frame<'_>) -> bool {
    match frame {
        Frame::UserText(ExtendedTextFrame { description, .. }) => {
            description.trim().eq_ignore_ascii_case("ISRC")
        }
        other => other.id_str() == "TSRC",
    }
}

/// Adds every frame of `tag` except the ISRC ones to `snap`.
pub(super) fn snapshot_tag(snap: &mut Snapshot, place: &str, tag: &Id3v2Tag) {
    for frame in tag.into_iter().filter(|f| !is_isrc_frame(f)) {
        snap.add_text(
            &format!("{place} {}", frame.id_str()),
            &frame_content(frame),
        );
    }
}

/// A frame's content, without its header flags (which a rewrite may normalise).
fn frame_content(frame: &Frame<'_>) -> String {
    match frame {
        Frame::Text(f) => format!("{:?} {}", f.encoding, f.value),
        Frame::UserText(f) => format!("{:?} {}={}", f.encoding, f.description, f.content),
        Frame::Comment(f) => format!(
            "{:?} {} {}={}",
            f.encoding,
            f.language.escape_ascii(),
            f.description,
            f.content
        ),
        Frame::Picture(f) => format!(
            "{:?} {:?} {:?} {:?} {}",
            f.encoding,
            f.picture.pic_type(),
            f.picture.mime_type(),
            f.picture.description(),
            snapshot::digest(f.picture.data())
        ),
        other => format!("{other:?}").replace('\n', " "),
    }
}

/// Parses the ID3v2 tag held by a WAV or AIFF `ID3 ` chunk, through lofty's WAV reader on a
/// minimal in-memory WAVE holding only that chunk (pictures included).
pub(super) fn parse_chunk(data: &[u8]) -> Option<Id3v2Tag> {
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
    let options = full_parse_options().read_properties(false);
    let file = lofty::iff::wav::WavFile::read_from(&mut Cursor::new(wav), options).ok()?;
    file.id3v2().cloned()
}

/// MP3 and AIFF.
pub(super) struct Id3Family;

/// The raw bytes of the ID3v2 tag at the start of an MP3 file (empty when there is none).
fn mp3_tag_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    let mut file = File::open(path).map_err(io_error(path))?;
    let mut head = [0u8; 10];
    if file.read_exact(&mut head).is_err() || &head[..3] != b"ID3" {
        return Ok(Vec::new());
    }
    let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
    let size = synchsafe(&head[6..10]) + footer;
    let mut data = head.to_vec();
    file.take(size as u64)
        .read_to_end(&mut data)
        .map_err(io_error(path))?;
    Ok(data)
}

/// The chunks of an AIFF/AIFC file: (id, offset of the data, size).
fn aiff_chunks(file: &mut File) -> std::io::Result<Vec<([u8; 4], u64, u64)>> {
    let len = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(12))?;
    let mut at = 12u64;
    let mut out = Vec::new();
    let mut header = [0u8; 8];
    while at + 8 <= len {
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut header)?;
        let size = u64::from(u32::from_be_bytes([
            header[4], header[5], header[6], header[7],
        ]));
        let id = [header[0], header[1], header[2], header[3]];
        out.push((id, at + 8, size));
        at += 8 + size + size % 2;
    }
    Ok(out)
}

fn aiff_id3_chunk(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    let mut file = File::open(path).map_err(io_error(path))?;
    for (id, offset, size) in aiff_chunks(&mut file).map_err(io_error(path))? {
        if id.eq_ignore_ascii_case(b"id3 ") {
            file.seek(SeekFrom::Start(offset)).map_err(io_error(path))?;
            let mut data = Vec::new();
            file.take(size)
                .read_to_end(&mut data)
                .map_err(io_error(path))?;
            return Ok(Some(data));
        }
    }
    Ok(None)
}

impl Container for Id3Family {
    fn read_more(&self, path: &Path, info: &mut MediaInfo) -> Result<(), Error> {
        let data = if info.format == Format::Mp3 {
            Some(mp3_tag_bytes(path)?)
        } else {
            aiff_id3_chunk(path)?
        };
        if let Some(raw) = data.as_deref().and_then(scan) {
            info.forget(|l| matches!(l, Location::Id3v2 { .. }));
            push_raw(info, &raw, false);
        }
        Ok(())
    }

    fn write(&self, mut job: Rewrite<'_>) -> Result<(), Error> {
        job.copy_source()?;
        let (path, plan) = (job.path, job.plan);
        let user_text = plan.writes(|l| matches!(l, Location::Id3v2UserText { .. }));
        let err = |e| lofty_error(path, e);
        let (mut tag, ape) = if is_mp3(path)? {
            let parsed =
                lofty::mpeg::MpegFile::read_from(job.dest, full_parse_options()).map_err(err)?;
            (
                parsed.id3v2().cloned().unwrap_or_default(),
                parsed.ape().cloned(),
            )
        } else {
            let parsed = lofty::iff::aiff::AiffFile::read_from(job.dest, full_parse_options())
                .map_err(err)?;
            (parsed.id3v2().cloned().unwrap_or_default(), None)
        };
        set_isrc(&mut tag, &plan.code, user_text);
        job.save(&tag, write_options(&tag))?;
        if plan.writes(|l| l == Location::Ape)
            && let Some(mut ape) = ape
        {
            super::ape::set_isrc(path, &mut ape, &plan.code)?;
            job.save(&ape, LoftyWriteOptions::default())?;
        }
        Ok(())
    }

    fn snapshot(&self, path: &Path) -> Result<Snapshot, Error> {
        let mut snap = Snapshot::default();
        if is_mp3(path)? {
            let mut file = File::open(path).map_err(io_error(path))?;
            let parsed = lofty::mpeg::MpegFile::read_from(&mut file, full_parse_options())
                .map_err(|e| lofty_error(path, e))?;
            if let Some(tag) = parsed.id3v2() {
                snapshot_tag(&mut snap, "ID3v2", tag);
            }
            if let Some(ape) = parsed.ape() {
                super::ape::snapshot_tag(&mut snap, ape);
            }
            if let Some(v1) = parsed.id3v1() {
                snap.add_text("ID3v1", &format!("{v1:?}"));
            }
            let span = integrity::mp3_audio_span(&mut file).map_err(io_error(path))?;
            snap.add_range("MPEG audio frames", &mut file, span)
                .map_err(io_error(path))?;
        } else {
            let mut file = File::open(path).map_err(io_error(path))?;
            for (id, offset, size) in aiff_chunks(&mut file).map_err(io_error(path))? {
                if id.eq_ignore_ascii_case(b"id3 ") {
                    file.seek(SeekFrom::Start(offset)).map_err(io_error(path))?;
                    let mut data = Vec::new();
                    file.by_ref()
                        .take(size)
                        .read_to_end(&mut data)
                        .map_err(io_error(path))?;
                    let tag = parse_chunk(&data).ok_or_else(|| {
                        Error::new(
                            path,
                            ErrorKind::Malformed("the ID3 chunk cannot be read".into()),
                        )
                    })?;
                    snapshot_tag(&mut snap, "ID3v2", &tag);
                } else {
                    let label = format!("AIFF chunk {}", String::from_utf8_lossy(&id));
                    snap.add_range(&label, &mut file, (offset, offset + size))
                        .map_err(io_error(path))?;
                }
            }
        }
        Ok(snap)
    }
}

fn is_mp3(path: &Path) -> Result<bool, Error> {
    let mut file = File::open(path).map_err(io_error(path))?;
    let mut head = [0u8; 4];
    let n = file.read(&mut head).map_err(io_error(path))?;
    Ok(!(n == 4 && &head == b"FORM"))
}
