//! WAV/BWF (RIFF and RF64) through the crate's own chunk editor ([`crate::riff`]): the ISRC
//! goes to the ID3 chunk (`TSRC`; a new chunk is named `id3 `, the spelling MediaInfo needs
//! and exiftool and mutagen read too) and to the BWF `axml` chunk (EBU Tech 3352). A RIFF
//! INFO `ISRC` (which means "Source" but is where ffmpeg writes and ffprobe reads an ISRC) is
//! replaced when one is there, never added. Every other chunk is kept byte for byte.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Duration;

use isrc::Isrc;
use lofty::id3::v2::{FrameId, Id3v2Tag};
use lofty::tag::TagExt;

use super::id3::{self, TIT2, TPE1};
use super::{Container, Location, MediaInfo, Rewrite, lofty_error, push_values};
use crate::axml;
use crate::error::{Error, ErrorKind};
use crate::riff::{ChunkId, Riff};
use crate::snapshot::Snapshot;

/// WAV/BWF.
pub(super) struct WavFamily;

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

/// The chunk id of the WAV file's ID3 chunk: the one there (`ID3 ` or `id3 `), else `id3 `.
fn id3_chunk_id(riff: &Riff) -> ChunkId {
    riff.chunks()
        .iter()
        .map(|c| c.id)
        .find(|id| id.0.eq_ignore_ascii_case(b"id3 "))
        .unwrap_or(ChunkId(*b"id3 "))
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

/// A `LIST` chunk body (`INFO` and subchunks) with every `ISRC` subchunk's value replaced by
/// `code` (NUL-terminated, as the other values); the other subchunks are kept byte for byte.
fn info_with_isrc(data: &[u8], code: &str) -> Vec<u8> {
    let mut out = data[..4].to_vec();
    let mut rest = &data[4..];
    while rest.len() >= 8 {
        let size = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        let total = (8 + size + size % 2).min(rest.len());
        if &rest[..4] == b"ISRC" {
            let mut value = code.as_bytes().to_vec();
            value.push(0);
            out.extend_from_slice(b"ISRC");
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
            out.extend_from_slice(&value);
            if value.len() % 2 == 1 {
                out.push(0);
            }
        } else {
            out.extend_from_slice(&rest[..total]);
        }
        rest = &rest[total..];
    }
    out.extend_from_slice(rest);
    out
}

fn riff_of(path: &Path) -> Result<(Riff, BufReader<File>), Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::new(file);
    let riff = Riff::read(&mut reader).map_err(|e| Error::riff(path, e))?;
    Ok((riff, reader))
}

fn info_list(
    riff: &Riff,
    reader: &mut BufReader<File>,
    path: &Path,
) -> Result<Option<(ChunkId, Vec<u8>)>, Error> {
    for chunk in riff.chunks().iter().filter(|c| &c.id.0 == b"LIST") {
        let data = riff
            .read_chunk(reader, chunk)
            .map_err(|e| Error::riff(path, e))?;
        if data.starts_with(b"INFO") {
            return Ok(Some((chunk.id, data)));
        }
    }
    Ok(None)
}

