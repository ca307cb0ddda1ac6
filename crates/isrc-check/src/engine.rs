//! The checker: splits inputs into chunks, checks chunks in parallel, merges the results in
//! input order into the cross-record index.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read};
use std::num::NonZeroU32;
use std::ops::Range;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use isrc::{Isrc, Policy, Rule, Severity, VerdictCache};
use serde_json::value::RawValue;

use crate::dense::{
    Group, GroupMemo, PAGE_BITS, PageBatch, PageBits, compact_key, take_known_codes,
};
use crate::fold::{DurationUnit, fold_hash, fold_hash_bytes, fold_hash_parts, parse_duration};
use crate::layout::{
    ColumnOverrides, Columns, InputFormat, JsonFields, choose_columns, choose_json_fields,
    detect_delimiter, looks_like_header,
};
use crate::paged::PagedMap;
use crate::report::{
    CheckError, Duplicate, Example, GapGroup, InputIssue, Location, PrefixGroup, RuleSet, Summary,
};
use crate::source::{self, MAX_LINE, Opened};
use crate::table::{Row, TableChunk, TableChunks, parse_block};

/// Bytes per chunk handed to a worker.
const CHUNK: usize = 1 << 20;
/// Duplicates named in the summary (all are counted).
const TOP_DUPLICATES: usize = 20;
/// Input issues kept in the summary (all are counted).
const MAX_ISSUES: usize = 1000;

/// What to read and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The input format; detected from content and file name when `None`.
    pub format: Option<InputFormat>,
    /// Column overrides (`--column`, `--title-column`...).
    pub columns: ColumnOverrides,
    /// JSON Lines: the dot-separated path of the ISRC (`--field`).
    pub field: Option<String>,
    /// xlsx: the sheet to read instead of the first (`--sheet`).
    pub sheet: Option<String>,
    /// Designation gaps and out-of-order allocations per (prefix, year) (`--gaps`).
    pub gaps: bool,
}

/// How one input was understood, given to a [`RecordSink`] before its records.
#[derive(Debug)]
pub struct InputInfo<'a> {
    /// The file name as given.
    pub file: &'a str,
    /// The format read.
    pub format: InputFormat,
    /// The delimiter (CSV/TSV).
    pub delimiter: u8,
    /// Whether the input started with a UTF-8 byte order mark (not part of any record).
    pub bom: bool,
    /// The header row's fields, if there is one.
    pub header: Option<&'a [String]>,
    /// The header row's bytes as in the input, line ending included.
    pub header_raw: Option<&'a [u8]>,
    /// The columns used (CSV, TSV, xlsx).
    pub columns: Option<&'a Columns>,
}

/// One checked record, in input order, given to a [`RecordSink`].
#[derive(Debug)]
pub struct CheckedRecord<'a> {
    /// The file it comes from.
    pub file: &'a str,
    /// Its number, counting data records from 1 (headers and blank lines excluded).
    pub number: u64,
    /// The line it starts on.
    pub line: u64,
    /// Its bytes as in the input, line ending included (`None` for xlsx).
    pub raw: Option<&'a [u8]>,
    /// Where the checked value is within `raw`, when it can be replaced byte for byte.
    pub value_range: Option<Range<usize>>,
    /// Its fields (one for lines and JSON Lines: the line without its ending).
    pub fields: Vec<Cow<'a, str>>,
    /// The value checked.
    pub value: Cow<'a, str>,
    /// The code, when one can be formed.
    pub isrc: Option<Isrc>,
    /// No error.
    pub valid: bool,
    /// The rules of all its findings.
    pub rules: RuleSet,
    /// The first fix offered.
    pub fix: Option<Isrc>,
    /// The number of the first record with the same ISRC, when this is not it.
    pub duplicate_of: Option<u64>,
}

/// Receives every record in input order (for `--annotate` and `--fix`).
pub trait RecordSink {
    /// Called once per input before its records.
    fn start(&mut self, info: &InputInfo<'_>) -> io::Result<()>;
    /// Called for each record.
    fn record(&mut self, record: &CheckedRecord<'_>) -> io::Result<()>;
    /// Called with the input bytes between records that are not records (a header row,
    /// blank lines), in order.
    fn passthrough(&mut self, bytes: &[u8]) -> io::Result<()> {
        let _ = bytes;
        Ok(())
    }
    /// Called once per input after its records.
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A multiplicative hasher for `u64` keys that are already well spread (ISRC numbers).
#[derive(Default)]
struct U64Hasher(u64);

impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = crate::paged::mix_bytes(self.0, bytes);
    }
    /// Keeps runs of 64 consecutive codes in neighbouring buckets (catalogues list codes in
    /// allocation order, so the index stays cache-friendly) and spreads the runs.
    fn write_u64(&mut self, v: u64) {
        let high = (v >> 6).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let high = high ^ (high >> 32);
        self.0 = (high << 6) | (v & 63);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<U64Hasher>>;

/// One distinct ISRC seen.
#[derive(Clone, Copy)]
struct Entry {
    first: u64,
    count: u32,
    conflict: bool,
    /// Title, artist, version and duration range of its records so far.
    meta: Meta,
}

/// Title/artist/version/duration of a record; in the index, of all records of an ISRC so far
/// (the first title, artist and version seen, and the duration range). Kept small (16
/// bytes): the index holds one per distinct code, and its size is most of the memory and the
/// page faults of a large catalogue. 32-bit fingerprints: two different titles of one ISRC
/// look alike once in four billion.
#[derive(Clone, Copy)]
struct Meta {
    title_artist: Option<NonZeroU32>,
    version: Option<NonZeroU32>,
    /// Shortest and longest duration in seconds; NaN when there is none.
    duration: [f32; 2],
}

impl Default for Meta {
    fn default() -> Meta {
        Meta {
            title_artist: None,
            version: None,
            duration: [f32::NAN; 2],
        }
    }
}

impl Meta {
    /// A record's metadata from its fingerprints and duration.
    fn new(title_artist: Option<u64>, version: Option<u64>, duration: Option<f64>) -> Meta {
        // The high half of the hash; 0 is stored as 1: one more collision in 2^32.
        let fingerprint = |h: u64| NonZeroU32::new(((h >> 32) as u32).max(1));
        let d = duration.map_or(f32::NAN, |d| d as f32);
        Meta {
            title_artist: title_artist.and_then(fingerprint),
            version: version.and_then(fingerprint),
            duration: [d, d],
        }
    }

    /// Takes in another record's metadata; true when it conflicts. Order does not matter:
    /// the answer for a set of records is the same whatever order they come in.
    fn absorb(&mut self, other: &Meta) -> bool {
        let mut conflict = false;
        for (mine, theirs) in [
            (&mut self.title_artist, other.title_artist),
            (&mut self.version, other.version),
        ] {
            match (*mine, theirs) {
                (Some(a), Some(b)) if a != b => conflict = true,
                (None, Some(b)) => *mine = Some(b),
                _ => {}
            }
        }
        let [lo, hi] = other.duration;
        if !lo.is_nan() {
            let [a, b] = if self.duration[0].is_nan() {
                [lo, hi]
            } else {
                [self.duration[0].min(lo), self.duration[1].max(hi)]
            };
            self.duration = [a, b];
            conflict |= b - a > 10.0;
        }
        conflict
    }
}

const SHARDS: usize = 64;
/// The first record of a code that is in an earlier input checked with bit pages, which keep
/// no positions: before every record of later inputs, its number unknown.
const EARLIER: u64 = u64::MAX;

#[derive(Default)]
struct Shard {
    /// One entry per distinct code, in pages of consecutive codes.
    entries: PagedMap<Entry>,
    /// Dense mode: one bit per code seen, in pages of 256 designations.
    pages: FastMap<u64, [u64; 4]>,
    /// Dense mode: one bit per code seen at least twice, in pages like `pages`, so that the
    /// common repeat costs a bit rather than a hash-map entry.
    twice: FastMap<u64, PageBits>,
    /// Dense mode: codes seen three times or more, with their number of records.
    repeats: FastMap<u64, u32>,
}

impl Shard {
    /// Dense mode: one more record of `key`, which is already in `pages`.
    fn again(&mut self, key: u64) {
        let (page, word, mask) = page_bit(key);
        let twice = self.twice.entry(page).or_insert([0; 4]);
        if twice[word] & mask == 0 {
            twice[word] |= mask;
        } else {
            let n = self.repeats.entry(key).or_insert(2);
            *n = n.saturating_add(1);
        }
    }

    /// Dense mode: the records of `key` seen more than once (0 otherwise).
    fn repeated(&self, key: u64) -> u32 {
        let (page, word, mask) = page_bit(key);
        match self.twice.get(&page) {
            Some(bits) if bits[word] & mask != 0 => self.repeats.get(&key).copied().unwrap_or(2),
            _ => 0,
        }
    }
}

/// The page, word and bit of an index key in the dense representation.
fn page_bit(key: u64) -> (u64, usize, u64) {
    (
        key / PAGE_BITS,
        ((key % PAGE_BITS) >> 6) as usize,
        1u64 << (key & 63),
    )
}

/// The keys whose bit is set in a page.
fn page_keys(page: u64, bits: PageBits) -> impl Iterator<Item = u64> {
    bits.into_iter()
        .enumerate()
        .flat_map(move |(word, mut set)| {
            std::iter::from_fn(move || {
                (set != 0).then(|| {
                    let key =
                        page * PAGE_BITS + (word as u64) * 64 + u64::from(set.trailing_zeros());
                    set &= set - 1;
                    key
                })
            })
        })
}

/// The duplicate index: one entry per distinct code, in shards that workers fill in
/// parallel. Positions are `(chunk << 32) | record in chunk`, so the smallest is the first.
struct Index {
    shards: Vec<Mutex<Shard>>,
    /// 0: not yet used; 1: dense (bit pages, no first record, no metadata); 2: entries.
    mode: AtomicUsize,
}

fn shard_of(key: u64) -> usize {
    ((key >> 8).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
}

impl Index {
    fn new() -> Index {
        Index {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            mode: AtomicUsize::new(0),
        }
    }

    /// Chooses the representation for the next input, before any worker uses the index:
    /// bit pages when nothing needs the first record or the metadata of a code (a plain list
    /// of codes without --annotate, --fix or --gaps), entries otherwise. An input that needs
    /// entries after inputs checked with bit pages (a CSV catalogue after a plain list) turns
    /// the pages into entries, so that its conflicts are still found.
    fn choose(&self, dense: bool) -> bool {
        let wanted = if dense { 1 } else { 2 };
        match self
            .mode
            .compare_exchange(0, wanted, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => dense,
            Err(1) if !dense => {
                self.pages_to_entries();
                self.mode.store(2, Ordering::Relaxed);
                false
            }
            Err(mode) => mode == 1,
        }
    }

    /// Turns every bit page into entries: one per code seen, with its number of records and
    /// no metadata (plain lists have none), and [`EARLIER`] as its first record.
    fn pages_to_entries(&self) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            let shard = &mut *shard;
            let pages = std::mem::take(&mut shard.pages);
            for (page, bits) in pages {
                for key in page_keys(page, bits) {
                    let count = shard.repeated(key).max(1);
                    let entry = Entry {
                        first: EARLIER,
                        count,
                        conflict: false,
                        meta: Meta::default(),
                    };
                    *shard.entries.get_or_insert_with(key, || entry).0 = entry;
                }
            }
            shard.twice = FastMap::default();
            shard.repeats = FastMap::default();
        }
    }

    /// Dense mode: adds a worker's pages: a bit set both here and in the batch, or a repeat
    /// within the batch, is one more record of a code already seen.
    fn add_pages(&self, batch: &PageBatch) {
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); SHARDS];
        for (i, (page, _)) in batch.pages.iter().enumerate() {
            buckets[shard_of(page * PAGE_BITS)].push(i as u32);
        }
        let mut repeat_buckets: Vec<Vec<u64>> = vec![Vec::new(); SHARDS];
        for &key in &batch.repeats {
            repeat_buckets[shard_of(key)].push(key);
        }
        for (s, (bucket, repeats)) in buckets.iter().zip(&repeat_buckets).enumerate() {
            if bucket.is_empty() && repeats.is_empty() {
                continue;
            }
            let mut shard = self.shards[s]
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let shard = &mut *shard;
            for &i in bucket {
                let (page, bits) = batch.pages[i as usize];
                let seen = shard.pages.entry(page).or_insert([0; 4]);
                let mut both = [0u64; 4];
                for w in 0..4 {
                    both[w] = seen[w] & bits[w];
                    seen[w] |= bits[w];
                }
                if both == [0; 4] {
                    continue;
                }
                // Codes seen before: the ones seen once become twice-seen in one step; only
                // the ones already twice-seen need their own count.
                let twice = shard.twice.entry(page).or_insert([0; 4]);
                let mut thrice = [0u64; 4];
                for w in 0..4 {
                    thrice[w] = twice[w] & both[w];
                    twice[w] |= both[w];
                }
                for key in page_keys(page, thrice) {
                    let n = shard.repeats.entry(key).or_insert(2);
                    *n = n.saturating_add(1);
                }
            }
            for &key in repeats {
                shard.again(key);
            }
        }
    }

