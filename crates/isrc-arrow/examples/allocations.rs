//! Checks N clean compact codes with `check` and `is_valid`, for counting the allocations
//! under valgrind's DHAT: the input is built with one allocation per buffer, so the count
//! should not grow with N if the kernel allocates nothing per row.
//!
//! ```sh
//! cargo build --release -p isrc-arrow --example allocations
//! for n in 1000 100000; do valgrind --tool=dhat --dhat-out-file=/dev/null target/release/examples/allocations $n 2>&1 | grep 'Total:'; done
//! ```

use arrow_array::Array;
use arrow_array::builder::StringBuilder;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut input = StringBuilder::with_capacity(n, n * 12);
    let mut code = *b"CBYZ92200000";
    for i in 0..n {
        let mut d = i % 99_999 + 1;
        for byte in code[7..].iter_mut().rev() {
            *byte = b'0' + (d % 10) as u8;
            d /= 10;
        }
        input.append_value(std::str::from_utf8(&code).expect("ASCII"));
    }
    let input = input.finish();
    let policy = isrc::Policy::new("2026-11-22".parse().expect("a date"));
    let out = isrc_arrow::check(&input, &policy)
        .map(|s| s.len())
        .unwrap_or(0);
    let valid = isrc_arrow::is_valid(&input, &policy)
        .map(|v| v.true_count())
        .unwrap_or(0);
    println!("{n} codes: {out} rows checked, {valid} valid");
}
