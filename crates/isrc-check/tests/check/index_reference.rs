//! The report of [`Checker`] against a plain `HashMap` reference written here, on random
//! catalogues in the three shapes of the benchmarks (a few registrants in allocation order,
//! many registrants of skewed sizes, uniformly random codes), as plain lists and as CSV with
//! title, artist and duration, with the index in memory and spilled to its temporary file
//! after every chunk (a memory budget of a few bytes), and with `--gaps` (which keeps the
//! position of every record, as `--annotate` and `--fix` do), and with `--max-listed 0` (no
//! lists: a plain list then goes to the dense index, which keeps no positions). The report's
//! lists of duplicates (every line) and conflicts (the differing fields, the lines of each
//! value) are compared too.

use std::collections::{BTreeMap, HashMap};

use isrc::{Policy, rule::Severity};
use isrc_check::{Checker, Options, fold_hash_parts};
use proptest::prelude::*;

use crate::support;

/// Values with a warning or an error that still form a code (so that the reference knows
/// their registrant prefix without guessing): an unknown country, a year in the future, a retired country code.
const PROBLEMS: [&str; 3] = ["XXRC12600001", "USRC13907839", "YUAB19100001"];

fn policy() -> Policy<'static> {
    Policy::new("2026-11-22".parse().unwrap())
}

#[test]
fn the_problem_values_form_codes_with_problems() {
    let policy = policy();
    for value in PROBLEMS {
        let report = isrc::check(value, &policy);
        assert!(report.isrc.is_some(), "{value}");
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.severity >= Severity::Warning),
            "{value}"
        );
    }
}

/// One record of a generated catalogue.
#[derive(Clone, Debug)]
struct Record {
    value: String,
    title: String,
    artist: String,
    duration: u32,
}

/// A prefix from a number: a real country code and three letters or digits.
fn prefix(n: u32) -> String {
    const COUNTRIES: [&str; 4] = ["US", "GB", "FR", "DE"];
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut p = COUNTRIES[(n % 4) as usize].to_owned();
    let mut r = n / 4;
    for _ in 0..3 {
        p.push(ALNUM[(r % 36) as usize] as char);
        r /= 36;
    }
    p
}

/// Codes of one shape: `0` a few registrants in order, `1` many registrants (small numbers
/// more often), `2` uniformly random.
fn codes(shape: u8, n: usize) -> BoxedStrategy<Vec<String>> {
    match shape {
        0 => (0u32..3, 0u32..90_000)
            .prop_map(move |(start_prefix, start)| {
                (0..n)
                    .map(|i| {
                        let i = i as u32;
                        format!(
                            "{}{:02}{:05}",
                            prefix(start_prefix + i % 3),
                            21,
                            start + i / 3
                        )
                    })
                    .collect()
            })
            .boxed(),
        1 => proptest::collection::vec((0u32..2000, 0u32..2000, 20u32..24, 0u32..40), n)
            .prop_map(|v| {
                v.into_iter()
                    .map(|(a, b, year, d)| format!("{}{year:02}{:05}", prefix(a.min(b)), d))
                    .collect()
            })
            .boxed(),
        _ => proptest::collection::vec((0u32..1_000_000, 0u32..26, 0u32..100_000), n)
            .prop_map(|v| {
                v.into_iter()
                    .map(|(p, year, d)| format!("{}{year:02}{d:05}", prefix(p)))
                    .collect()
            })
            .boxed(),
    }
}

