//! Embeds `data/isrc-prefixes.csv` as a static table, parsed by the same reader the crate
//! uses for tables loaded at run time (`src/prefix_csv.rs`).

extern crate alloc;

#[path = "src/prefix_csv.rs"]
#[allow(dead_code)]
mod prefix_csv;

use std::fmt::Write as _;
use std::path::PathBuf;

const DATA: &str = "data/isrc-prefixes.csv";

fn main() {
    println!("cargo::rerun-if-changed={DATA}");
    println!("cargo::rerun-if-changed=src/prefix_csv.rs");
    let text = std::fs::read_to_string(DATA).expect("data/isrc-prefixes.csv is readable");
    let parsed = match prefix_csv::parse(&text) {
        Ok(parsed) => parsed,
        Err(e) => panic!("{DATA}:{}:{}: {}", e.line, e.column, e.message),
    };
    let date = parsed
        .date
        .as_deref()
        .expect("data/isrc-prefixes.csv names its date in a `# ... as of YYYY-MM-DD` comment");

    let mut out = String::new();
    writeln!(out, "/// Date of the embedded prefix table.").unwrap();
    writeln!(out, "pub const BUILTIN_DATE: &str = {date:?};").unwrap();
    writeln!(
        out,
        "static BUILTIN_ENTRIES: [PrefixEntry; {}] = [",
        parsed.rows.len()
    )
    .unwrap();
    let mut index = [u16::MAX; 26 * 26];
    for (i, row) in parsed.rows.iter().enumerate() {
        let slot = usize::from(row.code[0] - b'A') * 26 + usize::from(row.code[1] - b'A');
        index[slot] = u16::try_from(i).unwrap();
        let introduced = match row.introduced {
            Some((year, month)) => format!("Some(YearMonth {{ year: {year}, month: {month} }})"),
            None => "None".to_string(),
        };
        let status = if row.retired { "Retired" } else { "Active" };
        writeln!(
            out,
            "    PrefixEntry {{ code: *b\"{}\", territory: Cow::Borrowed({:?}), agency: Cow::Borrowed({:?}), status: PrefixStatus::{status}, introduced: {introduced}, quiet_from: {} }},",
            std::str::from_utf8(&row.code).unwrap(),
            row.territory,
            row.agency,
            row.quiet_from(),
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
    writeln!(out, "static BUILTIN_INDEX: [u16; 676] = {index:?};").unwrap();

    let dest = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("builtin_prefixes.rs");
    std::fs::write(dest, out).unwrap();
}
