//! A small RIFF/RF64 chunk reader and editor for WAV and BWF files.
//!
//! It reads the chunk list without loading the audio, and writes a copy in which some chunks
//! are replaced or added while every other chunk, its padding byte, their order and any bytes
//! after the RIFF form are kept as they were. RF64 files (EBU Tech 3306) are understood: their
//! `ds64` chunk gives the real sizes, and its RIFF size is updated when the file grows.
//!
//! ```
//! use isrc_media::riff::{Riff, ChunkId};
//! // A minimal WAVE: `fmt ` and an empty `data` chunk.
//! let mut wav = b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0".to_vec();
//! wav.extend_from_slice(&[1, 0, 1, 0, 0x44, 0xAC, 0, 0, 0x88, 0x58, 1, 0, 2, 0, 16, 0]);
//! wav.extend_from_slice(b"data\0\0\0\0");
//! let riff = Riff::read(&mut std::io::Cursor::new(&wav))?;
//! assert_eq!(riff.chunks().len(), 2);
//!
//! let mut out = Vec::new();
//! let axml = ChunkId(*b"axml");
//! riff.write_edited(&mut std::io::Cursor::new(&wav), &mut out, &[(axml, b"<x/>".to_vec())])?;
//! let edited = Riff::read(&mut std::io::Cursor::new(&out))?;
//! assert_eq!(edited.chunks().len(), 3);
//! assert_eq!(edited.read_chunk(&mut std::io::Cursor::new(&out), edited.find(axml).unwrap())?, b"<x/>");
//! assert_eq!(&out[..wav.len()][8..], &wav[8..]); // every old byte after the size is kept
//! # Ok::<(), isrc_media::riff::RiffError>(())
//! ```

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom, Write};

/// The largest chunk [`Riff::read_chunk`] loads into memory (audio is never loaded).
pub const MAX_CHUNK_READ: u64 = 64 << 20;

/// A four-character chunk identifier such as `fmt `, `data` or `axml`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunkId(pub [u8; 4]);

impl fmt::Display for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in &self.0 {
            if b.is_ascii_graphic() || b == b' ' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChunkId(\"{self}\")")
    }
}

/// Which container the file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// Classic RIFF with 32-bit sizes.
    Riff,
    /// RF64 / BW64 with a `ds64` chunk holding 64-bit sizes.
    Rf64,
}

/// One chunk of the form: where it is and how long its data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// The chunk's identifier.
    pub id: ChunkId,
    /// Offset of the chunk header in the file.
    pub offset: u64,
    /// Length of the chunk data (from `ds64` for RF64 chunks whose size field is `0xFFFFFFFF`).
    pub size: u64,
    /// Whether the pad byte after odd-sized data is present in the file.
    pub padded: bool,
}

impl Chunk {
    /// Offset of the chunk data.
    pub fn data_offset(&self) -> u64 {
        self.offset + 8
    }

    /// Bytes the chunk occupies in the file: header, data and pad byte.
    pub fn total_len(&self) -> u64 {
        8 + self.size + u64::from(self.padded)
    }
}

/// Why a file could not be read or written as RIFF.
#[derive(Debug, thiserror::Error)]
pub enum RiffError {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The bytes are not a RIFF/RF64 file, or its structure is broken.
    #[error("at byte {offset}: {message}")]
    Malformed {
        /// Byte offset of the problem.
        offset: u64,
        /// What is wrong.
        message: String,
    },
}

fn malformed(offset: u64, message: impl Into<String>) -> RiffError {
    RiffError::Malformed {
        offset,
        message: message.into(),
    }
}

/// The chunk list of a RIFF or RF64 file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Riff {
    container: Container,
    form_type: ChunkId,
    chunks: Vec<Chunk>,
    /// End of the form (offset just after its last byte); bytes after it are trailing.
    form_end: u64,
    file_len: u64,
}

