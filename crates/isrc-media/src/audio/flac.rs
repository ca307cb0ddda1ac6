//! FLAC: the crate's own metadata-block editor. Only the VORBIS_COMMENT block (and, for one
//! track of an album image, that track's ISRC in the CUESHEET block) changes; every other
//! block (STREAMINFO, PICTURE, APPLICATION, SEEKTABLE, CUESHEET) and every audio frame is
//! copied byte for byte, and PADDING shrinks or grows by what the comment block gains or loses
//! when it can, so that the audio does not move.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{Container, Location, MediaInfo, Rewrite, io_error, push_values};
use crate::error::{Error, ErrorKind};
use crate::flac_cue;
use crate::snapshot::Snapshot;

const PADDING: u8 = 1;
const VORBIS_COMMENT: u8 = 4;
const CUESHEET: u8 = 5;

/// One metadata block.
#[derive(Debug, Clone)]
struct Block {
    kind: u8,
    data: Vec<u8>,
}

/// A FLAC file's layout: bytes before the stream marker (an ID3v2 tag), the metadata blocks,
/// and where the audio frames start.
struct Layout {
    prefix: Vec<u8>,
    blocks: Vec<Block>,
    audio_start: u64,
    len: u64,
}

fn malformed(path: &Path, message: impl Into<String>) -> Error {
    Error::new(path, ErrorKind::Malformed(message.into()))
}

fn read_layout(path: &Path, file: &mut File) -> Result<Layout, Error> {
    let len = file.seek(SeekFrom::End(0)).map_err(io_error(path))?;
    file.seek(SeekFrom::Start(0)).map_err(io_error(path))?;
    let mut reader = BufReader::new(file);
    let mut head = [0u8; 10];
    let mut prefix = Vec::new();
    reader.read_exact(&mut head[..4]).map_err(io_error(path))?;
    if &head[..3] == b"ID3" {
        reader.read_exact(&mut head[4..]).map_err(io_error(path))?;
        let size = head[6..10]
            .iter()
            .fold(0u64, |n, b| (n << 7) | u64::from(b & 0x7F));
        prefix.extend_from_slice(&head);
        reader
            .by_ref()
            .take(size)
            .read_to_end(&mut prefix)
            .map_err(io_error(path))?;
        reader.read_exact(&mut head[..4]).map_err(io_error(path))?;
    }
    if &head[..4] != b"fLaC" {
        return Err(malformed(path, "not a FLAC stream"));
    }
    let mut at = prefix.len() as u64 + 4;
    let mut blocks = Vec::new();
    loop {
        let mut header = [0u8; 4];
        reader
            .read_exact(&mut header)
            .map_err(|_| malformed(path, "truncated: the file ends inside its metadata blocks"))?;
        let size = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
        let mut data = vec![0u8; size];
        reader
            .read_exact(&mut data)
            .map_err(|_| malformed(path, "truncated: the file ends inside its metadata blocks"))?;
        at += 4 + size as u64;
        blocks.push(Block {
            kind: header[0] & 0x7F,
            data,
        });
        if header[0] & 0x80 != 0 || blocks.len() > 4096 {
            break;
        }
    }
    Ok(Layout {
        prefix,
        blocks,
        audio_start: at,
        len,
    })
}

/// A Vorbis comment block: vendor and raw `KEY=value` entries.
struct Comments {
    vendor: Vec<u8>,
    entries: Vec<Vec<u8>>,
}

fn parse_comments(data: &[u8]) -> Option<Comments> {
    let le = |at: usize| -> Option<usize> {
        let b = data.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let vendor_len = le(0)?;
    let vendor = data.get(4..4 + vendor_len)?.to_vec();
    let mut at = 4 + vendor_len;
    let count = le(at)?;
    at += 4;
    let mut entries = Vec::new();
    for _ in 0..count {
        let n = le(at)?;
        entries.push(data.get(at + 4..at + 4 + n)?.to_vec());
        at += 4 + n;
    }
    Some(Comments { vendor, entries })
}

fn encode_comments(c: &Comments) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(c.vendor.len() as u32).to_le_bytes());
    out.extend_from_slice(&c.vendor);
    out.extend_from_slice(&(c.entries.len() as u32).to_le_bytes());
    for e in &c.entries {
        out.extend_from_slice(&(e.len() as u32).to_le_bytes());
        out.extend_from_slice(e);
    }
    out
}