    /// Adds a chunk's codes; with `want_first`, returns for each record the position of the
    /// first record with its code when that is an earlier one (correct when chunks are added
    /// in order).
    fn add(
        &self,
        outs: &[Out],
        metas: &[Meta],
        pos_base: u64,
        want_first: bool,
    ) -> Vec<Option<u64>> {
        // Each shard's records with what it needs of them, gathered in one pass in order:
        // reading the outcomes and metadata again per shard, at random, missed the cache.
        let mut buckets: Vec<Vec<(u64, u32, Option<Meta>)>> = vec![Vec::new(); SHARDS];
        for (i, out) in outs.iter().enumerate() {
            if let Some(code) = out.code {
                let key = code.to_u64();
                buckets[shard_of(key)].push((key, i as u32, metas.get(i).copied()));
            }
        }
        let mut firsts = if want_first {
            vec![None; outs.len()]
        } else {
            Vec::new()
        };
        for (s, bucket) in buckets.iter().enumerate() {
            if bucket.is_empty() {
                continue;
            }
            let mut shard = self.shards[s]
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let shard = &mut *shard;
            for &(key, i, meta) in bucket {
                let i = i as usize;
                let pos = pos_base | i as u64;
                let meta = meta.as_ref();
                let (entry, _) = shard.entries.get_or_insert_with(key, || Entry {
                    first: pos,
                    count: 0,
                    conflict: false,
                    meta: meta.copied().unwrap_or_default(),
                });
                entry.count = entry.count.saturating_add(1);
                if entry.count > 1 {
                    if entry.first != EARLIER {
                        entry.first = entry.first.min(pos);
                    }
                    if want_first {
                        firsts[i] = Some(entry.first);
                    }
                    if let Some(meta) = meta
                        && entry.meta.absorb(meta)
                    {
                        entry.conflict = true;
                    }
                }
            }
        }
        firsts
    }
}

#[derive(Clone, Default)]
struct PrefixAgg {
    records: u64,
    problems: u64,
    invalid: u64,
    rules: [u64; 32],
    examples: Vec<Example>,
}

/// Checks inputs one after another, keeping one cross-record index.
///
/// ```
/// use isrc_check::{Checker, Options};
/// let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
/// let mut checker = Checker::new(policy, Options::default());
/// let input = "isrc,title\nUSRC17607839,Yesterday\nusrc17607839,Yesterday\nUSRC176O7839,x\n";
/// checker.check_reader("catalogue.csv", input.as_bytes(), None).unwrap();
/// let summary = checker.finish();
/// assert_eq!((summary.records, summary.valid, summary.invalid), (3, 2, 1));
/// assert_eq!(summary.duplicate_isrcs, 1);
/// assert_eq!(summary.by_rule["letter_in_digits"], 1);
/// ```
pub struct Checker<'p> {
    policy: Policy<'p>,
    options: Options,
    index: Arc<Index>,
    /// Record number base of every chunk merged so far (all inputs), by global chunk number.
    bases: Vec<u64>,
    records: u64,
    valid: u64,
    invalid: u64,
    bytes: u64,
    by_rule: [u64; 32],
    prefixes: FastMap<u64, PrefixAgg>,
    issues: Vec<InputIssue>,
    issue_count: u64,
    order: FastMap<u64, (u32, u64)>,
    /// Bytes per chunk handed to a worker.
    chunk: usize,
}

impl<'p> Checker<'p> {
    /// A checker with `policy` (today's date, prefix table) and `options`.
    pub fn new(policy: Policy<'p>, options: Options) -> Self {
        Checker {
            policy,
            options,
            index: Arc::new(Index::new()),
            bases: Vec::new(),
            records: 0,
            valid: 0,
            invalid: 0,
            bytes: 0,
            by_rule: [0; 32],
            prefixes: FastMap::default(),
            issues: Vec::new(),
            issue_count: 0,
            order: FastMap::default(),
            chunk: CHUNK,
        }
    }

    /// Sets the bytes per chunk handed to a worker (1 MiB by default). For tests and
    /// fuzzing: the figures must not depend on where the input is cut.
    #[doc(hidden)]
    pub fn set_chunk_bytes(&mut self, bytes: usize) {
        self.chunk = bytes.max(1);
    }

