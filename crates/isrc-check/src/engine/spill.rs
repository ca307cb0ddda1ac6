//! The spill file of the index: partitions written out when the index passes its memory
//! budget, and read back one partition at a time at the end.
//!
//! The file is created already unlinked ([`tempfile::tempfile`]: `O_TMPFILE` on Linux), in
//! the directory of temporary files (`TMPDIR`, else `/tmp`): no name is ever left behind,
//! whether the check succeeds, fails, or is stopped by Ctrl-C, SIGTERM or even SIGKILL; the
//! space is freed when the process ends.

use std::fs::File;
use std::io::{self, Write};
use std::num::NonZeroU32;

use super::index::{Meta, PARTITIONS, Part};

/// One partition's records written in one go: where, and how many of each kind.
#[derive(Clone, Copy)]
struct Segment {
    offset: u64,
    pages: u32,
    keys: u32,
    placed: u32,
    described: u32,
}

impl Segment {
    fn bytes(&self) -> usize {
        self.pages as usize * 40
            + self.keys as usize * 8
            + self.placed as usize * 16
            + self.described as usize * 32
    }
}

/// The spill file and where each partition's segments are in it.
pub(super) struct Spill {
    file: File,
    len: u64,
    segments: Vec<Vec<Segment>>,
    buffer: Vec<u8>,
}

impl Spill {
    /// A new, empty, unnamed temporary file.
    pub(super) fn create() -> io::Result<Spill> {
        Ok(Spill {
            file: tempfile::tempfile()?,
            len: 0,
            segments: vec![Vec::new(); PARTITIONS],
            buffer: Vec::new(),
        })
    }

    /// Bytes written so far.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    /// Appends the records of partition `p`.
    pub(super) fn write(&mut self, p: usize, part: &Part) -> io::Result<()> {
        if part.is_empty() {
            return Ok(());
        }
        // Segments hold at most u32::MAX records of a kind; a partition holds far fewer
        // between two spills (the budget is a few GB at most).
        let count = |n: usize| u32::try_from(n).map_err(io::Error::other);
        let segment = Segment {
            offset: self.len,
            pages: count(part.pages.len())?,
            keys: count(part.keys.len())?,
            placed: count(part.placed.len())?,
            described: count(part.described.len())?,
        };
        let out = &mut self.buffer;
        out.clear();
        out.reserve(segment.bytes());
        for (page, bits) in &part.pages {
            out.extend_from_slice(&page.to_le_bytes());
            for w in bits {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        for key in &part.keys {
            out.extend_from_slice(&key.to_le_bytes());
        }
        for (key, pos) in &part.placed {
            out.extend_from_slice(&key.to_le_bytes());
            out.extend_from_slice(&pos.to_le_bytes());
        }
        for (key, pos, meta) in &part.described {
            out.extend_from_slice(&key.to_le_bytes());
            out.extend_from_slice(&pos.to_le_bytes());
            out.extend_from_slice(&meta.title_artist.map_or(0, NonZeroU32::get).to_le_bytes());
            out.extend_from_slice(&meta.version.map_or(0, NonZeroU32::get).to_le_bytes());
            out.extend_from_slice(&meta.duration[0].to_bits().to_le_bytes());
            out.extend_from_slice(&meta.duration[1].to_bits().to_le_bytes());
        }
        self.file.write_all(out)?;
        self.len += out.len() as u64;
        self.segments[p].push(segment);
        if self.buffer.capacity() > 1 << 22 {
            self.buffer = Vec::new();
        }
        Ok(())
    }

    /// Adds to `part` the records of partition `p` written earlier.
    pub(super) fn read(&self, p: usize, part: &mut Part) -> io::Result<()> {
        let mut bytes = Vec::new();
        for segment in &self.segments[p] {
            bytes.resize(segment.bytes(), 0);
            read_at(&self.file, &mut bytes, segment.offset)?;
            let mut words = bytes
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()));
            let mut next = || words.next().unwrap_or_default();
            for _ in 0..segment.pages {
                let page = next();
                part.pages.push((page, [next(), next(), next(), next()]));
            }
            for _ in 0..segment.keys {
                let key = next();
                part.keys.push(key);
            }
            for _ in 0..segment.placed {
                let (key, pos) = (next(), next());
                part.placed.push((key, pos));
            }
            for _ in 0..segment.described {
                let (key, pos, fingerprints, duration) = (next(), next(), next(), next());
                let half = |w: u64, high: bool| if high { (w >> 32) as u32 } else { w as u32 };
                part.described.push((
                    key,
                    pos,
                    Meta {
                        title_artist: NonZeroU32::new(half(fingerprints, false)),
                        version: NonZeroU32::new(half(fingerprints, true)),
                        duration: [
                            f32::from_bits(half(duration, false)),
                            f32::from_bits(half(duration, true)),
                        ],
                    },
                ));
            }
        }
        Ok(())
    }
}

/// Reads `out.len()` bytes at `offset` (the file's position is not used).
#[cfg(unix)]
pub(super) fn read_at(file: &File, out: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, out, offset)
}

/// Reads `out.len()` bytes at `offset` (the file's position is not used).
#[cfg(windows)]
pub(super) fn read_at(file: &File, mut out: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !out.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, out, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                out = &mut out[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}
