//! `isrc allocate` and `isrc derive`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::Args;
use isrc::{Isrc, code::PrefixCode};
use isrc_registry::ops::{self, DeriveRequest, RecordingPatch};
use isrc_registry::{AgencyPolicy, AllocationRequest, Change, ContentType, RecordingInput, Store};

use super::{actor, csvio, operator, parse_date, parse_duration, parse_isrc, parse_prefix, refuse};
use crate::context::Context;
use crate::context::GlobalArgs;
use crate::style;

/// Metadata options shared by `allocate` and `derive --allocate`.
#[derive(Debug, Args, Clone, Default)]
pub struct MetaArgs {
    /// Track title.
    #[arg(long)]
    pub title: Option<String>,
    /// Main artist.
    #[arg(long)]
    pub artist: Option<String>,
    /// Version title (Radio Edit, Live...).
    #[arg(long = "version", id = "version_title", value_name = "VERSION")]
    pub version: Option<String>,
    /// Duration, M:SS or H:MM:SS (e.g. 3:25).
    #[arg(long, value_parser = parse_duration, value_name = "M:SS")]
    pub duration: Option<u64>,
    /// Content type.
    #[arg(long = "type", value_name = "audio|video")]
    pub content_type: Option<String>,
    /// Date of first publication.
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub published: Option<isrc::policy::Date>,
    /// Language of the performance.
    #[arg(long)]
    pub language: Option<String>,
    /// Year of recording (four digits, not after the current year).
    #[arg(long, value_parser = parse_recording_year, value_name = "YYYY")]
    pub recording_year: Option<u16>,
    /// ISWC of the work.
    #[arg(long)]
    pub iswc: Option<String>,
    /// Notes.
    #[arg(long)]
    pub notes: Option<String>,
    /// The client, under an ISRC Manager prefix.
    #[arg(long)]
    pub client: Option<String>,
}

/// `isrc allocate`.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct AllocateArgs {
    /// The registrant's prefix code (country + registrant code).
    #[arg(long, value_parser = parse_prefix, value_name = "CBXYZ")]
    pub prefix: PrefixCode,
    #[command(flatten)]
    pub meta: MetaArgs,
    /// Allocate one code per row of this CSV file, in one transaction (all or nothing); prints
    /// the rows with an `isrc` column first. Columns (header row, any order): title, artist
    /// (required), version, duration (M:SS), type (audio|video), published (YYYY-MM-DD),
    /// language, recording_year, iswc, notes, client.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["title", "artist", "version_title", "duration", "content_type", "published", "language", "recording_year", "iswc", "notes", "client"])]
    pub from_csv: Option<PathBuf>,
    /// Allocate even if a recording with the same title, artist, version, type and duration
    /// (within 10 s) is in the ledger.
    #[arg(long)]
    pub force: bool,
    /// Make the request idempotent: repeating it with the same key returns the same codes.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// The year of reference (YY) to allocate under, instead of the reference date's. Needed
    /// to allocate under a year before the current one: codes carry the year they are assigned
    /// in, so that is done only on purpose, and the audit log records it.
    #[arg(long, value_name = "YYYY")]
    pub year: Option<u16>,
}

/// The year of reference to allocate under (one before the clock's is a deliberate
/// backdating, given with `--year`, which the allocation records in the audit log). A reference date (`--today`, `ISRC_TODAY`) in a
/// past year is refused without `--year`: it would issue codes of that year.
pub(crate) fn allocation_year(context: &Context, year: Option<u16>) -> Result<u16> {
    let current = crate::context::clock_today().year();
    let refuse = |message: String| {
        Err(anyhow!(isrc_registry::Error::Invalid {
            field: "year".into(),
            message,
        }))
    };
    match year {
        Some(y) if !(1986..=current + 1).contains(&y) => refuse(format!(
            "--year {y}: give a year from 1986 (ISO 3901) to {}",
            current + 1
        )),
        Some(y) => Ok(y),
        None => {
            let today = context.today();
            if today.year() < current {
                return refuse(format!(
                    "the reference date {today} (--today or ISRC_TODAY) is in {}, before the current year {current}: the codes would carry the year {:02} although they are assigned now; give --year {} to allocate under that year on purpose (the audit log records it)",
                    today.year(),
                    today.year() % 100,
                    today.year()
                ));
            }
            Ok(today.year())
        }
    }
}

