//! Benchmark harness: what `isrc check --format json FILE` does, without the CLI (so that
//! benches can time the engine of two trees when building the whole CLI twice is too
//! slow): the report as pretty JSON on standard output.
//!
//! `check_json FILE [--max-listed N] [--memory BYTES]` (`-`: standard input; BYTES may end
//! in K, M or G; the reference date from `ISRC_TODAY`, as the CLI; default 2026-11-22).

use std::io::Write;

use isrc::Policy;
use isrc_check::{Checker, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut options = Options::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-listed" => options.max_listed = Some(args.next().ok_or("a number")?.parse()?),
            "--memory" => options.memory = Some(bytes(&args.next().ok_or("bytes")?)?),
            _ => path = Some(arg),
        }
    }
    let path = path.ok_or("usage: check_json FILE [--max-listed N] [--memory BYTES]")?;
    let today = std::env::var("ISRC_TODAY").unwrap_or_else(|_| "2026-11-22".to_owned());
    let policy = Policy::new(today.parse().map_err(|_| "ISRC_TODAY: a date")?);
    let mut checker = Checker::new(policy, options);
    checker.check_path(std::path::Path::new(&path), None, &mut |_, _| {})?;
    let summary = checker.finish();
    if summary.spilled_bytes > 0 {
        // As the CLI says it (benches/check-shapes.sh looks for it).
        eprintln!(
            "note: the duplicate index passed its memory budget (--memory) and spilled {:.1} MB to a temporary file, now removed",
            summary.spilled_bytes as f64 / 1e6
        );
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &summary)?;
    out.flush()?;
    Ok(())
}

/// A byte count, with an optional K, M or G (powers of 1024).
fn bytes(text: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let (digits, unit) = match text.as_bytes().last() {
        Some(b'K' | b'k') => (&text[..text.len() - 1], 1 << 10),
        Some(b'M' | b'm') => (&text[..text.len() - 1], 1 << 20),
        Some(b'G' | b'g') => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    Ok(digits.parse::<u64>()? * unit)
}
