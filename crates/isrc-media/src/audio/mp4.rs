//! MP4/M4A: the ISRC is a freeform atom `----:com.apple.iTunes:ISRC`. Every freeform atom
//! whose name is `ISRC` in any case and whose data has any type (UTF-8, UTF-16, "implicit"
//! bytes) is read; a write replaces them all by one UTF-8 atom. lofty rewrites the `ilst`
//! (cover art read and written back); the `mdat` boxes are compared.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use lofty::config::WriteOptions as LoftyWriteOptions;
use lofty::file::AudioFile;
use lofty::mp4::{Atom, AtomData, AtomIdent, Ilst};

use super::{
    Container, Location, MediaInfo, Rewrite, full_parse_options, io_error, lofty_error,
    parse_options, push_values,
};
use crate::error::Error;
use crate::snapshot::{Snapshot, digest};

/// MP4.
pub(super) struct Mp4Family;

fn is_isrc(atom: &Atom<'_>) -> bool {
    matches!(atom.ident(), AtomIdent::Freeform { name, .. } if name.trim().eq_ignore_ascii_case("ISRC"))
}

fn ilst(path: &Path, file: &mut File, full: bool) -> Result<Option<Ilst>, Error> {
    let options = if full {
        full_parse_options()
    } else {
        parse_options()
    };
    let parsed = lofty::mp4::Mp4File::read_from(file, options).map_err(|e| lofty_error(path, e))?;
    Ok(parsed.ilst().cloned())
}

fn data_text(data: &AtomData) -> String {
    match data {
        AtomData::UTF8(s) | AtomData::UTF16(s) => s.clone(),
        AtomData::Unknown { data, .. } => String::from_utf8_lossy(data).into_owned(),
        AtomData::Picture(p) => format!(
            "{:?} {:?} {}",
            p.pic_type(),
            p.mime_type(),
            digest(p.data())
        ),
        other => format!("{other:?}"),
    }
}

impl Container for Mp4Family {
    fn read_more(&self, path: &Path, info: &mut MediaInfo) -> Result<(), Error> {
        let mut file = File::open(path).map_err(io_error(path))?;
        let Ok(Some(tag)) = ilst(path, &mut file, false) else {
            return Ok(());
        };
        info.forget(|l| l == Location::Mp4Freeform);
        for atom in tag.into_iter().filter(|a| is_isrc(a)) {
            for data in atom.data() {
                let text = data_text(data);
                push_values(
                    &mut info.isrcs,
                    Location::Mp4Freeform,
                    text.trim_end_matches('\0'),
                );
            }
        }
        Ok(())
    }

    fn write(&self, mut job: Rewrite<'_>) -> Result<(), Error> {
        job.copy_source()?;
        let mut tag = ilst(job.path, job.dest, true)?.unwrap_or_default();
        tag.retain(|atom| !is_isrc(atom));
        tag.insert(Atom::new(
            AtomIdent::Freeform {
                mean: Cow::Borrowed("com.apple.iTunes"),
                name: Cow::Borrowed("ISRC"),
            },
            AtomData::UTF8(job.plan.code.clone()),
        ));
        job.save(&tag, LoftyWriteOptions::default())
    }

    fn snapshot(&self, path: &Path) -> Result<Snapshot, Error> {
        let mut file = File::open(path).map_err(io_error(path))?;
        let mut snap = Snapshot::default();
        if let Some(tag) = ilst(path, &mut file, true)? {
            for atom in tag.into_iter().filter(|a| !is_isrc(a)) {
                let label = match atom.ident() {
                    AtomIdent::Fourcc(f) => format!("MP4 {}", String::from_utf8_lossy(f)),
                    AtomIdent::Freeform { mean, name } => format!("MP4 ----:{mean}:{name}"),
                };
                let values: Vec<String> = atom.data().map(data_text).collect();
                snap.add_text(&label, &values.join("\u{1}"));
            }
        }
        for range in mdat_ranges(&mut file).map_err(io_error(path))? {
            snap.add_range("MP4 mdat", &mut file, range)
                .map_err(io_error(path))?;
        }
        let len = file.seek(SeekFrom::End(0)).map_err(io_error(path))?;
        boxes(&mut file, 0, len, "", &mut snap).map_err(io_error(path))?;
        Ok(snap)
    }
}

/// The payloads of the top-level `mdat` boxes.
fn mdat_ranges(file: &mut File) -> io::Result<Vec<(u64, u64)>> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut reader = BufReader::new(file);
    let mut at = 0u64;
    let mut out = Vec::new();
    let mut header = [0u8; 16];
    while at + 8 <= len {
        reader.seek(SeekFrom::Start(at))?;
        reader.read_exact(&mut header[..8])?;
        let mut size = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let mut head = 8;
        if size == 1 {
            reader.read_exact(&mut header[8..16])?;
            size = u64::from_be_bytes(header[8..16].try_into().unwrap_or([0; 8]));
            head = 16;
        } else if size == 0 {
            size = len - at;
        }
        if size < head {
            break;
        }
        if &header[4..8] == b"mdat" {
            out.push((at + head, (at + size).min(len)));
        }
        at += size;
    }
    Ok(out)
}

/// Boxes whose children are boxes (`meta` has four bytes of version and flags first).
const CONTAINERS: [&[u8; 4]; 10] = [
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"moof", b"traf",
];

/// Adds every leaf box between `start` and `end` to `snap` under its path (`moov/trak/...`),
/// except what a tag write changes: `udta` (which holds `meta`/`ilst`), the chunk offsets
/// (`stco`, `co64`: they move when `moov` grows before `mdat`), padding (`free`, `skip`) and
/// `mdat` (compared on its own).
fn boxes(
    file: &mut File,
    start: u64,
    end: u64,
    parent: &str,
    snap: &mut Snapshot,
) -> io::Result<()> {
    let mut at = start;
    let mut header = [0u8; 16];
    while at + 8 <= end {
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut header[..8])?;
        let mut size = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let mut head = 8;
        if size == 1 {
            file.read_exact(&mut header[8..16])?;
            size = u64::from_be_bytes(header[8..16].try_into().unwrap_or([0; 8]));
            head = 16;
        } else if size == 0 {
            size = end - at;
        }
        if size < head || at + size > end {
            break;
        }
        let kind: [u8; 4] = header[4..8].try_into().unwrap_or([0; 4]);
        let name = String::from_utf8_lossy(&kind).into_owned();
        let path = if parent.is_empty() {
            name
        } else {
            format!("{parent}/{name}")
        };
        if CONTAINERS.contains(&&kind) {
            boxes(file, at + head, at + size, &path, snap)?;
        } else if !matches!(
            &kind,
            b"udta" | b"stco" | b"co64" | b"free" | b"skip" | b"mdat" | b"meta"
        ) {
            snap.add_range(&format!("MP4 box {path}"), file, (at + head, at + size))?;
        }
        at += size;
    }
    Ok(())
}