    /// Checks the file at `path` (`-`: standard input).
    ///
    /// `progress` is called with the number of input bytes read so far (of this file, after
    /// decompression) and the file size when known.
    pub fn check_path(
        &mut self,
        path: &Path,
        sink: Option<&mut dyn RecordSink>,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<(), CheckError> {
        let name = path.to_string_lossy().into_owned();
        let opened = source::open(path, &name)?;
        self.check_opened(&name, opened, sink, progress)
    }

    /// Checks everything `reader` yields, named `name` in messages (its extension helps
    /// detect the format).
    pub fn check_reader(
        &mut self,
        name: &str,
        reader: impl Read + Send + 'static,
        sink: Option<&mut dyn RecordSink>,
    ) -> Result<(), CheckError> {
        let opened = source::from_reader(Box::new(reader), name, None)?;
        self.check_opened(name, opened, sink, &mut |_, _| {})
    }

    fn issue(&mut self, file: &str, line: u64, column: u64, message: String) {
        self.issue_count += 1;
        if self.issues.len() < MAX_ISSUES {
            self.issues.push(InputIssue {
                location: Location {
                    file: file.to_owned(),
                    line,
                    column,
                },
                message,
            });
        }
    }

    fn check_opened(
        &mut self,
        name: &str,
        opened: Opened,
        sink: Option<&mut dyn RecordSink>,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<(), CheckError> {
        let by_name = InputFormat::from_name(name);
        if opened.zip || self.options.format == Some(InputFormat::Xlsx) {
            return self.check_xlsx(name, opened, sink);
        }
        if opened.head.is_empty() {
            self.issue(name, 1, 1, "the file is empty: no records".into());
            if let Some(sink) = sink {
                let info = InputInfo {
                    file: name,
                    format: by_name.unwrap_or(InputFormat::Lines),
                    delimiter: b',',
                    bom: opened.bom,
                    header: None,
                    header_raw: None,
                    columns: None,
                };
                sink.start(&info)
                    .and_then(|()| sink.finish())
                    .map_err(|e| {
                        CheckError::new(name, 1, 1, format!("cannot write output: {e}"))
                    })?;
            }
            return Ok(());
        }
        let head = &opened.head;
        let first_text = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|i| head[i]);
        let format = self.options.format.unwrap_or_else(|| {
            if first_text == Some(b'{') {
                InputFormat::Jsonl
            } else {
                match detect_delimiter(head, (by_name == Some(InputFormat::Tsv)).then_some(b'\t')) {
                    Some(b'\t') => InputFormat::Tsv,
                    Some(_) => InputFormat::Csv,
                    None => match by_name {
                        Some(InputFormat::Csv) => InputFormat::Csv,
                        Some(InputFormat::Tsv) => InputFormat::Tsv,
                        _ => {
                            // A one-column file with a header row is a table.
                            let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
                            let first = String::from_utf8_lossy(first);
                            if looks_like_header(&[first.trim().to_owned()], &[]) {
                                InputFormat::Csv
                            } else {
                                InputFormat::Lines
                            }
                        }
                    },
                }
            }
        });
        match format {
            InputFormat::Lines => {
                let info = InputInfo {
                    file: name,
                    format,
                    delimiter: b'\n',
                    bom: opened.bom,
                    header: None,
                    header_raw: None,
                    columns: None,
                };
                let work = Work::Lines;
                self.pipeline(
                    name,
                    &info,
                    &work,
                    sink,
                    progress,
                    opened.size,
                    Box::new(LineChunks::new(source::whole(opened))),
                )
            }
            InputFormat::Jsonl => {
                let first = head
                    .split(|b| *b == b'\n')
                    .find(|l| !l.iter().all(u8::is_ascii_whitespace))
                    .map(String::from_utf8_lossy);
                let fields =
                    choose_json_fields(name, first.as_deref(), self.options.field.as_deref())?;
                let info = InputInfo {
                    file: name,
                    format,
                    delimiter: b'\n',
                    bom: opened.bom,
                    header: None,
                    header_raw: None,
                    columns: None,
                };
                let work = Work::Json(fields);
                self.pipeline(
                    name,
                    &info,
                    &work,
                    sink,
                    progress,
                    opened.size,
                    Box::new(LineChunks::new(source::whole(opened))),
                )
            }
            InputFormat::Csv | InputFormat::Tsv => {
                let delimiter = if format == InputFormat::Tsv {
                    b'\t'
                } else {
                    detect_delimiter(head, None)
                        .filter(|d| *d != b'\t')
                        .unwrap_or(b',')
                };
                let sample = sample_rows(head, delimiter);
                let header_row = sample
                    .first()
                    .filter(|row| looks_like_header(row, &sample[1..]))
                    .cloned();
                let data_rows = if header_row.is_some() {
                    &sample[1..]
                } else {
                    &sample[..]
                };
                let columns = choose_columns(
                    name,
                    header_row.as_deref(),
                    data_rows,
                    &self.options.columns,
                )?;
                let width = header_row
                    .as_ref()
                    .map_or_else(|| data_rows.first().map_or(0, Vec::len), Vec::len);
                let has_header = header_row.is_some();
                let header_raw = if has_header {
                    let end = memchr::memchr(b'\n', head).map_or(head.len(), |p| p + 1);
                    Some(head[..end].to_vec())
                } else {
                    None
                };
                let info = InputInfo {
                    file: name,
                    format,
                    delimiter,
                    bom: opened.bom,
                    header: header_row.as_deref(),
                    header_raw: header_raw.as_deref(),
                    columns: Some(&columns),
                };
                let work = Work::Table {
                    columns: columns.clone(),
                    width,
                    delimiter,
                    header: has_header,
                };
                self.pipeline(
                    name,
                    &info,
                    &work,
                    sink,
                    progress,
                    opened.size,
                    Box::new(TableChunks::new(
                        source::whole(opened),
                        delimiter,
                        has_header,
                    )),
                )
            }
            InputFormat::Xlsx => self.check_xlsx(name, opened, sink),
        }
    }

    fn check_xlsx(
        &mut self,
        name: &str,
        opened: Opened,
        sink: Option<&mut dyn RecordSink>,
    ) -> Result<(), CheckError> {
        use calamine::{Data, Reader as _};
        let mut bytes = Vec::new();
        source::whole(opened)
            .read_to_end(&mut bytes)
            .map_err(|e| CheckError::new(name, 1, 1, format!("cannot read: {e}")))?;
        let mut book =
            calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
                CheckError::new(name, 1, 1, format!("not a readable xlsx workbook: {e}"))
            })?;
        let sheets = book.sheet_names();
        let sheet = match &self.options.sheet {
            Some(s) => sheets.iter().find(|n| *n == s).cloned().ok_or_else(|| {
                CheckError::new(
                    name,
                    1,
                    1,
                    format!("no sheet named {s:?}; the workbook has {sheets:?}"),
                )
            })?,
            None => sheets
                .first()
                .cloned()
                .ok_or_else(|| CheckError::new(name, 1, 1, "the workbook has no sheet"))?,
        };
        let range = book.worksheet_range(&sheet).map_err(|e| {
            CheckError::new(name, 1, 1, format!("cannot read sheet {sheet:?}: {e}"))
        })?;
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let cell = |d: &Data| -> String {
            match d {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => d.to_string(),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            }
        };
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell).collect()).collect();
        if rows.is_empty() {
            self.issue(name, 1, 1, format!("sheet {sheet:?} is empty: no records"));
            return Ok(());
        }
        let sample_end = rows.len().min(100);
        let has_header = looks_like_header(&rows[0], &rows[1..sample_end]);
        let header = has_header.then(|| rows[0].clone());
        let data_rows = if has_header {
            &rows[1..sample_end]
        } else {
            &rows[..sample_end]
        };
        let columns = choose_columns(name, header.as_deref(), data_rows, &self.options.columns)?;
        let width = header.as_ref().map_or_else(|| rows[0].len(), Vec::len);
        let info = InputInfo {
            file: name,
            format: InputFormat::Xlsx,
            delimiter: b',',
            bom: false,
            header: header.as_deref(),
            header_raw: None,
            columns: Some(&columns),
        };
        let work = Work::Table {
            columns: columns.clone(),
            width,
            delimiter: b',',
            header: false,
        };
        let skip = usize::from(has_header);
        self.pipeline(
            name,
            &info,
            &work,
            sink,
            &mut |_, _| {},
            None,
            Box::new(SheetChunks {
                rows: rows.into_iter().enumerate().skip(skip),
                first_row,
                seq: 0,
                done: false,
            }),
        )
    }

    /// Runs the checks on worker threads, which take the chunks of `source` in turn, and the
    /// merge here, in input order.
    #[allow(clippy::too_many_arguments)]
    fn pipeline(
        &mut self,
        name: &str,
        info: &InputInfo<'_>,
        work: &Work,
        mut sink: Option<&mut dyn RecordSink>,
        progress: &mut dyn FnMut(u64, Option<u64>),
        size: Option<u64>,
        source: Box<dyn ChunkSource>,
    ) -> Result<(), CheckError> {
        if let Some(s) = sink.as_deref_mut() {
            s.start(info)
                .map_err(|e| CheckError::new(name, 1, 1, format!("cannot write output: {e}")))?;
        }
        let cancel = Control::new(self.chunk);
        let policy = self.policy;
        let keep = sink.is_some();
        // Without a sink or gap analysis, order does not matter: workers fill the index.
        let parallel_index = !keep && !self.options.gaps;
        let index = Arc::clone(&self.index);
        let index = &*index;
        let seq_base = self.bases.len() as u64;
        let dense = index.choose(parallel_index && matches!(work, Work::Lines));
        let parallel_index = parallel_index || dense;
        let (done_tx, done_rx) = sync_channel::<Done>(2);
        let mut state = MergeState {
            name,
            lines: 0,
            file_records: 0,
            bytes: 0,
            sink_error: None,
        };
        // A worker's part once it has a chunk: check it, add its codes to the index when
        // order does not matter, and hand it to the merge.
        let work_on = move |chunk: Chunk, control: &Control| {
            let mut done = process(chunk, work, &policy, dense, control);
            if let Some(batch) = done.result.batch.take() {
                index.add_pages(&batch);
                control.give_batch(batch);
            } else if parallel_index {
                let pos = (seq_base + done.chunk.seq) << 32;
                index.add(&done.result.outs, &done.result.metas, pos, false);
            }
            if !keep {
                // Nothing reads the bytes any more: the next read can reuse them while they
                // are still in this core's cache.
                control.give_data(std::mem::take(&mut done.chunk.data));
            }
            done
        };
        let chunks = Mutex::new(Shared {
            source,
            finished: false,
        });
        let read_result = std::thread::scope(|scope| {
            let control = &cancel;
            let chunks = &chunks;
            let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let tx = done_tx.clone();
                    scope.spawn(move || -> io::Result<()> {
                        loop {
                            let next = chunks
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .next(control)?;
                            let Some(chunk) = next else {
                                return Ok(());
                            };
                            if tx.send(work_on(chunk, control)).is_err() {
                                return Ok(());
                            }
                        }
                    })
                })
                .collect();
            drop(done_tx);
            self.merge_all(
                done_rx,
                &mut state,
                work,
                &mut sink,
                progress,
                size,
                control,
                !parallel_index,
            );
            // The first read error, or `Err` when a worker panicked.
            let mut result = Ok(Ok(()));
            for handle in handles {
                let joined = handle.join();
                if matches!(result, Ok(Ok(()))) {
                    result = joined;
                }
            }
            result
        });
        self.bytes += state.bytes;
        if let Some(e) = state.sink_error {
            return Err(CheckError::new(
                name,
                state.lines + 1,
                1,
                format!("cannot write output: {e}"),
            ));
        }
        match read_result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Err(CheckError::new(
                    name,
                    state.lines + 1,
                    1,
                    format!(
                        "reading stopped after {} records ({} bytes): {e}; the figures cover only what was read",
                        state.file_records, state.bytes
                    ),
                ));
            }
            Err(_) => {
                return Err(CheckError::new(
                    name,
                    state.lines + 1,
                    1,
                    "the reader failed unexpectedly",
                ));
            }
        }
        if let Some(s) = sink {
            s.finish()
                .map_err(|e| CheckError::new(name, 1, 1, format!("cannot write output: {e}")))?;
        }
        if state.file_records == 0
            && state.bytes > 0
            && self.issues.iter().all(|i| i.location.file != name)
        {
            self.issue(
                name,
                1,
                1,
                "no records: the file holds only a header or blank lines".into(),
            );
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn merge_all(
        &mut self,
        done_rx: Receiver<Done>,
        state: &mut MergeState<'_>,
        work: &Work,
        sink: &mut Option<&mut dyn RecordSink>,
        progress: &mut dyn FnMut(u64, Option<u64>),
        size: Option<u64>,
        cancel: &Control,
        ordered_index: bool,
    ) {
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0u64;
        for done in done_rx {
            pending.insert(done.chunk.seq, done);
            while let Some(done) = pending.remove(&next) {
                next += 1;
                if state.sink_error.is_none() {
                    let used = self.merge(done, state, work, sink, ordered_index);
                    cancel.give(used);
                    if state.sink_error.is_some() {
                        cancel.cancel.store(true, Ordering::Relaxed);
                    }
                }
                progress(state.bytes, size);
            }
        }
    }

    fn merge(
        &mut self,
        done: Done,
        state: &mut MergeState<'_>,
        work: &Work,
        sink: &mut Option<&mut dyn RecordSink>,
        ordered_index: bool,
    ) -> Used {
        let Done { chunk, result } = done;
        let name = state.name;
        let relative = chunk.relative_lines;
        let line_base = if relative { state.lines } else { 0 };
        let abs = |line: u64| line + line_base;
        for (line, column, message) in &result.issues {
            self.issue(name, abs(*line), *column, message.clone());
        }
        for issue in &chunk.issues {
            self.issue(name, issue.0, issue.1, issue.2.clone());
        }
        self.valid += result.valid;
        self.invalid += result.invalid;
        for (a, b) in self.by_rule.iter_mut().zip(result.by_rule.iter()) {
            *a += u64::from(*b);
        }
        for (key, agg) in result.prefixes {
            let target = self.prefixes.entry(key).or_default();
            target.records += agg.records;
            target.problems += agg.problems;
            target.invalid += agg.invalid;
            for (a, b) in target.rules.iter_mut().zip(agg.rules.iter()) {
                *a += b;
            }
            for mut example in agg.examples {
                if target.examples.len() < 3 {
                    example.line = abs(example.line);
                    example.file = name.to_owned();
                    target.examples.push(example);
                }
            }
        }
        let record_base = self.records;
        let global_seq = self.bases.len() as u64;
        self.bases.push(record_base);
        let firsts = if ordered_index {
            self.index.add(
                &result.outs,
                &result.metas,
                global_seq << 32,
                sink.is_some(),
            )
        } else {
            Vec::new()
        };
        let mut cursor = 0usize;
        for (i, out) in result.outs.iter().enumerate() {
            let number = record_base + i as u64 + 1;
            let duplicate_of = firsts
                .get(i)
                .copied()
                .flatten()
                .and_then(|pos| self.record_number(pos));
            if self.options.gaps
                && let Some(code) = out.code
            {
                let key = code.to_u64();
                let group = key / 100_000;
                let designation = (key % 100_000) as u32;
                let slot = self.order.entry(group).or_insert((designation, 0));
                if designation < slot.0 {
                    slot.1 += 1;
                }
                slot.0 = designation;
            }
            if let Some(sink) = sink.as_mut() {
                let span = record_span(&chunk, i, out);
                let record = view(
                    &chunk,
                    i,
                    out,
                    work,
                    name,
                    number,
                    abs(out.line),
                    duplicate_of,
                );
                let written = chunk
                    .data
                    .get(cursor..span.start)
                    .filter(|gap| !gap.is_empty())
                    .map_or(Ok(()), |gap| sink.passthrough(gap))
                    .and_then(|()| sink.record(&record));
                if let Err(e) = written {
                    state.sink_error = Some(e);
                    break;
                }
                cursor = cursor.max(span.end);
            }
        }
        if let Some(sink) = sink.as_mut()
            && state.sink_error.is_none()
            && let Some(rest) = chunk.data.get(cursor..).filter(|r| !r.is_empty())
            && let Err(e) = sink.passthrough(rest)
        {
            state.sink_error = Some(e);
        }
        self.records += result.records;
        state.file_records += result.records;
        if relative {
            state.lines += result.lines;
        } else if let Some(last) = result.outs.last() {
            state.lines = state.lines.max(last.line);
        }
        state.bytes += chunk.input_bytes;
        Used {
            data: chunk.data,
            table: chunk.table,
            outs: result.outs,
            metas: result.metas,
        }
    }

    /// The record number of an index position.
    fn record_number(&self, pos: u64) -> Option<u64> {
        let base = self.bases.get((pos >> 32) as usize)?;
        Some(base + (pos & 0xFFFF_FFFF) + 1)
    }

    /// The report, after all inputs.
    pub fn finish(self) -> Summary {
        let mut by_rule = BTreeMap::new();
        for (i, rule) in Rule::ALL.iter().enumerate().take(32) {
            if self.by_rule[i] > 0 {
                by_rule.insert(rule.id(), self.by_rule[i]);
            }
        }
        let mut duplicates = 0;
        let mut conflicts = 0;
        let mut top: Vec<Duplicate> = Vec::new();
        let shards: Vec<Shard> = self
            .index
            .shards
            .iter()
            .map(|m| std::mem::take(&mut *m.lock().unwrap_or_else(PoisonError::into_inner)))
            .collect();
        // Dense mode: every twice-seen bit is a duplicate. The best-ranked are the codes seen
        // three times or more (few, each counted), then the twice-seen codes in code order:
        // pages are visited in order until enough are named, not one key per duplicate.
        let mut twice_pages: Vec<(u64, PageBits, &Shard)> = Vec::new();
        let mut dense_top: Vec<(u64, u32)> = Vec::new();
        for s in &shards {
            for (&page, &bits) in &s.twice {
                duplicates += bits.iter().map(|w| u64::from(w.count_ones())).sum::<u64>();
                twice_pages.push((page, bits, s));
            }
            dense_top.extend(s.repeats.iter().map(|(&key, &count)| (key, count)));
        }
        twice_pages.sort_unstable_by_key(|&(page, ..)| page);
        let mut named_twice = 0;
        for (page, bits, shard) in twice_pages {
            if named_twice >= TOP_DUPLICATES {
                break;
            }
            for key in page_keys(page, bits) {
                if named_twice < TOP_DUPLICATES && !shard.repeats.contains_key(&key) {
                    dense_top.push((key, 2));
                    named_twice += 1;
                }
            }
        }
        let rank = |a: &Duplicate, b: &Duplicate| {
            b.records
                .cmp(&a.records)
                .then(a.first_record.cmp(&b.first_record))
                .then(a.isrc.cmp(&b.isrc))
        };
        let mut consider = |key: u64, count: u32, first: Option<u64>, conflict: bool| {
            if let Some(isrc) = Isrc::from_u64(key) {
                top.push(Duplicate {
                    isrc,
                    records: u64::from(count),
                    first_record: first,
                    conflict,
                });
                // Keep the best 20 without sorting hundreds of thousands of duplicates.
                if top.len() >= 1024 {
                    top.select_nth_unstable_by(TOP_DUPLICATES - 1, rank);
                    top.truncate(TOP_DUPLICATES);
                }
            }
        };
        for (key, count) in dense_top {
            consider(key, count, None, false);
        }
        for s in &shards {
            for (key, entry) in s.entries.iter() {
                if entry.count > 1 {
                    duplicates += 1;
                    if entry.conflict {
                        conflicts += 1;
                    }
                    consider(
                        key,
                        entry.count,
                        self.record_number(entry.first),
                        entry.conflict,
                    );
                }
            }
        }
        top.sort_by(rank);
        top.truncate(TOP_DUPLICATES);
        let mut prefixes: Vec<PrefixGroup> = self
            .prefixes
            .iter()
            .filter(|(_, a)| a.problems > 0)
            .map(|(key, a)| {
                let mut rules = BTreeMap::new();
                for (i, rule) in Rule::ALL.iter().enumerate().take(32) {
                    if a.rules[i] > 0 {
                        rules.insert(rule.id(), a.rules[i]);
                    }
                }
                PrefixGroup {
                    prefix: prefix_text(*key),
                    records: a.records,
                    problems: a.problems,
                    invalid: a.invalid,
                    share: a.problems as f64 / a.records.max(1) as f64,
                    rules,
                    examples: a.examples.clone(),
                }
            })
            .collect();
        prefixes.sort_by(|a, b| {
            b.problems
                .cmp(&a.problems)
                .then_with(|| a.prefix.cmp(&b.prefix))
        });
        let gaps = self.options.gaps.then(|| gap_groups(&shards, &self.order));
        Summary {
            records: self.records,
            valid: self.valid,
            invalid: self.invalid,
            by_rule,
            duplicate_isrcs: duplicates,
            conflicting_isrcs: conflicts,
            prefixes,
            gaps,
            top_duplicates: top,
            issues: self.issues,
            issue_count: self.issue_count,
            bytes: self.bytes,
        }
    }
}

