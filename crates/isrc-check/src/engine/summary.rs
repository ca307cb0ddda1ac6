//! Report building: the [`Summary`] after all inputs, from the tallies and the index.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use isrc::{Isrc, rule::Rule};

use crate::report::{GapGroup, InputIssue, Listed, Location, PrefixGroup, SCHEMA_VERSION, Summary};

use super::index::FastMap;
use super::partition::{KEYS_PER_PREFIX, PartTally, tally};
use super::spill::Spill;
use super::verdicts::prefix_text;
use super::{Checker, record_number};

/// Duplicates named in the summary (all are counted).
pub(super) const TOP_DUPLICATES: usize = 20;

impl Checker<'_> {
    /// The report, after all inputs.
    pub fn finish(self) -> Summary {
        let mut by_rule = BTreeMap::new();
        for (i, rule) in Rule::ALL.iter().enumerate().take(32) {
            if self.by_rule[i] > 0 {
                by_rule.insert(rule.id(), self.by_rule[i]);
            }
        }
        let gaps = self.options.gaps;
        let cap = self.max_listed();
        // The prefixes the report names: the index counts their records with a code.
        let mut wanted: FastMap<u64, usize> = FastMap::default();
        for (key, a) in &self.prefixes {
            if a.problems.as_deref().is_some_and(|p| p.problems > 0)
                && let Some(number) = prefix_number(*key)
            {
                let next = wanted.len();
                wanted.entry(number).or_insert(next);
            }
        }
        let (tally, spill_error) = self.tally_index(gaps, &wanted);
        let mut issues = self.issues;
        let mut issue_count = self.issue_count;
        if let Some(e) = spill_error {
            issue_count += 1;
            issues.push(unread(format!(
                "the duplicate index could not be read back from its temporary file ({e}): \
                 the duplicate and conflict figures are incomplete"
            )));
        }
        let PartTally {
            duplicates,
            conflicts,
            top,
            conflicted,
            keys,
            prefix_records,
            pending,
        } = tally.0;
        let indexed = |key: u64| {
            prefix_number(key)
                .and_then(|n| wanted.get(&n))
                .and_then(|&i| prefix_records.get(i).copied())
                .unwrap_or(0)
        };
        let (mut top, mut conflicted) = (top, conflicted);
        let bases = &self.bases;
        let number = |pos: u64| record_number(bases, pos);
        // Only the duplicates the report names get their lines.
        let named = cap.max(TOP_DUPLICATES);
        self.code_logs
            .rank_pending(pending, &number, &mut top, &mut conflicted, (named, cap));
        let top: Vec<_> = top.into_sorted().into_iter().take(named).collect();
        let conflicted: Vec<_> = conflicted.into_sorted().into_iter().take(cap).collect();
        if let Some(e) = self.code_logs.read_error() {
            issue_count += 1;
            issues.push(unread(format!(
                "the codes' log could not be read back from its temporary file ({e}): \
                 the lines of some duplicates are missing"
            )));
        }
        let top: Vec<_> = top
            .into_iter()
            .map(|f| f.into_duplicate(&self.places, cap))
            .collect();
        let conflicted: Vec<_> = conflicted
            .into_iter()
            .map(|f| f.into_duplicate(&self.places, cap))
            .collect();
        let mut prefixes: Vec<PrefixGroup> = self
            .prefixes
            .iter()
            .filter_map(|(key, a)| {
                let p = a.problems.as_deref().filter(|p| p.problems > 0)?;
                let mut rules = BTreeMap::new();
                for (i, rule) in Rule::ALL.iter().enumerate().take(32) {
                    if p.rules[i] > 0 {
                        rules.insert(rule.id(), p.rules[i]);
                    }
                }
                let records = a.records + indexed(*key);
                Some(PrefixGroup {
                    prefix: prefix_text(*key),
                    records,
                    problems: p.problems,
                    invalid: p.invalid,
                    share: p.invalid as f64 / records.max(1) as f64,
                    rules,
                    examples: p.examples.clone(),
                })
            })
            .collect();
        prefixes.sort_by(|a, b| {
            b.problems
                .cmp(&a.problems)
                .then_with(|| a.prefix.cmp(&b.prefix))
        });
        let gaps = gaps.then(|| gap_groups(keys, &self.order));
        let warnings = prefixes
            .iter()
            .map(|p| p.problems.saturating_sub(p.invalid))
            .sum();
        Summary {
            exchange: self.exchange.into_report(),
            schema_version: SCHEMA_VERSION,
            reference_date: self.policy.today().to_string(),
            prefix_table: self.policy.prefixes().date().map(str::to_owned),
            records: self.records,
            extra_codes: self.extra_codes,
            valid: self.valid,
            invalid: self.invalid,
            warnings,
            bytes: self.bytes,
            by_rule,
            duplicate_isrcs: duplicates,
            conflicting_isrcs: conflicts,
            prefixes,
            gaps,
            inputs: self.inputs,
            duplicates: Listed {
                total: duplicates,
                listed: top.iter().take(cap).cloned().collect(),
            },
            conflicts: Listed {
                total: conflicts,
                listed: conflicted.into_iter().take(cap).collect(),
            },
            possible_duplicate_recordings: self.recordings.finish(),
            invalid_codes: self.invalid_codes,
            input_problems: Listed {
                total: issue_count,
                listed: issues.iter().take(cap).cloned().collect(),
            },
            against: None,
            top_duplicates: top.into_iter().take(TOP_DUPLICATES).collect(),
            issues,
            issue_count,
            spilled_bytes: tally.1 + self.code_logs.spilled(),
        }
    }

    /// Tallies every partition of the index, on as many threads as there are cores, after
    /// reading back what was spilled; gives the tally, the bytes spilled, and the first error
    /// reading them back.
    fn tally_index(
        &self,
        gaps: bool,
        wanted: &FastMap<u64, usize>,
    ) -> ((PartTally, u64), Option<std::io::Error>) {
        let cap = self.max_listed();
        let (parts, spill) = self.index.take();
        let spilled = spill.as_ref().map_or(0, Spill::len);
        let parts = Mutex::new(parts.into_iter().enumerate());
        let number = |pos: u64| self.record_number(pos);
        let logged = !self.code_logs.is_empty();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let results: Vec<(PartTally, Option<std::io::Error>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut total = PartTally::with_cap(cap);
                        let mut error = None;
                        loop {
                            let next = parts.lock().unwrap_or_else(PoisonError::into_inner).next();
                            let Some((p, mut part)) = next else {
                                break;
                            };
                            if let Some(spill) = &spill
                                && let Err(e) = spill.read(p, &mut part)
                            {
                                error.get_or_insert(e);
                            }
                            total.absorb(tally(part, gaps, &number, cap, wanted, logged));
                        }
                        (total, error)
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        let mut total = PartTally::with_cap(cap);
        let mut first_error = None;
        for (t, e) in results {
            total.absorb(t);
            if first_error.is_none() {
                first_error = e;
            }
        }
        ((total, spilled), first_error)
    }
}