fn entry_key(entry: &[u8]) -> &[u8] {
    entry.split(|&b| b == b'=').next().unwrap_or(entry)
}

/// The track of a `CUE_TRACKnn_ISRC` key.
fn cue_track_key(key: &[u8]) -> Option<u8> {
    let key = std::str::from_utf8(key).ok()?.to_ascii_uppercase();
    key.strip_prefix("CUE_TRACK")?
        .strip_suffix("_ISRC")?
        .parse()
        .ok()
}

fn is_isrc_key(key: &[u8]) -> bool {
    key.eq_ignore_ascii_case(b"ISRC") || cue_track_key(key).is_some()
}

/// Replaces every entry whose key `matches` by one `key=code` (where the first was, else at
/// the end).
fn set_entry(c: &mut Comments, key: &str, code: &str) {
    let position = c
        .entries
        .iter()
        .position(|e| entry_key(e).eq_ignore_ascii_case(key.as_bytes()));
    c.entries
        .retain(|e| !entry_key(e).eq_ignore_ascii_case(key.as_bytes()));
    let entry = format!("{key}={code}").into_bytes();
    match position {
        Some(i) => c.entries.insert(i.min(c.entries.len()), entry),
        None => c.entries.push(entry),
    }
}

/// Sets track `track`'s ISRC in a CUESHEET block; an error when the sheet has no such track.
fn set_cuesheet_isrc(data: &mut [u8], track: u8, code: &str) -> Result<(), String> {
    let count = *data.get(395).ok_or("the CUESHEET block is too short")?;
    let mut at = 396usize;
    for _ in 0..count {
        let Some(entry) = data.get_mut(at..at + 36) else {
            break;
        };
        if entry[8] == track {
            entry[9..21].copy_from_slice(code.as_bytes());
            return Ok(());
        }
        at += 36 + usize::from(entry[35]) * 12;
    }
    Err(format!("the CUESHEET block has no track {track}"))
}

/// A copy of a CUESHEET block with every track's ISRC blanked, for the comparison.
fn cuesheet_without_isrcs(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    let count = out.get(395).copied().unwrap_or(0);
    let mut at = 396usize;
    for _ in 0..count {
        let Some(entry) = out.get_mut(at..at + 36) else {
            break;
        };
        entry[9..21].fill(0);
        at += 36 + usize::from(entry[35]) * 12;
    }
    out
}

/// The tracks of the file's CUESHEET block.
pub(crate) fn cuesheet_tracks(path: &Path) -> Result<Vec<u8>, Error> {
    let mut file = File::open(path).map_err(io_error(path))?;
    let layout = read_layout(path, &mut file)?;
    let mut out = Vec::new();
    for block in layout.blocks.iter().filter(|b| b.kind == CUESHEET) {
        let count = block.data.get(395).copied().unwrap_or(0);
        let mut at = 396usize;
        for _ in 0..count {
            let Some(entry) = block.data.get(at..at + 36) else {
                break;
            };
            if entry[8] != 170 {
                out.push(entry[8]);
            }
            at += 36 + usize::from(entry[35]) * 12;
        }
    }
    Ok(out)
}

/// FLAC.
pub(super) struct FlacFamily;

