//! Ogg Vorbis, Opus and Speex: the comment header is rewritten by lofty (pictures, stored as
//! `METADATA_BLOCK_PICTURE`, read and written back); the audio pages are compared by their
//! granule positions and payloads.

use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use lofty::config::WriteOptions as LoftyWriteOptions;
use lofty::file::AudioFile;
use lofty::ogg::OggPictureStorage;
use lofty::ogg::tag::VorbisComments;

use super::{Container, Format, Rewrite, full_parse_options, io_error, lofty_error};
use crate::error::Error;
use crate::snapshot::{Snapshot, digest};

/// Ogg Vorbis, Opus and Speex.
pub(super) struct OggFamily;

fn comments(path: &Path, format: Format, file: &mut File) -> Result<VorbisComments, Error> {
    let options = full_parse_options();
    let err = |e| lofty_error(path, e);
    Ok(match format {
        Format::Opus => lofty::ogg::OpusFile::read_from(file, options)
            .map_err(err)?
            .vorbis_comments()
            .clone(),
        Format::Speex => lofty::ogg::SpeexFile::read_from(file, options)
            .map_err(err)?
            .vorbis_comments()
            .clone(),
        _ => lofty::ogg::VorbisFile::read_from(file, options)
            .map_err(err)?
            .vorbis_comments()
            .clone(),
    })
}

fn format_of(path: &Path) -> Result<Format, Error> {
    let mut head = [0u8; 64];
    let mut file = File::open(path).map_err(io_error(path))?;
    let n = file.read(&mut head).map_err(io_error(path))?;
    let head = &head[..n];
    Ok(if head.windows(8).any(|w| w == b"OpusHead") {
        Format::Opus
    } else if head.windows(8).any(|w| w == b"Speex   ") {
        Format::Speex
    } else {
        Format::OggVorbis
    })
}

impl Container for OggFamily {
    fn write(&self, mut job: Rewrite<'_>) -> Result<(), Error> {
        job.copy_source()?;
        let mut tag = comments(job.path, format_of(job.path)?, job.dest)?;
        let _ = tag.remove("ISRC").count();
        tag.push(String::from("ISRC"), job.plan.code.clone());
        job.save(&tag, LoftyWriteOptions::default())
    }

    fn snapshot(&self, path: &Path) -> Result<Snapshot, Error> {
        let mut file = File::open(path).map_err(io_error(path))?;
        let tag = comments(path, format_of(path)?, &mut file)?;
        let mut snap = Snapshot::default();
        snap.add_text("Vorbis comment vendor", tag.vendor());
        for (key, value) in tag.items() {
            if !key.eq_ignore_ascii_case("ISRC") {
                let key = key.to_ascii_uppercase();
                snap.add_text(&format!("Vorbis comment {key}"), value);
            }
        }
        for (picture, info) in tag.pictures() {
            snap.add_text(
                "picture",
                &format!(
                    "{:?} {:?} {:?} {:?} {}",
                    picture.pic_type(),
                    picture.mime_type(),
                    picture.description(),
                    info,
                    digest(picture.data())
                ),
            );
        }
        audio_pages(&mut file, &mut snap).map_err(io_error(path))?;
        Ok(snap)
    }
}

/// Adds every packet of the stream except the comment header (the second packet), and the
/// granule positions of the audio pages, to `snap`: the identification header, the Vorbis
/// setup header and every audio packet must come through a rewrite unchanged, however the
/// header pages are laid out again.
fn audio_pages(file: &mut File, snap: &mut Snapshot) -> io::Result<()> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut reader = BufReader::new(file);
    reader.seek(SeekFrom::Start(0))?;
    let mut at = 0u64;
    let mut header = [0u8; 27];
    let mut packet = Vec::new();
    let mut index = 0usize;
    let mut packets = DefaultHasher::new();
    let mut granules = Vec::new();
    while at + 27 <= len {
        reader.seek(SeekFrom::Start(at))?;
        reader.read_exact(&mut header)?;
        if &header[..4] != b"OggS" {
            break;
        }
        let mut table = vec![0u8; usize::from(header[26])];
        reader.read_exact(&mut table)?;
        for &lace in &table {
            let mut segment = vec![0u8; usize::from(lace)];
            reader.read_exact(&mut segment)?;
            packet.extend_from_slice(&segment);
            if lace < 255 {
                if index != 1 {
                    packets.write_usize(packet.len());
                    packets.write(&packet);
                }
                packet.clear();
                index += 1;
            }
        }
        let granule = u64::from_le_bytes(header[6..14].try_into().unwrap_or([0; 8]));
        if granule != 0 && granule != u64::MAX {
            granules.extend_from_slice(&granule.to_le_bytes());
        }
        let body: u64 = table.iter().map(|&s| u64::from(s)).sum();
        at += 27 + table.len() as u64 + body;
    }
    snap.add_text(
        "Ogg packets but the comment header",
        &format!("{index} packets, {:016x}", packets.finish()),
    );
    snap.add("Ogg granule positions", &granules);
    Ok(())
}
