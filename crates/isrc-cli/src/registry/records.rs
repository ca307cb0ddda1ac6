//! `isrc registrant add`, `import`, `void`, `show`, `list` and `export`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use isrc::{Isrc, code::PrefixCode};
use isrc_registry::{
    ExportProfile, LISTING_COLUMNS, ListFilter, ListingOrder, NewRegistrant, RegistrantKind,
    csv_row, escape_control_characters, format_duration, json_row, listing_row, parse_ranges,
};

use isrc_registry::ops;

use super::{csvio, operator, parse_isrc, parse_prefix, refuse};
use crate::context::Context;
use crate::context::GlobalArgs;

/// `isrc registrant ...`.
#[derive(Debug, Args)]
pub struct RegistrantArgs {
    #[command(subcommand)]
    pub command: RegistrantCommand,
}

/// Registrant subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistrantCommand {
    /// Add a registrant (a prefix code you hold) to the ledger.
    Add(RegistrantAddArgs),
    /// List the registrants in the ledger.
    List,
}

/// `isrc registrant add`.
#[derive(Debug, Args)]
pub struct RegistrantAddArgs {
    /// The prefix code: country code + registrant code (e.g. CBXYZ or CB-XYZ).
    #[arg(long, value_parser = parse_prefix, value_name = "CBXYZ")]
    pub prefix: PrefixCode,
    /// The registrant's name.
    #[arg(long)]
    pub name: String,
    /// Contact (e-mail, phone).
    #[arg(long, default_value = "")]
    pub contact: String,
    /// Allowed designation range(s), e.g. 00001-99999 or 00001-49999,60000-69999.
    #[arg(long, default_value = "00001-99999")]
    pub range: String,
    /// own: your own recordings; manager: an ISRC Manager prefix (each code records a client).
    #[arg(long, default_value = "own", value_parser = |s: &str| s.parse::<RegistrantKind>().map_err(|e| e.to_string()))]
    pub kind: RegistrantKind,
}

pub fn run_registrant(global: &GlobalArgs, args: RegistrantArgs) -> Result<ExitCode> {
    match args.command {
        RegistrantCommand::Add(add) => {
            let ranges = match parse_ranges(&add.range) {
                Ok(r) => r,
                Err(e) => return refuse(e.into()),
            };
            super::run_with_store(global, |store, _| async move {
                let new = NewRegistrant {
                    prefix: add.prefix,
                    name: add.name.clone(),
                    contact: add.contact.clone(),
                    kind: add.kind,
                    ranges,
                };
                match ops::add_registrant(&store, &operator(), new).await {
                    Ok(r) => {
                        println!(
                            "added registrant {} ({}, {}, range {})",
                            r.prefix.hyphenated(),
                            r.name,
                            r.kind,
                            r.ranges
                                .iter()
                                .map(|r| r.to_string())
                                .collect::<Vec<_>>()
                                .join(",")
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(e) => refuse(e.into()),
                }
            })
        }
        RegistrantCommand::List => super::run_with_store(global, |store, _| async move {
            for r in store.registrants().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    r.prefix,
                    r.kind,
                    r.ranges
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    r.name,
                    r.contact
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}

/// `isrc import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV with an `isrc` column (required) plus the columns of `allocate --from-csv` (title,
    /// artist required; version, duration, type, published, language, recording_year, iswc,
    /// notes, client) and `status` (active|void). Every code is checked; nothing is imported
    /// if any row is wrong, duplicated, or already in the ledger.
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,
    /// Refuse codes that are not under this prefix.
    #[arg(long, value_parser = parse_prefix, value_name = "CBXYZ")]
    pub prefix: Option<PrefixCode>,
}

pub fn run_import(global: &GlobalArgs, args: ImportArgs) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let started = std::time::Instant::now();
    let table = csvio::read(&args.file, true)?;
    let records = table.import_records(&context.policy())?;
    tracing::info!(
        file = %args.file.display(),
        rows = records.len(),
        ms = started.elapsed().as_millis() as u64,
        "read"
    );
    super::run_with_store(global, |store, _| async move {
        let started = std::time::Instant::now();
        let imported = ops::import(&store, &operator(), &records, args.prefix).await;
        let ms = started.elapsed().as_millis() as u64;
        match imported {
            Ok(n) => {
                tracing::info!(codes = n, ms, "imported");
                println!("imported {n} codes from {}", table.name);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                tracing::info!(error = %e, ms, "refused");
                refuse(e.into())
            }
        }
    })
}

/// `isrc publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The ISRC whose recording the public lookup shows (title, artist, version, duration,
    /// year; never the registrant's contact or notes).
    #[arg(value_parser = parse_isrc)]
    pub isrc: Isrc,
    /// Take it back: the public lookup no longer shows it.
    #[arg(long)]
    pub off: bool,
}

/// `isrc publish CODE [--off]`: the same rule as the API's and the portal's (a void code is
/// never published).
pub fn run_publish(global: &GlobalArgs, args: PublishArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        match ops::set_public(&store, &operator(), args.isrc, !args.off).await {
            Ok(r) if args.off => {
                println!("{} is no longer public", r.isrc);
                Ok(ExitCode::SUCCESS)
            }
            Ok(r) => {
                println!("{} is public: the lookup shows its recording", r.isrc);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refuse(e.into()),
        }
    })
}

/// `isrc void`.
#[derive(Debug, Args)]
pub struct VoidArgs {
    /// The ISRC allocated in error.
    #[arg(value_parser = parse_isrc)]
    pub isrc: Isrc,
    /// Why (kept in the ledger and the audit log).
    #[arg(long)]
    pub reason: String,
}

pub fn run_void(global: &GlobalArgs, args: VoidArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        match ops::void(&store, &operator(), args.isrc, &args.reason).await {
            Ok(r) => {
                println!(
                    "{} is void; it stays in the ledger and is never reissued",
                    r.isrc
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refuse(e.into()),
        }
    })
}

/// `isrc show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The ISRC (any spelling).
    #[arg(value_parser = parse_isrc)]
    pub isrc: Isrc,
    /// Print JSON (the recording and its audit history).
    #[arg(long)]
    pub json: bool,
}

