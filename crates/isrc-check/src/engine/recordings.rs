//! One recording under two ISRCs (`possible_duplicate_recording`): the converse of a
//! conflict, found by the folded title, artist and version of each record and the shared
//! duration tolerance of [`isrc::recording`].

use isrc::Isrc;

use crate::report::{Listed, PossibleDuplicateRecording};

use super::index::FastMap;

/// The first code seen on a recording, and the other codes already reported with it.
struct Seen {
    code: Isrc,
    /// Seconds; NaN when unknown.
    duration: f32,
    file: u32,
    line: u64,
    /// The other codes already reported, by `Isrc::to_u64`: a set, because a catalogue may
    /// hold thousands of codes of one title and artist without durations ("Intro").
    others: FastMap<u64, ()>,
}

/// Recordings by the fingerprint of their folded title, artist and version.
#[derive(Default)]
pub(super) struct Recordings {
    seen: FastMap<u64, Seen>,
    files: Vec<String>,
    pub(super) found: Listed<PossibleDuplicateRecording>,
}

impl Recordings {
    /// The records that follow are from `file` (called once per chunk).
    pub(super) fn file(&mut self, file: &str) {
        if self.files.last().is_none_or(|f| f != file) {
            self.files.push(file.to_owned());
        }
    }

    /// A record of `recording` (a fingerprint, not 0) carrying `code`, in the last
    /// [`Recordings::file`].
    pub(super) fn see(&mut self, recording: u64, code: Isrc, duration: f32, line: u64, cap: usize) {
        let file_index = self.files.len().saturating_sub(1) as u32;
        let seen = self.seen.entry(recording).or_insert(Seen {
            code,
            duration,
            file: file_index,
            line,
            others: FastMap::default(),
        });
        if seen.code == code || seen.others.contains_key(&code.to_u64()) {
            return;
        }
        let ms = |d: f32| (!d.is_nan()).then(|| (f64::from(d) * 1000.0).round() as u64);
        if !isrc::recording::durations_match(ms(seen.duration), ms(duration)) {
            return;
        }
        seen.others.insert(code.to_u64(), ());
        self.found.push(
            PossibleDuplicateRecording {
                isrc: seen.code,
                file: self.files[seen.file as usize].clone(),
                line: seen.line,
                other_isrc: code,
                other_file: self.files[file_index as usize].clone(),
                other_line: line,
            },
            cap,
        );
    }
}
