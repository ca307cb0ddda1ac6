//! # isrc-media
//!
//! ISRCs where they live in files: audio tags and CUE sheets. Read them (every value, from
//! every place, with where it was found), write one safely (temporary file, atomic rename,
//! read back and compared), and take a read-only inventory of a folder tree.
//!
//! | Format | Where the ISRC is |
//! |---|---|
//! | MP3, AIFF | ID3v2.2/2.3/2.4 `TSRC` (every frame) and `TXXX:ISRC`; MP3: also an APEv2 tag |
//! | FLAC, Ogg Vorbis, Opus, Speex | Vorbis comment `ISRC` (FLAC: also the CUESHEET block and `CUE_TRACKnn_ISRC`, written with `WriteOptions::track`) |
//! | MP4/M4A | freeform `----:com.apple.iTunes:ISRC`, any data type, any case |
//! | Monkey's Audio (APE), WavPack | APEv2 `ISRC` |
//! | WAV/BWF (RIFF, RF64) | the `ID3 `/`id3 ` chunk's `TSRC` and the EBU Tech 3352 `axml` identifier; RIFF INFO `ISRC` (non-standard) is replaced when present, never added |
//! | CUE sheet | `ISRC` inside each `TRACK`, `CATALOG` for the disc |
//!
//! A write keeps everything else: every tag item, picture, metadata block and chunk, and the
//! audio are compared before and after (see [`write_isrc`]).
//!
//! Tags are read with [lofty](https://docs.rs/lofty) and, for MP3, AIFF, Ogg, MP4 and APE,
//! written with it; FLAC and WAV go through this crate's own block and [`riff`] chunk
//! editors, which keep every other block or chunk, padding and order.
//!
//! ```
//! use isrc_media::cue::{check_catalog, CueSheet};
//!
//! let sheet = CueSheet::parse(b"CATALOG 0724384260521\nTRACK 01 AUDIO\n  ISRC GBAAA2600001\n  INDEX 01 00:00:00\n")?;
//! assert!(check_catalog(&sheet.catalog.as_ref().unwrap().value).valid);
//! let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
//! let isrc = sheet.tracks[0].isrc.as_ref().unwrap();
//! assert!(isrc::check(&isrc.value, &policy).is_valid());
//! # Ok::<(), isrc_media::cue::CueError>(())
//! ```
//!
//! Writing an audio file (the same steps `isrc tag assign` takes after allocating a code):
//!
//! ```no_run
//! use std::path::Path;
//! use isrc_media::{read, write_isrc, WriteOptions};
//!
//! let path = Path::new("take1.flac");
//! let info = read(path)?; // title, artist, duration and any ISRCs already there
//! assert!(info.isrcs.is_empty());
//! let report = write_isrc(path, "CBYZ92600001".parse().unwrap(), &WriteOptions::default())?;
//! assert!(report.written);
//! # Ok::<(), isrc_media::Error>(())
//! ```

mod audio;
pub mod axml;
pub mod cue;
mod error;
pub mod flac_cue;
mod integrity;
mod replace;
pub mod riff;
pub mod scan;
mod snapshot;

pub use audio::{
    Format, FoundIsrc, Location, MediaInfo, WriteOptions, WriteReport, read, write_isrc,
    write_locations,
};
pub use error::{Error, ErrorKind};
pub use replace::{is_leftover, remove_temporary_files, replace_contents};
