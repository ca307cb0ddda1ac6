//! The checker: splits inputs into chunks, checks chunks in parallel, merges the results in
//! input order into the cross-record index.
//!
//! - [`formats`]: format detection and columns; [`chunks`]: inputs cut into chunks;
//! - [`worker`] (and [`json`]): the records of a chunk checked, with [`verdicts`] tallied;
//! - [`index`]: duplicates and conflicts; [`summary`]: the report; [`sink`]: what sinks see.

mod against;
mod chunks;
mod code_log;
mod columns_used;
mod exchange;
mod formats;
mod index;
mod json;
mod json_array;
mod many_files;
mod parquet;
mod partition;
mod places;
mod recordings;
mod sink;
mod spill;
mod summary;
mod verdicts;
mod worker;

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use isrc::{Isrc, Policy};

use crate::layout::{ColumnOverrides, InputFormat};
use crate::report::{
    CheckError, DEFAULT_MAX_LISTED, InputColumns, InputIssue, InvalidCode, Listed, Location,
};
use crate::source;

pub use self::against::{Catalogue, Changed, Comparison, Located};
use self::chunks::{CHUNK, Shared, Used};
pub(crate) use self::chunks::{Chunk, ChunkSource, Control};
use self::index::{FastMap, Index};
pub use self::sink::{CellCode, CheckedRecord, FirstRecord, InputInfo, RecordSink};
use self::sink::{record_span, view};
use self::verdicts::PrefixAgg;
use self::worker::{Done, Work, process};

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
    /// How many entries each list of the report holds (`--max-listed`); `None`: 1,000.
    pub max_listed: Option<usize>,
    /// Lines to skip at the start of each input, passed through to `--fix` unchanged
    /// (`--skip-rows`: exports with a title block above the header).
    pub skip_rows: u64,
    /// The text encoding of the inputs (`--encoding`); `None`: UTF-8, or UTF-16 when a byte
    /// order mark says so.
    pub encoding: Option<crate::TextEncoding>,
    /// Bytes of memory the duplicate index may use before it spills to a temporary file
    /// (`--memory`); `None`: a quarter of the machine's memory ([`default_memory`]).
    pub memory: Option<u64>,
    /// Keep every record's code, line and folded title/artist/version/duration for a
    /// comparison of two versions of a catalogue (`--against`, [`Checker::take_catalogue`]);
    /// 32 bytes a record.
    pub compare: bool,
}

/// The default memory budget: a quarter of the machine's memory (`MemTotal` in
/// `/proc/meminfo`), or 2 GiB where that cannot be read.
///
/// ```
/// assert!(isrc_check::default_memory() >= 1 << 20);
/// ```
pub fn default_memory() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    });
    total.map_or(2 << 30, |t| (t / 4).max(1 << 20))
}

/// The part of the memory budget the index's partitions may hold: the rest is for the
/// chunks in flight, the per-prefix tallies and the tally at the end.
fn index_limit(memory: u64) -> usize {
    usize::try_from(memory - memory / 4).unwrap_or(usize::MAX)
}

/// The bytes of code logs kept in memory under a memory budget (an eighth of it; the rest
/// goes to a temporary file).
fn log_limit(memory: u64) -> usize {
    usize::try_from(memory / 8).unwrap_or(usize::MAX)
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
    /// With a sink: the first position of every code, for `duplicate_of`.
    firsts: FastMap<u64, u64>,
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
    /// The input's line of each line the workers see, when they differ (a JSON array's
    /// elements, one a line).
    line_map: Option<Arc<[u64]>>,
    /// The report's list of invalid codes.
    invalid_codes: Listed<InvalidCode>,
    /// A chunk kept fewer invalid values than it had: the list takes no more.
    invalid_list_closed: bool,
    /// The columns used in each input.
    inputs: Vec<InputColumns>,
    /// Recordings seen, for one recording under two codes.
    recordings: recordings::Recordings,
    /// The lines skipped at the start of the input being checked (`--skip-rows`).
    skipped: (Vec<u8>, u64),
    /// With [`Options::compare`]: every code, for `--against`.
    catalogue: Option<against::Catalogue>,
    /// Codes beyond the first of cells holding several.
    extra_codes: u64,
    /// The file and lines of every chunk's records, for the lines of the report's duplicates.
    places: places::Places,
    /// The codes of the chunks checked with bit pages, for the lines of their duplicates.
    code_logs: code_log::CodeLogs,
    /// DDEX ERN and DSR inputs: their own rules' findings and figures.
    exchange: crate::formats::Exchange,
}