/// The `ds64` chunk's contents.
struct Ds64 {
    data_size: u64,
    table: Vec<(ChunkId, u64)>,
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Whether `header` (the first 12 bytes of a file) starts a RIFF or RF64 WAVE file.
pub fn is_wave(header: &[u8]) -> bool {
    header.len() >= 12
        && (&header[..4] == b"RIFF" || &header[..4] == b"RF64" || &header[..4] == b"BW64")
        && &header[8..12] == b"WAVE"
}

impl Riff {
    /// Reads the chunk list. Fails on anything that is not a well-formed RIFF/RF64 form,
    /// including a chunk that runs past the end of the file (a truncated file).
    pub fn read<R: Read + Seek>(reader: &mut R) -> Result<Riff, RiffError> {
        let file_len = reader.seek(SeekFrom::End(0))?;
        reader.seek(SeekFrom::Start(0))?;
        let mut header = [0u8; 12];
        read_exact_at(reader, 0, &mut header, file_len, "the RIFF header")?;
        let container = match &header[..4] {
            b"RIFF" => Container::Riff,
            b"RF64" | b"BW64" => Container::Rf64,
            _ => return Err(malformed(0, "not a RIFF file (no RIFF or RF64 signature)")),
        };
        let form_type = ChunkId([header[8], header[9], header[10], header[11]]);
        let declared = u64::from(u32_at(&header, 4));
        let mut ds64 = None;
        let mut form_end = match container {
            // Streamed writers leave 0 or 0xFFFFFFFF: take the file's length.
            Container::Riff if declared == 0 || declared == 0xFFFF_FFFF => file_len,
            Container::Riff => 8 + declared,
            Container::Rf64 => {
                let mut head = [0u8; 8];
                read_exact_at(reader, 12, &mut head, file_len, "the ds64 chunk")?;
                if &head[..4] != b"ds64" {
                    return Err(malformed(12, "RF64 file without a ds64 chunk first"));
                }
                let size = u64::from(u32_at(&head, 4));
                if !(28..=MAX_CHUNK_READ).contains(&size) {
                    return Err(malformed(16, format!("ds64 chunk of {size} bytes")));
                }
                let mut body = vec![0u8; size as usize];
                read_exact_at(reader, 20, &mut body, file_len, "the ds64 chunk")?;
                let riff_size = u64_at(&body, 0);
                let data_size = u64_at(&body, 8);
                let count = u32_at(&body, 24) as usize;
                let mut table = Vec::new();
                for i in 0..count {
                    let at = 28 + i * 12;
                    if at + 12 > body.len() {
                        return Err(malformed(20 + at as u64, "ds64 table runs past its chunk"));
                    }
                    let id = ChunkId([body[at], body[at + 1], body[at + 2], body[at + 3]]);
                    table.push((id, u64_at(&body, at + 4)));
                }
                ds64 = Some(Ds64 { data_size, table });
                riff_size.saturating_add(8)
            }
        };
        if form_end > file_len {
            return Err(malformed(
                4,
                format!(
                    "the RIFF header declares {form_end} bytes but the file has {file_len}: the file is truncated"
                ),
            ));
        }
        if form_end < 12 {
            form_end = 12;
        }
        let mut chunks = Vec::new();
        let mut at = 12u64;
        while at + 8 <= form_end {
            let mut head = [0u8; 8];
            read_exact_at(reader, at, &mut head, file_len, "a chunk header")?;
            let id = ChunkId([head[0], head[1], head[2], head[3]]);
            let field = u32_at(&head, 4);
            let size = match (&ds64, field) {
                (Some(ds), 0xFFFF_FFFF) => {
                    if &id.0 == b"data" {
                        ds.data_size
                    } else {
                        ds.table
                            .iter()
                            .find(|(t, _)| *t == id)
                            .map(|(_, s)| *s)
                            .ok_or_else(|| {
                                malformed(at + 4, format!("chunk '{id}' has no size in ds64"))
                            })?
                    }
                }
                _ => u64::from(field),
            };
            let end = at
                .checked_add(8)
                .and_then(|x| x.checked_add(size))
                .ok_or_else(|| malformed(at + 4, "chunk size overflows"))?;
            if end > file_len {
                return Err(malformed(
                    at,
                    format!(
                        "chunk '{id}' claims {size} bytes but the file ends {} bytes later: the file is truncated",
                        file_len - at - 8
                    ),
                ));
            }
            let padded = size % 2 == 1 && end < form_end;
            let chunk = Chunk {
                id,
                offset: at,
                size,
                padded,
            };
            at += chunk.total_len();
            chunks.push(chunk);
        }
        // A few stray bytes before the declared end (less than a chunk header) are kept as
        // trailing bytes; the form ends where the last chunk ends.
        let form_end = at.max(12);
        Ok(Riff {
            container,
            form_type,
            chunks,
            form_end,
            file_len,
        })
    }