/// Reads a year of recording: exactly four digits, so that `24` or `+2024` is not taken for a
/// year; whether it is past is checked against the command's own today.
fn parse_recording_year(text: &str) -> Result<u16, String> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{text:?} is not a year: give four digits (e.g. 2024)"
        ));
    }
    text.parse().map_err(|e| format!("{text:?}: {e}"))
}

impl MetaArgs {
    /// The options given, read (the type's name checked).
    pub(crate) fn patch(&self) -> Result<RecordingPatch> {
        Ok(RecordingPatch {
            title: self.title.clone(),
            artist: self.artist.clone(),
            version: self.version.clone(),
            duration_ms: self.duration,
            content_type: self
                .content_type
                .as_deref()
                .map(str::parse::<ContentType>)
                .transpose()?,
            published: self.published,
            language: self.language.clone(),
            recording_year: self.recording_year,
            iswc: self.iswc.clone(),
            notes: self.notes.clone(),
            client: self.client.clone(),
        })
    }
}

fn warn_usage(allocation: &isrc_registry::Allocation, prefix: PrefixCode, year: u16) {
    if let Some(w) = allocation.usage_warning(prefix, year) {
        let style = style::WARNING;
        anstream::eprintln!("{style}warning:{style:#} {w}");
    }
}

pub fn run(global: &GlobalArgs, args: AllocateArgs) -> Result<ExitCode> {
    // Read and check the whole file before touching the ledger.
    let context = Context::load(global)?;
    let year = match allocation_year(&context, args.year) {
        Ok(y) => y,
        Err(e) => return refuse(e),
    };
    let (recordings, labels, table) = match &args.from_csv {
        Some(path) => {
            let started = std::time::Instant::now();
            let table = csvio::read(path, false)?;
            let policy = context.policy();
            let mut recordings = Vec::with_capacity(table.rows.len());
            let mut labels = Vec::with_capacity(table.rows.len());
            for i in 0..table.rows.len() {
                recordings.push(table.parse(i, &policy)?.meta);
                labels.push(table.label(i));
            }
            tracing::info!(
                file = %path.display(),
                rows = table.rows.len(),
                ms = started.elapsed().as_millis() as u64,
                "read"
            );
            (recordings, labels, Some(table))
        }
        None => {
            if args.meta.title.is_none() || args.meta.artist.is_none() {
                return refuse(anyhow!(isrc_registry::Error::Invalid {
                    field: "arguments".into(),
                    message: "give --title and --artist (or --from-csv FILE)".into(),
                }));
            }
            match args.meta.patch() {
                Ok(patch) => (vec![patch.apply(RecordingInput::default())], vec![], None),
                Err(e) => return refuse(e),
            }
        }
    };
    super::run_with_store(global, |store, _| async move {
        let request = AllocationRequest {
            prefix: args.prefix,
            year,
            recordings,
            force: args.force,
            actor: actor(),
            idempotency_key: args.idempotency_key.clone(),
            labels,
        };
        let current_year = crate::context::clock_today().year();
        let started = std::time::Instant::now();
        let allocation = match ops::allocate(&store, &operator(), request, current_year).await {
            Ok(a) => a,
            Err(e) => {
                tracing::info!(error = %e, "refused");
                return refuse(e.into());
            }
        };
        tracing::info!(
            prefix = %args.prefix,
            year,
            codes = allocation.isrcs.len(),
            ms = started.elapsed().as_millis() as u64,
            "allocated"
        );
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        match &table {
            None => writeln!(out, "{}", allocation.isrcs[0])?,
            Some(table) => {
                let mut w = csv::Writer::from_writer(&mut out);
                let mut header = vec!["isrc"];
                header.extend(table.headers.iter());
                w.write_record(&header)?;
                for ((_, record), code) in table.rows.iter().zip(&allocation.isrcs) {
                    let code = code.to_string();
                    let mut row = vec![code.as_str()];
                    row.extend(record.iter());
                    w.write_record(&row)?;
                }
                w.flush()?;
            }
        }
        out.flush()?;
        warn_usage(&allocation, args.prefix, year);
        Ok(ExitCode::SUCCESS)
    })
}

