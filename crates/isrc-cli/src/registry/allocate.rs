//! `isrc allocate` and `isrc derive`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::Args;
use isrc::{Isrc, code::PrefixCode};
use isrc_registry::{
    AgencyPolicy, AllocationRequest, Change, ContentType, RecordingInput, Store, decide,
};

use super::{actor, csvio, parse_date, parse_duration, parse_isrc, parse_prefix, refuse};
use crate::cli::GlobalArgs;
use crate::context::Context;
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

/// The year of reference to allocate under, and whether it is before the clock's year (a
/// deliberate backdating, given with `--year`). A reference date (`--today`, `ISRC_TODAY`) in a
/// past year is refused without `--year`: it would issue codes of that year.
pub(crate) fn allocation_year(context: &Context, year: Option<u16>) -> Result<(u16, bool)> {
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
        Some(y) => Ok((y, y < current)),
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
            Ok((today.year(), false))
        }
    }
}

/// Records in the audit log that codes were allocated under a past year on purpose.
async fn audit_backdating(
    store: &Store,
    allocation: &isrc_registry::Allocation,
    prefix: PrefixCode,
    year: u16,
) -> Result<()> {
    let details = serde_json::json!({
        "year": year,
        "current_year": crate::context::clock_today().year(),
        "isrcs": allocation.isrcs.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
    })
    .to_string();
    store
        .audit_note(
            &actor(),
            "allocation.backdated",
            prefix.as_str(),
            Some(details),
        )
        .await?;
    Ok(())
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

/// The recording's metadata: `base` (the parent's, for `derive`) overridden by the options;
/// `this_year` bounds `--recording-year`.
fn build_meta(
    meta: &MetaArgs,
    base: Option<RecordingInput>,
    this_year: u16,
) -> Result<RecordingInput> {
    let mut r = base.unwrap_or_default();
    if let Some(y) = meta.recording_year {
        if y > this_year {
            return Err(isrc_registry::Error::Invalid {
                field: "recording year".into(),
                message: format!(
                    "{y} is after the current year ({this_year}): a recording cannot be made in the future"
                ),
            }
            .into());
        }
        r.recording_year = Some(y);
    }
    if let Some(v) = &meta.title {
        r.title = v.clone();
    }
    if let Some(v) = &meta.artist {
        r.artist = v.clone();
    }
    if let Some(v) = &meta.version {
        r.version = v.clone();
    }
    if meta.duration.is_some() {
        r.duration_ms = meta.duration;
    }
    if let Some(t) = &meta.content_type {
        r.content_type = t.parse::<ContentType>()?;
    }
    if meta.published.is_some() {
        r.published = meta.published;
    }
    for (slot, value) in [
        (&mut r.language, &meta.language),
        (&mut r.iswc, &meta.iswc),
        (&mut r.notes, &meta.notes),
        (&mut r.client, &meta.client),
    ] {
        if value.is_some() {
            *slot = value.clone();
        }
    }
    Ok(r)
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
    let (year, backdated) = match allocation_year(&context, args.year) {
        Ok(y) => y,
        Err(e) => return refuse(e),
    };
    let (recordings, labels, table) = match &args.from_csv {
        Some(path) => {
            let table = csvio::read(path, false)?;
            let policy = context.policy();
            let mut recordings = Vec::with_capacity(table.rows.len());
            let mut labels = Vec::with_capacity(table.rows.len());
            for i in 0..table.rows.len() {
                recordings.push(table.parse(i, &policy)?.meta);
                labels.push(table.label(i));
            }
            (recordings, labels, Some(table))
        }
        None => {
            if args.meta.title.is_none() || args.meta.artist.is_none() {
                return refuse(anyhow!(isrc_registry::Error::Invalid {
                    field: "arguments".into(),
                    message: "give --title and --artist (or --from-csv FILE)".into(),
                }));
            }
            match build_meta(&args.meta, None, context.today().year()) {
                Ok(meta) => (vec![meta], vec![], None),
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
        let allocation = match store.allocate(&request).await {
            Ok(a) => a,
            Err(e) if e.is_caller_error() && request.recordings.len() > 1 => {
                // Allocation stops at the first duplicate: name them all.
                let conflicts = store.batch_conflicts(&request).await?;
                if conflicts.len() > 1 {
                    return refuse(isrc_registry::conflicts_error(&conflicts).into());
                }
                return refuse(e.into());
            }
            Err(e) => return refuse(e.into()),
        };
        if backdated {
            audit_backdating(&store, &allocation, args.prefix, year).await?;
        }
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
    let (year, backdated) = if args.allocate {
        match allocation_year(&context, args.year) {
            Ok(y) => y,
            Err(e) => return refuse(e),
        }
    } else {
        (context.today().year(), false)
    };
    super::run_with_store(global, |store, _| async move {
        match derive(&store, &args, year, backdated).await {
            Ok(code) => Ok(code),
            Err(e) => refuse(e),
        }
    })
}

async fn derive(store: &Store, args: &DeriveArgs, year: u16, backdated: bool) -> Result<ExitCode> {
    let parent = store.recording(args.from).await?;
    let durations = match (args.change, parent.meta.duration_ms, args.meta.duration) {
        (Change::Edit, Some(p), Some(c)) => Some((p, c)),
        (Change::Edit, None, _) => {
            return Err(isrc_registry::Error::Invalid {
                field: "duration".into(),
                message: format!(
                    "{} has no duration in the ledger, so an edit cannot be judged",
                    args.from
                ),
            }
            .into());
        }
        _ => None,
    };
    let decision = decide(args.change, args.policy, durations)?;
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
    if !decision.new_isrc {
        return Err(isrc_registry::Error::Invalid {
            field: "change".into(),
            message: format!(
                "{} ({}): {}; nothing allocated, keep using {}",
                verdict, decision.rule, decision.reason, args.from
            ),
        }
        .into());
    }
    let base = isrc_registry::derived_meta(&parent, args.change);
    let meta = build_meta(&args.meta, Some(base), year)?;
    let prefix = args.from.prefix();
    let allocation = store
        .allocate(&AllocationRequest {
            prefix,
            year,
            recordings: vec![meta],
            force: args.force,
            actor: actor(),
            idempotency_key: None,
            labels: vec![],
        })
        .await?;
    if backdated {
        audit_backdating(store, &allocation, prefix, year).await?;
    }
    println!("{}", allocation.isrcs[0]);
    let info = style::INFO;
    anstream::eprintln!(
        "{info}{verdict}{info:#} ({}): {}; linked to parent {}",
        decision.rule,
        decision.reason,
        args.from
    );
    warn_usage(&allocation, prefix, year);
    Ok(ExitCode::SUCCESS)
}
