//! Parse and check throughput, beside the `regex` crate and the `isrc` 0.1.2 crate measured in
//! the same run: `cargo bench -p isrc-code --bench parse`.

// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use std::hint::black_box;
use std::str::FromStr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use isrc_code::{Isrc, Policy};

/// 1024 distinct valid codes over real prefixes and years, so that no branch is always taken.
/// Modern codes (years 2000-2026) have no findings at all.
fn compact_codes() -> Vec<String> {
    codes(
        &[
            "USRC1", "GBAYE", "CAXYZ", "FRZ03", "DEA12", "QMABC", "JPTO0", "BRBMG",
        ],
        &[5, 12, 21, 24, 26, 0, 19],
    )
}

/// Codes that carry info and warning findings: legacy years (1976, 1983) and CB codes dated
/// before CB existed, mixed 1:1 with modern ones.
fn legacy_codes() -> Vec<String> {
    codes(&["USRC1", "GBAYE", "CBYZ9", "FRZ03"], &[76, 26, 83, 21])
}

fn codes(prefixes: &[&str], years: &[u32]) -> Vec<String> {
    (0..1024u32)
        .map(|i| {
            let prefix = prefixes[i as usize % prefixes.len()];
            let year = years[i as usize % years.len()];
            format!("{prefix}{year:02}{:05}", (i * 7919) % 100_000)
        })
        .collect()
}

fn bench_compact(c: &mut Criterion) {
    let codes = compact_codes();
    let policy = Policy::new("2026-11-22".parse().unwrap());
    let regex = regex::Regex::new("^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$").unwrap();
    let mut group = c.benchmark_group("compact");
    group.throughput(Throughput::Elements(codes.len() as u64));
    group.bench_function("regex is_match", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| regex.is_match(black_box(c)))
                .count()
        })
    });
    group.bench_function("isrc 0.1.2 from_str", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| black_box(isrc_0_1_2::Isrc::from_str(black_box(c))).is_ok())
                .count()
        })
    });
    group.bench_function("Isrc::from_str", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| black_box(Isrc::from_str(black_box(c))).is_ok())
                .count()
        })
    });
    group.bench_function("check (prefix table + year)", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| isrc_code::check(black_box(c), &policy).is_valid())
                .count()
        })
    });
    group.bench_function("verdict (prefix table + year)", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| black_box(isrc_code::check::verdict(black_box(c), &policy)).is_valid())
                .count()
        })
    });
    group.finish();
}

fn bench_legacy(c: &mut Criterion) {
    let codes = legacy_codes();
    let policy = Policy::new("2026-11-22".parse().unwrap());
    let mut group = c.benchmark_group("compact, half with findings");
    group.throughput(Throughput::Elements(codes.len() as u64));
    group.bench_function("isrc 0.1.2 from_str", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| black_box(isrc_0_1_2::Isrc::from_str(black_box(c))).is_ok())
                .count()
        })
    });
    group.bench_function("check (prefix table + year)", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| isrc_code::check(black_box(c), &policy).is_valid())
                .count()
        })
    });
    group.bench_function("verdict (prefix table + year)", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| black_box(isrc_code::check::verdict(black_box(c), &policy)).is_valid())
                .count()
        })
    });
    group.finish();
}

fn bench_display(c: &mut Criterion) {
    let codes: Vec<String> = compact_codes()
        .iter()
        .map(|c| c.parse::<Isrc>().unwrap().labelled().to_string())
        .collect();
    let policy = Policy::new("2026-11-22".parse().unwrap());
    let regex = regex::Regex::new("^(?:ISRC )?[A-Z]{2}-?[A-Z0-9]{3}-?[0-9]{2}-?[0-9]{5}$").unwrap();
    let mut group = c.benchmark_group("display form");
    group.throughput(Throughput::Elements(codes.len() as u64));
    group.bench_function("regex is_match (hyphens optional)", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| regex.is_match(black_box(c)))
                .count()
        })
    });
    group.bench_function("Isrc::from_str", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| black_box(Isrc::from_str(black_box(c))).is_ok())
                .count()
        })
    });
    group.bench_function("check (prefix table + year)", |b| {
        b.iter(|| {
            codes
                .iter()
                .filter(|c| isrc_code::check(black_box(c), &policy).is_valid())
                .count()
        })
    });
    group.finish();
}

fn bench_invalid(c: &mut Criterion) {
    let inputs = [
        "USRC176O7839",
        "XXRC17607839",
        "USRC17607839-A",
        "4006381333931",
        "us-rc1-76-07839",
        "",
        "T-034.524.680-1",
        "USRC13907839",
    ];
    let policy = Policy::new("2026-11-22".parse().unwrap());
    let mut group = c.benchmark_group("invalid and non-canonical");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("check with findings and messages", |b| {
        b.iter(|| {
            inputs
                .iter()
                .map(|c| isrc_code::check(black_box(c), &policy).findings.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_compact,
    bench_legacy,
    bench_display,
    bench_invalid
);
criterion_main!(benches);