impl Container for WavFamily {
    fn read_more(&self, path: &Path, info: &mut MediaInfo) -> Result<(), Error> {
        let (riff, mut reader) = riff_of(path)?;
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
                    match (id3::scan(&data), id3::parse_chunk(&data)) {
                        (Some(raw), Some(tag)) => {
                            id3::push_raw(info, &raw, true);
                            info.title = first_id3_text(&tag, &TIT2);
                            info.artist = first_id3_text(&tag, &TPE1);
                        }
                        _ => info
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
        info.title = info.title.take().or(info_title);
        info.artist = info.artist.take().or(info_artist);
        if let Some(size) = data_size
            && byte_rate > 0
        {
            info.duration = Some(Duration::from_secs_f64(size as f64 / f64::from(byte_rate)));
        }
        Ok(())
    }

    fn write(&self, job: Rewrite<'_>) -> Result<(), Error> {
        let (path, source, dest, plan) = (job.path, job.source, job.dest, job.plan);
        let code = plan.code.as_str();
        let mut reader = BufReader::new(source);
        let riff = Riff::read(&mut reader).map_err(|e| Error::riff(path, e))?;
        let id3_id = id3_chunk_id(&riff);
        let mut tag = match riff.find(id3_id) {
            Some(chunk) => {
                let data = riff
                    .read_chunk(&mut reader, chunk)
                    .map_err(|e| Error::riff(path, e))?;
                id3::parse_chunk(&data).ok_or_else(|| {
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
        id3::set_isrc(
            &mut tag,
            code,
            plan.writes(|l| matches!(l, Location::WavId3UserText { .. })),
        );
        let mut id3_bytes = Vec::new();
        tag.dump_to(&mut id3_bytes, id3::write_options(&tag))
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
        let mut edits = vec![(id3_id, id3_bytes), (axml_id, new_axml.into_bytes())];
        if plan.writes(|l| l == Location::RiffInfo) {
            let file = reader.get_mut();
            let mut again = BufReader::new(&mut *file);
            for chunk in riff.chunks().iter().filter(|c| &c.id.0 == b"LIST") {
                let data = riff
                    .read_chunk(&mut again, chunk)
                    .map_err(|e| Error::riff(path, e))?;
                if data.starts_with(b"INFO") {
                    edits.push((chunk.id, info_with_isrc(&data, code)));
                    break;
                }
            }
        }
        let mut writer = BufWriter::new(dest);
        riff.write_edited(&mut reader, &mut writer, &edits)
            .map_err(|e| Error::riff(path, e))?;
        writer.flush().map_err(|e| Error::io(path, e))?;
        Ok(())
    }

    fn snapshot(&self, path: &Path) -> Result<Snapshot, Error> {
        let (riff, mut reader) = riff_of(path)?;
        let mut snap = Snapshot::default();
        let info = info_list(&riff, &mut reader, path)?;
        for chunk in riff.chunks() {
            let id = chunk.id;
            let mut data = || {
                riff.read_chunk(&mut reader, chunk)
                    .map_err(|e| Error::riff(path, e))
            };
            if id.0.eq_ignore_ascii_case(b"id3 ") {
                let data = data()?;
                let tag = id3::parse_chunk(&data).ok_or_else(|| {
                    Error::new(
                        path,
                        ErrorKind::Malformed("the ID3 chunk cannot be read".into()),
                    )
                })?;
                id3::snapshot_tag(&mut snap, "ID3 chunk", &tag);
            } else if &id.0 == b"axml" {
                let text = String::from_utf8_lossy(&data()?).into_owned();
                // Everything but the ISRC: both sides with the same placeholder code.
                let normal = match "QZAAA0000001".parse::<Isrc>() {
                    Ok(placeholder) => {
                        axml::set_isrc(Some(text.trim_end_matches('\0')), placeholder)
                            .unwrap_or(text)
                    }
                    Err(_) => text,
                };
                // An axml chunk that holds nothing but the ISRC is the one a write adds.
                let only_isrc = "QZAAA0000001"
                    .parse::<Isrc>()
                    .ok()
                    .and_then(|p| axml::set_isrc(None, p).ok());
                if only_isrc.as_deref() != Some(normal.trim_end_matches('\0')) {
                    snap.add_text("axml chunk", normal.trim_end_matches('\0'));
                }
            } else if info.as_ref().is_some_and(|(info_id, _)| *info_id == id) && &id.0 == b"LIST" {
                for (sub, value) in
                    info_entries(&info.as_ref().map(|i| i.1.clone()).unwrap_or_default()[4..])
                {
                    if &sub != b"ISRC" {
                        snap.add_text(
                            &format!("RIFF INFO {}", String::from_utf8_lossy(&sub)),
                            &value,
                        );
                    }
                }
            } else if &id.0 == b"data" {
                snap.add_range(
                    "data chunk",
                    &mut reader,
                    (chunk.data_offset(), chunk.data_offset() + chunk.size),
                )
                .map_err(|e| Error::io(path, e))?;
            } else {
                snap.add(&format!("{id} chunk"), &data()?);
            }
        }
        Ok(snap)
    }
}