    /// RIFF or RF64.
    pub fn container(&self) -> Container {
        self.container
    }

    /// The form type (`WAVE` for WAV and BWF files).
    pub fn form_type(&self) -> ChunkId {
        self.form_type
    }

    /// The chunks in file order.
    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    /// The first chunk with this identifier.
    pub fn find(&self, id: ChunkId) -> Option<&Chunk> {
        self.chunks.iter().find(|c| c.id == id)
    }

    /// Reads a chunk's data (at most [`MAX_CHUNK_READ`] bytes).
    pub fn read_chunk<R: Read + Seek>(
        &self,
        reader: &mut R,
        chunk: &Chunk,
    ) -> Result<Vec<u8>, RiffError> {
        if chunk.size > MAX_CHUNK_READ {
            return Err(malformed(
                chunk.offset,
                format!(
                    "chunk '{}' is too large to load ({} bytes)",
                    chunk.id, chunk.size
                ),
            ));
        }
        let mut data = vec![0u8; chunk.size as usize];
        read_exact_at(
            reader,
            chunk.data_offset(),
            &mut data,
            self.file_len,
            "chunk data",
        )?;
        Ok(data)
    }

    /// Writes a copy of the file read from `source` to `dest`, in which the first chunk with
    /// each identifier in `replace` gets the new data (or, when there is none, a new chunk is
    /// appended at the end of the form). Every other byte is copied unchanged, except the form
    /// size (RIFF header, or the RF64 `ds64` chunk).
    pub fn write_edited<R: Read + Seek, W: Write>(
        &self,
        source: &mut R,
        dest: &mut W,
        replace: &[(ChunkId, Vec<u8>)],
    ) -> Result<(), RiffError> {
        // The new form length: old chunks with replacements applied, plus new chunks.
        let new_len = |data: &[u8]| 8 + data.len() as u64 + (data.len() as u64 % 2);
        let mut body_len = 4u64; // form type
        let mut used = vec![false; replace.len()];
        for chunk in &self.chunks {
            match replace
                .iter()
                .position(|(id, _)| *id == chunk.id)
                .filter(|&i| !used[i])
            {
                Some(i) => {
                    used[i] = true;
                    body_len += new_len(&replace[i].1);
                }
                None => body_len += chunk.total_len(),
            }
        }
        for (i, (_, data)) in replace.iter().enumerate() {
            if !used[i] {
                body_len += new_len(data);
            }
        }
        for (id, data) in replace {
            if data.len() as u64 >= 0xFFFF_FFFF {
                return Err(malformed(0, format!("new chunk '{id}' is too large")));
            }
        }
        let mut header = [0u8; 12];
        source.seek(SeekFrom::Start(0))?;
        source.read_exact(&mut header)?;
        match self.container {
            Container::Riff => {
                let size = u32::try_from(body_len).map_err(|_| {
                    malformed(
                        4,
                        "the edited file would exceed 4 GiB; convert it to RF64 first",
                    )
                })?;
                header[4..8].copy_from_slice(&size.to_le_bytes());
            }
            Container::Rf64 => {}
        }
        dest.write_all(&header)?;
        let mut used = vec![false; replace.len()];
        for chunk in &self.chunks {
            let replacement = replace
                .iter()
                .position(|(id, _)| *id == chunk.id)
                .filter(|&i| !used[i]);
            if let Some(i) = replacement {
                used[i] = true;
                write_chunk(dest, chunk.id, &replace[i].1)?;
            } else if self.container == Container::Rf64 && &chunk.id.0 == b"ds64" {
                let mut data = self.read_chunk(source, chunk)?;
                data[..8].copy_from_slice(&body_len.to_le_bytes());
                dest.write_all(&chunk.id.0)?;
                dest.write_all(&(data.len() as u32).to_le_bytes())?;
                dest.write_all(&data)?;
                if chunk.padded {
                    copy_range(source, dest, chunk.offset + 8 + chunk.size, 1)?;
                }
            } else {
                copy_range(source, dest, chunk.offset, chunk.total_len())?;
            }
        }
        for (i, (id, data)) in replace.iter().enumerate() {
            if !used[i] {
                write_chunk(dest, *id, data)?;
            }
        }
        copy_range(source, dest, self.form_end, self.file_len - self.form_end)?;
        dest.flush()?;
        Ok(())
    }
}

fn write_chunk<W: Write>(dest: &mut W, id: ChunkId, data: &[u8]) -> io::Result<()> {
    dest.write_all(&id.0)?;
    dest.write_all(&(data.len() as u32).to_le_bytes())?;
    dest.write_all(data)?;
    if data.len() % 2 == 1 {
        dest.write_all(&[0])?;
    }
    Ok(())
}

fn copy_range<R: Read + Seek, W: Write>(
    source: &mut R,
    dest: &mut W,
    offset: u64,
    len: u64,
) -> io::Result<()> {
    source.seek(SeekFrom::Start(offset))?;
    let copied = io::copy(&mut source.take(len), dest)?;
    if copied != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file changed while it was being copied",
        ));
    }
    Ok(())
}

