//! A fixed workload for instruction counting (`scripts/instructions.sh` runs it under
//! callgrind): 100 rounds over 1000 inputs of one kind, chosen by the first argument.
//! Instruction counts, unlike times, do not move with the load on a shared machine.

use std::hint::black_box;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
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
        .map(|c| c.parse::<isrc::Isrc>().unwrap().to_string())
        .collect();
    let legacy: Vec<String> = (0..1000u32).map(|i| format!("USRC176{i:05}")).collect();
    let mut n = 0usize;
    for _ in 0..100 {
        for i in 0..1000 {
            n += match mode.as_str() {
                "compact-isrc-0.1.2" => compact[i].parse::<isrc_0_1_2::Isrc>().is_ok(),
                "compact-parse" => black_box(&compact[i]).parse::<isrc::Isrc>().is_ok(),
                "compact-check" => isrc::check(black_box(&compact[i]), &policy).is_valid(),
                "compact-verdict" => isrc::verdict(black_box(&compact[i]), &policy).is_valid(),
                "legacy-check" => isrc::check(black_box(&legacy[i]), &policy).is_valid(),
                "legacy-verdict" => isrc::verdict(black_box(&legacy[i]), &policy).is_valid(),
                "display-parse" => black_box(&display[i]).parse::<isrc::Isrc>().is_ok(),
                "display-check" => isrc::check(black_box(&display[i]), &policy).is_valid(),
                "display-verdict" => isrc::verdict(black_box(&display[i]), &policy).is_valid(),
                _ => black_box(true),
            } as usize;
        }
    }
    println!("{n}");
}
