//! The plain-list fast path: worker-local structures that let a compact code cost a few
//! nanoseconds (a verdict remembered per prefix and year, a bit in a page of the duplicate
//! index) and touch the shared index once per page rather than once per code.

use isrc::check::RuleSet;

/// Designations per bit page of the duplicate index.
pub(crate) const PAGE_BITS: u64 = 256;

/// The bits of one page: which of its 256 designations were seen.
pub(crate) type PageBits = [u64; 4];

const PAGE_WAYS: usize = 64;

/// A worker's bit pages for one chunk: a small two-way set-associative set of open pages
/// (codes of a catalogue come in runs, a few registrants at a time), flushed to a list when
/// evicted. A code whose bit is already set here is a repeat within the chunk.
///
/// Two ways, because with one, two of the eight or so runs of an interleaved list land on the
/// same slot a third of the time and then evict each other on every line: a page pushed per
/// code, and as many shared-index probes in `Index::add_pages`.
pub(crate) struct PageBatch {
    open: Box<[(u64, PageBits); PAGE_WAYS]>,
    /// Per set of two ways: which of the two was used last (the other is evicted on a miss).
    recent: [u8; PAGE_WAYS / 2],
    /// Pages evicted or closed, in no particular order; a page may appear more than once.
    pub(crate) pages: Vec<(u64, PageBits)>,
    /// Codes seen again within this batch (one entry per extra record).
    pub(crate) repeats: Vec<u64>,
}

impl PageBatch {
    pub(crate) fn new() -> PageBatch {
        PageBatch {
            open: Box::new([(u64::MAX, [0; 4]); PAGE_WAYS]),
            recent: [0; PAGE_WAYS / 2],
            pages: Vec::new(),
            repeats: Vec::new(),
        }
    }

    /// Marks the code with index key `key` (from [`Isrc::to_u64`]) as seen.
    #[inline]
    pub(crate) fn insert(&mut self, key: u64) {
        let page = key / PAGE_BITS;
        let set = (page.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59) as usize % (PAGE_WAYS / 2);
        let way = if self.open[2 * set].0 == page {
            2 * set
        } else if self.open[2 * set + 1].0 == page {
            2 * set + 1
        } else {
            let victim = 2 * set + 1 - usize::from(self.recent[set] & 1);
            let slot = &mut self.open[victim];
            if slot.0 != u64::MAX {
                self.pages.push(*slot);
            }
            *slot = (page, [0; 4]);
            victim
        };
        self.recent[set] = (way & 1) as u8;
        let slot = &mut self.open[way];
        let (word, bit) = (((key % PAGE_BITS) >> 6) as usize, key & 63);
        let mask = 1u64 << bit;
        if slot.1[word] & mask != 0 {
            self.repeats.push(key);
        } else {
            slot.1[word] |= mask;
        }
    }

    /// Empties the batch for another chunk, keeping its memory.
    pub(crate) fn clear(&mut self) {
        self.open.fill((u64::MAX, [0; 4]));
        self.recent = [0; PAGE_WAYS / 2];
        self.pages.clear();
        self.repeats.clear();
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

/// Per (prefix, year, designation-00000 flag) of a chunk: the verdict's rules and how many
/// records had it (their registrant prefix's record count comes from the index at the end). Valid compact codes without warnings are
/// counted here and added to the tallies once per group, when the chunk ends or the group
/// is evicted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Group {
    pub(crate) rules: RuleSet,
    pub(crate) records: u64,
    /// The index key ([`isrc::Isrc::to_u64`]) of designation 00000 of the prefix and year:
    /// a code's key is this plus its designation.
    pub(crate) base: u64,
}

/// A direct-mapped memo of [`Group`]s, keyed like [`isrc::check::VerdictCache`] keys its verdicts: a
/// compact code's verdict depends only on its prefix, its year and whether its designation
/// is 00000 (the core's documented contract): its first seven bytes and one flag.
pub(crate) struct GroupMemo {
    ways: Box<[(u64, Group); MEMO_WAYS]>,
}

impl GroupMemo {
    pub(crate) fn new() -> GroupMemo {
        let empty = Group {
            rules: RuleSet::EMPTY,
            records: 0,
            base: 0,
        };
        GroupMemo {
            ways: Box::new([(u64::MAX, empty); MEMO_WAYS]),
        }
    }

    /// Counts the code `line` in its group when the group is here, giving the group;
    /// otherwise gives the group's key for [`GroupMemo::insert`].
    ///
    /// Only the first seven bytes (prefix and year) and whether the last five are `00000`
    /// are looked at: a hit means those seven bytes are those of a code already checked, so
    /// a caller that knows the last five are digits knows that `line` is a compact code.
    #[inline(always)]
    pub(crate) fn count(&mut self, line: &[u8; 12]) -> Result<Group, u64> {
        // The group from the bytes: prefix and year (the first seven), and whether the
        // designation (the last five) is 00000, in the eighth byte.
        let head = u64::from_le_bytes(line[..8].try_into().unwrap_or_default());
        let tail = u64::from_le_bytes(line[4..].try_into().unwrap_or_default());
        let zero = u64::from(tail >> 24 == 0x30_3030_3030);
        let group = (head & 0x00FF_FFFF_FFFF_FFFF) | zero << 56;
        let entry = &mut self.ways[Self::way(group)];
        if entry.0 == group {
            entry.1.records += 1;
            Ok(entry.1)
        } else {
            Err(group)
        }
    }

