//! The tally of one partition of the index at the end: how many codes have more than one
//! record, which of them conflict, and the best-ranked duplicates. A partition holds a few
//! thousand codes (a thousandth of the index), so its maps stay in a core's cache.

use std::collections::hash_map::Entry as Slot;

use crate::dense::{PAGE_BITS, PageBits};

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::index::{EARLIER, FastMap, Meta, Part, page_bit, page_keys};
use super::places::Found;
use super::summary::TOP_DUPLICATES;

/// One distinct code with positions: its first record, records and metadata so far.
#[derive(Clone, Copy)]
struct Entry {
    first: u64,
    count: u32,
    conflict: bool,
    meta: Meta,
}

/// What a partition (or several) adds to the report.
#[derive(Default)]
pub(super) struct PartTally {
    pub(super) duplicates: u64,
    pub(super) conflicts: u64,
    pub(super) top: Top,
    /// The best-ranked conflicting codes (the report's list of conflicts).
    pub(super) conflicted: Top,
    /// `--gaps`: every distinct code, in no order.
    pub(super) keys: Vec<u64>,
    /// Records with a code under each prefix with a problem (by its place in the `wanted`
    /// map given to [`tally`]).
    pub(super) prefix_records: Vec<u64>,
    /// Duplicates with records in bit pages, not yet ranked: their first record is in the
    /// code logs.
    pub(super) pending: Vec<Pending>,
}

/// A duplicate some of whose records are in bit pages, which keep no positions.
pub(super) struct Pending {
    pub(super) key: u64,
    pub(super) records: u64,
    pub(super) conflict: bool,
    /// Its records with positions, if any (a later input with metadata).
    pub(super) placed: Vec<(u64, Meta)>,
}

impl PartTally {
    /// Adds another partition's tally.
    pub(super) fn absorb(&mut self, other: PartTally) {
        self.duplicates += other.duplicates;
        self.conflicts += other.conflicts;
        for d in other.top.items {
            self.top.push(d);
        }
        for d in other.conflicted.items {
            self.conflicted.push(d);
        }
        self.keys.extend(other.keys);
        self.pending.extend(other.pending);
        if self.prefix_records.len() < other.prefix_records.len() {
            self.prefix_records.resize(other.prefix_records.len(), 0);
        }
        for (a, b) in self.prefix_records.iter_mut().zip(other.prefix_records) {
            *a += b;
        }
    }
}

/// The order of the duplicates named in the report: most records first, then the earliest
/// first record (unknown first), then the code.
pub(super) fn rank(a: &Found, b: &Found) -> std::cmp::Ordering {
    let (a, b) = (&a.duplicate, &b.duplicate);
    b.records
        .cmp(&a.records)
        .then(a.first_record.cmp(&b.first_record))
        .then(a.isrc.cmp(&b.isrc))
}

/// The best-ranked duplicates, kept without sorting all of them: at least
/// [`TOP_DUPLICATES`] (what people see), and as many as the report lists (`--max-listed`).
pub(super) struct Top {
    items: Vec<Found>,
    cap: usize,
}

impl Default for Top {
    fn default() -> Top {
        Top::new(TOP_DUPLICATES)
    }
}

impl Top {
    /// Keeps the best `cap` (at least [`TOP_DUPLICATES`]).
    pub(super) fn new(cap: usize) -> Top {
        Top {
            items: Vec::new(),
            cap: cap.max(TOP_DUPLICATES),
        }
    }

    pub(super) fn push(&mut self, d: Found) {
        self.items.push(d);
        if self.items.len() >= (2 * self.cap).max(1024) {
            self.items.select_nth_unstable_by(self.cap - 1, rank);
            self.items.truncate(self.cap);
        }
    }

    /// The best ones kept, in order.
    pub(super) fn into_sorted(mut self) -> Vec<Found> {
        self.items.sort_by(rank);
        self.items.truncate(self.cap);
        self.items
    }
}

impl PartTally {
    /// An empty tally keeping the best `cap` duplicates and conflicts.
    pub(super) fn with_cap(cap: usize) -> PartTally {
        PartTally {
            top: Top::new(cap),
            conflicted: Top::new(cap),
            ..PartTally::default()
        }
    }
}

