//! The figures of a whole DSR, merged from the workers' parts in input order.

use std::collections::BTreeMap;
use std::collections::hash_map::Entry;

use isrc::Policy;

use super::hash::KeyMap;
use super::layout::*;
use super::parse::{DsrPart, Target};
use super::resources::Resources;
use super::{DsrFigures, DsrValue};
use crate::formats::{ExchangeReport, MessageFinding, MessageRule};
use crate::report::{Listed, Location};

/// Usage and money attached to one (ISRC cell, DspResourceId).
#[derive(Default)]
pub(super) struct Attached {
    pub(super) line: u64,
    pub(super) usage_lines: u64,
    pub(super) usages: f64,
    pub(super) revenue: f64,
}

/// The block merged lines end in: its id, its first resource, and its resources by
/// `ResourceReference`.
pub(super) type BlockEnd = (Vec<u8>, u32, KeyMap<Box<str>, u32>);

/// The figures of a whole DSR, merged from the workers' parts in input order, so that
/// every sum is added up in the order of the lines, as one reader would.
#[derive(Default)]
pub(crate) struct DsrTally {
    /// Parts waiting for the ones before them.
    pub(super) pending: BTreeMap<u64, DsrPart>,
    /// The next part to merge.
    pub(super) next: u64,
    pub(super) resources: Resources,
    /// Per resource number.
    pub(super) attached: Vec<Attached>,
    /// The block the merged lines end in, its first resource, and its resources by
    /// `ResourceReference`.
    pub(super) end: Option<BlockEnd>,
    pub(super) resource_records: u64,
    pub(super) usage_lines: u64,
    pub(super) without_resource: u64,
    pub(super) named_usages: bool,
    pub(super) named_revenue: bool,
}

impl DsrTally {
    /// Takes the part of chunk `seq`, and merges the parts now in order.
    pub(crate) fn add(&mut self, seq: u64, part: DsrPart) {
        self.pending.insert(seq, part);
        while let Some(part) = self.pending.remove(&self.next) {
            self.next += 1;
            self.merge(part);
        }
    }

    pub(super) fn merge(&mut self, part: DsrPart) {
        self.resource_records += part.resource_records;
        self.usage_lines += part.usage_lines;
        self.without_resource += part.without_resource;
        let ids: Vec<u32> = part
            .keys
            .iter()
            .map(|key| {
                let (cell, dsp) = part.key(key);
                let (id, new) = self.resources.intern(cell, dsp, key.hash);
                if new {
                    self.attached.push(Attached {
                        line: key.line,
                        ..Attached::default()
                    });
                }
                id
            })
            .collect();
        let mut previous = self.end.take();
        // The previous chunk ended in the block this one starts with.
        let continued = match (&previous, &part.first_block) {
            (Some((b, ..)), Some((block, _))) => b == block,
            _ => false,
        };
        let first = part.first_block.as_ref().map(|(_, index)| match &previous {
            Some((_, id, _)) if continued => *id,
            _ => ids[*index as usize],
        });
        let resolve = |target: Target| -> Option<u32> {
            match target {
                Target::Local(i) => Some(ids[i as usize]),
                Target::FirstBlock => first,
                Target::Incoming(i) => {
                    let line = &part.incoming[i as usize];
                    match &previous {
                        Some((b, id, references)) if *b == line.block => Some(
                            line.reference
                                .as_ref()
                                .and_then(|r| references.get(r))
                                .copied()
                                .unwrap_or(*id),
                        ),
                        _ if line.in_first_block => first,
                        _ => None,
                    }
                }
            }
        };
        for (target, money) in &part.usage {
            match resolve(*target).and_then(|id| self.attached.get_mut(id as usize)) {
                Some(attached) => {
                    attached.usage_lines += 1;
                    if let Some((usages, revenue)) = money {
                        attached.usages += usages;
                        attached.revenue += revenue;
                    }
                }
                None => self.without_resource += 1,
            }
        }
        let end = part.end.and_then(|(block, target)| {
            let id = resolve(target)?;
            Some((block, id, matches!(target, Target::FirstBlock)))
        });
        self.end = match end {
            Some((block, id, still_first)) => {
                // A block that goes on from the previous chunk keeps its resources.
                let mut references = match previous.take() {
                    Some((_, _, references)) if still_first && continued => references,
                    _ => KeyMap::default(),
                };
                for (reference, index) in part.end_references {
                    references.entry(reference).or_insert(ids[index as usize]);
                }
                Some((block, id, references))
            }
            None => previous,
        };
    }