fn gap_groups(shards: &[Shard], order: &FastMap<u64, (u32, u64)>) -> Vec<GapGroup> {
    let mut keys: Vec<u64> = shards.iter().flat_map(|s| s.entries.keys()).collect();
    keys.sort_unstable();
    let mut groups = Vec::new();
    for run in keys.chunk_by(|a, b| a / 100_000 == b / 100_000) {
        let group = run[0] / 100_000;
        let designations: Vec<u32> = run.iter().map(|k| (k % 100_000) as u32).collect();
        let mut missing = 0u64;
        let mut ranges = Vec::new();
        for w in designations.windows(2) {
            if w[1] > w[0] + 1 {
                missing += u64::from(w[1] - w[0] - 1);
                if ranges.len() < 20 {
                    ranges.push((w[0] + 1, w[1] - 1));
                }
            }
        }
        let Some(code) = Isrc::from_u64(run[0]) else {
            continue;
        };
        groups.push(GapGroup {
            prefix_year: format!("{}{:02}", code.prefix(), code.year()),
            designations: designations.len() as u64,
            first: designations[0],
            last: designations[designations.len() - 1],
            missing,
            missing_ranges: ranges,
            out_of_order: order.get(&group).map_or(0, |o| o.1),
        });
    }
    groups
}

/// The buffers of a merged chunk, for the next chunks.
struct Used {
    data: Vec<u8>,
    table: Option<TableChunk>,
    outs: Vec<Out>,
    metas: Vec<Meta>,
}

/// Buffers kept for reuse.
#[derive(Default)]
struct Spare {
    data: Vec<Vec<u8>>,
    tables: Vec<TableChunk>,
    outs: Vec<Vec<Out>>,
    metas: Vec<Vec<Meta>>,
    batches: Vec<PageBatch>,
}

/// Shared by the reader, the workers and the merge: the signal to stop reading, and the
/// buffers of chunks the merge is done with, so that later chunks reuse warm memory instead
/// of faulting in fresh pages (which cost more than the checks on a 2-core machine).
pub(crate) struct Control {
    pub(crate) cancel: AtomicBool,
    /// Bytes per chunk.
    pub(crate) chunk: usize,
    spare: Mutex<Spare>,
}

/// How many chunks' buffers are kept: about as many as are in flight.
const KEEP: usize = 8;

impl Control {
    fn new(chunk: usize) -> Control {
        Control {
            cancel: AtomicBool::new(false),
            chunk,
            spare: Mutex::default(),
        }
    }

    fn spare(&self) -> std::sync::MutexGuard<'_, Spare> {
        self.spare.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An empty buffer with room for a chunk.
    pub(crate) fn buffer(&self) -> Vec<u8> {
        let spare = self.spare().data.pop();
        spare.unwrap_or_else(|| Vec::with_capacity(self.chunk + 4096))
    }

    /// An empty table.
    pub(crate) fn table(&self) -> TableChunk {
        self.spare().tables.pop().unwrap_or_default()
    }

    /// An empty list of outcomes and one of metadata.
    fn outcomes(&self) -> (Vec<Out>, Vec<Meta>) {
        let mut spare = self.spare();
        let outs = spare.outs.pop().unwrap_or_default();
        let metas = spare.metas.pop().unwrap_or_default();
        (outs, metas)
    }

    /// An empty batch of bit pages.
    pub(crate) fn batch(&self) -> PageBatch {
        self.spare().batches.pop().unwrap_or_else(PageBatch::new)
    }

    /// Takes back a batch once its pages are in the index.
    fn give_batch(&self, mut batch: PageBatch) {
        let mut spare = self.spare();
        if spare.batches.len() < KEEP {
            batch.clear();
            spare.batches.push(batch);
        }
    }

    /// Takes back a chunk's data buffer before its merge, when nothing else reads it.
    fn give_data(&self, mut data: Vec<u8>) {
        let mut spare = self.spare();
        if data.capacity() >= self.chunk && data.capacity() <= 4 * CHUNK && spare.data.len() < KEEP
        {
            data.clear();
            spare.data.push(data);
        }
    }

    /// Takes back a merged chunk's buffers (those of a few chunks are kept).
    fn give(&self, used: Used) {
        let Used {
            mut data,
            table,
            mut outs,
            mut metas,
        } = used;
        let mut spare = self.spare();
        if data.capacity() >= self.chunk && data.capacity() <= 4 * CHUNK && spare.data.len() < KEEP
        {
            data.clear();
            spare.data.push(data);
        }
        if let Some(mut table) = table
            && spare.tables.len() < KEEP
            && table.fields.capacity() <= 4 * CHUNK
        {
            // The fields stay: `parse_block` writes over them, and they need no zeroing.
            table.ends.clear();
            table.rows.clear();
            spare.tables.push(table);
        }
        if spare.outs.len() < KEEP && outs.capacity() <= CHUNK {
            outs.clear();
            spare.outs.push(outs);
        }
        if spare.metas.len() < KEEP && metas.capacity() <= CHUNK {
            metas.clear();
            spare.metas.push(metas);
        }
    }
}