impl<'p> Checker<'p> {
    /// A checker with `policy` (today's date, prefix table) and `options`.
    pub fn new(policy: Policy<'p>, options: Options) -> Self {
        let limit = index_limit(options.memory.unwrap_or_else(default_memory));
        Checker {
            policy,
            index: Arc::new(Index::new(limit)),
            firsts: FastMap::default(),
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
            line_map: None,
            invalid_codes: Listed::default(),
            invalid_list_closed: false,
            inputs: Vec::new(),
            recordings: recordings::Recordings::default(),
            skipped: (Vec::new(), 0),
            catalogue: options.compare.then(against::Catalogue::default),
            extra_codes: 0,
            places: places::Places::default(),
            code_logs: code_log::CodeLogs::new(log_limit(
                options.memory.unwrap_or_else(default_memory),
            )),
            exchange: crate::formats::Exchange::default(),
            options,
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
        let opened = source::open(path, &name, self.options.encoding)?;
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
        let opened = source::from_reader(Box::new(reader), name, None, self.options.encoding)?;
        self.check_opened(name, opened, sink, &mut |_, _| {})
    }

    /// The codes of the inputs checked so far, for [`Catalogue::compare`] (empty unless
    /// [`Options::compare`] is set).
    pub fn take_catalogue(&mut self) -> Catalogue {
        let mut catalogue = self.catalogue.take().unwrap_or_default();
        catalogue.problems(self.issue_count);
        self.catalogue = self.options.compare.then(Catalogue::default);
        catalogue
    }

    /// How many entries each list of the report keeps.
    pub(super) fn max_listed(&self) -> usize {
        self.options.max_listed.unwrap_or(DEFAULT_MAX_LISTED)
    }

    fn issue(&mut self, file: &str, line: u64, column: u64, message: String) {
        self.issue_count += 1;
        if self.issues.len() < self.max_listed() {
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
}

impl<'p> Checker<'p> {
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
        let (skipped, skipped_lines) = std::mem::take(&mut self.skipped);
        if let Some(s) = sink.as_deref_mut() {
            s.start(info)
                .and_then(|()| {
                    if skipped.is_empty() {
                        Ok(())
                    } else {
                        s.passthrough(&skipped)
                    }
                })
                .map_err(|e| CheckError::new(name, 1, 1, format!("cannot write output: {e}")))?;
        }
        let cancel = Control::new(self.chunk);
        let policy = self.policy;
        let keep = sink.is_some();
        let index = Arc::clone(&self.index);
        let index = &*index;
        let seq_base = self.bases.len() as u64;
        // Positions are kept when something needs the first record of a code (a sink, gap
        // analysis, --against) or when the input has metadata. A plain list goes to the
        // bit pages, and for the report's lists its chunks log their codes, whose lines are
        // looked up at the end only for the codes that are repeated.
        let compare = self.options.compare;
        let dense =
            index.choose(!keep && !self.options.gaps && !compare && matches!(work, Work::Lines));
        let log_codes = dense && self.max_listed() > 0;
        self.places.file(name);
        let (done_tx, done_rx) = sync_channel::<Done>(2);
        let mut state = MergeState {
            name,
            lines: skipped_lines,
            file_records: 0,
            bytes: 0,
            start: skipped.len() as u64
                + if info.bom && info.encoding.is_none() {
                    3 * (1 + info.extra_marks as u64)
                } else {
                    0
                },
            sink_error: None,
        };
        // A worker's part once it has a chunk: check it, add its codes to the index (order
        // does not matter there: positions say which record came first), and hand it to the
        // merge.
        let work_on = move |chunk: Chunk, control: &Control| {
            let mut done = process(chunk, work, &policy, dense, compare, log_codes, control);
            if let Some(batch) = done.result.batch.take() {
                index.add_pages(&batch);
                control.give_batch(batch);
            } else {
                let pos = (seq_base + done.chunk.seq) << 32;
                let result = &done.result;
                if result.extras.is_empty() {
                    index.add(&result.outs, &result.metas, pos, |i| i as u64);
                } else {
                    index.add(&result.outs, &result.metas, pos, |i| result.out_rank(i));
                    index.add(&result.extras, &[], pos, |j| result.extra_rank(j));
                }
            }
            if index.failed() {
                control.cancel.store(true, Ordering::Relaxed);
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
        let read_result = if std::mem::take(&mut self.exchange.inline) {
            // Rows already in memory and few (an ERN message's): checked on this thread, as
            // starting workers for them would cost more than the checks.
            let (tx, rx) = std::sync::mpsc::channel();
            drop(done_tx);
            let mut shared = chunks.into_inner().unwrap_or_else(PoisonError::into_inner);
            let mut read = || -> io::Result<()> {
                while let Some(chunk) = shared.next(&cancel)? {
                    let _ = tx.send(work_on(chunk, &cancel));
                }
                Ok(())
            };
            let read = read();
            drop(tx);
            self.merge_all(rx, &mut state, work, &mut sink, progress, size, &cancel);
            Ok(read)
        } else {
            std::thread::scope(|scope| {
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
                    done_rx, &mut state, work, &mut sink, progress, size, control,
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
            })
        };
        self.bytes += state.bytes;
        if let Some(e) = index.take_error() {
            return Err(CheckError::new(
                name,
                state.lines + 1,
                1,
                format!(
                    "cannot write the duplicate index to a temporary file in {} ({e}); \
                     the duplicate and conflict figures are incomplete",
                    std::env::temp_dir().display()
                ),
            ));
        }
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
                let (line, column) = source::error_place(&e, state.lines + 1);
                return Err(CheckError::new(
                    name,
                    line,
                    column,
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
        if state.file_records == 0 {
            return Err(CheckError::new(
                name,
                1,
                1,
                "no records: the file holds only a header or blank lines, so there is nothing to check",
            ));
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
    ) {
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0u64;
        for done in done_rx {
            pending.insert(done.chunk.seq, done);
            while let Some(done) = pending.remove(&next) {
                next += 1;
                if state.sink_error.is_none() {
                    let used = self.merge(done, state, work, sink);
                    if self.invalid_codes.listed.len() >= self.max_listed() {
                        cancel.listed_enough.store(true, Ordering::Relaxed);
                    }
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
    ) -> Used {
        let Done { chunk, mut result } = done;
        let name = state.name;
        let relative = chunk.relative_lines;
        let line_base = if relative { state.lines } else { 0 };
        let line_map = self.line_map.clone();
        let abs = |line: u64| {
            let line = line + line_base;
            line_map
                .as_ref()
                .and_then(|map| map.get(line.wrapping_sub(1) as usize).copied())
                .unwrap_or(line)
        };
        // Invalid UTF-8 is named by its byte offset too: where the chunk starts in the input
        // (the byte order mark and --skip-rows lines first) plus its place in the chunk.
        let base = state.start + state.bytes;
        let mut utf8 = result.utf8_at.iter().peekable();
        for (i, (line, column, message)) in result.issues.iter().enumerate() {
            let message = match utf8.next_if(|(k, _)| *k == i) {
                Some(&(_, Some(offset))) => message.replacen(
                    "invalid UTF-8",
                    &format!(
                        "invalid UTF-8 at byte offset {} in the input",
                        base + offset as u64
                    ),
                    1,
                ),
                _ => message.clone(),
            };
            self.issue(name, abs(*line), *column, message);
        }
        for issue in &chunk.issues {
            self.issue(name, issue.0, issue.1, issue.2.clone());
        }
        let cap = self.max_listed();
        let kept = result.invalid_values.len() as u64;
        for mut invalid in std::mem::take(&mut result.invalid_values) {
            if self.invalid_list_closed {
                self.invalid_codes.total += 1;
                continue;
            }
            invalid.file = name.to_owned();
            invalid.line = abs(invalid.line);
            self.invalid_codes.push(invalid, cap);
        }
        // The values a chunk did not keep are still counted; the list, which holds the
        // first ones in input order, takes no later ones.
        self.invalid_codes.total += result.invalid.saturating_sub(kept);
        if result.invalid > kept {
            self.invalid_list_closed = true;
        }
        self.valid += result.valid;
        self.invalid += result.invalid;
        for (a, b) in self.by_rule.iter_mut().zip(result.by_rule.iter()) {
            *a += u64::from(*b);
        }
        for (key, agg) in std::mem::take(&mut result.prefixes) {
            let target = self.prefixes.entry(key).or_default();
            target.records += agg.records;
            let Some(agg) = agg.problems else {
                continue;
            };
            let target = target.problems_mut();
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
        if let Some(catalogue) = self.catalogue.as_mut() {
            catalogue.file(name);
            catalogue.add(&result.outs, &result.compared, &abs);
            catalogue.add(&result.extras, &[], &abs);
        }
        let record_base = self.records;
        self.extra_codes += result.extras.len() as u64;
        let global_seq = self.bases.len() as u64;
        self.bases.push(record_base);
        if let Some(log) = result.log.take() {
            if log.linear() && self.line_map.is_none() {
                self.places.linear_chunk(abs(log.first_line()));
            } else {
                self.places.chunk(log.each_line().map(&abs));
            }
            self.code_logs.push(global_seq, log.codes);
        } else {
            // A chunk that went to the bit pages unlogged has no records left in `outs`.
            self.places.chunk(result.lines_in_order().map(&abs));
        }
        let mut cursor = 0usize;
        let mut extras_given = 0usize;
        let (wants_first, text_fields) = sink.as_ref().map_or((false, false), |s| {
            (s.wants_duplicate_of(), s.wants_text_fields())
        });
        if !result.recordings.is_empty() {
            self.recordings.file(name);
        }
        for (i, out) in result.outs.iter().enumerate() {
            let number = record_base + result.out_rank(i) + 1;
            if let Some(code) = out.code
                && let Some(&recording) = result.recordings.get(i)
                && recording != 0
            {
                let duration = result.metas.get(i).map_or(f32::NAN, |m| m.duration[0]);
                self.recordings
                    .see(recording, code, duration, abs(out.line), cap);
            }
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
                // The later codes of a cell are numbered right after its first (line order).
                let extra_number = number + 1;
                let (mut record, taken) = view(
                    &chunk,
                    i,
                    out,
                    work,
                    (name, number, abs(out.line)),
                    (&result.extras[extras_given..], extra_number),
                    text_fields,
                );
                // A sink is told, in order, the first record of each repeated code: a map
                // of the codes of the inputs checked with a sink (the CLI takes one input
                // then). The later codes of a cell come right after its first.
                if wants_first {
                    record.duplicate_of =
                        self.first_record(out.code, (global_seq << 32) | result.out_rank(i));
                    for (k, code) in record.more.iter_mut().enumerate() {
                        let rank = result.extra_rank(extras_given + k);
                        code.duplicate_of = self.first_record(code.isrc, (global_seq << 32) | rank);
                    }
                }
                extras_given += taken;
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

    /// With a sink: where the first record of `code` is, when the record at index position
    /// `pos` (given in input order) is not it.
    fn first_record(&mut self, code: Option<Isrc>, pos: u64) -> Option<FirstRecord> {
        let first = *self.firsts.entry(code?.to_u64()).or_insert(pos);
        if first == pos {
            return None;
        }
        let number = self.record_number(first)?;
        let place = self.places.place(first)?;
        Some(FirstRecord {
            file: place.file,
            line: place.line,
            number,
        })
    }

    /// The record number of an index position.
    fn record_number(&self, pos: u64) -> Option<u64> {
        record_number(&self.bases, pos)
    }
}

/// The record number of an index position, given the record number before each chunk.
fn record_number(bases: &[u64], pos: u64) -> Option<u64> {
    let base = bases.get((pos >> 32) as usize)?;
    Some(base + (pos & 0xFFFF_FFFF) + 1)
}

struct MergeState<'n> {
    name: &'n str,
    lines: u64,
    file_records: u64,
    bytes: u64,
    /// Where the first chunk starts in the input: after a UTF-8 byte order mark and the
    /// lines --skip-rows skipped.
    start: u64,
    sink_error: Option<io::Error>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