impl Container for FlacFamily {
    fn read_more(&self, path: &Path, info: &mut MediaInfo) -> Result<(), Error> {
        let mut file = File::open(path).map_err(io_error(path))?;
        let Ok(layout) = read_layout(path, &mut file) else {
            return Ok(()); // lofty read it; its own errors speak for it.
        };
        for block in &layout.blocks {
            match block.kind {
                VORBIS_COMMENT => {
                    let Some(comments) = parse_comments(&block.data) else {
                        continue;
                    };
                    info.forget(|l| l == Location::VorbisComment);
                    for entry in &comments.entries {
                        let key = entry_key(entry);
                        let value =
                            String::from_utf8_lossy(entry.get(key.len() + 1..).unwrap_or(&[]));
                        if key.eq_ignore_ascii_case(b"ISRC") {
                            push_values(&mut info.isrcs, Location::VorbisComment, &value);
                        } else if let Some(track) = cue_track_key(key) {
                            push_values(
                                &mut info.isrcs,
                                Location::VorbisCueTrack { track },
                                &value,
                            );
                        }
                    }
                }
                CUESHEET => {
                    for track in flac_cue::parse_cuesheet_block(&block.data) {
                        info.isrcs.push(super::FoundIsrc {
                            location: Location::FlacCuesheet { track: track.track },
                            value: track.value,
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn write(&self, job: Rewrite<'_>) -> Result<(), Error> {
        let (path, source, dest, plan) = (job.path, job.source, job.dest, job.plan);
        let layout = read_layout(path, source)?;
        let mut blocks = layout.blocks.clone();
        let old_len: usize = blocks
            .iter()
            .filter(|b| b.kind == VORBIS_COMMENT || b.kind == CUESHEET)
            .map(|b| b.data.len())
            .sum();
        if !blocks.iter().any(|b| b.kind == VORBIS_COMMENT) {
            // After STREAMINFO and the blocks before the first PADDING.
            let at = blocks
                .iter()
                .position(|b| b.kind == PADDING)
                .unwrap_or(blocks.len())
                .max(1);
            let empty = Comments {
                vendor: b"isrc".to_vec(),
                entries: Vec::new(),
            };
            blocks.insert(
                at,
                Block {
                    kind: VORBIS_COMMENT,
                    data: encode_comments(&empty),
                },
            );
        }
        let mut seen_comments = false;
        for block in &mut blocks {
            match block.kind {
                VORBIS_COMMENT if !seen_comments => {
                    seen_comments = true;
                    let mut comments = parse_comments(&block.data).ok_or_else(|| {
                        malformed(path, "the VORBIS_COMMENT block cannot be read")
                    })?;
                    for location in &plan.locations {
                        match location {
                            Location::VorbisComment => set_entry(&mut comments, "ISRC", &plan.code),
                            Location::VorbisCueTrack { track } => set_entry(
                                &mut comments,
                                &format!("CUE_TRACK{track:02}_ISRC"),
                                &plan.code,
                            ),
                            _ => {}
                        }
                    }
                    block.data = encode_comments(&comments);
                }
                CUESHEET => {
                    for location in &plan.locations {
                        if let Location::FlacCuesheet { track } = location {
                            set_cuesheet_isrc(&mut block.data, *track, &plan.code)
                                .map_err(|m| Error::new(path, ErrorKind::Unsupported(m)))?;
                        }
                    }
                }
                _ => {}
            }
        }
        let new_len: usize = blocks
            .iter()
            .filter(|b| b.kind == VORBIS_COMMENT || b.kind == CUESHEET)
            .map(|b| b.data.len())
            .sum::<usize>()
            + 4 * (blocks.len() - layout.blocks.len());
        // Let the padding take up the difference, so that the audio stays where it was.
        if let Some(padding) = blocks.iter_mut().find(|b| b.kind == PADDING) {
            if new_len > old_len && padding.data.len() >= new_len - old_len {
                padding
                    .data
                    .truncate(padding.data.len() - (new_len - old_len));
            } else if new_len < old_len {
                padding
                    .data
                    .resize(padding.data.len() + (old_len - new_len), 0);
            }
        }
        let mut out = BufWriter::new(dest);
        let w = |e: io::Error| Error::io(path, e);
        out.write_all(&layout.prefix).map_err(w)?;
        out.write_all(b"fLaC").map_err(w)?;
        let count = blocks.len();
        for (i, block) in blocks.iter().enumerate() {
            if block.data.len() >= 1 << 24 {
                return Err(malformed(path, "a metadata block would exceed 16 MiB"));
            }
            let size = (block.data.len() as u32).to_be_bytes();
            let last = if i + 1 == count { 0x80 } else { 0 };
            out.write_all(&[block.kind | last, size[1], size[2], size[3]])
                .map_err(w)?;
            out.write_all(&block.data).map_err(w)?;
        }
        source
            .seek(SeekFrom::Start(layout.audio_start))
            .map_err(w)?;
        io::copy(source, &mut out).map_err(w)?;
        out.flush().map_err(w)?;
        Ok(())
    }

    fn snapshot(&self, path: &Path) -> Result<Snapshot, Error> {
        let mut file = File::open(path).map_err(io_error(path))?;
        let layout = read_layout(path, &mut file)?;
        let mut snap = Snapshot::default();
        snap.add("bytes before fLaC", &layout.prefix);
        for block in &layout.blocks {
            match block.kind {
                PADDING => {}
                VORBIS_COMMENT => {
                    let comments = parse_comments(&block.data).ok_or_else(|| {
                        malformed(path, "the VORBIS_COMMENT block cannot be read")
                    })?;
                    snap.add("Vorbis comment vendor", &comments.vendor);
                    for entry in comments
                        .entries
                        .iter()
                        .filter(|e| !is_isrc_key(entry_key(e)))
                    {
                        let key = String::from_utf8_lossy(entry_key(entry)).to_ascii_uppercase();
                        snap.add(&format!("Vorbis comment {key}"), entry);
                    }
                }
                CUESHEET => snap.add("CUESHEET block", &cuesheet_without_isrcs(&block.data)),
                kind => {
                    let name = match kind {
                        0 => "STREAMINFO",
                        2 => "APPLICATION",
                        3 => "SEEKTABLE",
                        6 => "PICTURE",
                        _ => "reserved",
                    };
                    snap.add(&format!("{name} block"), &block.data);
                }
            }
        }
        snap.add_range("audio frames", &mut file, (layout.audio_start, layout.len))
            .map_err(io_error(path))?;
        Ok(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            "(TITLE|ARTIST|ISRC|isrc|CUE_TRACK01_ISRC|COMMENT)=[ -~]{0,20}"
                .prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..24),
        ]
    }

    proptest! {
        /// Setting the ISRC keeps every other entry, byte for byte and in order, and the
        /// vendor; the block reads back with exactly one ISRC.
        #[test]
        fn setting_the_isrc_keeps_every_other_comment(
            vendor in proptest::collection::vec(any::<u8>(), 0..16),
            entries in proptest::collection::vec(entry(), 0..12),
        ) {
            let mut comments = Comments { vendor: vendor.clone(), entries: entries.clone() };
            set_entry(&mut comments, "ISRC", "CBYZ92200001");
            let block = encode_comments(&comments);
            let back = parse_comments(&block).unwrap();
            prop_assert_eq!(&back.vendor, &vendor);
            let others = |list: &[Vec<u8>]| -> Vec<Vec<u8>> {
                list.iter().filter(|e| !entry_key(e).eq_ignore_ascii_case(b"ISRC")).cloned().collect()
            };
            prop_assert_eq!(others(&back.entries), others(&entries));
            let isrcs: Vec<&[u8]> = back
                .entries
                .iter()
                .filter(|e| entry_key(e).eq_ignore_ascii_case(b"ISRC"))
                .map(Vec::as_slice)
                .collect();
            prop_assert_eq!(isrcs, vec![&b"ISRC=CBYZ92200001"[..]]);
        }
    }

    #[test]
    fn cue_track_keys() {
        assert_eq!(cue_track_key(b"CUE_TRACK02_ISRC"), Some(2));
        assert_eq!(cue_track_key(b"cue_track12_isrc"), Some(12));
        assert_eq!(cue_track_key(b"CUE_TRACK_ISRC"), None);
        assert!(is_isrc_key(b"Isrc"));
    }
}
