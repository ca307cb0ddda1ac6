//! The duplicate and conflict index. Workers append every record's code (with its position
//! and metadata when they are needed) to one of [`PARTITIONS`] partitions chosen by a hash of
//! the code's page (its key divided by 256), so that the partitions are the same size
//! whatever the distribution of codes. Nothing is looked up while the input is read; at the
//! end each partition, a few thousand codes that fit in a core's cache, is tallied on its own
//! ([`super::partition`]), in parallel. Past the memory budget the partitions are written to
//! a temporary file ([`super::spill`]) and read back one at a time at the end.
//!
//! Memory per record: 8 bytes for a code of a plain list (less when runs of codes arrive as
//! bit pages), 16 with its position, 32 with the metadata that conflicts need.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::dense::{PAGE_BITS, PageBatch, PageBits};

use super::spill::Spill;
use super::verdicts::Out;

/// A multiplicative hasher for `u64` keys that are already well spread (ISRC numbers).
#[derive(Default)]
pub(super) struct U64Hasher(u64);

impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = bytes.iter().fold(self.0, |h, b| {
            (h.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        });
    }
    /// Keeps runs of 64 consecutive codes in neighbouring buckets (catalogues list codes in
    /// allocation order, so a map stays cache-friendly) and spreads the runs.
    fn write_u64(&mut self, v: u64) {
        let high = (v >> 6).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let high = high ^ (high >> 32);
        self.0 = (high << 6) | (v & 63);
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<U64Hasher>>;

/// Title/artist/version/duration of a record; in the index, of all records of an ISRC so far
/// (the first title, artist and version seen, and the duration range). Kept small (16
/// bytes): the index holds one per distinct code, and its size is most of the memory and the
/// page faults of a large catalogue. 32-bit fingerprints: two different titles of one ISRC
/// look alike once in four billion.
#[derive(Clone, Copy)]
pub(super) struct Meta {
    pub(super) title_artist: Option<NonZeroU32>,
    pub(super) version: Option<NonZeroU32>,
    /// Shortest and longest duration in seconds; NaN when there is none.
    pub(super) duration: [f32; 2],
}

impl Default for Meta {
    fn default() -> Meta {
        Meta {
            title_artist: None,
            version: None,
            duration: [f32::NAN; 2],
        }
    }
}

impl Meta {
    /// A record's metadata from its fingerprints and duration.
    pub(super) fn new(
        title_artist: Option<u64>,
        version: Option<u64>,
        duration: Option<f64>,
    ) -> Meta {
        // The high half of the hash; 0 is stored as 1: one more collision in 2^32.
        let fingerprint = |h: u64| NonZeroU32::new(((h >> 32) as u32).max(1));
        let d = duration.map_or(f32::NAN, |d| d as f32);
        Meta {
            title_artist: title_artist.and_then(fingerprint),
            version: version.and_then(fingerprint),
            duration: [d, d],
        }
    }

    /// Takes in another record's metadata; true when it conflicts. Order does not matter:
    /// the answer for a set of records is the same whatever order they come in.
    pub(super) fn absorb(&mut self, other: &Meta) -> bool {
        let mut conflict = false;
        for (mine, theirs) in [
            (&mut self.title_artist, other.title_artist),
            (&mut self.version, other.version),
        ] {
            match (*mine, theirs) {
                (Some(a), Some(b)) if a != b => conflict = true,
                (None, Some(b)) => *mine = Some(b),
                _ => {}
            }
        }
        let [lo, hi] = other.duration;
        if !lo.is_nan() {
            let [a, b] = if self.duration[0].is_nan() {
                [lo, hi]
            } else {
                [self.duration[0].min(lo), self.duration[1].max(hi)]
            };
            self.duration = [a, b];
            // Not the same recording: further apart than the shared tolerance.
            conflict |= f64::from(b - a) * 1000.0 > isrc::recording::DURATION_TOLERANCE_MS as f64;
        }
        conflict
    }
}

/// The first record of a code that is in an input checked with bit pages, which keep no
/// positions: before every record of later inputs, its number unknown.
pub(super) const EARLIER: u64 = u64::MAX;

/// log2 of [`PARTITIONS`].
const PARTITION_BITS: u32 = 10;
/// Partitions of the index: 5,000,000 codes make about 5,000 per partition, whose tally at the
/// end fits in a core's cache.
pub(super) const PARTITIONS: usize = 1 << PARTITION_BITS;
/// A bit page with fewer codes than this is stored as its codes (8 bytes each).
const PAGE_MIN_CODES: u32 = 5;

/// The partition of a code: by a hash of its page, so that a page and its codes meet there.
#[inline]
pub(super) fn partition_of(key: u64) -> usize {
    ((key / PAGE_BITS).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PARTITION_BITS)) as usize
}