struct MergeState<'n> {
    name: &'n str,
    lines: u64,
    file_records: u64,
    bytes: u64,
    sink_error: Option<io::Error>,
}

/// What the workers do with a chunk.
enum Work {
    Lines,
    Json(JsonFields),
    Table {
        columns: Columns,
        width: usize,
        delimiter: u8,
        /// The first record of the input is a header row (blocks still to be parsed).
        header: bool,
    },
}

/// A piece of input: whole lines, or whole CSV records.
pub(crate) struct Chunk {
    seq: u64,
    /// The raw bytes (lines, JSON Lines, CSV records).
    data: Vec<u8>,
    table: Option<TableChunk>,
    /// Line numbers inside are relative to the chunk (lines, JSON Lines).
    relative_lines: bool,
    /// A line that was cut at [`MAX_LINE`] bytes: its full length.
    overlong: Option<u64>,
    /// Problems found while splitting: (line, column, message), absolute.
    issues: Vec<(u64, u64, String)>,
    /// Input bytes this chunk stands for.
    input_bytes: u64,
}

impl Chunk {
    /// A block of delimited text, parsed by the worker.
    pub(crate) fn block(seq: u64, data: Vec<u8>, issues: Vec<(u64, u64, String)>) -> Chunk {
        Chunk {
            seq,
            input_bytes: data.len() as u64,
            data,
            table: None,
            relative_lines: true,
            overlong: None,
            issues,
        }
    }

    fn table(seq: u64, table: TableChunk, issues: Vec<(u64, u64, String)>) -> Chunk {
        Chunk {
            seq,
            input_bytes: table.fields.len() as u64,
            data: Vec::new(),
            table: Some(table),
            relative_lines: false,
            overlong: None,
            issues,
        }
    }
}

/// The outcome of one record.
#[derive(Clone, Copy)]
struct Out {
    code: Option<Isrc>,
    fix: Option<Isrc>,
    rules: RuleSet,
    valid: bool,
    line: u64,
    /// Where the record starts in the chunk's data (lines, JSON Lines).
    offset: usize,
}

struct ChunkResult {
    valid: u64,
    invalid: u64,
    lines: u64,
    by_rule: [u32; 32],
    prefixes: Vec<(u64, PrefixAgg)>,
    /// Records in the chunk: `outs.len()`, plus those counted in `batch`.
    records: u64,
    /// One per record, in order; in dense mode only records that took the long way.
    outs: Vec<Out>,
    /// Dense mode: the chunk's codes as bit pages, for the index.
    batch: Option<PageBatch>,
    metas: Vec<Meta>,
    issues: Vec<(u64, u64, String)>,
}

struct Done {
    chunk: Chunk,
    result: ChunkResult,
}

/// An input cut into chunks on demand, by whichever worker asks next (under a lock): each
/// chunk is then checked by the core that just copied it from the kernel, while it is still
/// in that core's cache, and no reader thread competes with the workers for the cores.
pub(crate) trait ChunkSource: Send {
    /// The next chunk, or `None` at the end of the input. Not called again after `None` or
    /// an error ([`Shared`] sees to it).
    fn next(&mut self, control: &Control) -> io::Result<Option<Chunk>>;
}

/// A [`ChunkSource`] shared by the workers, asked for no more chunks once it has run dry,
/// failed, or been cancelled.
pub(crate) struct Shared {
    source: Box<dyn ChunkSource>,
    finished: bool,
}

impl Shared {
    fn next(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        if self.finished || control.cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let result = self.source.next(control);
        if !matches!(result, Ok(Some(_))) {
            self.finished = true;
        }
        result
    }
}

/// The rows of a sheet, already read, cut into table chunks of about [`CHUNK`] bytes of
/// fields (the last one possibly empty).
struct SheetChunks {
    rows: std::iter::Skip<std::iter::Enumerate<std::vec::IntoIter<Vec<String>>>>,
    /// The sheet's line number of its first row, less one.
    first_row: u64,
    seq: u64,
    done: bool,
}

impl ChunkSource for SheetChunks {
    fn next(&mut self, _control: &Control) -> io::Result<Option<Chunk>> {
        if self.done {
            return Ok(None);
        }
        let mut chunk = TableChunk::default();
        while chunk.fields.len() < CHUNK {
            let Some((i, row)) = self.rows.next() else {
                self.done = true;
                break;
            };
            let field_base = chunk.fields.len();
            let ends_start = chunk.ends.len();
            for f in &row {
                chunk.fields.extend_from_slice(f.as_bytes());
                chunk.ends.push(chunk.fields.len());
            }
            chunk.rows.push(Row {
                line: self.first_row + i as u64 + 1,
                raw: 0..0,
                field_base,
                ends: ends_start..chunk.ends.len(),
            });
        }
        self.seq += 1;
        Ok(Some(Chunk::table(self.seq - 1, chunk, Vec::new())))
    }
}

/// Cuts a reader into chunks of whole lines, one chunk per call ([`ChunkSource`]). A line
/// longer than [`MAX_LINE`] becomes a chunk of its own, cut to that length.
pub(crate) struct LineChunks {
    reader: Box<dyn Read + Send>,
    /// The start of the next chunk: the part of the last read after its last `\n`.
    buf: Vec<u8>,
    seq: u64,
}

impl LineChunks {
    pub(crate) fn new(reader: impl Read + Send + 'static) -> LineChunks {
        LineChunks {
            reader: Box::new(reader),
            buf: Vec::new(),
            seq: 0,
        }
    }

    fn read_chunk(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        let mut buf = control.buffer();
        buf.append(&mut self.buf);
        loop {
            let want = if buf.len() < control.chunk {
                control.chunk - buf.len()
            } else {
                64 * 1024
            };
            let n = (&mut self.reader).take(want as u64).read_to_end(&mut buf)?;
            if n == 0 {
                if buf.is_empty() {
                    return Ok(None);
                }
                let len = buf.len() as u64;
                return Ok(Some(self.chunk(buf, None, len)));
            }
            if buf.len() < control.chunk {
                continue;
            }
            match memchr::memrchr(b'\n', &buf) {
                Some(p) => {
                    self.buf.extend_from_slice(&buf[p + 1..]);
                    buf.truncate(p + 1);
                    let len = buf.len() as u64;
                    return Ok(Some(self.chunk(buf, None, len)));
                }
                // A line still shorter than the limit: read on.
                None if buf.len() <= MAX_LINE => {}
                None => {
                    // One line longer than the limit: keep its start, count the rest.
                    let mut total = buf.len() as u64;
                    buf.truncate(MAX_LINE);
                    let mut scratch = vec![0u8; 64 * 1024];
                    loop {
                        let n = self.reader.read(&mut scratch)?;
                        if n == 0 {
                            break;
                        }
                        if let Some(p) = memchr::memchr(b'\n', &scratch[..n]) {
                            total += p as u64;
                            self.buf.extend_from_slice(&scratch[p + 1..n]);
                            break;
                        }
                        total += n as u64;
                    }
                    buf.push(b'\n');
                    return Ok(Some(self.chunk(buf, Some(total), total + 1)));
                }
            }
        }
    }

    fn chunk(&mut self, data: Vec<u8>, overlong: Option<u64>, input_bytes: u64) -> Chunk {
        self.seq += 1;
        Chunk {
            seq: self.seq - 1,
            data,
            table: None,
            relative_lines: true,
            overlong,
            issues: Vec::new(),
            input_bytes,
        }
    }
}

impl ChunkSource for LineChunks {
    fn next(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        self.read_chunk(control)
    }
}

/// Per-chunk tallies kept by a worker.
struct Tally<'a, 'p> {
    policy: &'a Policy<'p>,
    res: ChunkResult,
    prefix_slots: FastMap<u64, usize>,
    /// A small two-way cache of prefix -> slot.
    recent_prefixes: [(u64, usize); RECENT_PREFIXES],
    offset: usize,
    /// Verdicts on compact codes, remembered by prefix and year.
    cache: VerdictCache<'p>,
    /// Clean compact codes counted by group (prefix, year, designation 00000), added to the
    /// tallies once per group by [`Tally::close_groups`].
    groups: GroupMemo,
    /// Recent values that took the long way (not a compact code, or one with a finding),
    /// by a hash of their text: bad values and odd spellings repeat in a catalogue (empty
    /// cells, placeholders, one wrong code pasted on every track of an album).
    recent: Vec<Option<(Box<str>, Known)>>,
}

/// What is remembered of a value that took the long way.
#[derive(Clone)]
enum Known {
    /// No warning or error: its verdict, and the registrant prefix it counts under.
    Clean(isrc::Verdict, u64),
    /// A warning or an error.
    Problem(Rc<Assessed>),
}

const RECENT_WAYS: usize = 64;
const RECENT_PREFIXES: usize = 64;

/// What the full check says about a value with a warning or an error.
struct Assessed {
    code: Option<Isrc>,
    fix: Option<Isrc>,
    rules: RuleSet,
    valid: bool,
    /// The registrant prefix it counts under.
    prefix: u64,
    /// The rules of its warnings and errors, in the order of the findings.
    problem_rules: Vec<Rule>,
}

