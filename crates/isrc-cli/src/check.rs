//! `isrc check`: bulk data quality for catalogue files (the `isrc-check` crate).

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Args, ValueEnum};
use isrc_check::{
    AnnotateWriter, CheckError, Checker, ColumnOverrides, ColumnSpec, FixWriter, InputFormat,
    Options, RecordSink, Summary,
};

use crate::check_report::{write_findings_csv, write_human, write_prefix_csv};
use crate::context::Context;
use crate::context::GlobalArgs;
use crate::output::AtomicOutput;
use crate::style;

/// The exit statuses, for `--help` and the README.
const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  every input was read, and nothing that --fail-on names was found
  1  something --fail-on names was found (by default: an invalid code or an input problem,
     such as a ragged row, an unclosed quote or a line that is not JSON)
  2  an input could not be checked (missing, unreadable, binary, empty, no records, no ISRC
     column), or the command line is wrong; --annotate and --fix files are then not written.
     The errors go to standard error. When no input at all was checked to its end, standard
     output stays empty in every --format (json too: no report of zeros that a program could
     take for a result); when some inputs of several were checked, their report is printed.

Outputs: --annotate and --fix write a temporary file beside the target and rename it into
place only when the whole check succeeded; an interrupted or failed run leaves an existing
file as it was. A name ending in .gz or .zst is compressed that way.

Standard input: `-` reads it, for example `curl -s https://example.org/cat.csv | isrc check -`.";

/// What makes the exit status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Invalid codes only.
    Errors,
    /// Invalid codes and input problems (the default).
    InputProblems,
    /// Invalid codes, input problems, and valid codes with a warning (display form, lower case...).
    Warnings,
    /// Nothing: 0 whenever every input was read.
    Never,
}

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for people.
    Human,
    /// One JSON object: the counts, the columns used, and the lists of what was found (docs/check-report.schema.json).
    Json,
    /// One finding a row, as CSV: kind,file,line,column,isrc,value,rule,fix,detail.
    Csv,
    /// The per-prefix table of systemic errors, as CSV.
    PrefixesCsv,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_STATUS_HELP)]
pub struct CheckArgs {
    /// Catalogue files (`-` is standard input): one code per line, CSV, TSV, JSON Lines, JSON arrays, xlsx, Parquet, DDEX ERN messages (3.4-4.3) and DSR reports, or any of these gzip- or Zstandard-compressed. A folder stands for the .xml, .csv, .tsv, .txt, .jsonl, .json, .xlsx and .parquet files under it, recursively (a folder of ERN messages is read in parallel).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// How many entries each list of the JSON and CSV reports holds (duplicates, conflicts,
    /// invalid codes, input problems), and lines each duplicate lists; the total is always
    /// beside it. 0: no lists (a plain list is then indexed one bit per code, faster).
    #[arg(long, value_name = "N", default_value_t = isrc_check::DEFAULT_MAX_LISTED)]
    pub max_listed: usize,

    /// What makes the exit status 1 (see "Exit status" below).
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = FailOn::InputProblems)]
    pub fail_on: FailOn,

    /// Input format, instead of detecting it: lines, csv, tsv, jsonl, xlsx, parquet, ern or dsr.
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format)]
    pub format_in: Option<InputFormat>,

    /// The text encoding of the inputs: utf-8 (default), latin1, cp1252 or utf-16 (UTF-16 with a byte order mark is recognised by itself). --fix writes the same encoding back.
    #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
    pub encoding: Option<isrc_check::TextEncoding>,

    /// Lines to skip before the header (exports with a title block above the table); they are
    /// counted in line numbers and copied unchanged by --fix.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub skip_rows: u64,

    /// JSON Lines: the dot-separated path of the ISRC (for example `track.isrc`).
    #[arg(long, value_name = "PATH")]
    pub field: Option<String>,

    /// xlsx: the sheet to read instead of the first.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,

    /// The ISRC column: a header name or a number from 1.
    #[arg(long, value_name = "NAME|NUMBER", value_parser = parse_column)]
    pub column: Option<ColumnSpec>,

    /// The track title column.
    #[arg(long, value_name = "NAME|NUMBER", value_parser = parse_column)]
    pub title_column: Option<ColumnSpec>,

    /// The main artist column.
    #[arg(long, value_name = "NAME|NUMBER", value_parser = parse_column)]
    pub artist_column: Option<ColumnSpec>,

    /// The version title column.
    #[arg(long, value_name = "NAME|NUMBER", value_parser = parse_column)]
    pub version_column: Option<ColumnSpec>,

    /// The duration column (m:ss, h:mm:ss, seconds, or milliseconds when the header ends in "ms").
    #[arg(long, value_name = "NAME|NUMBER", value_parser = parse_column)]
    pub duration_column: Option<ColumnSpec>,

    /// Report designation gaps and out-of-order allocations per (prefix, year): for a registrant checking its own ledger.
    #[arg(long)]
    pub gaps: bool,

    /// Write every record with its verdict to this CSV file (adds isrc_normalized, isrc_valid, isrc_findings, isrc_fix, and duplicate_of: FILE:LINE of the first record with the same ISRC); a cell of several codes gives one row per code.
    #[arg(long, value_name = "OUT.csv")]
    pub annotate: Option<PathBuf>,

    /// Write the input with safe fixes applied (valid codes in compact form, each code of a cell of several) to this file; everything else is copied unchanged.
    #[arg(long, value_name = "OUT")]
    pub fix: Option<PathBuf>,

    /// With --fix: also apply the suggested letter-for-digit fixes (O→0, I→1...).
    #[arg(long, requires = "fix")]
    pub fix_suggested: bool,

    /// Compare with an older version of the catalogue: codes added, removed, and those whose title, artist, version or duration changed (folded as for conflicts; durations within 10 s are the same). In every report format.
    #[arg(long, value_name = "OLD")]
    pub against: Option<PathBuf>,

    /// Memory for the duplicate index (for example 2G, 512M); past it the index spills to an unnamed temporary file in TMPDIR (removed however the check ends). Default: a quarter of the machine's memory.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory: Option<u64>,
}

