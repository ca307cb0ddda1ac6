//! Where the records of the report's duplicates and conflicts are: index positions (chunk
//! and record in chunk) turned into file and line at the end, and the fields on which the
//! records of a conflicting ISRC disagree, grouped by value.

use crate::report::{Differing, Duplicate, Place, ValueGroup};

use super::index::{EARLIER, Meta};

/// The lines of one chunk's records: the first record's line and, when the records are not
/// one a line (blank lines, quoted fields over several lines), each record's line after it.
pub(super) struct ChunkLines {
    /// The input the chunk belongs to, in [`Places::files`].
    file: u32,
    /// The line of the chunk's first record.
    first: u64,
    /// Per record, its line minus `first`; `None` when record `i` is on line `first + i`.
    offsets: Option<Box<[u32]>>,
}

/// Files and chunk lines of every chunk merged so far (all inputs), by global chunk number.
#[derive(Default)]
pub(super) struct Places {
    files: Vec<String>,
    chunks: Vec<ChunkLines>,
}

impl Places {
    /// A new input begins.
    pub(super) fn file(&mut self, name: &str) {
        self.files.push(name.to_owned());
    }

    /// The next chunk of the current input, whose records are on `lines` (in record order).
    /// A chunk of the dense index (no positions) passes no lines.
    pub(super) fn chunk(&mut self, lines: impl Iterator<Item = u64> + Clone) {
        let file = self.files.len().saturating_sub(1) as u32;
        let mut all = lines.clone();
        let first = all.next().unwrap_or(0);
        let linear = lines
            .clone()
            .enumerate()
            .all(|(i, line)| line == first + i as u64);
        let offsets = (!linear).then(|| {
            lines
                .map(|line| u32::try_from(line.saturating_sub(first)).unwrap_or(u32::MAX))
                .collect()
        });
        self.chunks.push(ChunkLines {
            file,
            first,
            offsets,
        });
    }

    /// The next chunk of the current input, whose records are one a line from `first`.
    pub(super) fn linear_chunk(&mut self, first: u64) {
        let file = self.files.len().saturating_sub(1) as u32;
        self.chunks.push(ChunkLines {
            file,
            first,
            offsets: None,
        });
    }

    /// The file and line of the record at an index position (`chunk << 32 | record`).
    pub(super) fn place(&self, pos: u64) -> Option<Place> {
        if pos == EARLIER {
            return None;
        }
        let chunk = self.chunks.get((pos >> 32) as usize)?;
        let i = (pos & 0xFFFF_FFFF) as usize;
        let offset = match &chunk.offsets {
            Some(offsets) => u64::from(*offsets.get(i)?),
            None => i as u64,
        };
        Some(Place {
            file: self.files.get(chunk.file as usize)?.clone(),
            line: chunk.first + offset,
        })
    }
}

/// A duplicate found by the tally, with the positions and metadata of its records (those
/// with positions), before its places are known.
#[derive(Clone)]
pub(super) struct Found {
    pub(super) duplicate: Duplicate,
    /// The index position of its first record ([`EARLIER`] when unknown).
    pub(super) first: u64,
    pub(super) records: Vec<(u64, Meta)>,
}

impl Found {
    /// The duplicate of `key` with `records` records, the first at position `first`
    /// ([`EARLIER`]: unknown), and the positions and metadata of those with positions.
    pub(super) fn new(
        key: u64,
        records: u64,
        first: u64,
        conflict: bool,
        placed: Vec<(u64, Meta)>,
        number: &dyn Fn(u64) -> Option<u64>,
    ) -> Option<Found> {
        let duplicate = Duplicate {
            isrc: isrc::Isrc::from_u64(key)?,
            records,
            first_record: if first == EARLIER {
                None
            } else {
                number(first)
            },
            first_file: None,
            first_line: None,
            conflict,
            lines: Vec::new(),
            differing: Vec::new(),
        };
        Some(Found {
            duplicate,
            first,
            records: placed,
        })
    }

    /// The report's entry: every line (the first `cap`), and for a conflict the fields that
    /// differ with the lines of each value.
    pub(super) fn into_duplicate(mut self, places: &Places, cap: usize) -> Duplicate {
        self.records.sort_unstable_by_key(|r| r.0);
        let place = |pos: u64| places.place(pos);
        let mut d = self.duplicate;
        if let Some(first) = places.place(self.first) {
            d.first_file = Some(first.file);
            d.first_line = Some(first.line);
        }
        d.lines = self
            .records
            .iter()
            .take(cap)
            .filter_map(|r| place(r.0))
            .collect();
        if d.conflict {
            let fingerprint = |pick: fn(&Meta) -> Option<u32>, field| {
                differing(&self.records, field, cap, &place, |m| {
                    pick(m).map(|v| (u64::from(v), None))
                })
            };
            let title_artist = fingerprint(|m| m.title_artist.map(|v| v.get()), "title_artist");
            let version = fingerprint(|m| m.version.map(|v| v.get()), "version");
            let duration = differing(&self.records, "duration", cap, &place, |m| {
                let d = m.duration[0];
                (!d.is_nan()).then(|| (u64::from(d.to_bits()), Some(f64::from(d))))
            })
            .filter(|g| {
                let seconds = g.values.iter().filter_map(|v| v.seconds);
                let (lo, hi) =
                    seconds.fold((f64::MAX, f64::MIN), |(lo, hi), s| (lo.min(s), hi.max(s)));
                (hi - lo) * 1000.0 > isrc::recording::DURATION_TOLERANCE_MS as f64
            });
            d.differing = [title_artist, version, duration]
                .into_iter()
                .flatten()
                .collect();
        }
        d
    }
}

/// The groups of records by the value `value` gives (records in position order), when
/// there are two values or more.
fn differing(
    records: &[(u64, Meta)],
    field: &'static str,
    cap: usize,
    place: &dyn Fn(u64) -> Option<Place>,
    value: impl Fn(&Meta) -> Option<(u64, Option<f64>)>,
) -> Option<Differing> {
    let mut groups: Vec<(u64, ValueGroup)> = Vec::new();
    for (pos, meta) in records {
        let Some((v, seconds)) = value(meta) else {
            continue;
        };
        let at = match groups.iter().position(|g| g.0 == v) {
            Some(at) => at,
            // A value more than the lists hold: not listed (the field is already shown to differ).
            None if groups.len() >= cap.max(2) => continue,
            None => {
                groups.push((
                    v,
                    ValueGroup {
                        seconds,
                        lines: Vec::new(),
                    },
                ));
                groups.len() - 1
            }
        };
        let lines = &mut groups[at].1.lines;
        if lines.len() < cap
            && let Some(p) = place(*pos)
        {
            lines.push(p);
        }
    }
    (groups.len() > 1).then(|| Differing {
        field,
        values: groups.into_iter().map(|g| g.1).collect(),
    })
}