/// A quick hash of a short value's bytes, for the memo of problem values.
fn text_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(bytes.len() as u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

impl<'a, 'p> Tally<'a, 'p> {
    fn new(policy: &'a Policy<'p>) -> Self {
        Tally {
            policy,
            res: ChunkResult {
                valid: 0,
                invalid: 0,
                lines: 0,
                by_rule: [0; 32],
                prefixes: Vec::new(),
                records: 0,
                outs: Vec::new(),
                batch: None,
                metas: Vec::new(),
                issues: Vec::new(),
            },
            prefix_slots: FastMap::default(),
            recent_prefixes: [(u64::MAX, 0); RECENT_PREFIXES],
            offset: 0,
            cache: VerdictCache::new(*policy),
            groups: GroupMemo::new(),
            recent: vec![None; RECENT_WAYS],
        }
    }

    /// Checks one value; `line` is where the record starts, `column` where the value starts.
    fn check(&mut self, bytes: &[u8], line: u64, column: u64) {
        self.check_with(bytes, line, || column);
    }

    /// [`Tally::check`] with the column found only when a finding needs it: clean compact
    /// codes, most records, need none.
    #[inline]
    fn check_with(&mut self, bytes: &[u8], line: u64, column: impl FnOnce() -> u64) {
        // Compact codes without warnings or errors, the bulk of any catalogue, need no report:
        // those of a group already seen are counted there (no verdict, no tallies per record).
        let compact = <&[u8; 12]>::try_from(bytes).ok();
        let key = compact.and_then(|c| compact_key(c));
        let verdict = if let (Some(compact), Some(key)) = (compact, key) {
            let group = match self.groups.count(compact) {
                Ok(known) => {
                    self.push_clean(Isrc::from_u64(key), known.rules, line);
                    return;
                }
                Err(group) => group,
            };
            // A new group: remembered when its verdict is clean and names no fix (which
            // would belong to this code alone); it then counts this record too.
            let verdict = self.cache.compact(bytes);
            if let Some(verdict) = verdict
                && verdict.fix.is_none()
                && verdict.severity.is_none_or(|s| s < Severity::Warning)
            {
                let slot = self.slot(prefix_key(&bytes[..5]));
                if let Some(evicted) = self.groups.insert(group, key, verdict.rules, slot) {
                    self.add_group(evicted);
                }
                self.push_clean(verdict.isrc, verdict.rules, line);
                return;
            }
            verdict
        } else {
            self.cache.compact(bytes)
        };
        if let Some(verdict) = verdict
            && verdict.severity.is_none_or(|s| s < Severity::Warning)
        {
            self.res.valid += 1;
            self.count_rules(verdict.rules);
            let slot = self.slot(prefix_key(&bytes[..5]));
            self.res.prefixes[slot].1.records += 1;
            self.push_clean(verdict.isrc, verdict.rules, line);
            return;
        }
        self.check_slow(bytes, line, column());
    }

    /// The outcome of a record whose value is valid with nothing above an info finding.
    #[inline]
    fn push_clean(&mut self, code: Option<Isrc>, rules: RuleSet, line: u64) {
        self.res.outs.push(Out {
            code,
            fix: None,
            rules,
            valid: true,
            line,
            offset: self.offset,
        });
    }

    /// [`Tally::check`] of a value that is not a clean compact code.
    #[inline(never)]
    fn check_slow(&mut self, bytes: &[u8], line: u64, column: u64) {
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => Cow::Borrowed(t),
            Err(e) => {
                self.res.issues.push((
                    line,
                    column + e.valid_up_to() as u64,
                    "invalid UTF-8 (the file is not UTF-8 text, or is damaged here); the value is checked with U+FFFD in place of the bad bytes".into(),
                ));
                String::from_utf8_lossy(bytes)
            }
        };
        let way = (text_hash(text.as_bytes()) >> 58) as usize % RECENT_WAYS;
        let known = match &self.recent[way] {
            Some((seen, known)) if **seen == *text => known.clone(),
            _ => {
                let known = self.judge(&text);
                if text.len() <= 64 {
                    self.recent[way] = Some((text.as_ref().into(), known.clone()));
                }
                known
            }
        };
        let assessed = match known {
            Known::Clean(verdict, prefix) => {
                self.res.valid += 1;
                self.count_rules(verdict.rules);
                let slot = self.slot(prefix);
                self.res.prefixes[slot].1.records += 1;
                self.res.outs.push(Out {
                    code: verdict.isrc,
                    fix: verdict.fix,
                    rules: verdict.rules,
                    valid: true,
                    line,
                    offset: self.offset,
                });
                return;
            }
            Known::Problem(assessed) => assessed,
        };
        let out = Out {
            code: assessed.code,
            fix: assessed.fix,
            rules: assessed.rules,
            valid: assessed.valid,
            line,
            offset: self.offset,
        };
        if out.valid {
            self.res.valid += 1;
        } else {
            self.res.invalid += 1;
        }
        self.count_rules(out.rules);
        if out.rules.contains(Rule::InvalidCharacter)
            && let Some(p) = memchr::memchr(0, bytes)
        {
            self.res
                .issues
                .push((line, column + p as u64, "a NUL byte in the value".into()));
        }
        let slot = self.slot(assessed.prefix);
        let agg = &mut self.res.prefixes[slot].1;
        agg.records += 1;
        if !out.valid {
            agg.invalid += 1;
        }
        if !assessed.problem_rules.is_empty() {
            agg.problems += 1;
            for rule in &assessed.problem_rules {
                agg.rules[rule.index()] += 1;
            }
            if agg.examples.len() < 3 {
                let input: String = text.chars().take(64).collect();
                agg.examples.push(Example {
                    input,
                    file: String::new(),
                    line,
                    rules: assessed.problem_rules.iter().map(|r| r.id()).collect(),
                });
            }
        }
        self.res.outs.push(out);
    }

    /// What a value is: most values that are not compact codes (lowercase, hyphenated,
    /// labelled codes) have no warning either, and the verdict, which allocates nothing, is
    /// all they need; the others get the full check.
    fn judge(&self, text: &str) -> Known {
        let verdict = isrc::verdict(text, self.policy);
        if verdict.severity.is_none_or(|s| s < Severity::Warning) {
            let prefix = match verdict.isrc {
                Some(code) => prefix_key(code.prefix().as_str().as_bytes()),
                None => guess_prefix(text),
            };
            return Known::Clean(verdict, prefix);
        }
        Known::Problem(Rc::new(self.assess(text)))
    }

    /// The full check of a value with a warning or an error.
    fn assess(&self, text: &str) -> Assessed {
        let report = isrc::check(text, self.policy);
        let mut problem_rules: Vec<Rule> = Vec::new();
        for f in &report.findings {
            if f.severity >= Severity::Warning && !problem_rules.contains(&f.rule) {
                problem_rules.push(f.rule);
            }
        }
        let mut rules = RuleSet::EMPTY;
        for f in &report.findings {
            rules.insert(f.rule);
        }
        Assessed {
            code: report.isrc,
            fix: report.fix(),
            rules,
            valid: report.is_valid(),
            prefix: match report.isrc {
                Some(code) => prefix_key(code.prefix().as_str().as_bytes()),
                None => guess_prefix(text),
            },
            problem_rules,
        }
    }

    fn count_rules(&mut self, rules: RuleSet) {
        // Only the set bits: most records have none.
        let mut bits = rules.bits();
        while bits != 0 {
            self.res.by_rule[bits.trailing_zeros() as usize] += 1;
            bits &= bits - 1;
        }
    }

    fn slot(&mut self, key: u64) -> usize {
        // Two ways per set: a catalogue interleaving a few registrants keeps them all here.
        let set =
            ((key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % (RECENT_PREFIXES / 2)) * 2;
        if self.recent_prefixes[set].0 == key {
            return self.recent_prefixes[set].1;
        }
        if self.recent_prefixes[set + 1].0 == key {
            self.recent_prefixes.swap(set, set + 1);
            return self.recent_prefixes[set].1;
        }
        let next = self.res.prefixes.len();
        let slot = *self.prefix_slots.entry(key).or_insert(next);
        if slot == next {
            self.res.prefixes.push((key, PrefixAgg::default()));
        }
        self.recent_prefixes[set + 1] = self.recent_prefixes[set];
        self.recent_prefixes[set] = (key, slot);
        slot
    }

    /// Adds the records of a group of clean compact codes to the tallies.
    fn add_group(&mut self, group: Group) {
        self.res.valid += group.records;
        let mut bits = group.rules.bits();
        while bits != 0 {
            self.res.by_rule[bits.trailing_zeros() as usize] += group.records as u32;
            bits &= bits - 1;
        }
        self.res.prefixes[group.slot].1.records += group.records;
    }

    /// Adds every group still counted in [`Tally::groups`] to the tallies (at the end of a
    /// chunk).
    fn close_groups(&mut self) {
        let groups: Vec<Group> = self.groups.drain().collect();
        for group in groups {
            self.add_group(group);
        }
    }

    /// A record whose value is missing (a short row, a JSON object without the key).
    fn missing(&mut self, line: u64, column: u64, message: String) {
        self.res.issues.push((line, column, message));
        self.check(b"", line, column);
    }
}

/// A duration field: whole numbers straight from the bytes (the usual case), anything else
/// through [`parse_duration`].
fn duration_of(field: &[u8], unit: DurationUnit) -> Option<f64> {
    if !field.is_empty() && field.len() <= 15 && field.iter().all(u8::is_ascii_digit) {
        let v = field.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')) as f64;
        return Some(match unit {
            DurationUnit::Seconds => v,
            DurationUnit::Milliseconds => v / 1000.0,
        });
    }
    match std::str::from_utf8(field) {
        Ok(text) => parse_duration(text, unit),
        Err(_) => parse_duration(&String::from_utf8_lossy(field), unit),
    }
}

fn prefix_key(five: &[u8]) -> u64 {
    five.iter()
        .take(5)
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

fn prefix_text(key: u64) -> String {
    if key == 0 {
        return String::new();
    }
    (0..5)
        .rev()
        .map(|i| char::from((key >> (8 * i)) as u8))
        .collect()
}

/// The registrant prefix of a value that is not a well-formed code: its first five letters
/// and digits, when they have the shape of a prefix.
fn guess_prefix(text: &str) -> u64 {
    let trimmed = text.trim_start();
    let trimmed = trimmed
        .get(..4)
        .filter(|l| l.eq_ignore_ascii_case("isrc"))
        .map_or(trimmed, |_| &trimmed[4..]);
    let mut five = [0u8; 5];
    let mut n = 0;
    for c in trimmed.chars() {
        if c.is_ascii_alphanumeric() {
            five[n] = c.to_ascii_uppercase() as u8;
            n += 1;
            if n == 5 {
                break;
            }
        } else if !matches!(c, '-' | ' ' | ':' | '\u{2010}'..='\u{2015}') {
            return 0;
        }
    }
    if n == 5 && five[0].is_ascii_uppercase() && five[1].is_ascii_uppercase() {
        prefix_key(&five)
    } else {
        0
    }
}

/// The lines of a chunk: 1-based line number within the chunk, byte offset, and the text
/// without its `\n` or `\r\n`.
fn chunk_lines(data: &[u8]) -> impl Iterator<Item = (u64, usize, &[u8])> {
    let mut start = 0usize;
    let mut line = 0u64;
    std::iter::from_fn(move || {
        if start >= data.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
        line += 1;
        let text = &data[start..end];
        let offset = start;
        start = end + 1;
        Some((line, offset, text.strip_suffix(b"\r").unwrap_or(text)))
    })
}

fn process(
    mut chunk: Chunk,
    work: &Work,
    policy: &Policy<'_>,
    dense: bool,
    control: &Control,
) -> Done {
    if dense && matches!(work, Work::Lines) && chunk.overlong.is_none() {
        let mut tally = Tally::new(policy);
        (tally.res.outs, tally.res.metas) = control.outcomes();
        dense_lines(&mut tally, &chunk.data, control.batch());
        tally.close_groups();
        return Done {
            chunk,
            result: tally.res,
        };
    }
    let mut tally = Tally::new(policy);
    (tally.res.outs, tally.res.metas) = control.outcomes();
    match work {
        Work::Lines => {
            let mut lines = 0;
            for (line, offset, text) in chunk_lines(&chunk.data) {
                lines = line;
                tally.offset = offset;
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if let Some(total) = chunk.overlong {
                    tally.res.issues.push((
                        line,
                        MAX_LINE as u64 + 1,
                        format!("the line is {total} bytes long; only its first {MAX_LINE} bytes were read"),
                    ));
                }
                tally.check(text, line, 1);
            }
            tally.res.lines = lines;
        }
        Work::Json(fields) => {
            let mut lines = 0;
            for (line, offset, text) in chunk_lines(&chunk.data) {
                lines = line;
                tally.offset = offset;
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                check_json(&mut tally, text, line, fields, chunk.overlong);
            }
            tally.res.lines = lines;
        }
        Work::Table {
            columns,
            width,
            delimiter,
            header,
        } => {
            if chunk.table.is_none() {
                let skip_header = *header && chunk.seq == 0;
                let mut parsed = control.table();
                let lines = parse_block(&chunk.data, *delimiter, skip_header, &mut parsed);
                chunk.table = Some(parsed);
                tally.res.lines = lines;
            }
            if let Some(table) = &chunk.table {
                let meta = columns.has_meta();
                for row in &table.rows {
                    let field = |i: usize| -> Option<&[u8]> {
                        let e = table
                            .ends
                            .get(row.ends.start + i)
                            .filter(|_| row.ends.start + i < row.ends.end)?;
                        let s = if i == 0 {
                            row.field_base
                        } else {
                            table.ends[row.ends.start + i - 1]
                        };
                        table.fields.get(s..*e)
                    };
                    let raw = chunk.data.get(row.raw.clone()).unwrap_or_default();
                    let n = row.ends.len();
                    if *width > 0
                        && n != *width
                        && !(n == 1 && field(0).is_some_and(<[u8]>::is_empty))
                    {
                        tally.res.issues.push((
                            row.line,
                            1,
                            format!("ragged row: {n} fields where the first row has {width}"),
                        ));
                    }
                    if memchr::memchr(b'"', raw).is_some() {
                        check_quotes(&mut tally, raw, row.line, *delimiter);
                    }
                    match field(columns.isrc) {
                        Some(value) => {
                            let column = || {
                                if raw.is_empty() {
                                    columns.isrc as u64 + 1
                                } else {
                                    field_range(raw, *delimiter, columns.isrc)
                                        .map_or(1, |r| r.start as u64 + 1)
                                }
                            };
                            tally.check_with(value, row.line, column);
                        }
                        None => tally.missing(
                            row.line,
                            1,
                            format!(
                                "missing value: the row has {n} fields, the ISRC is in column {}",
                                columns.isrc + 1
                            ),
                        ),
                    }
                    if meta {
                        let title = columns.title.and_then(field);
                        let artist = columns.artist.and_then(field);
                        let title_artist = (title.is_some() || artist.is_some()).then(|| {
                            fold_hash_bytes(&[
                                title.unwrap_or_default(),
                                artist.unwrap_or_default(),
                            ])
                        });
                        let m = Meta::new(
                            title_artist,
                            columns
                                .version
                                .and_then(field)
                                .map(|v| fold_hash_bytes(&[v])),
                            columns
                                .duration
                                .and_then(|(i, unit)| field(i).and_then(|f| duration_of(f, unit))),
                        );
                        tally.res.metas.push(m);
                    }
                }
            }
        }
    }
    tally.close_groups();
    tally.res.records = tally.res.outs.len() as u64;
    Done {
        chunk,
        result: tally.res,
    }
}

/// A chunk of a plain list for the dense index: compact codes whose verdict is clean are
/// counted per group and go into bit pages; every other line takes the long way
/// ([`Tally::check`]).
fn dense_lines(tally: &mut Tally<'_, '_>, data: &[u8], mut batch: PageBatch) {
    let mut memo = GroupMemo::new();
    let mut counted = 0u64;
    let mut line = 0u64;
    let mut start = 0usize;
    while start < data.len() {
        let (next, taken) = take_known_codes(data, start, &mut memo, &mut batch);
        start = next;
        line += taken;
        counted += taken;
        if start >= data.len() {
            break;
        }
        line += 1;
        // Most lines are a compact code and its \n: try that before searching for the \n.
        let (text, key) = match data.get(start + 12) {
            Some(b'\n') if let Some(key) = compact_key(&data[start..start + 12]) => {
                start += 13;
                (&data[start - 13..start - 1], Some(key))
            }
            _ => {
                let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
                let text = &data[start..end];
                start = end + 1;
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                (text, compact_key(text))
            }
        };
        if let Some(code) = key.and_then(Isrc::from_u64)
            && let Ok(compact) = <&[u8; 12]>::try_from(text)
        {
            if let Err(group) = memo.count(compact) {
                // A new group: its verdict from the core, remembered when clean.
                match tally.cache.compact(text) {
                    Some(v)
                        if v.fix.is_none() && v.severity.is_none_or(|s| s < Severity::Warning) =>
                    {
                        let slot = tally.slot(prefix_key(&text[..5]));
                        if let Some(evicted) = memo.insert(group, code.to_u64(), v.rules, slot) {
                            tally.add_group(evicted);
                        }
                    }
                    _ => {
                        tally.check(text, line, 1);
                        continue;
                    }
                }
            }
            counted += 1;
            batch.insert(code.to_u64());
            continue;
        }
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        tally.check(text, line, 1);
    }
    for group in memo.drain().collect::<Vec<_>>() {
        tally.add_group(group);
    }
    for out in tally.res.outs.drain(..) {
        if let Some(code) = out.code {
            batch.insert(code.to_u64());
        }
        counted += 1;
    }
    batch.close();
    tally.res.lines = line;
    tally.res.records = counted;
    tally.res.batch = Some(batch);
}

fn check_json(
    tally: &mut Tally<'_, '_>,
    bytes: &[u8],
    line: u64,
    fields: &JsonFields,
    overlong: Option<u64>,
) {
    if let Some(total) = overlong {
        tally.missing(
            line,
            MAX_LINE as u64 + 1,
            format!("the line is {total} bytes long; only its first {MAX_LINE} bytes were read"),
        );
        return;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            tally.missing(
                line,
                e.valid_up_to() as u64 + 1,
                "invalid UTF-8: JSON text must be UTF-8".into(),
            );
            return;
        }
    };
    match json_lookup(text, &fields.isrc) {
        Err(e) => tally.missing(line, e.column() as u64, format!("not a JSON object: {e}")),
        Ok(None) => tally.missing(
            line,
            1,
            format!(
                "missing value: no {:?} in this object",
                fields.isrc.join(".")
            ),
        ),
        Ok(Some((raw, offset))) => {
            let value = json_text(raw);
            tally.check(value.as_bytes(), line, offset as u64 + 1);
            if fields.title.is_some()
                || fields.artist.is_some()
                || fields.version.is_some()
                || fields.duration.is_some()
            {
                let get = |p: &Option<Vec<String>>| -> Option<String> {
                    p.as_ref()
                        .and_then(|p| json_lookup(text, p).ok().flatten())
                        .map(|(raw, _)| json_text(raw).into_owned())
                };
                let title = get(&fields.title);
                let artist = get(&fields.artist);
                let title_artist = (title.is_some() || artist.is_some()).then(|| {
                    fold_hash_parts(&[
                        title.as_deref().unwrap_or(""),
                        artist.as_deref().unwrap_or(""),
                    ])
                });
                let duration = fields.duration.as_ref().and_then(|(p, unit)| {
                    json_lookup(text, p)
                        .ok()
                        .flatten()
                        .and_then(|(raw, _)| parse_duration(&json_text(raw), *unit))
                });
                tally.res.metas.push(Meta::new(
                    title_artist,
                    get(&fields.version).map(|v| fold_hash(&v)),
                    duration,
                ));
            }
            return;
        }
    }
    if fields.title.is_some()
        || fields.artist.is_some()
        || fields.version.is_some()
        || fields.duration.is_some()
    {
        tally.res.metas.push(Meta::default());
    }
}

/// The text of a JSON value: a string's contents, or the value as written.
fn json_text(raw: &RawValue) -> Cow<'_, str> {
    let s = raw.get();
    if s.starts_with('"') {
        if !s.contains('\\') && s.len() >= 2 {
            return Cow::Borrowed(&s[1..s.len() - 1]);
        }
        if let Ok(v) = serde_json::from_str::<String>(s) {
            return Cow::Owned(v);
        }
    }
    if s == "null" {
        return Cow::Borrowed("");
    }
    Cow::Borrowed(s)
}

