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
/// (relative to the chunk, as the chunk's other lines), kept as runs: a record is one line
/// after the one before it unless a run starts at it (blank lines, several codes in a cell),
/// so a list of one code a line costs one run, not four bytes a record.
#[derive(Default)]
pub(super) struct ChunkLog {
    pub(super) codes: Vec<u64>,
    /// (first record, its line) of each run of records on consecutive lines.
    runs: Vec<(u32, u32)>,
    /// The line the next record would have in the current run.
    next_line: u64,
}

impl ChunkLog {
    /// Logs one record.
    #[inline]
    pub(super) fn push(&mut self, code: u64, line: u64) {
        self.codes.push(code);
        self.lines(line, 1);
    }

    /// The lines of the last `n` records pushed to [`ChunkLog::codes`]: `first` and the
    /// `n - 1` after it.
    #[inline]
    pub(super) fn lines(&mut self, first: u64, n: u64) {
        if n == 0 {
            return;
        }
        if self.runs.is_empty() || first != self.next_line {
            let start = self.codes.len().saturating_sub(n as usize);
            self.runs.push((start as u32, first as u32));
        }
        self.next_line = first + n;
    }

    /// Whether every record is one line after the one before it.
    pub(super) fn linear(&self) -> bool {
        self.runs.len() <= 1
    }

    /// The line of the first record (0 when there is none).
    pub(super) fn first_line(&self) -> u64 {
        self.runs.first().map_or(0, |r| u64::from(r.1))
    }

    /// Every record's line, in record order.
    pub(super) fn each_line(&self) -> impl Iterator<Item = u64> + Clone + '_ {
        let n = self.codes.len() as u32;
        self.runs
            .iter()
            .enumerate()
            .flat_map(move |(i, &(start, line))| {
                let end = self.runs.get(i + 1).map_or(n, |r| r.0);
                (0..end.saturating_sub(start)).map(move |k| u64::from(line) + u64::from(k))
            })
    }
}

/// Where one chunk's logged codes are.
enum Stored {
    Memory(Vec<u64>),
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
            self.chunks.push((seq, Stored::Memory(codes)));
            return;
        }
        match self.write(&codes) {
            Ok(offset) => self.chunks.push((seq, Stored::File(offset, codes.len()))),
            Err(e) => {
                self.error = Some(e);
                self.in_memory += bytes;
                self.chunks.push((seq, Stored::Memory(codes)));
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
    /// of the logs' and of those with positions. Only those that can be named (the best
    /// `named` of all, and of the conflicting ones) are placed, with one scan of the logs
    /// that also gives their first `cap` lines; the rest could not make the lists.
    pub(super) fn rank_pending(
        &self,
        pending: Vec<Pending>,
        number: &dyn Fn(u64) -> Option<u64>,
        top: &mut Top,
        conflicted: &mut Top,
        (named, cap): (usize, usize),
    ) {
        let mut chosen = self.best(&pending, (0..pending.len()).collect(), named);
        let conflicting = (0..pending.len())
            .filter(|&i| pending[i].conflict)
            .collect();
        chosen.extend(self.best(&pending, conflicting, named));
        chosen.sort_unstable();
        chosen.dedup();
        let keys: Vec<u64> = chosen.iter().map(|&i| pending[i].key).collect();
        let mut positions = self.positions(&keys, cap.max(1)).into_iter();
        let mut chosen = chosen.into_iter().peekable();
        for (i, p) in pending.into_iter().enumerate() {
            if chosen.next_if_eq(&i).is_none() {
                continue;
            }
            let logged = positions.next().unwrap_or_default();
            let first = p
                .placed
                .iter()
                .map(|r| r.0)
                .chain(logged.first().copied())
                .fold(EARLIER, u64::min);
            let Some(mut found) = Found::new(p.key, p.records, first, p.conflict, p.placed, number)
            else {
                continue;
            };
            found.records.extend(
                logged
                    .into_iter()
                    .take(cap)
                    .map(|pos| (pos, Meta::default())),
            );
            if p.conflict {
                conflicted.push(found.clone());
            }
            top.push(found);
        }
    }

    /// Of the pending duplicates `among` (places in `pending`), those that may rank in the
    /// best `n` (most records, then the earliest first record): all of them when there are
    /// at most `n`; otherwise those with more records than the `n`-th, and of those with as
    /// many, the ones seen first in the logs (one scan that stops once it has enough), and
    /// those with records outside the logs.
    fn best(&self, pending: &[Pending], mut among: Vec<usize>, n: usize) -> Vec<usize> {
        if among.len() <= n {
            return among;
        }
        among.sort_unstable_by_key(|&i| std::cmp::Reverse(pending[i].records));
        let cut = pending[among[n - 1]].records;
        let above = among.partition_point(|&i| pending[i].records > cut);
        let level = among[above..].partition_point(|&i| pending[i].records == cut) + above;
        let tied: Vec<u64> = among[above..level]
            .iter()
            .map(|&i| pending[i].key)
            .collect();
        let mut chosen: Vec<usize> = among[..above].to_vec();
        let seen = self.seen_first(&tied, n - above);
        // A tied duplicate with records outside the logs (a chunk with an overlong line)
        // may have its first record there: it stays in the running.
        chosen.extend(
            among[above..level]
                .iter()
                .zip(seen)
                .filter_map(|(&i, seen)| (seen || !pending[i].placed.is_empty()).then_some(i)),
        );
        chosen
    }

    /// Which of `keys` are among the first `wanted` of them met in the logs, in input
    /// order; when the logs end first, every key (one never met has an unknown first
    /// record, which ranks first).
    fn seen_first(&self, keys: &[u64], wanted: usize) -> Vec<bool> {
        let mut seen = vec![false; keys.len()];
        if keys.is_empty() {
            return seen;
        }
        let filter = Filter::new(keys);
        let slot: FastMap<u64, usize> = keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
        let mut found = 0;
        let mut buffer = Vec::new();
        for (_, stored) in &self.chunks {
            let codes: &[u64] = match stored {
                Stored::Memory(codes) => codes,
                Stored::File(offset, n) => match self.read(*offset, *n, &mut buffer) {
                    Ok(codes) => codes,
                    Err(e) => {
                        let mut first = self.read_error.lock().unwrap_or_else(|p| p.into_inner());
                        first.get_or_insert(e);
                        continue;
                    }
                },
            };
            for &code in codes {
                if filter.may_hold(code)
                    && let Some(&at) = slot.get(&code)
                    && !seen[at]
                {
                    seen[at] = true;
                    found += 1;
                    if found == wanted {
                        return seen;
                    }
                }
            }
        }
        // Fewer met than wanted: those met are in, and those never met too (their first
        // record is unknown, which ranks first).
        vec![true; keys.len()]
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
    }

    #[test]
    fn lines_kept_as_runs() {
        let mut log = ChunkLog::default();
        log.codes.extend([1, 2, 3]);
        log.lines(1, 3);
        log.push(4, 4);
        assert!(log.linear());
        // A blank line, then two codes on one line.
        log.push(5, 6);
        log.push(6, 7);
        log.push(7, 7);
        log.codes.extend([8, 9]);
        log.lines(8, 2);
        assert!(!log.linear());
        assert_eq!(log.first_line(), 1);
        let lines: Vec<u64> = log.each_line().collect();
        assert_eq!(lines, [1, 2, 3, 4, 6, 7, 7, 8, 9]);
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
