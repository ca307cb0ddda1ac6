//! A fixed workload for instruction counting (`scripts/instructions.sh` runs it under
//! callgrind): 100 rounds over 1000 inputs of one kind, chosen by the first argument.
//! Instruction counts, unlike times, do not move with the load on a shared machine.

use std::hint::black_box;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
    let display: Vec<String> = (0..1000u32)
        .map(|i| {
            format!(
                "ISRC US-RC1-{:02}-{:05}",
                [5, 12, 21][i as usize % 3],
                i * 7 % 100_000
            )
        })
        .collect();
    let compact: Vec<String> = display
        .iter()
        .map(|c| c.parse::<isrc_code::Isrc>().unwrap().to_string())
        .collect();
    let legacy: Vec<String> = (0..1000u32).map(|i| format!("USRC176{i:05}")).collect();
    // What the server's lookup does per request: a lowercase hyphenated legacy code (two
    // findings, the longest answer), then its JSON.
    let messy: Vec<String> = (0..1000u32)
        .map(|i| format!("us-rc1-76-{:05}", i * 7 % 100_000))
        .collect();
    let policy = &policy;
    // One monomorphised loop per workload, chosen before it starts, so that every workload
    // (and the baseline, which only touches each input) pays the same harness cost; each
    // result goes through `black_box` whole, so none is computed only in part.
    let n = match mode.as_str() {
        "compact-isrc-0.1.2" => rounds(&compact, |s| {
            black_box(s.parse::<isrc_0_1_2::Isrc>()).is_ok()
        }),
        "compact-parse" => rounds(&compact, |s| {
            black_box(s.parse::<isrc_code::Isrc>()).is_ok()
        }),
        "compact-check" => rounds(&compact, |s| {
            black_box(isrc_code::check(s, policy)).is_valid()
        }),
        "compact-verdict" => rounds(&compact, |s| {
            black_box(isrc_code::check::verdict(s, policy)).is_valid()
        }),
        "legacy-check" => rounds(&legacy, |s| {
            black_box(isrc_code::check(s, policy)).is_valid()
        }),
        "legacy-verdict" => rounds(&legacy, |s| {
            black_box(isrc_code::check::verdict(s, policy)).is_valid()
        }),
        "display-parse" => rounds(&display, |s| {
            black_box(s.parse::<isrc_code::Isrc>()).is_ok()
        }),
        "display-check" => rounds(&display, |s| {
            black_box(isrc_code::check(s, policy)).is_valid()
        }),
        "display-verdict" => rounds(&display, |s| {
            black_box(isrc_code::check::verdict(s, policy)).is_valid()
        }),
        "compact-json" => rounds(&compact, |s| {
            !black_box(isrc_code::check(s, policy).to_json()).is_empty()
        }),
        "messy-json" => rounds(&messy, |s| {
            !black_box(isrc_code::check(s, policy).to_json()).is_empty()
        }),
        _ => rounds(&compact, |s| !s.is_empty()),
    };
    println!("{n}");
}

/// Runs `work` over every input, 100 times, counting `true` answers.
fn rounds(inputs: &[String], work: impl Fn(&str) -> bool) -> usize {
    let mut n = 0;
    for _ in 0..100 {
        for input in inputs {
            n += usize::from(work(black_box(input.as_str())));
        }
    }
    n
}