/// Follows a key path; returns the raw value and its byte offset in `line`.
fn json_lookup<'a>(
    line: &'a str,
    path: &[String],
) -> Result<Option<(&'a RawValue, usize)>, serde_json::Error> {
    let mut current: &'a RawValue = serde_json::from_str(line)?;
    if !current.get().starts_with('{') {
        return Err(serde::de::Error::custom("the line is not a JSON object"));
    }
    for key in path {
        let s = current.get();
        let next = if s.starts_with('{') {
            let map: HashMap<String, &'a RawValue> = serde_json::from_str(s)?;
            map.get(key.as_str()).copied()
        } else if s.starts_with('[') {
            let list: Vec<&'a RawValue> = serde_json::from_str(s)?;
            key.parse::<usize>().ok().and_then(|i| list.get(i).copied())
        } else {
            None
        };
        match next {
            Some(v) => current = v,
            None => return Ok(None),
        }
    }
    let offset = current.get().as_ptr() as usize - line.as_ptr() as usize;
    Ok(Some((current, offset)))
}

/// Reports an unbalanced quote in a CSV record: a quote inside an unquoted field, or a
/// quoted field that is never closed.
fn check_quotes(tally: &mut Tally<'_, '_>, raw: &[u8], line: u64, delimiter: u8) {
    let count = memchr::memchr_iter(b'"', raw).count();
    if count.is_multiple_of(2) {
        return;
    }
    // The first quote in a field that does not start with one, else the last opening quote.
    let mut field_start = 0usize;
    let mut quoted = false;
    let mut culprit = None;
    let mut last_open = None;
    for (i, &b) in raw.iter().enumerate() {
        if b == b'"' {
            if i == field_start && !quoted {
                quoted = true;
                last_open = Some(i);
            } else if quoted {
                quoted = false;
                if raw.get(i + 1) == Some(&b'"') {
                    quoted = true;
                }
            } else if culprit.is_none() {
                culprit = Some(i);
            }
        } else if !quoted && (b == delimiter || b == b'\n') {
            field_start = i + 1;
        }
    }
    let at = culprit.or(last_open).unwrap_or(0);
    let (dl, col) = line_col(raw, at);
    let message = if culprit.is_some() {
        "broken quoting: a quote inside an unquoted field (quote the field and double the quote)"
    } else {
        "broken quoting: this quoted field is never closed, so the lines after it were read as part of it"
    };
    tally.res.issues.push((line + dl, col, message.into()));
}