pub fn run_show(global: &GlobalArgs, args: ShowArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        let r = match store.recording(args.isrc).await {
            Ok(r) => r,
            Err(e) => return refuse(e.into()),
        };
        let history = store.audit_log(Some(&r.isrc.to_string())).await?;
        if args.json {
            println!(
                "{}",
                serde_json::json!({"recording": r, "history": history})
            );
            return Ok(ExitCode::SUCCESS);
        }
        let m = &r.meta;
        // Stored text is shown with control characters escaped: it cannot drive the terminal.
        let e = |text: &str| escape_control_characters(text).into_owned();
        println!("ISRC        {} ({})", r.isrc, r.isrc.hyphenated());
        println!(
            "status      {}{}",
            r.status.as_str(),
            r.void_reason
                .as_ref()
                .map(|v| format!(" ({})", e(v)))
                .unwrap_or_default()
        );
        println!("artist      {}", e(&m.artist));
        println!("title       {}", e(&m.title));
        println!("version     {}", e(&m.version));
        println!(
            "duration    {}",
            m.duration_ms.map(format_duration).unwrap_or_default()
        );
        println!("type        {}", m.content_type);
        println!(
            "published   {}",
            m.published.map(|d| d.to_string()).unwrap_or_default()
        );
        for (label, value) in [
            ("language", &m.language),
            ("iswc", &m.iswc),
            ("notes", &m.notes),
            ("client", &m.client),
        ] {
            if let Some(v) = value {
                println!("{label:<12}{}", e(v));
            }
        }
        if let Some(y) = m.recording_year {
            println!("recorded    {y}");
        }
        if let Some(p) = m.parent {
            println!(
                "parent      {p} ({})",
                e(m.change.as_deref().unwrap_or("?"))
            );
        }
        println!("origin      {} {}", r.origin, r.created_at);
        for ev in history {
            println!("history     {} {} by {}", ev.at, ev.action, e(&ev.actor));
            if ev.action == "recording.edit" {
                for c in ev.changes() {
                    println!(
                        "              {}: {} -> {}",
                        c.field,
                        e(&c.before),
                        e(&c.after)
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `isrc list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this year of reference (e.g. 2026).
    #[arg(long)]
    pub year: Option<u16>,
    /// Only this prefix.
    #[arg(long, value_parser = parse_prefix, value_name = "CBXYZ")]
    pub prefix: Option<PrefixCode>,
    /// Only recordings whose title, artist or code contains this text.
    #[arg(long)]
    pub search: Option<String>,
    /// Include void codes.
    #[arg(long)]
    pub all: bool,
}

pub fn run_list(global: &GlobalArgs, args: ListArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        let filter = ListFilter {
            prefix: args.prefix,
            year: args.year,
            include_void: args.all,
            search: args.search.clone(),
            limit: None,
        };
        let recordings = store.recordings(&filter).await?;
        if recordings.is_empty() {
            // Say why nothing is listed (on stderr: stdout stays a clean, empty list).
            let hidden = if args.all {
                0
            } else {
                let everything = ListFilter {
                    include_void: true,
                    ..filter.clone()
                };
                store.recordings(&everything).await?.len()
            };
            if hidden > 0 {
                eprintln!(
                    "no active recordings match; {hidden} void one(s) hidden (--all lists them)"
                );
            } else {
                eprintln!("no recordings match");
            }
        }
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        for r in recordings {
            let m = &r.meta;
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}",
                r.isrc,
                r.status.as_str(),
                escape_control_characters(&m.artist),
                escape_control_characters(&m.title),
                escape_control_characters(&m.version),
                m.duration_ms.map(format_duration).unwrap_or_default()
            )?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// CSV with a header row.
    Csv,
    /// A JSON array of objects (same keys as the CSV columns; duration_seconds and
    /// recording_year are numbers or null, the rest strings).
    Json,
    /// An XLSX workbook (one sheet, the CSV's columns; duration_seconds and recording_year as
    /// numbers); give --output FILE.xlsx, or pipe standard output.
    Xlsx,
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// IFPI reference metadata per code: isrc, artist, title, version, duration, duration_seconds,
    /// type, published, client, parent, change, status.
    Distributor,
    /// Repertoire declaration for a collecting society: isrc, title, version, artist,
    /// duration_seconds, recording_year, published, language, iswc, type (active codes).
    Repertoire,
    /// The agency listing: prefix, name, contact, address, kind, issued_at.
    AgencyListing,
}

/// `isrc export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Which columns (see `--help` for each profile's columns).
    #[arg(long, value_enum, default_value = "distributor")]
    pub profile: Profile,
    /// Only this prefix.
    #[arg(long, value_parser = parse_prefix, value_name = "CBXYZ")]
    pub prefix: Option<PrefixCode>,
    /// Only this year of reference.
    #[arg(long)]
    pub year: Option<u16>,
    /// agency-listing: order by registrant name instead of by code.
    #[arg(long)]
    pub by_name: bool,
    /// Write to this file (a temporary file renamed into place when complete) instead of
    /// standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run_export(global: &GlobalArgs, args: ExportArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        let (columns, rows): (&[&str], Vec<Vec<String>>) = match args.profile {
            Profile::AgencyListing => {
                let order = if args.by_name {
                    ListingOrder::ByName
                } else {
                    ListingOrder::ByCode
                };
                let listing = store.listing(order).await?;
                (&LISTING_COLUMNS, listing.iter().map(listing_row).collect())
            }
            Profile::Distributor | Profile::Repertoire => {
                let profile = if args.profile == Profile::Repertoire {
                    ExportProfile::Repertoire
                } else {
                    ExportProfile::Distributor
                };
                let filter = ListFilter {
                    prefix: args.prefix,
                    year: args.year,
                    include_void: profile.includes_void(),
                    search: None,
                    limit: None,
                };
                let recordings = store.recordings(&filter).await?;
                (
                    profile.columns(),
                    recordings.iter().map(|r| profile.row(r)).collect(),
                )
            }
        };
        use std::io::IsTerminal as _;
        if matches!(args.format, Format::Xlsx)
            && args.output.is_none()
            && std::io::stdout().is_terminal()
        {
            return refuse(anyhow::anyhow!(isrc_registry::Error::Invalid {
                field: "--output".into(),
                message: "an XLSX workbook is not text: give --output FILE.xlsx (or pipe standard output to a file)".into(),
            }));
        }
        let mut file = args
            .output
            .as_deref()
            .map(crate::output::AtomicOutput::create)
            .transpose()?;
        let stdout = std::io::stdout();
        let mut out: Box<dyn Write> = match file.as_mut() {
            Some(f) => Box::new(f),
            None => Box::new(std::io::BufWriter::new(stdout.lock())),
        };
        match args.format {
            Format::Xlsx => match isrc_registry::xlsx_workbook(columns, rows) {
                Ok(bytes) => out.write_all(&bytes)?,
                Err(e) => return refuse(e.into()),
            },
            Format::Json => {
                let array: Vec<serde_json::Map<String, serde_json::Value>> =
                    rows.into_iter().map(|row| json_row(columns, row)).collect();
                serde_json::to_writer_pretty(&mut out, &array)?;
                writeln!(out)?;
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record(columns)?;
                for row in rows {
                    // Text a spreadsheet would run as a formula gets a leading `'`.
                    w.write_record(csv_row(row))?;
                }
                w.flush()?;
            }
        }
        out.flush()?;
        drop(out);
        if let Some(file) = file {
            file.commit()?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
