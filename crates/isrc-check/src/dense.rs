//! The plain-list fast path: worker-local structures that let a compact code cost a few
//! nanoseconds (a verdict remembered per prefix and year, a bit in a page of the duplicate
//! index) and touch the shared index once per page rather than once per code.

use isrc::{Isrc, RuleSet};

/// Designations per bit page of the duplicate index.
pub(crate) const PAGE_BITS: u64 = 256;

/// The bits of one page: which of its 256 designations were seen.
pub(crate) type PageBits = [u64; 4];

const PAGE_WAYS: usize = 64;

/// A worker's bit pages for one chunk: a small direct-mapped set of open pages (codes of a
/// catalogue come in runs, a few registrants at a time), flushed to a list when evicted.
/// A code whose bit is already set here is a repeat within the chunk.
pub(crate) struct PageBatch {
    open: Box<[(u64, PageBits); PAGE_WAYS]>,
    /// Pages evicted or closed, in no particular order; a page may appear more than once.
    pub(crate) pages: Vec<(u64, PageBits)>,
    /// Codes seen again within this batch (one entry per extra record).
    pub(crate) repeats: Vec<u64>,
}

impl PageBatch {
    pub(crate) fn new() -> PageBatch {
        PageBatch {
            open: Box::new([(u64::MAX, [0; 4]); PAGE_WAYS]),
            pages: Vec::new(),
            repeats: Vec::new(),
        }
    }

    /// Marks the code with index key `key` (from [`Isrc::to_u64`]) as seen.
    #[inline]
    pub(crate) fn insert(&mut self, key: u64) {
        let page = key / PAGE_BITS;
        let way = (page.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % PAGE_WAYS;
        let slot = &mut self.open[way];
        if slot.0 != page {
            if slot.0 != u64::MAX {
                self.pages.push(*slot);
            }
            *slot = (page, [0; 4]);
        }
        let (word, bit) = (((key % PAGE_BITS) >> 6) as usize, key & 63);
        let mask = 1u64 << bit;
        if slot.1[word] & mask != 0 {
            self.repeats.push(key);
        } else {
            slot.1[word] |= mask;
        }
    }

    /// Closes every open page; the batch is then complete in `pages` and `repeats`.
    pub(crate) fn close(&mut self) {
        for slot in self.open.iter_mut() {
            if slot.0 != u64::MAX {
                self.pages.push(*slot);
                *slot = (u64::MAX, [0; 4]);
            }
        }
    }
}

const MEMO_WAYS: usize = 64;

/// Per (prefix, year, designation-00000 flag) of a chunk: the verdict's rules, the prefix's
/// tally slot and how many records had it. Valid compact codes without warnings are
/// counted here and added to the tallies once per group, when the chunk ends or the group
/// is evicted.
#[derive(Clone, Copy)]
pub(crate) struct Group {
    pub(crate) rules: RuleSet,
    pub(crate) slot: usize,
    pub(crate) records: u64,
}

/// A direct-mapped memo of [`Group`]s, keyed like [`isrc::VerdictCache`] keys its verdicts: a
/// compact code's verdict depends only on its prefix, its year and whether its designation
/// is 00000 (the core's documented contract), which is the index key divided by 100,000
/// and one flag.
pub(crate) struct GroupMemo {
    ways: Box<[(u64, Group); MEMO_WAYS]>,
}

impl GroupMemo {
    pub(crate) fn new() -> GroupMemo {
        let empty = Group {
            rules: RuleSet::EMPTY,
            slot: 0,
            records: 0,
        };
        GroupMemo {
            ways: Box::new([(u64::MAX, empty); MEMO_WAYS]),
        }
    }

    /// Counts `code` in its group when the group is here; otherwise gives the group's key
    /// for [`GroupMemo::insert`].
    #[inline]
    pub(crate) fn count(&mut self, code: Isrc) -> Result<(), u64> {
        let key = code.to_u64();
        let group = (key / 100_000) << 1 | u64::from(key.is_multiple_of(100_000));
        let entry = &mut self.ways[Self::way(group)];
        if entry.0 == group {
            entry.1.records += 1;
            Ok(())
        } else {
            Err(group)
        }
    }

    /// Starts counting group `group` with one record whose clean verdict has `rules`;
    /// returns the group it evicts, whose records must go into the tallies.
    pub(crate) fn insert(&mut self, group: u64, rules: RuleSet, slot: usize) -> Option<Group> {
        let fresh = Group {
            rules,
            slot,
            records: 1,
        };
        let (old, counted) = std::mem::replace(&mut self.ways[Self::way(group)], (group, fresh));
        (old != u64::MAX).then_some(counted)
    }

    fn way(group: u64) -> usize {
        (group.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % MEMO_WAYS
    }

    /// Empties the memo, giving every group still in it.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = Group> + '_ {
        self.ways.iter_mut().filter_map(|(group, counted)| {
            (std::mem::replace(group, u64::MAX) != u64::MAX).then_some(*counted)
        })
    }
}
