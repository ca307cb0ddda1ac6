//! The track ISRCs of a FLAC file's CUESHEET metadata block (a CD's table of contents with
//! each track's ISRC), read to compare them with the Vorbis comment.

use std::io::{self, Read};

/// One track of the CUESHEET block that carries an ISRC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CuesheetIsrc {
    /// The track number (1-99 for CD audio).
    pub track: u8,
    /// The 12 ISRC bytes as stored (trailing NULs removed).
    pub value: String,
}

const MAX_BLOCKS: usize = 1024;

/// Reads the track ISRCs of the first CUESHEET block. `Ok(vec![])` when there is none;
/// an error when the stream is not FLAC or its metadata is cut short.
pub fn read_cuesheet_isrcs<R: Read>(reader: &mut R) -> io::Result<Vec<CuesheetIsrc>> {
    let mut magic = [0u8; 4];
    reader.read_exact(&mut magic)?;
    if &magic == b"ID3\x03" || &magic == b"ID3\x04" || &magic == b"ID3\x02" {
        // An ID3v2 tag before the stream: skip it (10-byte header, syncsafe size).
        let mut rest = [0u8; 6];
        reader.read_exact(&mut rest)?;
        let size = rest[2..6]
            .iter()
            .fold(0u64, |n, b| (n << 7) | u64::from(b & 0x7F));
        io::copy(&mut reader.take(size), &mut io::sink())?;
        reader.read_exact(&mut magic)?;
    }
    if &magic != b"fLaC" {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a FLAC stream",
        ));
    }
    for _ in 0..MAX_BLOCKS {
        let mut header = [0u8; 4];
        reader.read_exact(&mut header)?;
        let last = header[0] & 0x80 != 0;
        let kind = header[0] & 0x7F;
        let len = u64::from(u32::from_be_bytes([0, header[1], header[2], header[3]]));
        if kind == 5 {
            let mut block = Vec::new();
            reader.take(len).read_to_end(&mut block)?;
            if block.len() as u64 != len {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            return Ok(parse_cuesheet_block(&block));
        }
        let skipped = io::copy(&mut reader.take(len), &mut io::sink())?;
        if skipped != len {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if last {
            break;
        }
    }
    Ok(Vec::new())
}

/// Parses a CUESHEET block body; tracks that do not fit are ignored.
pub fn parse_cuesheet_block(block: &[u8]) -> Vec<CuesheetIsrc> {
    // catalog 128, lead-in 8, flags 1 + reserved 258, track count 1.
    let mut out = Vec::new();
    let Some(&count) = block.get(395) else {
        return out;
    };
    let mut at = 396usize;
    for _ in 0..count {
        // offset 8, number 1, isrc 12, flags 1, reserved 13, index count 1.
        let Some(track) = block.get(at..at + 36) else {
            break;
        };
        let number = track[8];
        let isrc: String = track[9..21]
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| b as char)
            .collect();
        let indices = usize::from(track[35]);
        if !isrc.trim().is_empty() {
            out.push(CuesheetIsrc {
                track: number,
                value: isrc,
            });
        }
        at += 36 + indices * 12;
    }
    out
}