    /// The header rows' names, once the whole file is read (whether the usage and revenue
    /// cells are named anywhere).
    pub(crate) fn named(&mut self, layouts: &Layouts) {
        self.named_usages |= layouts.named_usages;
        self.named_revenue |= layouts.named_revenue;
    }

    /// The report's figures and findings, once the whole file is read.
    pub(crate) fn finish(
        self,
        head: [String; 3],
        file: &str,
        policy: &Policy<'_>,
        report: &mut ExchangeReport,
        cap: usize,
    ) -> DsrFigures {
        let mut valid_lines = 0;
        let mut usages_at_risk = 0.0;
        let mut revenue_at_risk = 0.0;
        let mut invalid: KeyMap<&str, DsrValue> = KeyMap::default();
        // Per DspResourceId: its first valid ISRC and resource, and, once it shows a second
        // ISRC, its list in `isrc_lists` (number + 1) of each ISRC with its first line.
        let mut isrcs_of: KeyMap<&str, (isrc::Isrc, u32, u32)> =
            KeyMap::with_capacity_and_hasher(self.attached.len(), Default::default());
        let mut isrc_lists: Vec<(&str, Vec<(isrc::Isrc, u64)>)> = Vec::new();
        // Each valid ISRC with a DspResourceId, and its resource.
        let mut codes: Vec<(isrc::Isrc, u32)> = Vec::with_capacity(self.attached.len());
        let resources = &self.resources;
        // Resources are numbered in the order of their first lines.
        for (id, attached) in self.attached.iter().enumerate() {
            let id = id as u32;
            let (cell, dsp) = resources.key(id);
            let values: Vec<&str> = cell
                .split('|')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            let mut all_valid = !values.is_empty();
            let verdicts: Vec<_> = values
                .iter()
                .map(|v| (*v, isrc::check::verdict(v, policy)))
                .collect();
            for (value, verdict) in &verdicts {
                if verdict.is_valid()
                    && let Some(code) = verdict.isrc
                {
                    if !dsp.is_empty() {
                        codes.push((code, id));
                        let line = attached.line;
                        match isrcs_of.entry(dsp) {
                            Entry::Vacant(e) => {
                                e.insert((code, id, 0));
                            }
                            Entry::Occupied(mut e) => {
                                let (first, first_id, list) = e.get_mut();
                                if *list == 0 {
                                    if *first != code {
                                        let first_line = self.attached[*first_id as usize].line;
                                        isrc_lists
                                            .push((dsp, vec![(*first, first_line), (code, line)]));
                                        *list = isrc_lists.len() as u32;
                                    }
                                } else {
                                    let list = &mut isrc_lists[*list as usize - 1].1;
                                    // The first line of each ISRC (lines come in order).
                                    if list.iter().all(|c| c.0 != code) {
                                        list.push((code, line));
                                    }
                                }
                            }
                        }
                    }
                } else {
                    all_valid = false;
                    let entry = invalid.entry(value).or_insert_with(|| DsrValue {
                        value: (*value).to_owned(),
                        line: attached.line,
                        rules: verdict.rules.ids(),
                        usage_lines: 0,
                        usages: self.named_usages.then_some(0.0),
                        revenue: self.named_revenue.then_some(0.0),
                    });
                    add_to(entry, attached);
                }
            }
            if values.is_empty() {
                let entry = invalid.entry("").or_insert_with(|| DsrValue {
                    value: String::new(),
                    line: attached.line,
                    rules: vec!["empty"],
                    usage_lines: 0,
                    usages: self.named_usages.then_some(0.0),
                    revenue: self.named_revenue.then_some(0.0),
                });
                add_to(entry, attached);
            }
            if all_valid {
                valid_lines += attached.usage_lines;
            } else {
                usages_at_risk += attached.usages;
                revenue_at_risk += attached.revenue;
            }
        }
        let finding =
            |rule: MessageRule, line: u64, reference: &str, value: String, text: String| {
                MessageFinding {
                    rule: rule.id(),
                    severity: rule.severity().as_str(),
                    location: Location {
                        file: file.to_owned(),
                        line,
                        column: 1,
                    },
                    path: "DSR resource record".to_owned(),
                    reference: Some(reference.to_owned()),
                    value: Some(value),
                    message: text,
                }
            };
        drop(isrcs_of);
        let mut several_isrcs = isrc_lists;
        for (_, codes) in &mut several_isrcs {
            codes.sort_by_key(|c| (c.0, c.1));
        }
        several_isrcs.sort_by_key(|(_, codes)| codes.iter().map(|c| c.1).min());
        let mut findings = Vec::new();
        for (dsp, codes) in &several_isrcs {
            let list: Vec<String> = codes.iter().map(|c| c.0.to_string()).collect();
            let line = codes.iter().map(|c| c.1).max().unwrap_or(0);
            findings.push(finding(
                MessageRule::DsrResourceSeveralIsrcs,
                line,
                dsp,
                list.join("|"),
                format!(
                    "DspResourceId {dsp} is reported with {} ISRCs ({}): the service has merged \
                     recordings, or the ISRCs were mixed up",
                    list.len(),
                    list.join(", ")
                ),
            ));
        }
        // The ISRCs under several DspResourceIds: each ISRC's resources in order.
        codes.sort_unstable();
        let mut several_resources: Vec<(isrc::Isrc, Vec<(&str, u64)>)> = Vec::new();
        for group in codes.chunk_by(|a, b| a.0 == b.0) {
            if group.len() < 2 {
                continue;
            }
            let mut dsps: Vec<(&str, u64)> = group
                .iter()
                .map(|(_, id)| (resources.key(*id).1, self.attached[*id as usize].line))
                .collect();
            dsps.sort_by_key(|d| (d.0, d.1));
            dsps.dedup_by_key(|d| d.0);
            if dsps.len() > 1 {
                several_resources.push((group[0].0, dsps));
            }
        }
        several_resources.sort_by_key(|(_, dsps)| dsps.iter().map(|d| d.1).min());
        for (code, dsps) in &several_resources {
            let list: Vec<&str> = dsps.iter().map(|d| d.0).collect();
            let line = dsps.iter().map(|d| d.1).max().unwrap_or(0);
            findings.push(finding(
                MessageRule::DsrIsrcSeveralResources,
                line,
                list[0],
                code.to_string(),
                format!(
                    "{code} is reported under {} DspResourceIds ({})",
                    list.len(),
                    list.join(", ")
                ),
            ));
        }
        findings.sort_by_key(|f| f.location.line);
        for f in findings {
            report.push(f, cap);
        }
        let mut values: Vec<DsrValue> = invalid.into_values().collect();
        values.sort_by(|a, b| {
            b.revenue
                .unwrap_or(0.0)
                .total_cmp(&a.revenue.unwrap_or(0.0))
                .then(b.usage_lines.cmp(&a.usage_lines))
                .then(a.line.cmp(&b.line))
                // Values of one cell share a line: the map's order would otherwise decide.
                .then_with(|| a.value.cmp(&b.value))
        });
        let mut invalid_values = Listed::default();
        for v in values {
            invalid_values.push(v, cap);
        }
        let [message_version, profile, profile_version] = head;
        DsrFigures {
            file: file.to_owned(),
            profile,
            profile_version,
            message_version,
            resource_records: self.resource_records,
            usage_lines: self.usage_lines,
            usage_lines_valid_isrc: valid_lines,
            valid_share: if self.usage_lines == 0 {
                1.0
            } else {
                valid_lines as f64 / self.usage_lines as f64
            },
            usage_lines_without_resource: self.without_resource,
            usages_at_risk: self.named_usages.then_some(usages_at_risk),
            revenue_at_risk: self.named_revenue.then_some(revenue_at_risk),
            resources_with_several_isrcs: several_isrcs.len() as u64,
            isrcs_with_several_resources: several_resources.len() as u64,
            invalid_values,
        }
    }
}

/// Adds a resource's usage to an invalid value's.
pub(super) fn add_to(entry: &mut DsrValue, attached: &Attached) {
    entry.usage_lines += attached.usage_lines;
    if let Some(u) = entry.usages.as_mut() {
        *u += attached.usages;
    }
    if let Some(r) = entry.revenue.as_mut() {
        *r += attached.revenue;
    }
}
