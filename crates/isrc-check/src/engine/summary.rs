//! Report building: the [`Summary`] after all inputs, from the tallies and the index.

use std::collections::BTreeMap;
use std::sync::PoisonError;

use isrc::{Isrc, Rule};

use crate::dense::PageBits;
use crate::report::{Duplicate, GapGroup, Listed, PrefixGroup, SCHEMA_VERSION, Summary};

use super::Checker;
use super::index::{FastMap, Shard, page_keys};
use super::verdicts::prefix_text;

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
        let mut duplicates = 0;
        let mut conflicts = 0;
        let mut top: Vec<Duplicate> = Vec::new();
        // The report lists `--max-listed` duplicates; people see the first 20.
        let listed = self.max_listed().max(TOP_DUPLICATES);
        let mut conflict_list: Vec<Duplicate> = Vec::new();
        let shards: Vec<Shard> = self
            .index
            .shards
            .iter()
            .map(|m| std::mem::take(&mut *m.lock().unwrap_or_else(PoisonError::into_inner)))
            .collect();
        // Dense mode: every twice-seen bit is a duplicate. The best-ranked are the codes seen
        // three times or more (few, each counted), then the twice-seen codes in code order:
        // pages are visited in order until enough are named, not one key per duplicate.
        let mut twice_pages: Vec<(u64, PageBits, &Shard)> = Vec::new();
        let mut dense_top: Vec<(u64, u32)> = Vec::new();
        for s in &shards {
            for (&page, &bits) in &s.twice {
                duplicates += bits.iter().map(|w| u64::from(w.count_ones())).sum::<u64>();
                twice_pages.push((page, bits, s));
            }
            dense_top.extend(s.repeats.iter().map(|(&key, &count)| (key, count)));
        }
        twice_pages.sort_unstable_by_key(|&(page, ..)| page);
        let mut named_twice = 0;
        for (page, bits, shard) in twice_pages {
            if named_twice >= listed {
                break;
            }
            for key in page_keys(page, bits) {
                if named_twice < listed && !shard.repeats.contains_key(&key) {
                    dense_top.push((key, 2));
                    named_twice += 1;
                }
            }
        }
        let rank = |a: &Duplicate, b: &Duplicate| {
            b.records
                .cmp(&a.records)
                .then(a.first_record.cmp(&b.first_record))
                .then(a.isrc.cmp(&b.isrc))
        };
        let mut consider = |key: u64, count: u32, first: Option<u64>, conflict: bool| {
            if let Some(isrc) = Isrc::from_u64(key) {
                top.push(Duplicate {
                    isrc,
                    records: u64::from(count),
                    first_record: first,
                    conflict,
                });
                // Keep the best without sorting hundreds of thousands of duplicates.
                if top.len() >= (2 * listed).max(1024) {
                    top.select_nth_unstable_by(listed - 1, rank);
                    top.truncate(listed);
                }
            }
        };
        for (key, count) in dense_top {
            consider(key, count, None, false);
        }
        for s in &shards {
            for (key, entry) in s.entries.iter() {
                if entry.count > 1 {
                    duplicates += 1;
                    if entry.conflict {
                        conflicts += 1;
                        if let Some(isrc) = Isrc::from_u64(key) {
                            conflict_list.push(Duplicate {
                                isrc,
                                records: u64::from(entry.count),
                                first_record: self.record_number(entry.first),
                                conflict: true,
                            });
                            if conflict_list.len() >= (2 * listed).max(1024) {
                                conflict_list.select_nth_unstable_by(listed - 1, rank);
                                conflict_list.truncate(listed);
                            }
                        }
                    }
                    consider(
                        key,
                        entry.count,
                        self.record_number(entry.first),
                        entry.conflict,
                    );
                }
            }
        }
        top.sort_by(rank);
        top.truncate(listed);
        conflict_list.sort_by(rank);
        conflict_list.truncate(self.max_listed());
        let mut prefixes: Vec<PrefixGroup> = self
            .prefixes
            .iter()
            .filter(|(_, a)| a.problems > 0)
            .map(|(key, a)| {
                let mut rules = BTreeMap::new();
                for (i, rule) in Rule::ALL.iter().enumerate().take(32) {
                    if a.rules[i] > 0 {
                        rules.insert(rule.id(), a.rules[i]);
                    }
                }
                PrefixGroup {
                    prefix: prefix_text(*key),
                    records: a.records,
                    problems: a.problems,
                    invalid: a.invalid,
                    share: a.invalid as f64 / a.records.max(1) as f64,
                    rules,
                    examples: a.examples.clone(),
                }
            })
            .collect();
        prefixes.sort_by(|a, b| {
            b.problems
                .cmp(&a.problems)
                .then_with(|| a.prefix.cmp(&b.prefix))
        });
        let gaps = self.options.gaps.then(|| gap_groups(&shards, &self.order));
        let warnings = prefixes
            .iter()
            .map(|p| p.problems.saturating_sub(p.invalid))
            .sum();
        let cap = self.max_listed();
        Summary {
            schema_version: SCHEMA_VERSION,
            reference_date: self.policy.today().to_string(),
            prefix_table: self.policy.prefixes().date().map(str::to_owned),
            records: self.records,
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
                listed: conflict_list,
            },
            invalid_codes: self.invalid_codes,
            input_problems: Listed {
                total: self.issue_count,
                listed: self.issues.iter().take(cap).cloned().collect(),
            },
            top_duplicates: top.into_iter().take(TOP_DUPLICATES).collect(),
            issues: self.issues,
            issue_count: self.issue_count,
        }
    }
}

pub(super) fn gap_groups(shards: &[Shard], order: &FastMap<u64, (u32, u64)>) -> Vec<GapGroup> {
    let mut keys: Vec<u64> = shards.iter().flat_map(|s| s.entries.keys()).collect();
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