/// The records of one partition, as appended; each code may appear many times.
#[derive(Default)]
pub(super) struct Part {
    /// Plain lists: pages of codes seen (each set bit one record, no position).
    pub(super) pages: Vec<(u64, PageBits)>,
    /// Plain lists: one code per record, no position.
    pub(super) keys: Vec<u64>,
    /// Code and position of a record without metadata.
    pub(super) placed: Vec<(u64, u64)>,
    /// Code, position and metadata of a record of an input with metadata columns.
    pub(super) described: Vec<(u64, u64, Meta)>,
}

impl Part {
    /// Bytes allocated.
    pub(super) fn bytes(&self) -> usize {
        self.pages.capacity() * 40
            + self.keys.capacity() * 8
            + self.placed.capacity() * 16
            + self.described.capacity() * 32
    }

    pub(super) fn is_empty(&self) -> bool {
        self.pages.is_empty()
            && self.keys.is_empty()
            && self.placed.is_empty()
            && self.described.is_empty()
    }
}

/// The index: partitions the workers append to, the memory they hold, and the spill file.
pub(super) struct Index {
    parts: Vec<Mutex<Part>>,
    /// 0: not yet used; 1: dense (bit pages and codes, no positions, no metadata); 2: positions.
    mode: AtomicUsize,
    /// Bytes held by the partitions.
    held: AtomicUsize,
    /// Bytes the partitions may hold before they are spilled.
    limit: usize,
    /// The temporary file, once a spill happened; the first write error.
    spill: Mutex<(Option<Spill>, Option<io::Error>)>,
    /// A spill failed: the input's reading should stop.
    failed: AtomicBool,
}

/// A chunk's records sorted by partition: `items[starts[p]..starts[p + 1]]` go to `p`.
struct Sorted<T> {
    items: Vec<T>,
    starts: Vec<usize>,
}

/// Counting sort of `items` by partition (two passes over data that is in the cache).
fn by_partition<T: Copy>(items: &[T], key: impl Fn(&T) -> u64) -> Sorted<T> {
    let mut starts = vec![0usize; PARTITIONS + 1];
    let parts: Vec<u16> = items.iter().map(|t| partition_of(key(t)) as u16).collect();
    for &p in &parts {
        starts[p as usize + 1] += 1;
    }
    for p in 0..PARTITIONS {
        starts[p + 1] += starts[p];
    }
    let mut next = starts.clone();
    // Every element is written over; the copy only sizes the vector without `unsafe`.
    let mut sorted = items.to_vec();
    for (item, &p) in items.iter().zip(&parts) {
        sorted[next[p as usize]] = *item;
        next[p as usize] += 1;
    }
    Sorted {
        items: sorted,
        starts,
    }
}

impl<T> Sorted<T> {
    fn of(&self, p: usize) -> &[T] {
        &self.items[self.starts[p]..self.starts[p + 1]]
    }
}

impl Index {
    /// An index that spills past `limit` bytes.
    pub(super) fn new(limit: usize) -> Index {
        Index {
            parts: (0..PARTITIONS).map(|_| Mutex::default()).collect(),
            mode: AtomicUsize::new(0),
            held: AtomicUsize::new(0),
            limit,
            spill: Mutex::new((None, None)),
            failed: AtomicBool::new(false),
        }
    }

    /// Chooses the representation for the next input, before any worker uses the index:
    /// codes without positions (bit pages) when nothing needs the first record or the
    /// metadata of a code (a plain list without --annotate, --fix or --gaps), positions
    /// otherwise. Once an input needed positions, later inputs keep them; codes from inputs
    /// without positions have [`EARLIER`] as their first record.
    pub(super) fn choose(&self, dense: bool) -> bool {
        let wanted = if dense { 1 } else { 2 };
        match self
            .mode
            .compare_exchange(0, wanted, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => dense,
            Err(1) if !dense => {
                self.mode.store(2, Ordering::Relaxed);
                false
            }
            Err(mode) => mode == 1,
        }
    }

