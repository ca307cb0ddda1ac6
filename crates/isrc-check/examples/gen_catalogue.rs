//! Benchmark inputs for `benches/check.sh` (issue 12): catalogues in three code
//! distributions, written to standard output, deterministic (seeded), fast enough to feed
//! `isrc check` through a pipe (hundreds of millions of lines without storing them).
//!
//! `gen_catalogue SHAPE LINES [csv]`
//!
//! - `sequential`: 8 registrants, codes in allocation order, interleaved (today's shape);
//! - `zipf`: 200,000 registrants of Zipf-distributed sizes (s = 1), each allocating in order
//!   within each of its years, lines interleaved at random;
//! - `uniform`: registrant codes and years uniformly random (most prefix-years hold one code).
//!
//! Every shape has 2% invalid values and 1% repeats of an earlier code. With `csv`: a
//! catalogue with a header and title, artist and duration columns (a repeat keeps its title
//! and artist, except one in four, which is a conflict).

use std::io::{BufWriter, Write};

/// SplitMix64: small, fast, good enough for benchmark inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const COUNTRIES: [&[u8; 2]; 12] = [
    b"US", b"GB", b"FR", b"DE", b"NL", b"JP", b"SE", b"IT", b"ES", b"AU", b"BR", b"CA",
];
const ALNUM: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const BAD: [&str; 6] = [
    "USRC176O7839",
    "XXRC12600001",
    "us-rc1-76-07839",
    "USRC1760783",
    "0602557012347",
    "JMK400000001",
];
const WORDS: [&str; 10] = [
    "love", "night", "blue", "city", "dream", "fire", "road", "heart", "rain", "gold",
];
/// Earlier codes kept for repeats.
const RECENT: usize = 1 << 20;

fn random_prefix(rng: &mut Rng) -> [u8; 5] {
    let c = COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize];
    let mut p = [c[0], c[1], 0, 0, 0];
    for b in &mut p[2..] {
        *b = ALNUM[rng.below(36) as usize];
    }
    p
}

fn code(prefix: &[u8; 5], year: u64, designation: u64) -> [u8; 12] {
    let mut out = [0u8; 12];
    out[..5].copy_from_slice(prefix);
    let digits = format!("{year:02}{:05}", designation % 100_000);
    out[5..].copy_from_slice(digits.as_bytes());
    out
}

/// The next new code of a shape.
enum Shape {
    Sequential {
        i: u64,
    },
    Zipf {
        prefixes: Vec<[u8; 5]>,
        /// Cumulative weights, for picking a registrant by binary search.
        cumulative: Vec<f64>,
        /// The next designation per (registrant, year of its four).
        next: Vec<u32>,
        /// The first of a registrant's four years.
        years: Vec<u8>,
    },
    Uniform,
}

impl Shape {
    fn new(name: &str, rng: &mut Rng) -> Shape {
        match name {
            "sequential" => Shape::Sequential { i: 0 },
            "zipf" => {
                let n = 200_000;
                let prefixes: Vec<[u8; 5]> = (0..n).map(|_| random_prefix(rng)).collect();
                let mut total = 0.0;
                let cumulative = (0..n)
                    .map(|r| {
                        total += 1.0 / (r as f64 + 1.0);
                        total
                    })
                    .collect();
                let years = (0..n).map(|_| rng.below(22) as u8).collect();
                Shape::Zipf {
                    prefixes,
                    cumulative,
                    next: vec![0; n * 4],
                    years,
                }
            }
            "uniform" => Shape::Uniform,
            other => {
                eprintln!("unknown shape {other:?}: sequential, zipf or uniform");
                std::process::exit(2);
            }
        }
    }

    fn next(&mut self, rng: &mut Rng) -> [u8; 12] {
        match self {
            Shape::Sequential { i } => {
                const PREFIXES: [&[u8; 5]; 8] = [
                    b"USRC1", b"GBAYE", b"CBYZ9", b"FRZ03", b"DEA12", b"NLAB1", b"USUM7", b"JPSO0",
                ];
                let n = *i;
                *i += 1;
                let p = PREFIXES[(n % 8) as usize];
                code(p, 21 + (n / 800_000) % 6, (n / 8) % 100_000)
            }
            Shape::Zipf {
                prefixes,
                cumulative,
                next,
                years,
            } => {
                let total = cumulative[cumulative.len() - 1];
                let x = rng.unit() * total;
                let r = cumulative
                    .partition_point(|&c| c < x)
                    .min(prefixes.len() - 1);
                let y = rng.below(4) as usize;
                let d = &mut next[r * 4 + y];
                *d += 1;
                code(&prefixes[r], u64::from(years[r]) + y as u64, u64::from(*d))
            }
            Shape::Uniform => {
                let p = random_prefix(rng);
                code(&p, rng.below(26), rng.below(100_000))
            }
        }
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen_catalogue sequential|zipf|uniform LINES [csv]");
        std::process::exit(2);
    }
    let lines: u64 = args[2].parse().unwrap_or_else(|_| {
        eprintln!("LINES must be a number");
        std::process::exit(2)
    });
    let csv = args.get(3).is_some_and(|a| a == "csv");
    let mut rng = Rng(3901);
    let mut shape = Shape::new(&args[1], &mut rng);
    let mut recent: Vec<[u8; 12]> = Vec::new();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    if csv {
        out.write_all(b"isrc,title,artist,duration\n")?;
    }
    for i in 0..lines {
        let r = rng.below(100);
        let (value, repeat): (Vec<u8>, Option<u64>) = if r < 2 {
            (BAD[(i % 6) as usize].as_bytes().to_vec(), None)
        } else if r < 3 && !recent.is_empty() {
            let k = rng.below(recent.len() as u64);
            (recent[k as usize].to_vec(), Some(k))
        } else {
            let c = shape.next(&mut rng);
            if recent.len() < RECENT {
                recent.push(c);
            } else {
                recent[rng.below(RECENT as u64) as usize] = c;
            }
            (c.to_vec(), None)
        };
        out.write_all(&value)?;
        if csv {
            // Title and artist from the code, so that a repeat has the same ones, unless it
            // is one of the one in four repeats given another title.
            let mut seed = value.iter().fold(0u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01B3)
            });
            if repeat.is_some() && rng.below(4) == 0 {
                seed ^= 0x5555;
            }
            let mut local = Rng(seed);
            let title: Vec<&str> = (0..3).map(|_| WORDS[local.below(10) as usize]).collect();
            let title = title.join(" ");
            let artist = WORDS[local.below(10) as usize];
            let duration = 60 + local.below(540);
            if i % 50 == 0 {
                write!(out, ",\"{title}, Pt. 2\",The {artist}s,{duration}")?;
            } else {
                write!(out, ",{title},The {artist}s,{duration}")?;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}