    /// Starts counting group `group` with one record, the code with index key `key`, whose
    /// clean verdict has `rules`; returns the group it evicts, whose records must go into
    /// the tallies.
    pub(crate) fn insert(&mut self, group: u64, key: u64, rules: RuleSet) -> Option<Group> {
        let fresh = Group {
            rules,
            records: 1,
            base: key - key % 100_000,
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

/// [`Isrc::from_compact_bytes`] followed by [`Isrc::to_u64`], in fewer instructions: the
/// seven digits are read together (SWAR) instead of one by one. The number is the core's
/// documented, stable [`Isrc::to_u64`] (country, registrant, then year and designation);
/// a test compares the two on random inputs. Written here rather than in the core because
/// the core was being changed by someone else at the time.
#[inline]
pub(crate) fn compact_key(bytes: &[u8]) -> Option<u64> {
    let bytes: &[u8; 12] = bytes.try_into().ok()?;
    // The registrant's last character and the seven digits in one load; that character is
    // then replaced by a '0', so that the eight bytes read as one number.
    let eight: [u8; 8] = bytes[4..].try_into().ok()?;
    let digits = eight_digits((u64::from_le_bytes(eight) & !0xFF) | u64::from(b'0'));
    let (l0, l1) = (bytes[0].wrapping_sub(b'A'), bytes[1].wrapping_sub(b'A'));
    let (v0, v1, v2) = (
        ALNUM[usize::from(bytes[2])],
        ALNUM[usize::from(bytes[3])],
        ALNUM[usize::from(bytes[4])],
    );
    if (l0 >= 26) | (l1 >= 26) | ((v0 | v1 | v2) & 0x80 != 0) {
        return None;
    }
    let registrant = (u64::from(v0) * 36 + u64::from(v1)) * 36 + u64::from(v2);
    let country = u64::from(l0) * 26 + u64::from(l1);
    Some((country * 46_656 + registrant) * 10_000_000 + digits?)
}

/// The designation of a compact code (its last five bytes as a number), or `None` when one
/// of them is not a digit.
#[inline(always)]
fn designation(code: &[u8; 12]) -> Option<u64> {
    let tail = u64::from_le_bytes(code[4..].try_into().unwrap_or_default());
    // The five digits after three '0's: eight bytes that read as the same number.
    eight_digits((tail & 0xFFFF_FFFF_FF00_0000) | 0x30_3030)
}

/// Eight ASCII digits loaded little-endian (the first digit in the low byte) as a number,
/// in a few multiplications (SWAR); `None` when a byte is not a digit.
#[inline(always)]
fn eight_digits(bytes: u64) -> Option<u64> {
    // Every byte in '0'..='9': high nibble 3, and adding 6 keeps it 3.
    const THREES: u64 = 0x3030_3030_3030_3030;
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    if bytes & HIGH != THREES || (bytes + 0x0606_0606_0606_0606) & HIGH != THREES {
        return None;
    }
    let mut v = bytes & 0x0F0F_0F0F_0F0F_0F0F;
    // Pairs, then fours, then all eight (the bits pushed out at the top are not needed).
    v = v.wrapping_mul(2561) >> 8 & 0x00FF_00FF_00FF_00FF;
    v = v.wrapping_mul(6_553_601) >> 16 & 0x0000_FFFF_0000_FFFF;
    Some(v.wrapping_mul(42_949_672_960_001) >> 32)
}

/// The hot loop of a plain list: from `start`, takes every line that is a compact code and
/// its `\n` whose group is already in `memo`, counting it there and marking it in `batch`.
/// Stops at the first other line (left for the caller, which knows the slow paths) and
/// returns where it stopped and how many lines it took. With `log`, each code taken is also
/// pushed there. Kept apart and small so that its few variables stay in registers.
#[inline(never)]
pub(crate) fn take_known_codes(
    data: &[u8],
    mut start: usize,
    memo: &mut GroupMemo,
    batch: &mut PageBatch,
    mut log: Option<&mut Vec<u64>>,
) -> (usize, u64) {
    let first = start;
    while let Some(line) = data.get(start..start + 13) {
        if line[12] != b'\n' {
            break;
        }
        let code: &[u8; 12] = line[..12].try_into().unwrap_or(&[0; 12]);
        // Five digits and a known prefix and year: a code (see `GroupMemo::count`).
        let Some(designation) = designation(code) else {
            break;
        };
        let Ok(group) = memo.count(code) else {
            break;
        };
        batch.insert(group.base + designation);
        if let Some(log) = log.as_deref_mut() {
            log.push(group.base + designation);
        }
        start += 13;
    }
    (start, ((start - first) / 13) as u64)
}

/// The value of an uppercase letter or digit in a registrant code (digits first, as in the
/// core's order); 0xFF for any other byte.
const ALNUM: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut b = 0;
    while b < 10 {
        table[b'0' as usize + b] = b as u8;
        b += 1;
    }
    let mut l = 0;
    while l < 26 {
        table[b'A' as usize + l] = 10 + l as u8;
        l += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use isrc::Isrc;
    use proptest::prelude::*;

    /// Pages whose set is the same as page 0's, for the collision tests.
    fn pages_in_one_set(n: usize) -> Vec<u64> {
        let set = |page: u64| (page.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59) as usize % 32;
        (0..).filter(|&p| set(p) == set(0)).take(n).collect()
    }

    #[test]
    fn two_interleaved_runs_in_one_set_keep_their_pages_open() {
        let pages = pages_in_one_set(2);
        let mut batch = PageBatch::new();
        for d in 0..PAGE_BITS {
            for page in &pages {
                batch.insert(page * PAGE_BITS + d);
            }
        }
        assert!(batch.pages.is_empty(), "no page was evicted");
        batch.close();
        assert_eq!(batch.pages.len(), 2);
        assert!(batch.pages.iter().all(|(_, bits)| *bits == [u64::MAX; 4]));
        assert!(batch.repeats.is_empty());
    }

    #[test]
    fn three_runs_in_one_set_lose_no_code_and_no_repeat() {
        let pages = pages_in_one_set(3);
        let mut batch = PageBatch::new();
        for d in 0..40 {
            for page in &pages {
                batch.insert(page * PAGE_BITS + d);
            }
        }
        // Each code once more: repeats found within an open page, or later by the shared index
        // (a page that appears twice in `pages`).
        for page in &pages {
            batch.insert(page * PAGE_BITS + 7);
        }
        batch.close();
        for page in &pages {
            let mut seen = [0u64; 4];
            let mut copies = 0;
            for (p, bits) in &batch.pages {
                if p == page {
                    copies += 1;
                    for w in 0..4 {
                        seen[w] |= bits[w];
                    }
                }
            }
            assert_eq!(seen, [(1u64 << 40) - 1, 0, 0, 0], "page {page}");
            let repeated = batch.repeats.contains(&(page * PAGE_BITS + 7));
            assert!(repeated || copies > 1, "the repeat of page {page} is kept");
        }
    }

    fn core_key(bytes: &[u8]) -> Option<u64> {
        Isrc::from_compact_bytes(bytes).map(Isrc::to_u64)
    }

    #[test]
    fn compact_keys_match_the_core() {
        for text in [
            "AA0000000000",
            "ZZZZZ9999999",
            "USRC17607839",
            "GBAYE0601498",
            "CBYZ92100066",
            "USRC1760783",
            "USRC176O7839",
            "usrc17607839",
            "US-RC1760783",
            "USRC17607839 ",
            "USRC1760783/",
            "USRC1760783:",
            "@ARC17607839",
            "U[RC17607839",
            "US`C17607839",
        ] {
            assert_eq!(
                compact_key(text.as_bytes()),
                core_key(text.as_bytes()),
                "{text}"
            );
        }
    }

    proptest! {
        #[test]
        fn compact_keys_match_the_core_on_any_bytes(
            bytes in proptest::collection::vec(
                prop_oneof![any::<u8>(), prop::sample::select(b"0189AZ/:@[`".to_vec())],
                12,
            ),
        ) {
            prop_assert_eq!(compact_key(&bytes), core_key(&bytes));
            // The hot loop's shortcut: a known prefix and year plus the designation.
            let code: [u8; 12] = bytes.as_slice().try_into().unwrap();
            let digits = code[7..].iter().all(u8::is_ascii_digit);
            prop_assert_eq!(designation(&code).is_some(), digits);
            if let Some(key) = core_key(&bytes) {
                prop_assert_eq!(designation(&code), Some(key % 100_000));
            }
        }

        #[test]
        fn compact_keys_match_the_core_on_codes(code in "[A-Z]{2}[A-Z0-9]{3}[0-9]{7}") {
            prop_assert_eq!(compact_key(code.as_bytes()), core_key(code.as_bytes()));
            let key = core_key(code.as_bytes()).unwrap();
            let mut memo = GroupMemo::new();
            let bytes: &[u8; 12] = code.as_bytes().try_into().unwrap();
            let group = memo.count(bytes).unwrap_err();
            memo.insert(group, key, RuleSet::EMPTY);
            let known = memo.count(bytes).unwrap();
            prop_assert_eq!(known.base + designation(bytes).unwrap(), key);
            prop_assert_eq!(known.records, 2);
        }
    }
}