    /// Appends to each partition its part of a chunk, then spills if the budget is passed.
    fn append(&self, has: impl Fn(usize) -> bool, mut fill: impl FnMut(usize, &mut Part)) {
        for (p, part) in self.parts.iter().enumerate() {
            if !has(p) {
                continue;
            }
            let mut part = part.lock().unwrap_or_else(PoisonError::into_inner);
            let before = part.bytes();
            fill(p, &mut part);
            // Counted under the partition's lock, so that a spill, which takes the
            // partition under the same lock, never subtracts bytes not yet added.
            let after = part.bytes();
            if after >= before {
                self.held.fetch_add(after - before, Ordering::Relaxed);
            } else {
                self.held.fetch_sub(before - after, Ordering::Relaxed);
            }
        }
        if self.held.load(Ordering::Relaxed) > self.limit {
            self.spill_all();
        }
    }

    /// Dense mode: adds a worker's bit pages and repeats. A page with few codes is stored
    /// as its codes, so that scattered codes cost 8 bytes each rather than a page.
    pub(super) fn add_pages(&self, batch: &PageBatch) {
        let mut pages = Vec::new();
        let mut keys = batch.repeats.clone();
        for &(page, bits) in &batch.pages {
            if bits.iter().map(|w| w.count_ones()).sum::<u32>() >= PAGE_MIN_CODES {
                pages.push((page, bits));
            } else {
                keys.extend(page_keys(page, bits));
            }
        }
        let pages = by_partition(&pages, |&(page, _)| page * PAGE_BITS);
        let keys = by_partition(&keys, |&k| k);
        let has = |p: usize| !pages.of(p).is_empty() || !keys.of(p).is_empty();
        self.append(has, |p, part| {
            part.pages.extend_from_slice(pages.of(p));
            part.keys.extend_from_slice(keys.of(p));
        });
    }

    /// Adds a chunk's codes with their positions (`pos_base | rank(i)`, the record's place
    /// in the chunk) and, when the input has metadata columns, their metadata.
    pub(super) fn add(
        &self,
        outs: &[Out],
        metas: &[Meta],
        pos_base: u64,
        rank: impl Fn(usize) -> u64,
    ) {
        if metas.is_empty() {
            let placed: Vec<(u64, u64)> = outs
                .iter()
                .enumerate()
                .filter_map(|(i, o)| Some((o.code?.to_u64(), pos_base + rank(i))))
                .collect();
            let placed = by_partition(&placed, |r| r.0);
            self.append(
                |p| !placed.of(p).is_empty(),
                |p, part| part.placed.extend_from_slice(placed.of(p)),
            );
        } else {
            let described: Vec<(u64, u64, Meta)> = outs
                .iter()
                .enumerate()
                .filter_map(|(i, o)| {
                    let meta = metas.get(i).copied().unwrap_or_default();
                    Some((o.code?.to_u64(), pos_base + rank(i), meta))
                })
                .collect();
            let described = by_partition(&described, |r| r.0);
            self.append(
                |p| !described.of(p).is_empty(),
                |p, part| part.described.extend_from_slice(described.of(p)),
            );
        }
    }

    /// Writes every partition to the spill file and frees its memory. One worker at a time;
    /// the others go on appending meanwhile.
    fn spill_all(&self) {
        let Ok(mut guard) = self.spill.try_lock() else {
            return;
        };
        let (spill, error) = &mut *guard;
        if error.is_some() {
            return;
        }
        if spill.is_none() {
            match Spill::create() {
                Ok(s) => *spill = Some(s),
                Err(e) => {
                    *error = Some(e);
                    self.failed.store(true, Ordering::Relaxed);
                    return;
                }
            }
        }
        let Some(spill) = spill.as_mut() else {
            return;
        };
        for (p, part) in self.parts.iter().enumerate() {
            let taken = {
                let mut part = part.lock().unwrap_or_else(PoisonError::into_inner);
                self.held.fetch_sub(part.bytes(), Ordering::Relaxed);
                std::mem::take(&mut *part)
            };
            if let Err(e) = spill.write(p, &taken) {
                *error = Some(e);
                self.failed.store(true, Ordering::Relaxed);
                return;
            }
        }
    }

    /// Whether writing the spill file failed.
    pub(super) fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// The first error writing the spill file.
    pub(super) fn take_error(&self) -> Option<io::Error> {
        self.spill
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .take()
    }

