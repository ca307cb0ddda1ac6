//! Per-record verdicts: the tallies a worker keeps for its chunk (valid, invalid, rules,
//! registrant prefixes) and the memos that spare most records the full check.

use std::borrow::Cow;
use std::rc::Rc;

use isrc::{Isrc, Policy, check::VerdictCache, rule::Rule, rule::Severity};

use crate::dense::{Group, GroupMemo, PageBatch, compact_key};
use crate::report::{Example, InvalidCode, RuleSet};
use isrc::recording::{DurationUnit, parse_seconds as parse_duration};

use super::against::Fields;
use super::index::{FastMap, Meta};

/// The records of a registrant prefix that have a problem or no code. Kept to 16 bytes. The
/// records with a code are not counted per record: the index holds every code, and at the
/// end counts those of the prefixes with a problem, in parallel and in cache
/// (`PartTally::prefix_records`).
#[derive(Clone, Default)]
pub(super) struct PrefixAgg {
    /// Records under this prefix without a code (invalid values).
    pub(super) records: u64,
    /// Only for a prefix with a record that has a warning or an error.
    pub(super) problems: Option<Box<Problems>>,
}

/// The problem records of a registrant prefix.
#[derive(Clone, Default)]
pub(super) struct Problems {
    pub(super) problems: u64,
    pub(super) invalid: u64,
    pub(super) rules: [u64; 32],
    pub(super) examples: Vec<Example>,
}

impl PrefixAgg {
    /// The problem tallies, created on first use.
    pub(super) fn problems_mut(&mut self) -> &mut Problems {
        self.problems.get_or_insert_with(Box::default)
    }
}

/// The outcome of one record.
#[derive(Clone, Copy)]
pub(super) struct Out {
    pub(super) code: Option<Isrc>,
    pub(super) fix: Option<Isrc>,
    pub(super) rules: RuleSet,
    pub(super) valid: bool,
    pub(super) line: u64,
    /// Where the record starts in the chunk's data (lines, JSON Lines).
    pub(super) offset: usize,
}

impl ChunkResult {
    /// The place in the chunk's record order (line order, from 0) of `outs[i]`: `i` plus
    /// the extras before it. Numbering extras after every main record instead made which
    /// record was a duplicate's first depend on where the input was cut into chunks.
    pub(super) fn out_rank(&self, i: usize) -> u64 {
        let before = self
            .extras_after
            .partition_point(|&after| after as usize <= i);
        (i + before) as u64
    }

    /// The place in the chunk's record order of `extras[j]`.
    pub(super) fn extra_rank(&self, j: usize) -> u64 {
        u64::from(self.extras_after[j]) + j as u64
    }

    /// Every record's line, in record order (main records and extras interleaved).
    pub(super) fn lines_in_order(&self) -> impl Iterator<Item = u64> + Clone + '_ {
        let mut extra = 0usize;
        let mut main = 0usize;
        std::iter::from_fn(move || {
            if extra < self.extras.len() && self.extras_after[extra] as usize <= main {
                extra += 1;
                return Some(self.extras[extra - 1].line);
            }
            let out = self.outs.get(main)?;
            main += 1;
            Some(out.line)
        })
    }
}

pub(super) struct ChunkResult {
    pub(super) valid: u64,
    pub(super) invalid: u64,
    pub(super) lines: u64,
    pub(super) by_rule: [u32; 32],
    pub(super) prefixes: Vec<(u64, PrefixAgg)>,
    /// Records in the chunk: `outs.len()`, plus those counted in `batch`.
    pub(super) records: u64,
    /// One per record, in order; in dense mode only records that took the long way.
    pub(super) outs: Vec<Out>,
    /// The second and later codes of cells holding several (`USRC17607839; USRC17607840`),
    /// each a record of its own on the cell's line. Records are numbered in line order: an
    /// extra comes right after the main record of its cell (see [`ChunkResult::out_rank`]).
    pub(super) extras: Vec<Out>,
    /// Per extra, how many of `outs` come before it.
    pub(super) extras_after: Vec<u32>,
    /// Dense mode: the chunk's codes as bit pages, for the index.
    pub(super) batch: Option<PageBatch>,
    /// Dense mode with the report's lists: every record's code and line, in record order.
    pub(super) log: Option<super::code_log::ChunkLog>,
    pub(super) metas: Vec<Meta>,
    /// One per record beside `metas`: a fingerprint of its folded title, artist and version
    /// (0: not enough to tell the recording).
    pub(super) recordings: Vec<u64>,
    /// `--against`: one per record beside `metas`, each field on its own.
    pub(super) compared: Vec<Fields>,
    pub(super) issues: Vec<(u64, u64, String)>,
    /// Issues about invalid UTF-8: the index in `issues`, and the bad bytes' offset in the
    /// chunk's data when known (the merge adds where the chunk starts in the input).
    pub(super) utf8_at: Vec<(usize, Option<usize>)>,
    /// Invalid values (the first [`LISTED_PER_CHUNK`]), lines relative like `issues`, no
    /// file name yet.
    pub(super) invalid_values: Vec<InvalidCode>,
}

