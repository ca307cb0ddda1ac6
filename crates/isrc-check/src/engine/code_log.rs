//! The codes of a plain list in record order, for the lines of its duplicates. A plain list
//! goes to the bit pages of the dense index, which keep no positions; keeping a position for
//! every record instead (16 bytes, then a hash tally of all of them) made a sequential list
//! five times slower. So each chunk also logs its codes (8 bytes a record, no hashing), and
//! only at the end, once the bit pages have told which codes are repeated, one pass over
//! the log finds where those few codes are.

use std::fs::File;
use std::io::{self, Write};

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

/// Where one chunk's logged codes are.
enum Stored {
    Memory(Box<[u64]>),
    /// In the log's temporary file: offset in bytes and number of codes.
    File(u64, usize),
}

/// The logged codes of every dense chunk, by global chunk number. Past `limit` bytes in
/// memory, chunks go to an unnamed temporary file (as the index's spill: nothing is left
/// behind, whatever ends the process), read back in order at the end.
pub(super) struct CodeLogs {
    chunks: Vec<(u64, Stored)>,
    in_memory: usize,
    limit: usize,
    file: Option<(File, u64)>,
    /// The first error writing the file (the rest stays in memory).
    error: Option<io::Error>,
    /// The first error reading it back: the lines are then incomplete.
    read_error: std::sync::Mutex<Option<io::Error>>,
}

impl CodeLogs {
    /// Logs that keep at most `limit` bytes in memory.
    pub(super) fn new(limit: usize) -> CodeLogs {
        CodeLogs {
            chunks: Vec::new(),
            in_memory: 0,
            limit,
            file: None,
            error: None,
            read_error: std::sync::Mutex::new(None),
        }
    }

    /// The codes of chunk `seq` (its global number), in record order.
    pub(super) fn push(&mut self, seq: u64, codes: Vec<u64>) {
        if codes.is_empty() {
            return;
        }
        let bytes = codes.len() * 8;
        if self.in_memory + bytes <= self.limit || self.error.is_some() {
            self.in_memory += bytes;
            self.chunks
                .push((seq, Stored::Memory(codes.into_boxed_slice())));
            return;
        }
        match self.write(&codes) {
            Ok(offset) => self.chunks.push((seq, Stored::File(offset, codes.len()))),
            Err(e) => {
                self.error = Some(e);
                self.in_memory += bytes;
                self.chunks
                    .push((seq, Stored::Memory(codes.into_boxed_slice())));
            }
        }
    }

    /// Appends codes to the file; gives where they start.
    fn write(&mut self, codes: &[u64]) -> io::Result<u64> {
        if self.file.is_none() {
            self.file = Some((tempfile::tempfile()?, 0));
        }
        let Some((file, len)) = self.file.as_mut() else {
            return Err(io::Error::other("no log file"));
        };
        let bytes: Vec<u8> = codes.iter().flat_map(|c| c.to_le_bytes()).collect();
        file.write_all(&bytes)?;
        let offset = *len;
        *len += bytes.len() as u64;
        Ok(offset)
    }

    /// The first error reading the temporary file back, if any (some lines are missing).
    pub(super) fn read_error(&self) -> Option<io::Error> {
        let mut first = self.read_error.lock().unwrap_or_else(|p| p.into_inner());
        first.take()
    }

    /// Bytes written to the temporary file.
    pub(super) fn spilled(&self) -> u64 {
        self.file.as_ref().map_or(0, |f| f.1)
    }

    /// Whether any chunk was logged.
    pub(super) fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// For each of `keys`, the index positions (`chunk << 32 | record`) of its first
    /// `cap_each` records in input order, in the order of `keys`.
    pub(super) fn positions(&self, keys: &[u64], cap_each: usize) -> Vec<Vec<u64>> {
        let halves = self.scan(keys, |found: &mut Vec<Vec<u64>>, at, pos| {
            if found.len() <= at {
                found.resize(keys.len(), Vec::new());
            }
            if found[at].len() < cap_each {
                found[at].push(pos);
            }
        });
        let mut all = vec![Vec::new(); keys.len()];
        for half in halves {
            for (list, more) in all.iter_mut().zip(half) {
                let room = cap_each.saturating_sub(list.len());
                list.extend(more.into_iter().take(room));
            }
        }
        all
    }