    /// Takes the partitions and the spill file, for the tally at the end.
    pub(super) fn take(&self) -> (Vec<Part>, Option<Spill>) {
        let parts = self
            .parts
            .iter()
            .map(|m| std::mem::take(&mut *m.lock().unwrap_or_else(PoisonError::into_inner)))
            .collect();
        self.held.store(0, Ordering::Relaxed);
        let spill = self
            .spill
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .take();
        (parts, spill)
    }
}

/// The page, word and bit of a key in a bit page.
pub(super) fn page_bit(key: u64) -> (u64, usize, u64) {
    (
        key / PAGE_BITS,
        ((key % PAGE_BITS) >> 6) as usize,
        1u64 << (key & 63),
    )
}

/// The keys whose bit is set in a page.
pub(super) fn page_keys(page: u64, bits: PageBits) -> impl Iterator<Item = u64> {
    bits.into_iter()
        .enumerate()
        .flat_map(move |(word, mut set)| {
            std::iter::from_fn(move || {
                (set != 0).then(|| {
                    let key =
                        page * PAGE_BITS + (word as u64) * 64 + u64::from(set.trailing_zeros());
                    set &= set - 1;
                    key
                })
            })
        })
}

#[cfg(test)]
mod tests {
    use isrc::Policy;

    use super::super::summary::TOP_DUPLICATES;
    use super::super::{Checker, Options};

    /// A CSV catalogue checked after a plain list (which uses bit pages) still has its
    /// conflicts found, and duplicates across the two inputs are counted once.
    #[test]
    fn plain_list_duplicates_counted_from_bits() {
        // Small chunks, so that repeats meet both within a chunk and across chunks; 30
        // twice-seen codes (more than the report names) and two seen more often. Without
        // the report's lists (`--max-listed 0`), a plain list goes to the bit pages.
        let policy = Policy::new("2026-11-22".parse().unwrap());
        let options = Options {
            max_listed: Some(0),
            ..Options::default()
        };
        let mut checker = Checker::new(policy, options);
        checker.set_chunk_bytes(64);
        let mut list = String::new();
        for _ in 0..2 {
            for d in (1..=30).rev() {
                list.push_str(&format!("CBYZ926{d:05}\n"));
            }
        }
        for _ in 0..3 {
            list.push_str("GBAYE0601498\n");
        }
        for _ in 0..4 {
            list.push_str("USRC17607839\n");
        }
        checker
            .check_reader("codes.txt", std::io::Cursor::new(list), None)
            .unwrap();
        let summary = checker.finish();
        assert_eq!(summary.records, 67);
        assert_eq!(summary.duplicate_isrcs, 32);
        let top: Vec<_> = summary
            .top_duplicates
            .iter()
            .map(|d| (d.isrc.to_string(), d.records, d.first_record))
            .collect();
        assert_eq!(top.len(), TOP_DUPLICATES);
        assert_eq!(top[0], ("USRC17607839".to_owned(), 4, None));
        assert_eq!(top[1], ("GBAYE0601498".to_owned(), 3, None));
        // Then the twice-seen codes, lowest first.
        for (i, d) in top[2..].iter().enumerate() {
            assert_eq!(d, &(format!("CBYZ926{:05}", i + 1), 2, None));
        }
    }

    #[test]
    fn conflicts_after_a_plain_list() {
        let policy = Policy::new("2026-11-22".parse().unwrap());
        let mut checker = Checker::new(policy, Options::default());
        let list = "USRC17607839\nGBAYE0601498\nGBAYE0601498\n";
        checker
            .check_reader("codes.txt", list.as_bytes(), None)
            .unwrap();
        let csv = "isrc,title,artist\nUSRC17607839,Yesterday,The Band\n\
                   USRC17607839,Tomorrow,The Band\nFRZ039800212,Song,Someone\n";
        checker
            .check_reader("catalogue.csv", csv.as_bytes(), None)
            .unwrap();
        let summary = checker.finish();
        assert_eq!(summary.records, 6);
        assert_eq!(summary.duplicate_isrcs, 2);
        assert_eq!(summary.conflicting_isrcs, 1);
        let top: Vec<_> = summary
            .top_duplicates
            .iter()
            .map(|d| (d.isrc.to_string(), d.records, d.conflict))
            .collect();
        assert_eq!(
            top,
            [
                ("USRC17607839".to_owned(), 3, true),
                ("GBAYE0601498".to_owned(), 2, false)
            ]
        );
    }
}