/// `isrc derive`.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct DeriveArgs {
    /// The parent recording's ISRC.
    #[arg(long, value_parser = parse_isrc, value_name = "ISRC")]
    pub from: Isrc,
    /// What changed: edit, remix, re-recording, language, arrangement, live, remaster,
    /// restoration, video, compilation, carrier, format, licence, sale.
    #[arg(long, value_parser = |s: &str| s.parse::<Change>().map_err(|e| e.to_string()))]
    pub change: Change,
    /// Whose rules: ifpi (default), riaa, ppl, scpp or soproq.
    #[arg(long, default_value = "ifpi", value_parser = |s: &str| s.parse::<AgencyPolicy>().map_err(|e| e.to_string()))]
    pub policy: AgencyPolicy,
    /// When a new ISRC is needed, allocate it (linked to its parent) and print it.
    #[arg(long)]
    pub allocate: bool,
    /// Metadata of the new recording (defaults: the parent's); --duration is required for edits.
    #[command(flatten)]
    pub meta: MetaArgs,
    /// Allocate even if a matching recording is in the ledger.
    #[arg(long)]
    pub force: bool,
    /// The year of reference to allocate under (see `isrc allocate --year`).
    #[arg(long, value_name = "YYYY")]
    pub year: Option<u16>,
}

pub fn run_derive(global: &GlobalArgs, args: DeriveArgs) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let year = if args.allocate {
        match allocation_year(&context, args.year) {
            Ok(y) => y,
            Err(e) => return refuse(e),
        }
    } else {
        context.today().year()
    };
    super::run_with_store(global, |store, _| async move {
        match derive(&store, &args, year).await {
            Ok(code) => Ok(code),
            Err(e) => refuse(e),
        }
    })
}

async fn derive(store: &Store, args: &DeriveArgs, year: u16) -> Result<ExitCode> {
    let request = DeriveRequest {
        parent: args.from,
        change: args.change,
        policy: args.policy,
        patch: args.meta.patch()?,
        allocate: args.allocate,
        force: args.force,
        year,
        idempotency_key: None,
    };
    let current_year = crate::context::clock_today().year();
    let outcome = ops::derive(store, &operator(), request, current_year).await?;
    let decision = outcome.decision;
    let verdict = if decision.new_isrc {
        "new ISRC"
    } else {
        "keep ISRC"
    };
    if !args.allocate {
        println!("{verdict}");
        println!("rule: {}", decision.rule);
        println!("{}", decision.reason);
        if !decision.new_isrc {
            println!("use {}", args.from);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(allocation) = outcome.allocation else {
        return Err(isrc_registry::Error::Invalid {
            field: "change".into(),
            message: format!(
                "{} ({}): {}; nothing allocated, keep using {}",
                verdict, decision.rule, decision.reason, args.from
            ),
        }
        .into());
    };
    println!("{}", allocation.isrcs[0]);
    let info = style::INFO;
    anstream::eprintln!(
        "{info}{verdict}{info:#} ({}): {}; linked to parent {}",
        decision.rule,
        decision.reason,
        args.from
    );
    warn_usage(&allocation, args.from.prefix(), year);
    Ok(ExitCode::SUCCESS)
}