/// A catalogue: codes of a shape, some repeated (with the same title, or another one, or
/// the same title in other case and spacing, or a duration far off), and some problem values.
fn catalogue() -> impl Strategy<Value = Vec<Record>> {
    (0u8..3, 1usize..200)
        .prop_flat_map(|(shape, n)| {
            (
                codes(shape, n),
                proptest::collection::vec((0usize..1000, 0u8..8, 0usize..3), 0..n / 2 + 2),
            )
        })
        .prop_map(|(codes, edits)| {
            let titles = ["Yesterday", "Tomorrow", "Song"];
            let mut records: Vec<Record> = codes
                .iter()
                .enumerate()
                .map(|(i, c)| Record {
                    value: c.clone(),
                    title: titles[i % 3].to_owned(),
                    artist: "The Band".to_owned(),
                    duration: 180,
                })
                .collect();
            for (at, kind, which) in edits {
                let base = records[at % records.len()].clone();
                let extra = match kind {
                    0 | 1 => base,
                    2 => Record {
                        title: base.title.to_uppercase() + "  ",
                        ..base
                    },
                    3 => Record {
                        title: "Other".into(),
                        ..base
                    },
                    4 => Record {
                        duration: base.duration + 11,
                        ..base
                    },
                    5 => Record {
                        // Within the 10 s same-recording tolerance: no conflict.
                        duration: base.duration + 1,
                        ..base
                    },
                    _ => Record {
                        value: PROBLEMS[which].to_owned(),
                        ..base
                    },
                };
                let place = (at * 7) % (records.len() + 1);
                records.insert(place, extra);
            }
            records
        })
}

/// A prefix group: prefix, records, problems, invalid, rules, example lines.
type PrefixFigures = (String, u64, u64, u64, BTreeMap<String, u64>, Vec<u64>);
/// Per code: record numbers, title/artist fingerprints, durations.
type CodeRecords = (Vec<u64>, Vec<u64>, Vec<f64>);
/// A listed duplicate: code, records, first record, lines, and per differing field the
/// lines of each value (with the duration in seconds for `duration`).
type Listed = (
    String,
    u64,
    Option<u64>,
    Vec<u64>,
    Vec<(String, Vec<(Option<f64>, Vec<u64>)>)>,
);

/// What the reference computes, in the report's terms.
#[derive(Debug, PartialEq)]
struct Figures {
    records: u64,
    valid: u64,
    invalid: u64,
    by_rule: BTreeMap<String, u64>,
    duplicate_isrcs: u64,
    conflicting_isrcs: u64,
    /// (prefix, records, problems, invalid, rules, example lines), most problems first.
    prefixes: Vec<PrefixFigures>,
    /// (code, records, first record) of the best-ranked duplicates.
    top: Vec<(String, u64, Option<u64>)>,
    /// The report's list of duplicates (all of them: the catalogues are smaller than the cap).
    duplicates: Vec<Listed>,
    /// The report's list of conflicts.
    conflicts: Vec<Listed>,
}

/// The groups of lines sharing each value, in the order of their first line, when there
/// are two values or more.
fn value_groups<T: PartialEq + Copy>(lines: &[u64], values: &[T]) -> Vec<(T, Vec<u64>)> {
    let mut groups: Vec<(T, Vec<u64>)> = Vec::new();
    for (line, value) in lines.iter().zip(values) {
        match groups.iter_mut().find(|g| g.0 == *value) {
            Some(g) => g.1.push(*line),
            None => groups.push((*value, vec![*line])),
        }
    }
    groups
}

