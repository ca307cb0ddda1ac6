//! Is the audio stream whole? A file cut short (an interrupted copy or download) must not be
//! tagged and reported as verified: for FLAC the last frame must end the file with a good
//! CRC and reach the sample count of STREAMINFO; for MP3 the last frame must fit and the
//! Xing/Info frame count (when there is one) must be reached; Ogg (Vorbis, Opus, Speex) must
//! end with a whole end-of-stream page; WavPack's last block must fit and reach the total.

use std::io::{self, Read, Seek, SeekFrom};

use crate::audio::Format;

/// Why a stream looks cut short.
pub(crate) type Verdict = Result<(), String>;

/// Checks the stream of `file` in `format`; formats without a check pass.
pub(crate) fn check<R: Read + Seek>(format: Format, file: &mut R) -> io::Result<Verdict> {
    match format {
        Format::Flac => flac(file),
        Format::Mp3 => mp3(file),
        Format::OggVorbis | Format::Opus | Format::Speex => ogg(file),
        Format::WavPack => wavpack(file),
        _ => Ok(Ok(())),
    }
}

fn read_at<R: Read + Seek>(file: &mut R, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(offset))?;
    let mut buf = Vec::with_capacity(len);
    file.take(len as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

fn file_len<R: Seek>(file: &mut R) -> io::Result<u64> {
    file.seek(SeekFrom::End(0))
}

fn id3v2_len(head: &[u8]) -> u64 {
    if head.len() >= 10 && &head[..3] == b"ID3" {
        let size = head[6..10]
            .iter()
            .fold(0u64, |n, b| (n << 7) | u64::from(b & 0x7F));
        10 + size + if head[5] & 0x10 != 0 { 10 } else { 0 }
    } else {
        0
    }
}

// ----- FLAC -----

fn crc8(data: &[u8]) -> u8 {
    let mut crc = 0u8;
    for &b in data {
        crc ^= b;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

fn crc16(data: &[u8]) -> u16 {
    let mut crc = 0u16;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x8005
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// A FLAC frame header at the start of `data`: (first sample or frame number, variable
/// blocking, block size), when its CRC-8 is right.
fn flac_frame_header(data: &[u8]) -> Option<(u64, bool, u64)> {
    if data.len() < 6 || data[0] != 0xFF || data[1] & 0xFE != 0xF8 {
        return None;
    }
    let variable = data[1] & 1 == 1;
    let size_code = data[2] >> 4;
    let rate_code = data[2] & 0x0F;
    if rate_code == 0x0F || data[3] >> 4 >= 11 || data[3] & 1 != 0 {
        return None;
    }
    // The UTF-8-like coded number.
    let first = data[4];
    let extra = match first {
        0x00..=0x7F => 0,
        0xC0..=0xDF => 1,
        0xE0..=0xEF => 2,
        0xF0..=0xF7 => 3,
        0xF8..=0xFB => 4,
        0xFC..=0xFD => 5,
        0xFE => 6,
        _ => return None,
    };
    let mut number = u64::from(if extra == 0 {
        first
    } else {
        first & (0x3F >> extra)
    });
    let mut at = 5;
    for _ in 0..extra {
        let b = *data.get(at)?;
        if b & 0xC0 != 0x80 {
            return None;
        }
        number = (number << 6) | u64::from(b & 0x3F);
        at += 1;
    }
    let block = match size_code {
        0 => return None,
        1 => 192,
        2..=5 => 576u64 << (size_code - 2),
        6 => {
            at += 1;
            u64::from(*data.get(at - 1)?) + 1
        }
        7 => {
            at += 2;
            u64::from(u16::from_be_bytes([*data.get(at - 2)?, *data.get(at - 1)?])) + 1
        }
        _ => 256u64 << (size_code - 8),
    };
    at += match rate_code {
        12 => 1,
        13 | 14 => 2,
        _ => 0,
    };
    let crc = *data.get(at)?;
    (crc8(&data[..at]) == crc).then_some((number, variable, block))
}

fn flac<R: Read + Seek>(file: &mut R) -> io::Result<Verdict> {
    let len = file_len(file)?;
    let head = read_at(file, 0, 10)?;
    let mut at = id3v2_len(&head);
    if read_at(file, at, 4)? != b"fLaC" {
        return Ok(Err(String::from("no FLAC stream marker")));
    }
    at += 4;
    let mut streaminfo = Vec::new();
    loop {
        let header = read_at(file, at, 4)?;
        if header.len() < 4 {
            return Ok(Err(String::from(
                "the file ends inside its metadata blocks",
            )));
        }
        let size = u64::from(u32::from_be_bytes([0, header[1], header[2], header[3]]));
        if header[0] & 0x7F == 0 {
            streaminfo = read_at(file, at + 4, size as usize)?;
        }
        at += 4 + size;
        if at > len {
            return Ok(Err(String::from(
                "the file ends inside its metadata blocks",
            )));
        }
        if header[0] & 0x80 != 0 {
            break;
        }
    }
    if streaminfo.len() < 18 {
        return Ok(Err(String::from("no STREAMINFO block")));
    }
    let block_size = u64::from(u16::from_be_bytes([streaminfo[2], streaminfo[3]]));
    let max_frame = u64::from(u32::from_be_bytes([
        0,
        streaminfo[7],
        streaminfo[8],
        streaminfo[9],
    ]));
    let total = (u64::from(streaminfo[13] & 0x0F) << 32)
        | u64::from(u32::from_be_bytes([
            streaminfo[14],
            streaminfo[15],
            streaminfo[16],
            streaminfo[17],
        ]));
    if at == len {
        return Ok(if total == 0 {
            Ok(())
        } else {
            Err(format!("no audio frames, STREAMINFO says {total} samples"))
        });
    }
    // The last frame: the last header with a good CRC-8 whose CRC-16 runs to the end.
    let window = if max_frame > 0 {
        max_frame + 64
    } else {
        1 << 20
    };
    let start = len.saturating_sub(window).max(at);
    let tail = read_at(file, start, (len - start) as usize)?;
    let mut found = None;
    for i in (0..tail.len().saturating_sub(2)).rev() {
        if tail[i] != 0xFF {
            continue;
        }
        if let Some(header) = flac_frame_header(&tail[i..]) {
            let body = &tail[i..tail.len() - 2];
            let stored = u16::from_be_bytes([tail[tail.len() - 2], tail[tail.len() - 1]]);
            if crc16(body) == stored {
                found = Some(header);
                break;
            }
        }
    }
    let Some((number, variable, block)) = found else {
        return Ok(Err(String::from(
            "the last audio frame is cut short (no frame ends the file with a good CRC)",
        )));
    };
    let first_sample = if variable {
        number
    } else {
        number * block_size
    };
    let end = first_sample + block;
    Ok(if total > 0 && end < total {
        Err(format!(
            "the audio ends at sample {end} of the {total} STREAMINFO announces"
        ))
    } else {
        Ok(())
    })
}

// ----- MP3 -----

/// The length of the tags at the end of an MP3 or APE file: ID3v1, Lyrics3 is not handled,
/// APEv2 with or without a header.
fn trailer_len<R: Read + Seek>(file: &mut R, start: u64, len: u64) -> io::Result<u64> {
    let mut end = len;
    if end >= start + 128 && read_at(file, end - 128, 3)? == b"TAG" {
        end -= 128;
    }
    if end >= start + 32 {
        let footer = read_at(file, end - 32, 32)?;
        if &footer[..8] == b"APETAGEX" {
            let size = u64::from(u32::from_le_bytes([
                footer[12], footer[13], footer[14], footer[15],
            ]));
            let flags = u32::from_le_bytes([footer[20], footer[21], footer[22], footer[23]]);
            let header = if flags & 0x8000_0000 != 0 { 32 } else { 0 };
            end = end.saturating_sub(size + header).max(start);
        }
    }
    Ok(len - end)
}

/// The byte range of an MP3 file's audio frames: after the leading ID3v2 tag, before the
/// ID3v1 and APE tags at the end.
pub(crate) fn mp3_audio_span<R: Read + Seek>(file: &mut R) -> io::Result<(u64, u64)> {
    let len = file_len(file)?;
    let head = read_at(file, 0, 10)?;
    let start = id3v2_len(&head).min(len);
    let trailer = trailer_len(file, start, len)?;
    Ok((start, len - trailer))
}

/// The frame length and samples of an MPEG audio frame header.
fn mpeg_frame(h: [u8; 4]) -> Option<(u64, u64)> {
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 0: 2.5, 2: 2, 3: 1
    let layer = (h[1] >> 1) & 3; // 1: III, 2: II, 3: I
    let bitrate_index = usize::from(h[2] >> 4);
    let rate_index = usize::from((h[2] >> 2) & 3);
    let padding = u64::from((h[2] >> 1) & 1);
    if version == 1 || layer == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const V1: [[u64; 15]; 3] = [
        [
            0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ],
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ],
        [
            0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ],
    ];
    const V2: [[u64; 15]; 2] = [
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        ],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];
    let layer_no = 4 - layer; // 1, 2, 3
    let kbps = if version == 3 {
        V1[usize::from(layer_no - 1)][bitrate_index]
    } else {
        V2[usize::from(layer_no != 1)][bitrate_index]
    };
    let base = [44_100u64, 48_000, 32_000][rate_index];
    let rate = match version {
        3 => base,
        2 => base / 2,
        _ => base / 4,
    };
    let bps = kbps * 1000;
    Some(match layer_no {
        1 => ((12 * bps / rate + padding) * 4, 384),
        2 => (144 * bps / rate + padding, 1152),
        _ if version == 3 => (144 * bps / rate + padding, 1152),
        _ => (72 * bps / rate + padding, 576),
    })
}

fn mp3<R: Read + Seek>(file: &mut R) -> io::Result<Verdict> {
    let (start, end) = mp3_audio_span(file)?;
    // Find the first frame (some files have junk before it).
    let probe = read_at(file, start, 64 * 1024)?;
    let Some(first) = (0..probe.len().saturating_sub(4)).find(|&i| {
        mpeg_frame([probe[i], probe[i + 1], probe[i + 2], probe[i + 3]]).is_some_and(|(n, _)| {
            // The next frame must follow, unless this one ends the stream.
            let next = i + n as usize;
            next + 4 > probe.len()
                || mpeg_frame([
                    probe[next],
                    probe[next + 1],
                    probe[next + 2],
                    probe[next + 3],
                ])
                .is_some()
        })
    }) else {
        return Ok(Err(String::from("no MPEG audio frame found")));
    };
    let mut at = start + first as u64;
    let first_frame = read_at(file, at, 200)?;
    let announced = xing_frames(&first_frame);
    let mut frames = 0u64;
    let mut buf = [0u8; 4];
    let mut reader = io::BufReader::with_capacity(1 << 16, &mut *file);
    reader.seek(SeekFrom::Start(at))?;
    while at + 4 <= end {
        // Relative seeks keep the buffer: one read per 64 KiB, not one per frame.
        if reader.read_exact(&mut buf).is_err() {
            break;
        }
        let Some((size, _)) = mpeg_frame(buf) else {
            break; // junk or a tag after the audio: the frames before it are whole.
        };
        if at + size > end {
            return Ok(Err(format!(
                "the last MPEG frame at byte {at} needs {size} bytes, {} are left",
                end - at
            )));
        }
        at += size;
        frames += 1;
        reader.seek_relative(size as i64 - 4)?;
    }
    if let Some(announced) = announced
        && frames < announced
    {
        return Ok(Err(format!(
            "{frames} MPEG frames of the {announced} the Xing/Info header announces"
        )));
    }
    Ok(Ok(()))
}

/// The frame count of a Xing/Info header in the first frame (it counts itself).
fn xing_frames(frame: &[u8]) -> Option<u64> {
    let at = frame
        .windows(4)
        .position(|w| w == b"Xing" || w == b"Info")?;
    let flags = frame.get(at + 4..at + 8)?;
    if flags[3] & 1 == 0 {
        return None;
    }
    let count = frame.get(at + 8..at + 12)?;
    Some(u64::from(u32::from_be_bytes([
        count[0], count[1], count[2], count[3],
    ])))
}

// ----- Ogg -----

fn ogg<R: Read + Seek>(file: &mut R) -> io::Result<Verdict> {
    let len = file_len(file)?;
    let mut reader = io::BufReader::with_capacity(1 << 16, &mut *file);
    reader.seek(SeekFrom::Start(0))?;
    let mut at = 0u64;
    let mut last_flags = None;
    let mut header = [0u8; 27];
    while at < len {
        if at + 27 > len || reader.read_exact(&mut header).is_err() {
            return Ok(Err(format!("the Ogg page at byte {at} is cut short")));
        }
        if &header[..4] != b"OggS" {
            return Ok(Err(format!("no Ogg page at byte {at}")));
        }
        let segments = usize::from(header[26]);
        let mut table = vec![0u8; segments];
        if reader.read_exact(&mut table).is_err() {
            return Ok(Err(format!("the Ogg page at byte {at} is cut short")));
        }
        let body: u64 = table.iter().map(|&s| u64::from(s)).sum();
        let page_end = at + 27 + segments as u64 + body;
        if page_end > len {
            return Ok(Err(format!(
                "the Ogg page at byte {at} needs {} bytes, {} are left",
                page_end - at,
                len - at
            )));
        }
        last_flags = Some(header[5]);
        at = page_end;
        reader.seek_relative(body as i64)?;
    }
    Ok(match last_flags {
        Some(flags) if flags & 0x04 != 0 => Ok(()),
        Some(_) => Err(String::from(
            "the last Ogg page is not marked end of stream: the file was cut at a page boundary",
        )),
        None => Err(String::from("no Ogg pages")),
    })
}

// ----- WavPack -----

fn wavpack<R: Read + Seek>(file: &mut R) -> io::Result<Verdict> {
    let len = file_len(file)?;
    let end = len - trailer_len(file, 0, len)?;
    let mut at = 0u64;
    let mut total = None;
    let mut reached = 0u64;
    while at + 32 <= end {
        let header = read_at(file, at, 32)?;
        if &header[..4] != b"wvpk" {
            break;
        }
        let size = u64::from(u32::from_le_bytes([
            header[4], header[5], header[6], header[7],
        ])) + 8;
        if at + size > end {
            return Ok(Err(format!(
                "the WavPack block at byte {at} needs {size} bytes, {} are left",
                end - at
            )));
        }
        let le = |i: usize| {
            u64::from(u32::from_le_bytes([
                header[i],
                header[i + 1],
                header[i + 2],
                header[i + 3],
            ]))
        };
        let total_samples = le(12) | (u64::from(header[11]) << 32);
        let index = le(16) | (u64::from(header[10]) << 32);
        let samples = le(20);
        if total.is_none() && le(12) != 0xFFFF_FFFF {
            total = Some(total_samples);
        }
        if samples > 0 {
            reached = reached.max(index + samples);
        }
        at += size;
    }
    Ok(match total {
        Some(total) if reached < total => Err(format!(
            "the audio ends at sample {reached} of the {total} the WavPack header announces"
        )),
        _ if at == 0 => Err(String::from("no WavPack block")),
        _ => Ok(()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crcs_match_the_flac_reference_values() {
        // The check values of CRC-8 (poly 0x07) and CRC-16/BUYPASS (poly 0x8005).
        assert_eq!(crc8(b"123456789"), 0xF4);
        assert_eq!(crc16(b"123456789"), 0xFEE8);
    }

    #[test]
    fn mpeg_frame_lengths() {
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding: 417 bytes.
        assert_eq!(mpeg_frame([0xFF, 0xFB, 0x90, 0x00]), Some((417, 1152)));
        // MPEG-2 layer III, 64 kbit/s, 22.05 kHz, padded: 209 bytes.
        assert_eq!(mpeg_frame([0xFF, 0xF3, 0x82, 0x00]), Some((209, 576)));
        assert_eq!(mpeg_frame([0xFF, 0xFB, 0xF0, 0x00]), None);
    }

    #[test]
    fn an_ogg_stream_cut_at_a_page_boundary_is_refused() {
        let mut page = b"OggS\0\x04".to_vec();
        page.extend_from_slice(&[0u8; 20]);
        page.push(1);
        page.push(3);
        page.extend_from_slice(b"abc");
        assert_eq!(ogg(&mut io::Cursor::new(&page)).unwrap(), Ok(()));
        page[5] = 0;
        assert!(ogg(&mut io::Cursor::new(&page)).unwrap().is_err());
        page.truncate(page.len() - 1);
        let verdict = ogg(&mut io::Cursor::new(&page)).unwrap();
        assert!(verdict.unwrap_err().contains("needs 31 bytes, 30 are left"));
    }
}