    /// For each of `keys`, the index position of its first record ([`EARLIER`]: none).
    pub(super) fn firsts(&self, keys: &[u64]) -> Vec<u64> {
        let halves = self.scan(keys, |found: &mut Vec<u64>, at, pos| {
            if found.len() <= at {
                found.resize(keys.len(), EARLIER);
            }
            found[at] = found[at].min(pos);
        });
        let mut all = vec![EARLIER; keys.len()];
        for half in halves {
            for (first, other) in all.iter_mut().zip(half) {
                *first = (*first).min(other);
            }
        }
        all
    }

    /// Calls `visit(state, i, position)` for every logged record of `keys[i]`, in input
    /// order, on two threads each over half of the chunks (the first half's state first).
    /// A Bloom-style bit filter answers most records without the map.
    fn scan<S: Default + Send>(
        &self,
        keys: &[u64],
        visit: impl Fn(&mut S, usize, u64) + Sync,
    ) -> [S; 2] {
        if keys.is_empty() || self.chunks.is_empty() {
            return [S::default(), S::default()];
        }
        let filter = Filter::new(keys);
        let slot: FastMap<u64, usize> = keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
        let half = |chunks: &[(u64, Stored)]| -> (S, Option<io::Error>) {
            let mut state = S::default();
            let mut buffer = Vec::new();
            let mut error = None;
            for (seq, stored) in chunks {
                let codes: &[u64] = match stored {
                    Stored::Memory(codes) => codes,
                    Stored::File(offset, n) => match self.read(*offset, *n, &mut buffer) {
                        Ok(codes) => codes,
                        Err(e) => {
                            error.get_or_insert(e);
                            continue;
                        }
                    },
                };
                for (i, &code) in codes.iter().enumerate() {
                    if filter.may_hold(code)
                        && let Some(&at) = slot.get(&code)
                    {
                        visit(&mut state, at, seq << 32 | i as u64);
                    }
                }
            }
            (state, error)
        };
        let (early, late) = self.chunks.split_at(self.chunks.len() / 2);
        let ((first, e1), (second, e2)) = std::thread::scope(|scope| {
            let late = scope.spawn(|| half(late));
            let early = half(early);
            (early, late.join().unwrap_or_else(|_| (S::default(), None)))
        });
        if let Some(e) = e1.or(e2) {
            let mut first = self.read_error.lock().unwrap_or_else(|p| p.into_inner());
            first.get_or_insert(e);
        }
        [first, second]
    }

    /// Reads `n` codes at `offset` of the file into `buffer`.
    fn read<'b>(&self, offset: u64, n: usize, buffer: &'b mut Vec<u64>) -> io::Result<&'b [u64]> {
        let Some((file, _)) = self.file.as_ref() else {
            return Err(io::Error::other("no log file"));
        };
        let mut bytes = vec![0u8; n * 8];
        super::spill::read_at(file, &mut bytes, offset)?;
        buffer.clear();
        buffer.extend(
            bytes
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]))),
        );
        Ok(buffer)
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
        let firsts = self.firsts(&keys);
        for (p, logged) in pending.into_iter().zip(firsts) {
            let first = p.placed.iter().map(|r| r.0).fold(logged, u64::min);
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
        let mut logs = CodeLogs::new(usize::MAX);
        logs.push(0, vec![5, 7, 0, 5]);
        logs.push(1, vec![9, 7]);
        logs.push(2, vec![5, 5, 5]);
        let found = logs.positions(&[5, 7, 8], 3);
        assert_eq!(found[0], vec![0, 3, 2 << 32]);
        assert_eq!(found[1], vec![1, 1 << 32 | 1]);
        assert!(found[2].is_empty());
        assert_eq!(logs.positions(&[5], 1), vec![vec![0]]);
        assert_eq!(logs.firsts(&[7, 8, 5]), vec![1, EARLIER, 0]);
    }

    #[test]
    fn chunks_past_the_limit_are_read_back_from_the_file() {
        let mut logs = CodeLogs::new(8);
        logs.push(0, vec![5]);
        logs.push(1, vec![7, 5]);
        logs.push(2, vec![5, 7]);
        assert!(logs.spilled() > 0);
        let found = logs.positions(&[5, 7], 10);
        assert_eq!(found[0], vec![0, 1 << 32 | 1, 2 << 32]);
        assert_eq!(found[1], vec![1 << 32, 2 << 32 | 1]);
    }
}
