//! Benchmark baseline: the `csv` crate alone reading every field of a file (what
//! `isrc check` is compared with in `benches/check.sh`).
//!
//! `cargo run --release -p isrc-check --example csv_read_all -- FILE.csv [tab]` (`tab`: a
//! tab-separated file, such as a DSR report).

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: csv_read_all FILE.csv")?;
    let file = std::fs::File::open(path)?;
    let tab = std::env::args().nth(2).is_some_and(|d| d == "tab");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(if tab { b'\t' } else { b',' })
        .from_reader(file.take(u64::MAX));
    let mut record = csv::ByteRecord::new();
    let (mut records, mut bytes) = (0u64, 0u64);
    while reader.read_byte_record(&mut record)? {
        records += 1;
        for field in &record {
            bytes += field.len() as u64;
        }
    }
    println!("{records} records, {bytes} field bytes");
    Ok(())
}