/// The reference: every record checked with the core, codes counted in a `HashMap`.
fn reference(records: &[Record], csv: bool, gaps: bool, listed: bool) -> Figures {
    let policy = policy();
    let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
    let (mut valid, mut invalid) = (0, 0);
    let mut codes: HashMap<String, CodeRecords> = HashMap::new();
    type Group = (u64, u64, u64, BTreeMap<String, u64>, Vec<u64>);
    let mut groups: HashMap<String, Group> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        let number = i as u64 + 1;
        let line = number + u64::from(csv);
        let report = isrc::check(&r.value, &policy);
        let mut rules: Vec<&str> = report.findings.iter().map(|f| f.rule.id()).collect();
        rules.sort_unstable();
        rules.dedup();
        for rule in &rules {
            *by_rule.entry((*rule).to_owned()).or_default() += 1;
        }
        let ok = report.is_valid();
        if ok {
            valid += 1;
        } else {
            invalid += 1;
        }
        let code = report.isrc.expect("generated values form codes");
        let group = groups.entry(code.prefix().to_string()).or_default();
        group.0 += 1;
        let mut problem_rules: Vec<&str> = Vec::new();
        for f in &report.findings {
            if f.severity >= Severity::Warning && !problem_rules.contains(&f.rule.id()) {
                problem_rules.push(f.rule.id());
            }
        }
        if !ok {
            group.2 += 1;
        }
        if !problem_rules.is_empty() {
            group.1 += 1;
            for rule in &problem_rules {
                *group.3.entry((*rule).to_owned()).or_default() += 1;
            }
            if group.4.len() < 3 {
                group.4.push(line);
            }
        }
        let entry = codes.entry(code.to_string()).or_default();
        entry.0.push(number);
        entry.1.push(fold_hash_parts(&[&r.title, &r.artist]));
        entry.2.push(f64::from(r.duration));
    }
    let mut duplicates = 0;
    let mut conflicts = 0;
    let mut all: Vec<(Listed, bool)> = Vec::new();
    let positions = csv || gaps || listed;
    for (code, (numbers, titles, durations)) in &codes {
        if numbers.len() < 2 {
            continue;
        }
        duplicates += 1;
        let lines: Vec<u64> = numbers.iter().map(|n| n + u64::from(csv)).collect();
        let titles_differ = titles.iter().any(|t| *t != titles[0]);
        let lo = durations.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = durations.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // The shared same-recording tolerance (isrc::recording), as the checker uses.
        let tolerance = isrc::recording::DURATION_TOLERANCE_MS as f64 / 1000.0;
        let conflict = csv && (titles_differ || hi - lo > tolerance);
        conflicts += u64::from(conflict);
        let mut differing = Vec::new();
        if conflict && listed {
            // The index keeps the high half of the fingerprint.
            let fingerprints: Vec<u64> = titles.iter().map(|t| t >> 32).collect();
            let titles = value_groups(&lines, &fingerprints);
            if titles.len() > 1 {
                let values = titles.into_iter().map(|g| (None, g.1)).collect();
                differing.push(("title_artist".to_owned(), values));
            }
            if hi - lo > tolerance {
                let values = value_groups(&lines, durations);
                let values = values.into_iter().map(|g| (Some(g.0), g.1)).collect();
                differing.push(("duration".to_owned(), values));
            }
        }
        let entry = (
            code.clone(),
            numbers.len() as u64,
            positions.then_some(numbers[0]),
            if listed { lines } else { Vec::new() },
            differing,
        );
        all.push((entry, conflict));
    }
    all.sort_by(|(a, _), (b, _)| b.1.cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    let top = all
        .iter()
        .take(20)
        .map(|(d, _)| (d.0.clone(), d.1, d.2))
        .collect();
    let (duplicates_listed, conflicts_listed) = if listed {
        (
            all.iter().map(|(d, _)| d.clone()).collect(),
            all.iter()
                .filter(|(_, c)| *c)
                .map(|(d, _)| d.clone())
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mut prefixes: Vec<_> = groups
        .into_iter()
        .filter(|(_, g)| g.1 > 0)
        .map(|(p, g)| (p, g.0, g.1, g.2, g.3, g.4))
        .collect();
    prefixes.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    Figures {
        records: records.len() as u64,
        valid,
        invalid,
        by_rule,
        duplicate_isrcs: duplicates,
        conflicting_isrcs: conflicts,
        prefixes,
        top,
        duplicates: duplicates_listed,
        conflicts: conflicts_listed,
    }
}

/// A report's list in the terms of the reference.
fn listed(list: &isrc_check::Listed<isrc_check::Duplicate>) -> Vec<Listed> {
    list.listed
        .iter()
        .map(|d| {
            (
                d.isrc.to_string(),
                d.records,
                d.first_record,
                d.lines.iter().map(|p| p.line).collect(),
                d.differing
                    .iter()
                    .map(|f| {
                        let values = f
                            .values
                            .iter()
                            .map(|v| (v.seconds, v.lines.iter().map(|p| p.line).collect()))
                            .collect();
                        (f.field.to_owned(), values)
                    })
                    .collect(),
            )
        })
        .collect()
}

/// The checker's figures on the catalogue written as a plain list or a CSV file.
fn checked(
    records: &[Record],
    csv: bool,
    gaps: bool,
    listed_too: bool,
    memory: Option<u64>,
    chunk: usize,
) -> (Figures, u64) {
    let cap = (!listed_too).then_some(0);
    checked_with(records, csv, gaps, cap, memory, chunk)
}

/// [`checked`] with `--max-listed` (`None`: the default).
fn checked_with(
    records: &[Record],
    csv: bool,
    gaps: bool,
    max_listed: Option<usize>,
    memory: Option<u64>,
    chunk: usize,
) -> (Figures, u64) {
    let mut text = String::new();
    if csv {
        text.push_str("isrc,title,artist,duration\n");
    }
    for r in records {
        if csv {
            text.push_str(&format!(
                "{},{},{},{}\n",
                r.value, r.title, r.artist, r.duration
            ));
        } else {
            text.push_str(&r.value);
            text.push('\n');
        }
    }
    let options = Options {
        memory,
        gaps,
        max_listed,
        ..Options::default()
    };
    let mut checker = Checker::new(policy(), options);
    checker.set_chunk_bytes(chunk);
    let name = if csv { "catalogue.csv" } else { "codes.txt" };
    checker
        .check_reader(name, std::io::Cursor::new(text), None)
        .unwrap();
    let s = checker.finish();
    let figures = Figures {
        records: s.records,
        valid: s.valid,
        invalid: s.invalid,
        by_rule: s
            .by_rule
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect(),
        duplicate_isrcs: s.duplicate_isrcs,
        conflicting_isrcs: s.conflicting_isrcs,
        prefixes: s
            .prefixes
            .iter()
            .map(|p| {
                (
                    p.prefix.clone(),
                    p.records,
                    p.problems,
                    p.invalid,
                    p.rules.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
                    p.examples.iter().map(|e| e.line).collect(),
                )
            })
            .collect(),
        top: s
            .top_duplicates
            .iter()
            .map(|d| (d.isrc.to_string(), d.records, d.first_record))
            .collect(),
        duplicates: listed(&s.duplicates),
        conflicts: listed(&s.conflicts),
    };
    (figures, s.spilled_bytes)
}

proptest! {
    #![proptest_config(support::proptest_config(96))]

    #[test]
    fn the_report_equals_the_reference(
        records in catalogue(),
        csv in any::<bool>(),
        gaps in any::<bool>(),
        listed in any::<bool>(),
        chunk in prop_oneof![Just(1 << 20), 16usize..400],
    ) {
        let expected = reference(&records, csv, gaps, listed);
        let (in_memory, spilled) = checked(&records, csv, gaps, listed, None, chunk);
        prop_assert_eq!(spilled, 0);
        prop_assert_eq!(&in_memory, &expected);
        // A budget of one byte: every chunk's codes go to the temporary file.
        let (on_disk, spilled) = checked(&records, csv, gaps, listed, Some(1), chunk);
        prop_assert!(spilled > 0);
        prop_assert_eq!(&on_disk, &expected);
    }

    /// Lists shorter than the duplicates of a plain list (`--max-listed 3`): the report
    /// names the best-ranked ones, found without placing every duplicate, with their first
    /// three lines, in memory and spilled.
    #[test]
    fn short_lists_of_a_plain_list_equal_the_reference(
        records in catalogue(),
        chunk in prop_oneof![Just(1 << 20), 16usize..400],
    ) {
        let cap = 3;
        let mut expected = reference(&records, false, false, true);
        expected.duplicates.truncate(cap);
        for d in &mut expected.duplicates {
            d.3.truncate(cap);
        }
        for memory in [None, Some(1)] {
            let (figures, _) = checked_with(&records, false, false, Some(cap), memory, chunk);
            prop_assert_eq!(&figures, &expected);
        }
    }
}
