//! One recording under two ISRCs (`possible_duplicate_recording`): the converse of a
//! conflict, found by the folded title, artist and version of each record and the shared
//! duration tolerance of [`isrc::recording`].
//!
//! The recordings are split into [`PARTS`] partitions by their fingerprint, like the code
//! index: each record waits in its partition's batch, and a full batch is matched against
//! that partition's map only, a small part of the whole that stays in a core's cache (one
//! map of every recording made each record a cache miss). Batches are taken in record order
//! within a partition, so each map sees its records in input order, as one map would; what
//! each partition finds is merged back into input order at the end.

use isrc::Isrc;

use crate::report::{Listed, PossibleDuplicateRecording};

use super::index::FastMap;

/// log2 of [`PARTS`].
const PART_BITS: u32 = 8;
/// Partitions of the recordings.
const PARTS: usize = 1 << PART_BITS;
/// Records a partition holds before they are matched against its map.
const BATCH: usize = 512;

/// The first code seen on a recording, and the other codes already reported with it.
struct Seen {
    code: Isrc,
    /// Seconds; NaN when unknown.
    duration: f32,
    file: u32,
    line: u64,
    /// The other codes already reported, by `Isrc::to_u64`: a set, because a catalogue may
    /// hold thousands of codes of one title and artist without durations ("Intro"). Boxed:
    /// most recordings have none, and the map holds one `Seen` per recording.
    others: Option<Box<FastMap<u64, ()>>>,
}

/// A record waiting in its partition's batch.
struct Waiting {
    recording: u64,
    code: Isrc,
    duration: f32,
    file: u32,
    line: u64,
    /// Its place among all records seen (input order).
    order: u64,
}

/// A recording found under a second code, before its file names are filled in.
struct Pair {
    /// The place of the record with the other code, for the input order of the list.
    order: u64,
    isrc: Isrc,
    file: u32,
    line: u64,
    other_isrc: Isrc,
    other_file: u32,
    other_line: u64,
}

/// One partition: its recordings, its batch, and the first pairs it found.
#[derive(Default)]
struct Part {
    seen: FastMap<u64, Seen>,
    batch: Vec<Waiting>,
    /// The first `cap` pairs found (in input order within the partition).
    found: Vec<Pair>,
    total: u64,
}

impl Part {
    /// Matches the waiting records against the map, in order.
    fn drain(&mut self, cap: usize) {
        let ms = |d: f32| (!d.is_nan()).then(|| (f64::from(d) * 1000.0).round() as u64);
        for w in self.batch.drain(..) {
            let seen = self.seen.entry(w.recording).or_insert(Seen {
                code: w.code,
                duration: w.duration,
                file: w.file,
                line: w.line,
                others: None,
            });
            let key = w.code.to_u64();
            if seen.code == w.code || seen.others.as_ref().is_some_and(|o| o.contains_key(&key)) {
                continue;
            }
            if !isrc::recording::durations_match(ms(seen.duration), ms(w.duration)) {
                continue;
            }
            seen.others.get_or_insert_default().insert(key, ());
            self.total += 1;
            if self.found.len() < cap {
                self.found.push(Pair {
                    order: w.order,
                    isrc: seen.code,
                    file: seen.file,
                    line: seen.line,
                    other_isrc: w.code,
                    other_file: w.file,
                    other_line: w.line,
                });
            }
        }
    }
}

/// Recordings by the fingerprint of their folded title, artist and version.
#[derive(Default)]
pub(super) struct Recordings {
    /// Allocated at the first record with a recording.
    parts: Vec<Part>,
    files: Vec<String>,
    /// Records seen so far.
    order: u64,
    /// How many pairs the report lists.
    cap: usize,
}

impl Recordings {
    /// The records that follow are from `file` (called once per chunk).
    pub(super) fn file(&mut self, file: &str) {
        if self.files.last().is_none_or(|f| f != file) {
            self.files.push(file.to_owned());
        }
    }

    /// A record of `recording` (a fingerprint, not 0) carrying `code`, in the last
    /// [`Recordings::file`]; the report lists the first `cap` pairs.
    pub(super) fn see(&mut self, recording: u64, code: Isrc, duration: f32, line: u64, cap: usize) {
        if self.parts.is_empty() {
            self.parts = (0..PARTS).map(|_| Part::default()).collect();
        }
        self.cap = cap;
        // The fingerprint is a multiplicative hash: its high bits are well spread.
        let part = &mut self.parts[(recording >> (64 - PART_BITS)) as usize];
        part.batch.push(Waiting {
            recording,
            code,
            duration,
            file: self.files.len().saturating_sub(1) as u32,
            line,
            order: self.order,
        });
        self.order += 1;
        if part.batch.len() >= BATCH {
            part.drain(cap);
        }
    }

    /// Every pair found, the first `cap` in input order.
    pub(super) fn finish(mut self) -> Listed<PossibleDuplicateRecording> {
        let cap = self.cap;
        let mut total = 0;
        let mut pairs = Vec::new();
        for part in &mut self.parts {
            part.drain(cap);
            total += part.total;
            pairs.append(&mut part.found);
        }
        pairs.sort_unstable_by_key(|p| p.order);
        pairs.truncate(cap);
        let file = |i: u32| self.files.get(i as usize).cloned().unwrap_or_default();
        Listed {
            total,
            listed: pairs
                .into_iter()
                .map(|p| PossibleDuplicateRecording {
                    isrc: p.isrc,
                    file: file(p.file),
                    line: p.line,
                    other_isrc: p.other_isrc,
                    other_file: file(p.other_file),
                    other_line: p.other_line,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs found in several partitions and batches come back in input order, the first
    /// `cap` of them, with every pair counted.
    #[test]
    fn pairs_in_input_order_across_partitions() {
        let mut recordings = Recordings::default();
        recordings.file("a.csv");
        let code = |n: u32| Isrc::from_parts("GB", "AYE", 6, n).unwrap();
        // Recordings spread over the partitions; each gets a first code, then a second one
        // 3000 records later (more than a batch), the second pairs in reverse partition order.
        let recording = |r: u64| (r + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let n = 3000u64;
        for r in 0..n {
            recordings.see(recording(r), code(r as u32), 200.0, r + 1, 10);
        }
        recordings.file("b.csv");
        for r in (0..n).rev() {
            recordings.see(recording(r), code(50_000 + r as u32), 201.0, r + 1, 10);
            // The same pair again, and the first code again: not counted twice.
            recordings.see(recording(r), code(50_000 + r as u32), 201.0, r + 1, 10);
            recordings.see(recording(r), code(r as u32), 201.0, r + 1, 10);
        }
        let found = recordings.finish();
        assert_eq!(found.total, n);
        let listed: Vec<_> = found
            .listed
            .iter()
            .map(|p| {
                (
                    p.isrc,
                    p.file.as_str(),
                    p.line,
                    p.other_isrc,
                    p.other_file.as_str(),
                )
            })
            .collect();
        let expected: Vec<_> = (0..10)
            .map(|k| {
                let r = n - 1 - k;
                (
                    code(r as u32),
                    "a.csv",
                    r + 1,
                    code(50_000 + r as u32),
                    "b.csv",
                )
            })
            .collect();
        assert_eq!(listed, expected);
    }
}
