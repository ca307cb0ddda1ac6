//! The duplicate and conflict index: one entry per distinct code (or bit pages for plain
//! lists), in shards that the workers fill in parallel, and the metadata compared to find
//! conflicts.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::dense::{PAGE_BITS, PageBatch, PageBits};
use crate::paged::PagedMap;

use super::verdicts::Out;

/// A multiplicative hasher for `u64` keys that are already well spread (ISRC numbers).
#[derive(Default)]
pub(super) struct U64Hasher(u64);

impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = crate::paged::mix_bytes(self.0, bytes);
    }
    /// Keeps runs of 64 consecutive codes in neighbouring buckets (catalogues list codes in
    /// allocation order, so the index stays cache-friendly) and spreads the runs.
    fn write_u64(&mut self, v: u64) {
        let high = (v >> 6).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let high = high ^ (high >> 32);
        self.0 = (high << 6) | (v & 63);
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<U64Hasher>>;

/// One distinct ISRC seen.
#[derive(Clone, Copy)]
pub(super) struct Entry {
    pub(super) first: u64,
    pub(super) count: u32,
    pub(super) conflict: bool,
    /// Title, artist, version and duration range of its records so far.
    pub(super) meta: Meta,
}

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
            conflict |= b - a > 10.0;
        }
        conflict
    }
}

pub(super) const SHARDS: usize = 64;
/// The first record of a code that is in an earlier input checked with bit pages, which keep
/// no positions: before every record of later inputs, its number unknown.
pub(super) const EARLIER: u64 = u64::MAX;

#[derive(Default)]
pub(super) struct Shard {
    /// One entry per distinct code, in pages of consecutive codes.
    pub(super) entries: PagedMap<Entry>,
    /// Dense mode: one bit per code seen, in pages of 256 designations.
    pub(super) pages: FastMap<u64, [u64; 4]>,
    /// Dense mode: one bit per code seen at least twice, in pages like `pages`, so that the
    /// common repeat costs a bit rather than a hash-map entry.
    pub(super) twice: FastMap<u64, PageBits>,
    /// Dense mode: codes seen three times or more, with their number of records.
    pub(super) repeats: FastMap<u64, u32>,
}

impl Shard {
    /// Dense mode: one more record of `key`, which is already in `pages`.
    pub(super) fn again(&mut self, key: u64) {
        let (page, word, mask) = page_bit(key);
        let twice = self.twice.entry(page).or_insert([0; 4]);
        if twice[word] & mask == 0 {
            twice[word] |= mask;
        } else {
            let n = self.repeats.entry(key).or_insert(2);
            *n = n.saturating_add(1);
        }
    }

    /// Dense mode: the records of `key` seen more than once (0 otherwise).
    pub(super) fn repeated(&self, key: u64) -> u32 {
        let (page, word, mask) = page_bit(key);
        match self.twice.get(&page) {
            Some(bits) if bits[word] & mask != 0 => self.repeats.get(&key).copied().unwrap_or(2),
            _ => 0,
        }
    }
}

/// The page, word and bit of an index key in the dense representation.
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

/// The duplicate index: one entry per distinct code, in shards that workers fill in
/// parallel. Positions are `(chunk << 32) | record in chunk`, so the smallest is the first.
pub(super) struct Index {
    pub(super) shards: Vec<Mutex<Shard>>,
    /// 0: not yet used; 1: dense (bit pages, no first record, no metadata); 2: entries.
    pub(super) mode: AtomicUsize,
}