/// A hasher that mixes every bit of a `u64` key. The maps of a partition fit in a core's
/// cache, so they need no locality; [`FastMap`]'s hasher, which keeps runs of 64 codes in
/// neighbouring buckets with one tag, made every probe of a sequential catalogue's
/// partition compare a whole run (two thirds of the tally's time).
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(self.0 ^ u64::from(*b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        // The splitmix64 finaliser.
        let mut z = v.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = z ^ (z >> 31);
    }
}

/// A map of a partition's tally.
type PartMap<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;

/// Index keys per registrant prefix ([`isrc::Isrc::to_u64`]: prefix, then year and
/// designation).
pub(super) const KEYS_PER_PREFIX: u64 = 10_000_000;

/// Counts the records of the partition under each prefix of `wanted` (prefix number, that
/// is key / [`KEYS_PER_PREFIX`] -> place in `counts`). A page counts as a whole when it lies
/// in one prefix.
fn count_prefixes(part: &Part, wanted: &FastMap<u64, usize>, counts: &mut Vec<u64>) {
    counts.resize(wanted.len(), 0);
    if wanted.is_empty() {
        return;
    }
    // The last prefix looked up: codes of one registrant often come together.
    let mut last = (u64::MAX, None);
    let mut add = |key: u64, n: u64| {
        let prefix = key / KEYS_PER_PREFIX;
        if last.0 != prefix {
            last = (prefix, wanted.get(&prefix).copied());
        }
        if let Some(i) = last.1 {
            counts[i] += n;
        }
    };
    for &(page, bits) in &part.pages {
        let first = page * PAGE_BITS;
        if first / KEYS_PER_PREFIX == (first + PAGE_BITS - 1) / KEYS_PER_PREFIX {
            add(first, bits.iter().map(|w| u64::from(w.count_ones())).sum());
        } else {
            for key in page_keys(page, bits) {
                add(key, 1);
            }
        }
    }
    for &key in &part.keys {
        add(key, 1);
    }
    for &(key, _) in &part.placed {
        add(key, 1);
    }
    for &(key, _, _) in &part.described {
        add(key, 1);
    }
}

