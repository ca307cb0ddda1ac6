//! APEv2 tags: Monkey's Audio and WavPack (and an APE tag at the end of an MP3, see
//! [`super::id3`]). lofty rewrites the tag at the end of the file; the bytes before it (the
//! audio) are compared.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::Path;

use lofty::ape::{ApeItem, ApeTag};
use lofty::config::WriteOptions as LoftyWriteOptions;
use lofty::file::AudioFile;
use lofty::tag::ItemValue;

use super::{Container, Format, Rewrite, full_parse_options, io_error, lofty_error};
use crate::error::{Error, ErrorKind};
use crate::snapshot::{Snapshot, digest};

/// Monkey's Audio and WavPack.
pub(super) struct ApeFamily;

/// Sets the `ISRC` item (any case of the key: APE keys are case-insensitive).
pub(super) fn set_isrc(path: &Path, tag: &mut ApeTag, code: &str) -> Result<(), Error> {
    tag.remove("ISRC");
    let item = ApeItem::new(String::from("ISRC"), ItemValue::Text(code.to_string()))
        .map_err(|e| Error::new(path, ErrorKind::Malformed(e.to_string())))?;
    tag.insert(item);
    Ok(())
}

/// Adds every item of `tag` except `ISRC` to `snap`.
pub(super) fn snapshot_tag(snap: &mut Snapshot, tag: &ApeTag) {
    for item in tag {
        if item.key().eq_ignore_ascii_case("ISRC") {
            continue;
        }
        let value = match item.value() {
            ItemValue::Text(t) | ItemValue::Locator(t) => t.clone(),
            ItemValue::Binary(b) => digest(b),
        };
        snap.add_text(
            &format!("APEv2 {}", item.key().to_ascii_uppercase()),
            &value,
        );
    }
}

fn read_tag(path: &Path, file: &mut File) -> Result<(Option<ApeTag>, Format), Error> {
    let options = full_parse_options();
    let err = |e| lofty_error(path, e);
    let mut magic = [0u8; 4];
    io::Read::read_exact(file, &mut magic).map_err(io_error(path))?;
    file.seek(SeekFrom::Start(0)).map_err(io_error(path))?;
    Ok(if &magic == b"wvpk" {
        (
            lofty::wavpack::WavPackFile::read_from(file, options)
                .map_err(err)?
                .ape()
                .cloned(),
            Format::WavPack,
        )
    } else {
        (
            lofty::ape::ApeFile::read_from(file, options)
                .map_err(err)?
                .ape()
                .cloned(),
            Format::Ape,
        )
    })
}

impl Container for ApeFamily {
    fn write(&self, mut job: Rewrite<'_>) -> Result<(), Error> {
        job.copy_source()?;
        let (tag, _) = read_tag(job.path, job.dest)?;
        let mut tag = tag.unwrap_or_default();
        set_isrc(job.path, &mut tag, &job.plan.code)?;
        job.save(&tag, LoftyWriteOptions::default())
    }

    fn snapshot(&self, path: &Path) -> Result<Snapshot, Error> {
        let mut file = File::open(path).map_err(io_error(path))?;
        let (tag, _) = read_tag(path, &mut file)?;
        let mut snap = Snapshot::default();
        if let Some(tag) = &tag {
            snapshot_tag(&mut snap, tag);
        }
        let (_, end) = crate::integrity::mp3_audio_span(&mut file).map_err(io_error(path))?;
        snap.add_range("audio", &mut file, (0, end))
            .map_err(io_error(path))?;
        Ok(snap)
    }
}