/// Invalid values a chunk keeps for the report's list (the report keeps `--max-listed`).
pub(super) const LISTED_PER_CHUNK: usize = 1_000;

/// Per-chunk tallies kept by a worker.
pub(super) struct Tally<'a, 'p> {
    pub(super) policy: &'a Policy<'p>,
    pub(super) res: ChunkResult,
    pub(super) prefix_slots: FastMap<u64, usize>,
    /// A small two-way cache of prefix -> slot.
    pub(super) recent_prefixes: [(u64, usize); RECENT_PREFIXES],
    pub(super) offset: usize,
    /// The chunk's data (address, length), to tell where a value that is a slice of it is.
    pub(super) data: (usize, usize),
    /// Verdicts on compact codes, remembered by prefix and year.
    pub(super) cache: VerdictCache<'p>,
    /// Clean compact codes counted by group (prefix, year, designation 00000), added to the
    /// tallies once per group by [`Tally::close_groups`].
    pub(super) groups: GroupMemo,
    /// Recent values that took the long way (not a compact code, or one with a finding),
    /// by a hash of their text: bad values and odd spellings repeat in a catalogue (empty
    /// cells, placeholders, one wrong code pasted on every track of an album).
    pub(super) recent: Vec<Option<(Box<str>, Known)>>,
    /// Whether invalid values are kept for the report's list (not once it is full).
    pub(super) list_invalid: bool,
    /// `--against`: the fields of each record are kept (`ChunkResult::compared`).
    pub(super) compare: bool,
}

/// What is remembered of a value that took the long way.
#[derive(Clone)]
pub(super) enum Known {
    /// No warning or error: its verdict, and the registrant prefix it counts under.
    Clean(isrc::check::Verdict, u64),
    /// A warning or an error.
    Problem(Rc<Assessed>),
}

pub(super) const RECENT_WAYS: usize = 64;
pub(super) const RECENT_PREFIXES: usize = 64;

/// What the full check says about a value with a warning or an error.
pub(super) struct Assessed {
    pub(super) code: Option<Isrc>,
    pub(super) fix: Option<Isrc>,
    pub(super) rules: RuleSet,
    pub(super) valid: bool,
    /// The registrant prefix it counts under.
    pub(super) prefix: u64,
    /// The rules of its warnings and errors, in the order of the findings.
    pub(super) problem_rules: Vec<Rule>,
    /// Look-alike readings that each pass every check, when more than one does.
    pub(super) alternatives: Vec<Isrc>,
}