fn read_exact_at<R: Read + Seek>(
    reader: &mut R,
    offset: u64,
    buf: &mut [u8],
    file_len: u64,
    what: &str,
) -> Result<(), RiffError> {
    if offset + buf.len() as u64 > file_len {
        return Err(malformed(
            offset,
            format!("the file ends inside {what}: it is truncated or not a WAV file"),
        ));
    }
    reader.seek(SeekFrom::Start(offset))?;
    reader.read_exact(buf)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn wav(extra: &[u8]) -> Vec<u8> {
        let mut body = b"WAVEfmt \x10\0\0\0".to_vec();
        body.extend_from_slice(&[1, 0, 1, 0, 0x44, 0xAC, 0, 0, 0x88, 0x58, 1, 0, 2, 0, 16, 0]);
        body.extend_from_slice(b"data\x03\0\0\0abc\0");
        body.extend_from_slice(extra);
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn replaces_in_place_and_keeps_padding_and_order() {
        let file = wav(b"JUNK\x01\0\0\0x\0LIST\x04\0\0\0INFO");
        let riff = Riff::read(&mut Cursor::new(&file)).unwrap();
        let ids: Vec<_> = riff.chunks().iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids, ["fmt ", "data", "JUNK", "LIST"]);
        let mut out = Vec::new();
        riff.write_edited(
            &mut Cursor::new(&file),
            &mut out,
            &[(ChunkId(*b"JUNK"), b"yz".to_vec())],
        )
        .unwrap();
        let edited = Riff::read(&mut Cursor::new(&out)).unwrap();
        let ids: Vec<_> = edited.chunks().iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids, ["fmt ", "data", "JUNK", "LIST"]);
        assert_eq!(out.len(), file.len()); // 1 byte + pad became 2 bytes
        let mut same = Vec::new();
        edited
            .write_edited(&mut Cursor::new(&out), &mut same, &[])
            .unwrap();
        assert_eq!(same, out);
    }

    #[test]
    fn truncated_and_foreign_files_are_errors() {
        let file = wav(b"");
        for cut in 0..file.len() - 1 {
            assert!(Riff::read(&mut Cursor::new(&file[..cut])).is_err(), "{cut}");
        }
        assert!(Riff::read(&mut Cursor::new(b"ID3\x04\0\0\0\0\0\0 not a wave")).is_err());
    }

    #[test]
    fn rf64_sizes_come_from_ds64_and_are_updated() {
        let mut file = b"RF64\xff\xff\xff\xffWAVEds64\x1c\0\0\0".to_vec();
        let riff_size: u64 = 4 + 36 + 8 + 4;
        file.extend_from_slice(&riff_size.to_le_bytes());
        file.extend_from_slice(&4u64.to_le_bytes());
        file.extend_from_slice(&1u64.to_le_bytes());
        file.extend_from_slice(&0u32.to_le_bytes());
        file.extend_from_slice(b"data\xff\xff\xff\xffabcd");
        let riff = Riff::read(&mut Cursor::new(&file)).unwrap();
        assert_eq!(riff.container(), Container::Rf64);
        assert_eq!(riff.find(ChunkId(*b"data")).unwrap().size, 4);
        let mut out = Vec::new();
        riff.write_edited(
            &mut Cursor::new(&file),
            &mut out,
            &[(ChunkId(*b"axml"), b"<a/>".to_vec())],
        )
        .unwrap();
        let edited = Riff::read(&mut Cursor::new(&out)).unwrap();
        assert_eq!(edited.chunks().len(), 3);
        assert_eq!(u64_at(&out, 20), riff_size + 12);
        assert_eq!(&out[..20], &file[..20]);
        assert_eq!(&out[28..file.len()], &file[28..]);
    }
}