/// A size in bytes: a number with an optional K, M, G or T suffix (powers of 1024; a
/// trailing B or iB is allowed): `2G`, `512M`, `1.5GiB`, `65536`.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix("ib"))
        .or_else(|| t.strip_suffix(['B', 'b']))
        .unwrap_or(t);
    let (number, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_uppercase()),
        _ => (t, ' '),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size (for example 2G, 512M or 1048576)"))?;
    let scale: u64 = match unit {
        ' ' => 1,
        'K' => 1 << 10,
        'M' => 1 << 20,
        'G' => 1 << 30,
        'T' => 1 << 40,
        _ => {
            return Err(format!(
                "{s:?}: the unit must be K, M, G or T (for example 2G)"
            ));
        }
    };
    if !value.is_finite() || value < 1.0 {
        return Err(format!("{s:?}: the size must be at least 1 byte"));
    }
    Ok((value * scale as f64) as u64)
}

fn parse_input_format(s: &str) -> Result<InputFormat, String> {
    s.parse()
}

fn parse_encoding(s: &str) -> Result<isrc_check::TextEncoding, String> {
    s.parse()
}

fn parse_column(s: &str) -> Result<ColumnSpec, String> {
    s.parse()
}

pub fn run(global: &GlobalArgs, args: CheckArgs) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let policy = context.policy();
    // Folders stand for the catalogue and message files under them (a folder of ERNs).
    let expanded = isrc_check::expand_inputs(&args.files).context("cannot list a folder")?;
    if expanded.skipped > 0 {
        anstream::eprintln!(
            "note: {} files under the folders given are not catalogues or messages (by their names) and were skipped",
            expanded.skipped
        );
    }
    let files = expanded.files;
    if files.is_empty() {
        bail!(
            "the folders given hold no catalogue or message files (.xml, .csv, .tsv, .txt, .jsonl, .json, .xlsx, .parquet)"
        );
    }
    if (args.fix.is_some() || args.annotate.is_some()) && files.len() != 1 {
        bail!("--fix and --annotate take exactly one input file");
    }
    for out in args.fix.iter().chain(args.annotate.iter()) {
        for input in &files {
            if same_file(input, out) {
                bail!(
                    "{} is an input; the input is never modified, so write to another file",
                    out.display()
                );
            }
        }
    }
    let options = Options {
        format: args.format_in,
        columns: ColumnOverrides {
            isrc: args.column.clone(),
            title: args.title_column.clone(),
            artist: args.artist_column.clone(),
            version: args.version_column.clone(),
            duration: args.duration_column.clone(),
        },
        field: args.field.clone(),
        sheet: args.sheet.clone(),
        gaps: args.gaps,
        max_listed: Some(args.max_listed),
        encoding: args.encoding,
        skip_rows: args.skip_rows,
        memory: args.memory,
        compare: args.against.is_some(),
    };
    // The older version first, on its own checker: only its codes are kept.
    let older = match &args.against {
        Some(old) => match check_older(policy, &options, old) {
            Ok(catalogue) => Some(catalogue),
            Err(e) => {
                anstream::eprintln!(
                    "{}error:{} --against: {e}",
                    style::ERROR.render(),
                    style::ERROR.render_reset()
                );
                return Ok(ExitCode::from(crate::EXIT_TROUBLE));
            }
        },
        None => None,
    };
    let mut annotate = match &args.annotate {
        Some(path) => Some(AnnotateWriter::new(AtomicOutput::create(path)?)),
        None => None,
    };
    let mut fix = match &args.fix {
        Some(path) => Some(FixWriter::new(
            AtomicOutput::create(path)?,
            args.fix_suggested,
        )),
        None => None,
    };
    let mut checker = Checker::new(policy, options);
    let mut errors: Vec<CheckError> = Vec::new();
    let show_progress = std::io::stderr().is_terminal();
    let many = files.len() > 1 && annotate.is_none() && fix.is_none();
    if many {
        // Many files (a folder of messages): read and parsed in parallel, a bar of files.
        let bar = show_progress.then(|| {
            let bar = progress_bar();
            bar.set_length(files.len() as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files ETA {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        let started = std::time::Instant::now();
        errors = checker.check_files(&files, &mut |done| {
            if let Some(bar) = &bar {
                bar.set_position(done as u64);
            }
        });
        tracing::info!(
            files = files.len(),
            ms = started.elapsed().as_millis() as u64,
            "read"
        );
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }
    for file in files.iter().filter(|_| !many) {
        let bar = show_progress.then(progress_bar);
        let mut progress = progress_to(bar.as_ref());
        let mut both = Both {
            a: annotate.as_mut().map(|a| a as &mut dyn RecordSink),
            b: fix.as_mut().map(|f| f as &mut dyn RecordSink),
        };
        let sink: Option<&mut dyn RecordSink> = if both.a.is_some() || both.b.is_some() {
            Some(&mut both)
        } else {
            None
        };
        let started = std::time::Instant::now();
        if let Err(e) = checker.check_path(file, sink, &mut progress) {
            tracing::info!(file = %file.display(), error = %e, "not checked to its end");
            errors.push(e);
        }
        drop(progress);
        tracing::info!(file = %file.display(), ms = started.elapsed().as_millis() as u64, "read");
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }
    // The outputs are renamed into place only when every input was checked to its end.
    let annotated = match annotate {
        Some(a) if errors.is_empty() => {
            Some(a.into_inner().context("cannot write the --annotate file")?)
        }
        _ => None,
    };
    let newer = checker.take_catalogue();
    let mut summary = checker.finish();
    summary.against = older.map(|old| newer.compare(old, args.max_listed));
    tracing::info!(
        records = summary.records,
        valid = summary.valid,
        invalid = summary.invalid,
        spilled_bytes = summary.spilled_bytes,
        "checked"
    );
    print_issues(&summary);
    if summary.spilled_bytes > 0 {
        anstream::eprintln!(
            "note: the duplicate index passed its memory budget (--memory) and spilled {:.1} MB to a temporary file, now removed",
            summary.spilled_bytes as f64 / 1e6
        );
    }
    if let Some(fix) = &fix
        && errors.is_empty()
    {
        print_unfixed(fix, args.fix.as_deref());
    }
    // Only the human summary has colours; JSON and CSV skip the colour-stripping stream.
    let mut out: BufWriter<Box<dyn Write>> = BufWriter::new(match args.format {
        ReportFormat::Human => Box::new(anstream::stdout().lock()),
        ReportFormat::Json | ReportFormat::Csv | ReportFormat::PrefixesCsv => {
            Box::new(std::io::stdout().lock())
        }
    });
    // No input checked to its end: no report at all, in any format (a "0 records" line or
    // a JSON report of zeros would read as a result); the errors are on standard error.
    let nothing_checked = errors.len() >= files.len();
    let written = match args.format {
        _ if nothing_checked => Ok(()),
        ReportFormat::Json => serde_json::to_writer_pretty(&mut out, &summary)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        ReportFormat::Csv => write_findings_csv(&mut out, &summary),
        ReportFormat::PrefixesCsv => write_prefix_csv(&mut out, &summary),
        ReportFormat::Human => write_human(&mut out, &summary, &args.files),
    };
    if let Err(e) = written.and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e).context("cannot write the report");
    }
    if errors.is_empty() {
        if let Some(annotated) = annotated {
            annotated.commit()?;
        }
        if let Some(fix) = fix {
            fix.into_inner().commit()?;
        }
    } else {
        for (what, path) in [("--annotate", &args.annotate), ("--fix", &args.fix)] {
            if let Some(path) = path {
                anstream::eprintln!(
                    "{}note:{} {what} {} was not written, since not every input could be checked",
                    style::WARNING.render(),
                    style::WARNING.render_reset(),
                    path.display()
                );
            }
        }
    }
    for e in &errors {
        anstream::eprintln!(
            "{}error:{} {e}",
            style::ERROR.render(),
            style::ERROR.render_reset()
        );
    }
    Ok(if !errors.is_empty() {
        ExitCode::from(crate::EXIT_TROUBLE)
    } else if fails(&summary, args.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The codes of the older version (`--against`), with a progress bar on a terminal.
fn check_older(
    policy: isrc::Policy<'_>,
    options: &Options,
    path: &Path,
) -> Result<isrc_check::Catalogue, CheckError> {
    let mut checker = Checker::new(policy, options.clone());
    let bar = std::io::stderr().is_terminal().then(progress_bar);
    let mut progress = progress_to(bar.as_ref());
    let result = checker.check_path(path, None, &mut progress);
    drop(progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result.map(|()| checker.take_catalogue())
}

/// Whether the report holds what `--fail-on` names.
fn fails(summary: &Summary, fail_on: FailOn) -> bool {
    let input_problems = summary.issue_count > 0;
    let ddex = |warnings| crate::check_ddex::failing(summary, warnings);
    match fail_on {
        FailOn::Never => false,
        FailOn::Errors => summary.invalid > 0 || ddex(false),
        FailOn::InputProblems => summary.invalid > 0 || input_problems || ddex(false),
        FailOn::Warnings => {
            summary.invalid > 0 || input_problems || warned_records(summary) > 0 || ddex(true)
        }
    }
}

/// Sends each record to two sinks.
struct Both<'a> {
    a: Option<&'a mut dyn RecordSink>,
    b: Option<&'a mut dyn RecordSink>,
}

impl RecordSink for Both<'_> {
    fn start(&mut self, info: &isrc_check::InputInfo<'_>) -> std::io::Result<()> {
        for s in [&mut self.a, &mut self.b].into_iter().flatten() {
            s.start(info)?;
        }
        Ok(())
    }
    fn record(&mut self, record: &isrc_check::CheckedRecord<'_>) -> std::io::Result<()> {
        for s in [&mut self.a, &mut self.b].into_iter().flatten() {
            s.record(record)?;
        }
        Ok(())
    }
    fn passthrough(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        for s in [&mut self.a, &mut self.b].into_iter().flatten() {
            s.passthrough(bytes)?;
        }
        Ok(())
    }
    fn wants_duplicate_of(&self) -> bool {
        [&self.a, &self.b]
            .into_iter()
            .flatten()
            .any(|s| s.wants_duplicate_of())
    }
    fn wants_text_fields(&self) -> bool {
        [&self.a, &self.b]
            .into_iter()
            .flatten()
            .any(|s| s.wants_text_fields())
    }
    fn finish(&mut self) -> std::io::Result<()> {
        for s in [&mut self.a, &mut self.b].into_iter().flatten() {
            s.finish()?;
        }
        Ok(())
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The progress callback of a check: the bytes read and the size, to the bar if there is one.
fn progress_to(bar: Option<&indicatif::ProgressBar>) -> impl FnMut(u64, Option<u64>) + use<'_> {
    move |done, size| {
        if let Some(bar) = bar {
            if let Some(size) = size {
                bar.set_length(size.max(done));
            }
            bar.set_position(done);
        }
    }
}

fn progress_bar() -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

const SHOWN_ISSUES: usize = 20;

fn print_issues(summary: &Summary) {
    for issue in summary.issues.iter().take(SHOWN_ISSUES) {
        anstream::eprintln!(
            "{}warning:{} {issue}",
            style::WARNING.render(),
            style::WARNING.render_reset()
        );
    }
    if summary.issue_count > SHOWN_ISSUES as u64 {
        anstream::eprintln!(
            "{}warning:{} ... and {} more input problems (use --annotate to see every record)",
            style::WARNING.render(),
            style::WARNING.render_reset(),
            summary.issue_count - SHOWN_ISSUES as u64
        );
    }
}

fn print_unfixed(fix: &FixWriter<AtomicOutput>, path: Option<&Path>) {
    let name = path.map(|p| p.display().to_string()).unwrap_or_default();
    anstream::eprintln!(
        "{}: {} fixed, {} kept as they were{}",
        name,
        crate::check_report::counted(fix.fixed(), "code", "codes"),
        crate::check_report::counted(fix.unfixed_count(), "invalid code", "invalid codes"),
        if fix.unfixed_count() > 0 { ":" } else { "" }
    );
    for (location, value) in fix.unfixed().iter().take(50) {
        anstream::eprintln!("  {location}: {value:?}");
    }
    if fix.unfixed_count() > 50 {
        anstream::eprintln!("  ... and {} more", fix.unfixed_count() - 50);
    }
}

/// Valid records with a warning: problem records that are not invalid.
fn warned_records(summary: &Summary) -> u64 {
    summary
        .prefixes
        .iter()
        .map(|p| p.problems.saturating_sub(p.invalid))
        .sum()
}