/// A problem reading back a temporary file, which belongs to no input line.
fn unread(message: String) -> InputIssue {
    InputIssue {
        location: Location {
            file: String::new(),
            line: 0,
            column: 0,
        },
        message,
    }
}

/// The prefix number (index key / [`KEYS_PER_PREFIX`]) of a prefix key of the tallies;
/// `None` for no prefix.
fn prefix_number(key: u64) -> Option<u64> {
    let text = prefix_text(key);
    let (country, registrant) = (text.get(..2)?, text.get(2..5)?);
    let code = Isrc::from_parts(country, registrant, 0, 0).ok()?;
    Some(code.to_u64() / KEYS_PER_PREFIX)
}

pub(super) fn gap_groups(mut keys: Vec<u64>, order: &FastMap<u64, (u32, u64)>) -> Vec<GapGroup> {
    keys.sort_unstable();
    let mut groups = Vec::new();
    for run in keys.chunk_by(|a, b| a / 100_000 == b / 100_000) {
        let group = run[0] / 100_000;
        let designations: Vec<u32> = run.iter().map(|k| (k % 100_000) as u32).collect();
        let mut missing = 0u64;
        let mut ranges = Vec::new();
        for w in designations.windows(2) {
            if w[1] > w[0] + 1 {
                missing += u64::from(w[1] - w[0] - 1);
                if ranges.len() < 20 {
                    ranges.push((w[0] + 1, w[1] - 1));
                }
            }
        }
        let Some(code) = Isrc::from_u64(run[0]) else {
            continue;
        };
        groups.push(GapGroup {
            prefix_year: format!("{}{:02}", code.prefix(), code.year()),
            designations: designations.len() as u64,
            first: designations[0],
            last: designations[designations.len() - 1],
            missing,
            missing_ranges: ranges,
            out_of_order: order.get(&group).map_or(0, |o| o.1),
        });
    }
    groups
}

#[cfg(test)]
mod tests {
    use isrc::Policy;

    use super::super::{Checker, Options};

    /// A prefix's records are those with a code (counted by the index at the end) and those
    /// without (counted while reading), in memory, spilled, and in the dense index.
    #[test]
    fn a_problem_prefix_counts_every_record_under_it() {
        let list = "USRC17607839\nUSRC17607840\nUSRC176O7841\nUSRC17607839\n\
                    usrc17607842\nGBAYE0601498\nXXRC12600001\nXXRC12600002\n";
        for (memory, max_listed) in [(None, None), (Some(1), None), (None, Some(0))] {
            let options = Options {
                memory,
                max_listed,
                ..Options::default()
            };
            let mut checker = Checker::new(Policy::new("2026-11-22".parse().unwrap()), options);
            checker.set_chunk_bytes(40);
            checker
                .check_reader("codes.txt", list.as_bytes(), None)
                .unwrap();
            let summary = checker.finish();
            let groups: Vec<_> = summary
                .prefixes
                .iter()
                .map(|p| (p.prefix.as_str(), p.records, p.problems, p.invalid))
                .collect();
            assert_eq!(
                groups,
                [("USRC1", 5, 2, 1), ("XXRC1", 2, 2, 2)],
                "{memory:?} {max_listed:?}"
            );
        }
    }
}