pub(super) fn shard_of(key: u64) -> usize {
    ((key >> 8).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
}

impl Index {
    pub(super) fn new() -> Index {
        Index {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            mode: AtomicUsize::new(0),
        }
    }

    /// Chooses the representation for the next input, before any worker uses the index:
    /// bit pages when nothing needs the first record or the metadata of a code (a plain list
    /// of codes without --annotate, --fix or --gaps), entries otherwise. An input that needs
    /// entries after inputs checked with bit pages (a CSV catalogue after a plain list) turns
    /// the pages into entries, so that its conflicts are still found.
    pub(super) fn choose(&self, dense: bool) -> bool {
        let wanted = if dense { 1 } else { 2 };
        match self
            .mode
            .compare_exchange(0, wanted, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => dense,
            Err(1) if !dense => {
                self.pages_to_entries();
                self.mode.store(2, Ordering::Relaxed);
                false
            }
            Err(mode) => mode == 1,
        }
    }

    /// Turns every bit page into entries: one per code seen, with its number of records and
    /// no metadata (plain lists have none), and [`EARLIER`] as its first record.
    pub(super) fn pages_to_entries(&self) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            let shard = &mut *shard;
            let pages = std::mem::take(&mut shard.pages);
            for (page, bits) in pages {
                for key in page_keys(page, bits) {
                    let count = shard.repeated(key).max(1);
                    let entry = Entry {
                        first: EARLIER,
                        count,
                        conflict: false,
                        meta: Meta::default(),
                    };
                    *shard.entries.get_or_insert_with(key, || entry).0 = entry;
                }
            }
            shard.twice = FastMap::default();
            shard.repeats = FastMap::default();
        }
    }

    /// Dense mode: adds a worker's pages: a bit set both here and in the batch, or a repeat
    /// within the batch, is one more record of a code already seen.
    pub(super) fn add_pages(&self, batch: &PageBatch) {
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); SHARDS];
        for (i, (page, _)) in batch.pages.iter().enumerate() {
            buckets[shard_of(page * PAGE_BITS)].push(i as u32);
        }
        let mut repeat_buckets: Vec<Vec<u64>> = vec![Vec::new(); SHARDS];
        for &key in &batch.repeats {
            repeat_buckets[shard_of(key)].push(key);
        }
        for (s, (bucket, repeats)) in buckets.iter().zip(&repeat_buckets).enumerate() {
            if bucket.is_empty() && repeats.is_empty() {
                continue;
            }
            let mut shard = self.shards[s]
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let shard = &mut *shard;
            for &i in bucket {
                let (page, bits) = batch.pages[i as usize];
                let seen = shard.pages.entry(page).or_insert([0; 4]);
                let mut both = [0u64; 4];
                for w in 0..4 {
                    both[w] = seen[w] & bits[w];
                    seen[w] |= bits[w];
                }
                if both == [0; 4] {
                    continue;
                }
                // Codes seen before: the ones seen once become twice-seen in one step; only
                // the ones already twice-seen need their own count.
                let twice = shard.twice.entry(page).or_insert([0; 4]);
                let mut thrice = [0u64; 4];
                for w in 0..4 {
                    thrice[w] = twice[w] & both[w];
                    twice[w] |= both[w];
                }
                for key in page_keys(page, thrice) {
                    let n = shard.repeats.entry(key).or_insert(2);
                    *n = n.saturating_add(1);
                }
            }
            for &key in repeats {
                shard.again(key);
            }
        }
    }

    /// Adds a chunk's codes; with `want_first`, returns for each record the position of the
    /// first record with its code when that is an earlier one (correct when chunks are added
    /// in order).
    pub(super) fn add(
        &self,
        outs: &[Out],
        metas: &[Meta],
        pos_base: u64,
        want_first: bool,
    ) -> Vec<Option<u64>> {
        // Each shard's records with what it needs of them, gathered in one pass in order:
        // reading the outcomes and metadata again per shard, at random, missed the cache.
        let mut buckets: Vec<Vec<(u64, u32, Option<Meta>)>> = vec![Vec::new(); SHARDS];
        for (i, out) in outs.iter().enumerate() {
            if let Some(code) = out.code {
                let key = code.to_u64();
                buckets[shard_of(key)].push((key, i as u32, metas.get(i).copied()));
            }
        }
        let mut firsts = if want_first {
            vec![None; outs.len()]
        } else {
            Vec::new()
        };
        for (s, bucket) in buckets.iter().enumerate() {
            if bucket.is_empty() {
                continue;
            }
            let mut shard = self.shards[s]
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let shard = &mut *shard;
            for &(key, i, meta) in bucket {
                let i = i as usize;
                let pos = pos_base | i as u64;
                let meta = meta.as_ref();
                let (entry, _) = shard.entries.get_or_insert_with(key, || Entry {
                    first: pos,
                    count: 0,
                    conflict: false,
                    meta: meta.copied().unwrap_or_default(),
                });
                entry.count = entry.count.saturating_add(1);
                if entry.count > 1 {
                    if entry.first != EARLIER {
                        entry.first = entry.first.min(pos);
                    }
                    if want_first {
                        firsts[i] = Some(entry.first);
                    }
                    if let Some(meta) = meta
                        && entry.meta.absorb(meta)
                    {
                        entry.conflict = true;
                    }
                }
            }
        }
        firsts
    }
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
        // twice-seen codes (more than the report names) and two seen more often.
        let policy = Policy::new("2026-11-22".parse().unwrap());
        let mut checker = Checker::new(policy, Options::default());
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