/// A quick hash of a short value's bytes, for the memo of problem values.
pub(super) fn text_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(bytes.len() as u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

impl<'a, 'p> Tally<'a, 'p> {
    pub(super) fn new(policy: &'a Policy<'p>) -> Self {
        Tally {
            policy,
            res: ChunkResult {
                valid: 0,
                invalid: 0,
                lines: 0,
                by_rule: [0; 32],
                prefixes: Vec::new(),
                records: 0,
                outs: Vec::new(),
                extras: Vec::new(),
                extras_after: Vec::new(),
                log: None,
                batch: None,
                metas: Vec::new(),
                recordings: Vec::new(),
                compared: Vec::new(),
                issues: Vec::new(),
                utf8_at: Vec::new(),
                invalid_values: Vec::new(),
            },
            data: (0, 0),
            prefix_slots: FastMap::default(),
            recent_prefixes: [(u64::MAX, 0); RECENT_PREFIXES],
            offset: 0,
            cache: VerdictCache::new(*policy),
            groups: GroupMemo::new(),
            recent: vec![None; RECENT_WAYS],
            list_invalid: true,
            compare: false,
        }
    }

    /// Checks one value; `line` is where the record starts, `column` where the value starts.
    pub(super) fn check(&mut self, bytes: &[u8], line: u64, column: u64) {
        self.check_with(bytes, line, || column);
    }

    /// [`Tally::check`] with the column found only when a finding needs it: clean compact
    /// codes, most records, need none.
    #[inline]
    pub(super) fn check_with(&mut self, bytes: &[u8], line: u64, column: impl FnOnce() -> u64) {
        // Compact codes without warnings or errors, the bulk of any catalogue, need no report:
        // those of a group already seen are counted there (no verdict, no tallies per record).
        let compact = <&[u8; 12]>::try_from(bytes).ok();
        let key = compact.and_then(|c| compact_key(c));
        let verdict = if let (Some(compact), Some(key)) = (compact, key) {
            let group = match self.groups.count(compact) {
                Ok(known) => {
                    self.push_clean(Isrc::from_u64(key), known.rules, line);
                    return;
                }
                Err(group) => group,
            };
            // A new group: remembered when its verdict is clean and names no fix (which
            // would belong to this code alone); it then counts this record too.
            let verdict = self.cache.compact(bytes);
            if let Some(verdict) = verdict
                && verdict.fix.is_none()
                && verdict.severity.is_none_or(|s| s < Severity::Warning)
            {
                if let Some(evicted) = self.groups.insert(group, key, verdict.rules) {
                    self.add_group(evicted);
                }
                self.push_clean(verdict.isrc, verdict.rules, line);
                return;
            }
            verdict
        } else {
            self.cache.compact(bytes)
        };
        if let Some(verdict) = verdict
            && verdict.severity.is_none_or(|s| s < Severity::Warning)
        {
            self.res.valid += 1;
            self.count_rules(verdict.rules);
            if verdict.isrc.is_none() {
                let slot = self.slot(prefix_key(&bytes[..5]));
                self.res.prefixes[slot].1.records += 1;
            }
            self.push_clean(verdict.isrc, verdict.rules, line);
            return;
        }
        self.check_slow(bytes, line, column());
    }

    /// The outcome of a record whose value is valid with nothing above an info finding.
    #[inline]
    pub(super) fn push_clean(&mut self, code: Option<Isrc>, rules: RuleSet, line: u64) {
        self.res.outs.push(Out {
            code,
            fix: None,
            rules,
            valid: true,
            line,
            offset: self.offset,
        });
    }

    /// [`Tally::check`] of a value that is not a clean compact code.
    #[inline(never)]
    pub(super) fn check_slow(&mut self, bytes: &[u8], line: u64, column: u64) {
        if let Some(parts) = split_cell(bytes) {
            self.check_parts(&parts, line, column);
            return;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => Cow::Borrowed(t),
            Err(e) => {
                self.invalid_utf8(
                    bytes,
                    e.valid_up_to(),
                    line,
                    column + e.valid_up_to() as u64,
                    "invalid UTF-8 (the file is not UTF-8 text, or is damaged here); the value is checked with U+FFFD in place of the bad bytes".into(),
                );
                String::from_utf8_lossy(bytes)
            }
        };
        let way = (text_hash(text.as_bytes()) >> 58) as usize % RECENT_WAYS;
        let known = match &self.recent[way] {
            Some((seen, known)) if **seen == *text => known.clone(),
            _ => {
                let known = self.judge(&text);
                if text.len() <= 64 {
                    self.recent[way] = Some((text.as_ref().into(), known.clone()));
                }
                known
            }
        };
        let assessed = match known {
            Known::Clean(verdict, prefix) => {
                self.res.valid += 1;
                self.count_rules(verdict.rules);
                if verdict.isrc.is_none() {
                    let slot = self.slot(prefix);
                    self.res.prefixes[slot].1.records += 1;
                }
                self.res.outs.push(Out {
                    code: verdict.isrc,
                    fix: verdict.fix,
                    rules: verdict.rules,
                    valid: true,
                    line,
                    offset: self.offset,
                });
                return;
            }
            Known::Problem(assessed) => assessed,
        };
        let out = Out {
            code: assessed.code,
            fix: assessed.fix,
            rules: assessed.rules,
            valid: assessed.valid,
            line,
            offset: self.offset,
        };
        if out.valid {
            self.res.valid += 1;
        } else {
            self.res.invalid += 1;
        }
        self.count_rules(out.rules);
        if out.rules.contains(Rule::InvalidCharacter)
            && let Some(p) = memchr::memchr(0, bytes)
        {
            self.res
                .issues
                .push((line, column + p as u64, "a NUL byte in the value".into()));
        }
        let slot = self.slot(assessed.prefix);
        let agg = &mut self.res.prefixes[slot].1;
        agg.records += u64::from(assessed.code.is_none());
        if !out.valid {
            agg.problems_mut().invalid += 1;
            if self.list_invalid && self.res.invalid_values.len() < LISTED_PER_CHUNK {
                self.res.invalid_values.push(InvalidCode {
                    file: String::new(),
                    line,
                    value: text.chars().take(64).collect(),
                    rules: assessed.problem_rules.iter().map(|r| r.id()).collect(),
                    fix: assessed.fix,
                    alternatives: assessed.alternatives.clone(),
                });
            }
        }
        if !assessed.problem_rules.is_empty() {
            let agg = agg.problems_mut();
            agg.problems += 1;
            for rule in &assessed.problem_rules {
                agg.rules[rule.index()] += 1;
            }
            if agg.examples.len() < 3 {
                let input: String = text.chars().take(64).collect();
                agg.examples.push(Example {
                    input,
                    file: String::new(),
                    line,
                    rules: assessed.problem_rules.iter().map(|r| r.id()).collect(),
                });
            }
        }
        self.res.outs.push(out);
    }

    /// What a value is: most values that are not compact codes (lowercase, hyphenated,
    /// labelled codes) have no warning either, and the verdict, which allocates nothing, is
    /// all they need; the others get the full check.
    pub(super) fn judge(&self, text: &str) -> Known {
        let verdict = isrc::check::verdict(text, self.policy);
        if verdict.severity.is_none_or(|s| s < Severity::Warning) {
            let prefix = match verdict.isrc {
                Some(code) => prefix_key(code.prefix().as_str().as_bytes()),
                None => guess_prefix(text),
            };
            return Known::Clean(verdict, prefix);
        }
        Known::Problem(Rc::new(self.assess(text)))
    }

    /// The full check of a value with a warning or an error.
    pub(super) fn assess(&self, text: &str) -> Assessed {
        let report = isrc::check(text, self.policy);
        let mut problem_rules: Vec<Rule> = Vec::new();
        for f in &report.findings {
            if f.severity >= Severity::Warning && !problem_rules.contains(&f.rule) {
                problem_rules.push(f.rule);
            }
        }
        let mut rules = RuleSet::EMPTY;
        for f in &report.findings {
            rules.insert(f.rule);
        }
        Assessed {
            code: report.isrc,
            fix: report.fix(),
            alternatives: report.alternatives.clone(),
            rules,
            valid: report.is_valid(),
            prefix: match report.isrc {
                Some(code) => prefix_key(code.prefix().as_str().as_bytes()),
                None => guess_prefix(text),
            },
            problem_rules,
        }
    }

    pub(super) fn count_rules(&mut self, rules: RuleSet) {
        // Only the set bits: most records have none.
        let mut bits = rules.bits();
        while bits != 0 {
            self.res.by_rule[bits.trailing_zeros() as usize] += 1;
            bits &= bits - 1;
        }
    }

    pub(super) fn slot(&mut self, key: u64) -> usize {
        // Two ways per set: a catalogue interleaving a few registrants keeps them all here.
        let set =
            ((key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % (RECENT_PREFIXES / 2)) * 2;
        if self.recent_prefixes[set].0 == key {
            return self.recent_prefixes[set].1;
        }
        if self.recent_prefixes[set + 1].0 == key {
            self.recent_prefixes.swap(set, set + 1);
            return self.recent_prefixes[set].1;
        }
        let next = self.res.prefixes.len();
        let slot = *self.prefix_slots.entry(key).or_insert(next);
        if slot == next {
            self.res.prefixes.push((key, PrefixAgg::default()));
        }
        self.recent_prefixes[set + 1] = self.recent_prefixes[set];
        self.recent_prefixes[set] = (key, slot);
        slot
    }

    /// Adds the records of a group of clean compact codes to the tallies.
    pub(super) fn add_group(&mut self, group: Group) {
        self.res.valid += group.records;
        let mut bits = group.rules.bits();
        while bits != 0 {
            self.res.by_rule[bits.trailing_zeros() as usize] += group.records as u32;
            bits &= bits - 1;
        }
    }

    /// Adds every group still counted in [`Tally::groups`] to the tallies (at the end of a
    /// chunk).
    pub(super) fn close_groups(&mut self) {
        let groups: Vec<Group> = self.groups.drain().collect();
        for group in groups {
            self.add_group(group);
        }
    }

    /// An issue about invalid UTF-8 in `bytes`, `valid` bytes in: its offset in the chunk
    /// is known when `bytes` is part of the chunk's data (lines, JSON Lines); a CSV field,
    /// unquoted into another buffer, gets it from its row (`worker::utf8_offsets`).
    #[cold]
    pub(super) fn invalid_utf8(
        &mut self,
        bytes: &[u8],
        valid: usize,
        line: u64,
        column: u64,
        message: String,
    ) {
        let (start, len) = self.data;
        let at = bytes.as_ptr() as usize;
        let offset = (at >= start && at + bytes.len() <= start + len).then(|| at - start + valid);
        self.res.utf8_at.push((self.res.issues.len(), offset));
        self.res.issues.push((line, column, message));
    }

    /// A record whose value is missing (a short row, a JSON object without the key).
    pub(super) fn missing(&mut self, line: u64, column: u64, message: String) {
        self.res.issues.push((line, column, message));
        self.check(b"", line, column);
    }
}

/// The separators of several codes in one cell.
const CELL_SEPARATORS: [u8; 5] = [b';', b'/', b',', b'\n', b'|'];

/// Several codes in one cell (`USRC17607839; USRC17607840`, `/`, `,`, `|` or line breaks
/// between them): each part with where it starts, when there are two or more and every one
/// is as long as a code can be written (12 to 20 bytes once trimmed), so that a code written
/// with slashes (`US/RC1/76/07839`) or a title is not taken apart.
pub(super) fn split_cell(bytes: &[u8]) -> Option<Vec<(usize, &[u8])>> {
    if bytes.len() < 25 || !bytes.iter().any(|b| CELL_SEPARATORS.contains(b)) {
        return None;
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for piece in bytes.split(|b| CELL_SEPARATORS.contains(b)) {
        let lead = piece.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let trimmed = piece[lead..].trim_ascii_end();
        if !trimmed.is_empty() {
            if !(12..=20).contains(&trimmed.len()) {
                return None;
            }
            parts.push((start + lead, trimmed));
        }
        start += piece.len() + 1;
    }
    (parts.len() >= 2).then_some(parts)
}

impl Tally<'_, '_> {
    /// The codes of one cell, each checked on the cell's line: the first is the row's
    /// record, the others go to [`ChunkResult::extras`] (a sink finds them again with
    /// [`split_cell`] and fixes each in place).
    fn check_parts(&mut self, parts: &[(usize, &[u8])], line: u64, column: u64) {
        for (k, &(offset, part)) in parts.iter().enumerate() {
            let before = self.res.outs.len();
            self.check_with(part, line, || column + offset as u64);
            if k > 0
                && self.res.outs.len() > before
                && let Some(extra) = self.res.outs.pop()
            {
                self.res.extras.push(extra);
                self.res.extras_after.push(self.res.outs.len() as u32);
            }
        }
    }
}

/// A duration field: whole numbers straight from the bytes (the usual case), anything else
/// through [`parse_duration`].
pub(super) fn duration_of(field: &[u8], unit: DurationUnit) -> Option<f64> {
    if !field.is_empty() && field.len() <= 15 && field.iter().all(u8::is_ascii_digit) {
        let v = field.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')) as f64;
        return Some(match unit {
            DurationUnit::Seconds => v,
            DurationUnit::Milliseconds => v / 1000.0,
        });
    }
    match std::str::from_utf8(field) {
        Ok(text) => parse_duration(text, unit),
        Err(_) => parse_duration(&String::from_utf8_lossy(field), unit),
    }
}

pub(super) fn prefix_key(five: &[u8]) -> u64 {
    five.iter()
        .take(5)
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

pub(super) fn prefix_text(key: u64) -> String {
    if key == 0 {
        return String::new();
    }
    (0..5)
        .rev()
        .map(|i| char::from((key >> (8 * i)) as u8))
        .collect()
}

/// The registrant prefix of a value that is not a well-formed code: its first five letters
/// and digits, when they have the shape of a prefix.
pub(super) fn guess_prefix(text: &str) -> u64 {
    isrc::code::PrefixCode::guess(text).map_or(0, |p| prefix_key(p.as_str().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(prefix_text(guess_prefix("usrc176O7839")), "USRC1");
        assert_eq!(prefix_text(guess_prefix("ISRC US-RC1-76-O7839")), "USRC1");
        assert_eq!(guess_prefix("0602557012347"), 0);
    }
}