/// Line offset and 1-based column of byte `at` within `raw`.
fn line_col(raw: &[u8], at: usize) -> (u64, u64) {
    let before = &raw[..at.min(raw.len())];
    let lines = memchr::memchr_iter(b'\n', before).count() as u64;
    let col = at - memchr::memrchr(b'\n', before).map_or(0, |p| p + 1) + 1;
    (lines, col as u64)
}

/// The byte range of field `k` of a raw CSV record (inside the quotes for a quoted field).
pub(crate) fn field_range(raw: &[u8], delimiter: u8, k: usize) -> Option<Range<usize>> {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let mut index = 0;
    let mut i = 0;
    loop {
        let start = i;
        let quoted = raw.get(i) == Some(&b'"');
        if quoted {
            i += 1;
            loop {
                match raw.get(i) {
                    None => break,
                    Some(b'"') if raw.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
        }
        while i < raw.len() && raw[i] != delimiter {
            i += 1;
        }
        if index == k {
            return Some(if quoted && i >= start + 2 && raw[i - 1] == b'"' {
                start + 1..i - 1
            } else {
                start..i
            });
        }
        if i >= raw.len() {
            return None;
        }
        i += 1;
        index += 1;
    }
}

/// The sample rows of a delimited head (complete lines only).
fn sample_rows(head: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let complete = match memchr::memrchr(b'\n', head) {
        Some(p) if head.len() >= 64 * 1024 => &head[..=p],
        _ => head,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(complete);
    rdr.byte_records()
        .take(100)
        .filter_map(Result::ok)
        .map(|r| {
            r.iter()
                .map(|f| String::from_utf8_lossy(f).trim().to_owned())
                .collect()
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn view<'a>(
    chunk: &'a Chunk,
    i: usize,
    out: &Out,
    work: &Work,
    file: &'a str,
    number: u64,
    line: u64,
    duplicate_of: Option<u64>,
) -> CheckedRecord<'a> {
    let lossy = |b: &'a [u8]| String::from_utf8_lossy(b);
    let (raw, value_range, fields, value) = match (work, &chunk.table) {
        (
            Work::Table {
                columns, delimiter, ..
            },
            Some(table),
        ) => {
            let row = &table.rows[i];
            let fields: Vec<Cow<'a, str>> = row
                .ends
                .clone()
                .map(|e| {
                    let s = if e == row.ends.start {
                        row.field_base
                    } else {
                        table.ends[e - 1]
                    };
                    lossy(&table.fields[s..table.ends[e]])
                })
                .collect();
            let raw = chunk.data.get(row.raw.clone()).filter(|r| !r.is_empty());
            let value = fields.get(columns.isrc).cloned().unwrap_or_default();
            let range = raw.and_then(|r| field_range(r, *delimiter, columns.isrc));
            (raw, range, fields, value)
        }
        _ => {
            let (raw, content) = line_at(&chunk.data, out.offset);
            let value_range = match work {
                Work::Json(fields) => std::str::from_utf8(content).ok().and_then(|t| {
                    let (v, offset) = json_lookup(t, &fields.isrc).ok().flatten()?;
                    let s = v.get();
                    (s.starts_with('"') && !s.contains('\\') && s.len() >= 2)
                        .then(|| offset + 1..offset + s.len() - 1)
                }),
                _ => Some(0..content.len()),
            };
            let value = match work {
                Work::Json(fields) => std::str::from_utf8(content)
                    .ok()
                    .and_then(|t| json_lookup(t, &fields.isrc).ok().flatten())
                    .map(|(v, _)| Cow::Owned(json_text(v).into_owned()))
                    .unwrap_or_default(),
                _ => lossy(content),
            };
            (Some(raw), value_range, vec![lossy(content)], value)
        }
    };
    CheckedRecord {
        file,
        number,
        line,
        raw,
        value_range,
        fields,
        value,
        isrc: out.code,
        valid: out.valid,
        rules: out.rules,
        fix: out.fix,
        duplicate_of,
    }
}

/// Where record `i` is in the chunk's data.
fn record_span(chunk: &Chunk, i: usize, out: &Out) -> Range<usize> {
    match &chunk.table {
        Some(table) => table.rows.get(i).map_or(0..0, |r| r.raw.clone()),
        None => {
            let (raw, _) = line_at(&chunk.data, out.offset);
            out.offset..out.offset + raw.len()
        }
    }
}

/// The line starting at `start` in a chunk: with its ending, and without.
fn line_at(data: &[u8], start: usize) -> (&[u8], &[u8]) {
    let start = start.min(data.len());
    let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p + 1);
    let raw = &data[start..end];
    let content = raw.strip_suffix(b"\n").unwrap_or(raw);
    let content = content.strip_suffix(b"\r").unwrap_or(content);
    (raw, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ranges() {
        let raw = b"a,\"b,\"\"c\",USRC17607839\r\n";
        assert_eq!(field_range(raw, b',', 0), Some(0..1));
        assert_eq!(field_range(raw, b',', 1), Some(3..8));
        assert_eq!(&raw[field_range(raw, b',', 2).unwrap()], b"USRC17607839");
        assert_eq!(field_range(raw, b',', 3), None);
    }

    /// A file that vanishes mid-read: lines, then an I/O error.
    struct Vanishing {
        left: usize,
    }

    impl Read for Vanishing {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::Error::new(io::ErrorKind::NotFound, "stale file handle"));
            }
            let line = b"CBYZ92200001\n";
            let n = (out.len() / line.len()).min(self.left);
            for i in 0..n {
                out[i * line.len()..(i + 1) * line.len()].copy_from_slice(line);
            }
            self.left -= n;
            Ok(n * line.len())
        }
    }

    #[test]
    fn a_file_vanishing_mid_read() {
        for (name, format) in [("v.txt", None), ("v.csv", Some(InputFormat::Csv))] {
            let policy = Policy::new("2026-11-22".parse().unwrap());
            let options = Options {
                format,
                columns: ColumnOverrides {
                    isrc: Some(crate::ColumnSpec::Number(1)),
                    ..ColumnOverrides::default()
                },
                ..Options::default()
            };
            let mut checker = Checker::new(policy, options);
            let err = checker
                .check_reader(name, Vanishing { left: 200_000 }, None)
                .unwrap_err();
            assert_eq!(err.location.file, name);
            assert!(err.message.contains("stale file handle"), "{err}");
            assert!(err.message.contains("reading stopped after"), "{err}");
            assert!(err.location.line > 1, "{err}");
            let summary = checker.finish();
            assert!(summary.records > 0 && summary.records <= 200_000);
            assert_eq!(summary.invalid, 0);
        }
    }

    proptest::proptest! {
        /// `field_range` finds what the csv crate wrote, quoted or not.
        #[test]
        fn field_range_agrees_with_the_csv_writer(
            fields in proptest::collection::vec("[a-zA-Z0-9 ,\"\n-]{0,8}", 1..6),
            crlf in proptest::bool::ANY,
        ) {
            let mut writer = csv::WriterBuilder::new()
                .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
                .from_writer(Vec::new());
            writer.write_record(&fields).unwrap();
            let raw = writer.into_inner().unwrap();
            for (k, field) in fields.iter().enumerate() {
                let range = field_range(&raw, b',', k).unwrap();
                let quoted = range.start > 0 && raw[range.start - 1] == b'"';
                let text = String::from_utf8(raw[range].to_vec()).unwrap();
                let text = if quoted { text.replace("\"\"", "\"") } else { text };
                proptest::prop_assert_eq!(&text, field);
            }
            proptest::prop_assert!(field_range(&raw, b',', fields.len()).is_none());
        }
    }

    /// A CSV catalogue checked after a plain list (which uses bit pages) still has its
    /// conflicts found, and duplicates across the two inputs are counted once.
    #[test]
    fn plain_list_duplicates_counted_from_bits() {
        // Small chunks, so that repeats meet both within a chunk and across chunks; 30
        // twice-seen codes (more than the report names) and two seen more often.
        let policy = Policy::new("2026-11-22".parse().unwrap());
        let mut checker = Checker::new(policy, Options::default());
        checker.set_chunk_bytes(64);
        let mut list = String::new();
        for _ in 0..2 {
            for d in (1..=30).rev() {
                list.push_str(&format!("CBYZ926{d:05}\n"));
            }
        }
        for _ in 0..3 {
            list.push_str("GBAYE0601498\n");
        }
        for _ in 0..4 {
            list.push_str("USRC17607839\n");
        }
        checker
            .check_reader("codes.txt", std::io::Cursor::new(list), None)
            .unwrap();
        let summary = checker.finish();
        assert_eq!(summary.records, 67);
        assert_eq!(summary.duplicate_isrcs, 32);
        let top: Vec<_> = summary
            .top_duplicates
            .iter()
            .map(|d| (d.isrc.to_string(), d.records, d.first_record))
            .collect();
        assert_eq!(top.len(), TOP_DUPLICATES);
        assert_eq!(top[0], ("USRC17607839".to_owned(), 4, None));
        assert_eq!(top[1], ("GBAYE0601498".to_owned(), 3, None));
        // Then the twice-seen codes, lowest first.
        for (i, d) in top[2..].iter().enumerate() {
            assert_eq!(d, &(format!("CBYZ926{:05}", i + 1), 2, None));
        }
    }

    #[test]
    fn conflicts_after_a_plain_list() {
        let policy = Policy::new("2026-11-22".parse().unwrap());
        let mut checker = Checker::new(policy, Options::default());
        let list = "USRC17607839\nGBAYE0601498\nGBAYE0601498\n";
        checker
            .check_reader("codes.txt", list.as_bytes(), None)
            .unwrap();
        let csv = "isrc,title,artist\nUSRC17607839,Yesterday,The Band\n\
                   USRC17607839,Tomorrow,The Band\nFRZ039800212,Song,Someone\n";
        checker
            .check_reader("catalogue.csv", csv.as_bytes(), None)
            .unwrap();
        let summary = checker.finish();
        assert_eq!(summary.records, 6);
        assert_eq!(summary.duplicate_isrcs, 2);
        assert_eq!(summary.conflicting_isrcs, 1);
        let top: Vec<_> = summary
            .top_duplicates
            .iter()
            .map(|d| (d.isrc.to_string(), d.records, d.conflict))
            .collect();
        assert_eq!(
            top,
            [
                ("USRC17607839".to_owned(), 3, true),
                ("GBAYE0601498".to_owned(), 2, false)
            ]
        );
    }

    #[test]
    fn prefixes() {
        assert_eq!(prefix_text(guess_prefix("usrc176O7839")), "USRC1");
        assert_eq!(prefix_text(guess_prefix("ISRC US-RC1-76-O7839")), "USRC1");
        assert_eq!(guess_prefix("0602557012347"), 0);
    }
}
