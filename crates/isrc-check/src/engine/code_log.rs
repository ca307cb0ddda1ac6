//! The codes of a plain list in record order, for the lines of its duplicates. A plain list
//! goes to the bit pages of the dense index, which keep no positions; keeping a position for
//! every record instead (16 bytes, then a hash tally of all of them) made a sequential list
//! five times slower. So each chunk also logs its codes (8 bytes a record, no hashing), and
//! only at the end, once the bit pages have told which codes are repeated, one pass over
//! the log finds where those few codes are.

use super::index::{EARLIER, FastMap, Meta};
use super::partition::{Pending, Top};
use super::places::Found;

/// One chunk's codes in record order (0 for a record without a code) and their lines
/// (relative to the chunk, as the chunk's other lines).
#[derive(Default)]
pub(super) struct ChunkLog {
    pub(super) codes: Vec<u64>,
    pub(super) lines: Vec<u32>,
}

impl ChunkLog {
    /// Logs one record.
    #[inline]
    pub(super) fn push(&mut self, code: u64, line: u64) {
        self.codes.push(code);
        self.lines.push(line as u32);
    }
}

/// The logged codes of every dense chunk, by global chunk number.
#[derive(Default)]
pub(super) struct CodeLogs {
    chunks: Vec<(u64, Box<[u64]>)>,
}

impl CodeLogs {
    /// The codes of chunk `seq` (its global number), in record order.
    pub(super) fn push(&mut self, seq: u64, codes: Vec<u64>) {
        if !codes.is_empty() {
            self.chunks.push((seq, codes.into_boxed_slice()));
        }
    }

    /// Whether any chunk was logged.
    pub(super) fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// For each of `keys`, the index positions (`chunk << 32 | record`) of its first
    /// `cap_each` records in input order, in the order of `keys`. Two threads, each over half
    /// of the chunks; a Bloom-style bit filter answers most records without the map.
    pub(super) fn positions(&self, keys: &[u64], cap_each: usize) -> Vec<Vec<u64>> {
        if keys.is_empty() || self.chunks.is_empty() || cap_each == 0 {
            return vec![Vec::new(); keys.len()];
        }
        let filter = Filter::new(keys);
        let slot: FastMap<u64, usize> = keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
        let scan = |chunks: &[(u64, Box<[u64]>)]| {
            let mut found: Vec<Vec<u64>> = vec![Vec::new(); keys.len()];
            for (seq, codes) in chunks {
                for (i, &code) in codes.iter().enumerate() {
                    if filter.may_hold(code)
                        && let Some(&at) = slot.get(&code)
                        && found[at].len() < cap_each
                    {
                        found[at].push(seq << 32 | i as u64);
                    }
                }
            }
            found
        };
        let (early, late) = self.chunks.split_at(self.chunks.len() / 2);
        let (mut found, later) = std::thread::scope(|scope| {
            let late = scope.spawn(|| scan(late));
            let early = scan(early);
            (early, late.join().unwrap_or_default())
        });
        for (list, more) in found.iter_mut().zip(later) {
            let room = cap_each - list.len();
            list.extend(more.into_iter().take(room));
        }
        found
    }
}

impl CodeLogs {
    /// Ranks the duplicates left pending by the tally: their first record is the earliest
    /// of the logs' and of those with positions.
    pub(super) fn rank_pending(
        &self,
        pending: Vec<Pending>,
        number: &dyn Fn(u64) -> Option<u64>,
        top: &mut Top,
        conflicted: &mut Top,
    ) {
        let keys: Vec<u64> = pending.iter().map(|p| p.key).collect();
        let firsts = self.positions(&keys, 1);
        for (p, logged) in pending.into_iter().zip(firsts) {
            let first = logged
                .into_iter()
                .chain(p.placed.iter().map(|r| r.0))
                .min()
                .unwrap_or(EARLIER);
            let Some(mut found) = Found::new(p.key, p.records, first, p.conflict, p.placed, number)
            else {
                continue;
            };
            found.logged = true;
            if p.conflict {
                conflicted.push(found.clone());
            }
            top.push(found);
        }
    }

    /// Adds to the duplicates the report names the logged records (the first `cap` of each).
    pub(super) fn add_lines<'f>(&self, named: impl Iterator<Item = &'f mut Found>, cap: usize) {
        let mut named: Vec<&mut Found> = named.filter(|f| f.logged).collect();
        let keys: Vec<u64> = named.iter().map(|f| f.duplicate.isrc.to_u64()).collect();
        for (found, positions) in named.iter_mut().zip(self.positions(&keys, cap)) {
            found
                .records
                .extend(positions.into_iter().map(|pos| (pos, Meta::default())));
            found.logged = false;
        }
    }
}

/// A bit set over a hash of the keys: a record whose bit is clear is not one of them.
struct Filter {
    bits: Vec<u64>,
    shift: u32,
}

impl Filter {
    fn new(keys: &[u64]) -> Filter {
        // About 16 bits per key: one record in a few thousand passes without being a key.
        let log2 = (keys.len() * 16)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(12, 30);
        let mut filter = Filter {
            bits: vec![0; 1 << (log2 - 6)],
            shift: 64 - log2,
        };
        for &key in keys {
            let bit = filter.bit(key);
            filter.bits[bit >> 6] |= 1 << (bit & 63);
        }
        filter
    }

    #[inline]
    fn bit(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn may_hold(&self, key: u64) -> bool {
        let bit = self.bit(key);
        self.bits[bit >> 6] & (1 << (bit & 63)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_repeated_codes_in_input_order_across_chunks() {
        let mut logs = CodeLogs::default();
        logs.push(0, vec![5, 7, 0, 5]);
        logs.push(1, vec![9, 7]);
        logs.push(2, vec![5, 5, 5]);
        let found = logs.positions(&[5, 7, 8], 3);
        assert_eq!(found[0], vec![0, 3, 2 << 32]);
        assert_eq!(found[1], vec![1, 1 << 32 | 1]);
        assert!(found[2].is_empty());
        assert_eq!(logs.positions(&[5], 1), vec![vec![0]]);
    }
}