/// Tallies one partition. `number` gives the record number of a position (`None` for
/// [`EARLIER`]); with `gaps`, every distinct code is kept; the records of the prefixes in
/// `wanted` are counted. With `logged`, the duplicates whose records are in bit pages are
/// left [`PartTally::pending`], for the code logs to place.
pub(super) fn tally(
    part: Part,
    gaps: bool,
    number: &dyn Fn(u64) -> Option<u64>,
    cap: usize,
    wanted: &FastMap<u64, usize>,
    logged: bool,
) -> PartTally {
    let mut prefix_records = Vec::new();
    count_prefixes(&part, wanted, &mut prefix_records);
    // Records without positions: per page, the codes seen once and twice; the counts of
    // codes seen three times or more; codes whose page never came whole, counted one by one.
    let mut pages: PartMap<u64, [PageBits; 2]> =
        PartMap::with_capacity_and_hasher(part.pages.len(), BuildHasherDefault::default());
    let mut thrice: PartMap<u64, u32> = PartMap::default();
    for (page, bits) in part.pages {
        let [seen, twice] = pages.entry(page).or_insert([[0; 4]; 2]);
        let mut more = [0u64; 4];
        for w in 0..4 {
            let both = seen[w] & bits[w];
            seen[w] |= bits[w];
            more[w] = twice[w] & both;
            twice[w] |= both;
        }
        for key in page_keys(page, more) {
            let n = thrice.entry(key).or_insert(2);
            *n = n.saturating_add(1);
        }
    }
    // Codes whose page never came whole: sorted and counted by runs, which costs less than a
    // map of a few thousand keys (scattered catalogues put nearly every code here).
    let mut loose_keys = Vec::new();
    if pages.is_empty() {
        loose_keys = part.keys;
    } else {
        for key in part.keys {
            let (page, word, mask) = page_bit(key);
            match pages.get_mut(&page) {
                Some([seen, twice]) => {
                    if seen[word] & mask == 0 {
                        seen[word] |= mask;
                    } else if twice[word] & mask == 0 {
                        twice[word] |= mask;
                    } else {
                        let n = thrice.entry(key).or_insert(2);
                        *n = n.saturating_add(1);
                    }
                }
                None => loose_keys.push(key),
            }
        }
    }
    loose_keys.sort_unstable();
    // Each code whose page never came whole and its records, in key order.
    let loose: Vec<(u64, u32)> = loose_keys
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], u32::try_from(run.len()).unwrap_or(u32::MAX)))
        .collect();
    drop(loose_keys);
    let loose_records = |key: u64| -> u32 {
        loose
            .binary_search_by_key(&key, |&(k, _)| k)
            .map_or(0, |i| loose[i].1)
    };
    let unplaced = |key: u64| -> u32 {
        let (page, word, mask) = page_bit(key);
        match pages.get(&page) {
            Some([_, twice]) if twice[word] & mask != 0 => thrice.get(&key).copied().unwrap_or(2),
            Some([seen, _]) => u32::from(seen[word] & mask != 0),
            None => loose_records(key),
        }
    };

    // Records with positions, and metadata when the input had some.
    let mut entries: PartMap<u64, Entry> = PartMap::with_capacity_and_hasher(
        part.placed.len() + part.described.len(),
        BuildHasherDefault::default(),
    );
    let fresh = |pos: u64, meta: Meta| Entry {
        first: pos,
        count: 1,
        conflict: false,
        meta,
    };
    for &(key, pos) in &part.placed {
        match entries.entry(key) {
            Slot::Occupied(mut e) => {
                let e = e.get_mut();
                e.count = e.count.saturating_add(1);
                e.first = e.first.min(pos);
            }
            Slot::Vacant(v) => {
                v.insert(fresh(pos, Meta::default()));
            }
        }
    }
    for &(key, pos, meta) in &part.described {
        match entries.entry(key) {
            Slot::Occupied(mut e) => {
                let e = e.get_mut();
                e.count = e.count.saturating_add(1);
                e.first = e.first.min(pos);
                if e.meta.absorb(&meta) {
                    e.conflict = true;
                }
            }
            Slot::Vacant(v) => {
                v.insert(fresh(pos, meta));
            }
        }
    }

    // The records of each repeated code that has positions, for the report's lines.
    let mut at: PartMap<u64, Vec<(u64, Meta)>> = PartMap::default();
    let mut keep = |key: u64, pos: u64, meta: Meta| {
        if entries
            .get(&key)
            .is_some_and(|e| e.count > 1 || unplaced(key) > 0)
        {
            at.entry(key).or_default().push((pos, meta));
        }
    };
    for &(key, pos) in &part.placed {
        keep(key, pos, Meta::default());
    }
    for &(key, pos, meta) in &part.described {
        keep(key, pos, meta);
    }

    let mut out = PartTally::with_cap(cap);
    out.prefix_records = prefix_records;
    let mut name = |out: &mut PartTally, key: u64, records: u32, first: u64, conflict: bool| {
        out.duplicates += 1;
        out.conflicts += u64::from(conflict);
        let placed = at.remove(&key).unwrap_or_default();
        if first == EARLIER && logged {
            // Records in bit pages: where they are is looked up in the code logs.
            out.pending.push(Pending {
                key,
                records: u64::from(records),
                conflict,
                placed,
            });
            return;
        }
        if let Some(found) = Found::new(key, u64::from(records), first, conflict, placed, number) {
            if conflict {
                out.conflicted.push(found.clone());
            }
            out.top.push(found);
        }
    };
    for (&key, e) in &entries {
        let earlier = unplaced(key);
        let records = e.count.saturating_add(earlier);
        if records > 1 {
            let first = if earlier > 0 { EARLIER } else { e.first };
            name(&mut out, key, records, first, e.conflict);
        }
    }
    for (&page, [seen, twice]) in &pages {
        for key in page_keys(page, *twice) {
            if !entries.contains_key(&key) {
                let records = thrice.get(&key).copied().unwrap_or(2);
                name(&mut out, key, records, EARLIER, false);
            }
        }
        if gaps {
            out.keys
                .extend(page_keys(page, *seen).filter(|k| !entries.contains_key(k)));
        }
    }
    for &(key, records) in &loose {
        if records > 1 && !entries.contains_key(&key) {
            name(&mut out, key, records, EARLIER, false);
        }
    }
    if gaps {
        out.keys.extend(entries.keys().copied());
        out.keys.extend(
            loose
                .iter()
                .map(|&(k, _)| k)
                .filter(|k| !entries.contains_key(k)),
        );
    }
    out
}
