//! `isrc release add|edit|show|list|export`: releases (a UPC/EAN barcode, title, label, ℗ line,
//! date, and the registrant's ISRCs in track order), exported as CSV per distributor profile
//! or as a DDEX ERN 4.3 NewReleaseMessage.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use isrc::Isrc;
use isrc::code::PrefixCode;
use isrc_registry::ops::{self, ReleaseFormat};
use isrc_registry::{Contributor, Release, ReleaseInput, Upc, format_duration};

use super::{operator, parse_date, parse_isrc, parse_prefix, refuse};
use crate::context::GlobalArgs;

/// `isrc release`.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    #[command(subcommand)]
    pub command: ReleaseCommand,
}

/// The release subcommands.
#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// Add a release of a registrant, its tracks the registrant's ISRCs in order.
    Add(AddArgs),
    /// Replace a release's title, artist, label, ℗ line, date or tracks (never its barcode).
    Edit(EditArgs),
    /// Show a release, its tracks and its history.
    Show(ShowArgs),
    /// List the releases, a page at a time.
    List(ListArgs),
    /// Export a release: CSV in a distributor profile, or a DDEX ERN 4.3 NewReleaseMessage.
    Export(ExportArgs),
}

fn parse_upc(text: &str) -> Result<Upc, String> {
    text.parse::<Upc>().map_err(|e| e.to_string())
}

/// The fields of a release.
#[derive(Debug, Args)]
pub struct FieldArgs {
    /// The release title.
    #[arg(long)]
    pub title: Option<String>,
    /// The display artist (default: the first track's artist).
    #[arg(long)]
    pub artist: Option<String>,
    /// The record label.
    #[arg(long)]
    pub label: Option<String>,
    /// The ℗ line without the ℗ sign, e.g. "2026 Les Disques XYZ".
    #[arg(long)]
    pub p_line: Option<String>,
    /// The release date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub date: Option<isrc::policy::Date>,
    /// The tracks in order (repeat, or separate with commas): ISRCs of the registrant.
    #[arg(long = "track", value_parser = parse_isrc, value_delimiter = ',', value_name = "ISRC")]
    pub tracks: Vec<Isrc>,
    /// A contributor, `Name:Role` for the whole release or `Name:Role:TRACK` for one track
    /// (repeat); the role is a DDEX name such as MainArtist, FeaturedArtist, Composer,
    /// Lyricist, Producer or Remixer. Given on an edit, the list replaces the release's.
    #[arg(long = "contributor", value_parser = parse_contributor, value_name = "NAME:ROLE")]
    pub contributors: Vec<Contributor>,
}

fn parse_contributor(text: &str) -> Result<Contributor, String> {
    Contributor::parse(text).map_err(|e| e.to_string())
}

impl FieldArgs {
    /// `base` with the fields given replaced (the tracks as a whole, when any is given).
    fn apply(self, mut base: ReleaseInput) -> ReleaseInput {
        for (slot, value) in [
            (&mut base.title, self.title),
            (&mut base.artist, self.artist),
            (&mut base.label, self.label),
            (&mut base.p_line, self.p_line),
        ] {
            if let Some(v) = value {
                *slot = v;
            }
        }
        if self.date.is_some() {
            base.release_date = self.date;
        }
        if !self.tracks.is_empty() {
            base.tracks = self.tracks;
        }
        if !self.contributors.is_empty() {
            base.contributors = self.contributors;
        }
        base
    }
}

/// `isrc release add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The registrant.
    #[arg(long, value_parser = parse_prefix)]
    pub prefix: PrefixCode,
    /// The barcode: a UPC-A (12 digits) or EAN-13 (13 digits), with its check digit.
    #[arg(long, value_parser = parse_upc)]
    pub upc: Upc,
    /// The fields.
    #[command(flatten)]
    pub fields: FieldArgs,
}

/// `isrc release edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The release's barcode.
    #[arg(value_parser = parse_upc)]
    pub upc: Upc,
    /// The fields to replace; those not given keep their value.
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Empty these fields (artist, label, p-line, date); repeat or separate with commas.
    #[arg(long, value_delimiter = ',', value_name = "FIELD")]
    pub clear: Vec<String>,
}

/// `isrc release show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The release's barcode.
    #[arg(value_parser = parse_upc)]
    pub upc: Upc,
    /// Print JSON (the release and its history).
    #[arg(long)]
    pub json: bool,
}

/// `isrc release list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this registrant's.
    #[arg(long, value_parser = parse_prefix)]
    pub prefix: Option<PrefixCode>,
    /// Start after this cursor (the `more:` line of the previous page).
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,
    /// Releases per page.
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Print JSON ({"items": [...], "next": CURSOR or null}).
    #[arg(long)]
    pub json: bool,
}

/// `isrc release export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The release's barcode.
    #[arg(value_parser = parse_upc)]
    pub upc: Upc,
    /// `csv` or `ern` (DDEX ERN 4.3 NewReleaseMessage).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// For CSV: `distributor` or `repertoire` (the columns of `isrc export`).
    #[arg(long, default_value = "distributor")]
    pub profile: String,
    /// Write here (through a temporary file renamed into place) instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Runs `isrc release ...`.
pub fn run(global: &GlobalArgs, args: ReleaseArgs) -> Result<ExitCode> {
    match args.command {
        ReleaseCommand::Add(a) => run_add(global, a),
        ReleaseCommand::Edit(a) => run_edit(global, a),
        ReleaseCommand::Show(a) => run_show(global, a),
        ReleaseCommand::List(a) => run_list(global, a),
        ReleaseCommand::Export(a) => run_export(global, a),
    }
}

fn print_release(release: &Release, recordings: &[isrc_registry::Recording]) {
    let r = &release.input;
    println!("release {} ({})", r.upc, release.prefix);
    println!("  title: {}", r.title);
    for (name, value) in [
        ("artist", &r.artist),
        ("label", &r.label),
        ("p-line", &r.p_line),
    ] {
        if !value.is_empty() {
            println!("  {name}: {value}");
        }
    }
    if let Some(d) = r.release_date {
        println!("  date: {d}");
    }
    for c in &r.contributors {
        println!("  contributor: {c}");
    }
    println!("  tracks:");
    for (i, t) in recordings.iter().enumerate() {
        println!(
            "    {}. {}\t{}\t{}\t{}",
            i + 1,
            t.isrc,
            t.meta.artist,
            t.meta.title,
            t.meta.duration_ms.map(format_duration).unwrap_or_default()
        );
    }
}

fn run_add(global: &GlobalArgs, args: AddArgs) -> Result<ExitCode> {
    let Some(title) = args.fields.title.clone() else {
        return refuse(anyhow::anyhow!(isrc_registry::Error::Invalid {
            field: "--title".into(),
            message: "give the release title".into(),
        }));
    };
    let base = ReleaseInput {
        upc: args.upc.clone(),
        title,
        artist: String::new(),
        label: String::new(),
        p_line: String::new(),
        release_date: None,
        tracks: vec![],
        contributors: vec![],
    };
    let input = args.fields.apply(base);
    super::run_with_store(global, |store, _| async move {
        match ops::add_release(&store, &operator(), args.prefix, &input).await {
            Ok(release) => {
                let recordings = store.release_recordings(&release).await?;
                print_release(&release, &recordings);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refuse(e.into()),
        }
    })
}

fn run_edit(global: &GlobalArgs, args: EditArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        let before = match store.release(&args.upc).await {
            Ok(r) => r,
            Err(e) => return refuse(e.into()),
        };
        let mut wanted = args.fields.apply(before.input.clone());
        for field in &args.clear {
            match field.as_str() {
                "artist" => wanted.artist.clear(),
                "label" => wanted.label.clear(),
                "p-line" | "p_line" => wanted.p_line.clear(),
                "date" => wanted.release_date = None,
                other => {
                    return refuse(anyhow::anyhow!(isrc_registry::Error::Invalid {
                        field: "--clear".into(),
                        message: format!(
                            "{other:?}: a release's artist, label, p-line or date can be cleared (its title and tracks cannot)"
                        ),
                    }));
                }
            }
        }
        match ops::edit_release(&store, &operator(), &args.upc, &wanted).await {
            Ok(after) => {
                println!(
                    "changed release {} (the audit log has before and after):",
                    after.input.upc
                );
                let show = |r: &ReleaseInput| {
                    [
                        ("title", r.title.clone()),
                        ("artist", r.artist.clone()),
                        ("label", r.label.clone()),
                        ("p-line", r.p_line.clone()),
                        (
                            "date",
                            r.release_date.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                        (
                            "tracks",
                            r.tracks
                                .iter()
                                .map(Isrc::to_string)
                                .collect::<Vec<_>>()
                                .join(","),
                        ),
                        (
                            "contributors",
                            r.contributors
                                .iter()
                                .map(|c| c.to_string())
                                .collect::<Vec<_>>()
                                .join("; "),
                        ),
                    ]
                };
                for ((field, was), (_, now)) in
                    show(&before.input).into_iter().zip(show(&after.input))
                {
                    if was != now {
                        let empty = |v: String| {
                            if v.is_empty() { "—".to_string() } else { v }
                        };
                        println!("  {field}: {} -> {}", empty(was), empty(now));
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refuse(e.into()),
        }
    })
}

fn run_show(global: &GlobalArgs, args: ShowArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        let release = match ops::release(&store, &operator(), &args.upc).await {
            Ok(r) => r,
            Err(e) => return refuse(e.into()),
        };
        let history = store
            .audit_log(Some(&format!("release:{}", release.input.upc)))
            .await?;
        if args.json {
            let mut view = serde_json::to_value(&release)?;
            view["history"] = serde_json::to_value(&history)?;
            println!("{}", serde_json::to_string_pretty(&view)?);
            return Ok(ExitCode::SUCCESS);
        }
        let recordings = store.release_recordings(&release).await?;
        print_release(&release, &recordings);
        println!("  history:");
        for event in &history {
            println!("    {} {} {}", event.at, event.actor, event.action);
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn run_list(global: &GlobalArgs, args: ListArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        let page = match ops::releases(
            &store,
            &operator(),
            args.prefix,
            &isrc_registry::PageRequest {
                after: args.after.clone(),
                limit: Some(args.limit),
                ..Default::default()
            },
        )
        .await
        {
            Ok(p) => p,
            Err(e) => return refuse(e.into()),
        };
        if args.json {
            println!("{}", serde_json::to_string_pretty(&page)?);
            return Ok(ExitCode::SUCCESS);
        }
        for r in &page.items {
            let i = &r.input;
            println!(
                "{}\t{}\t{}\t{}\t{} tracks",
                i.upc,
                r.prefix,
                i.title,
                i.release_date.map(|d| d.to_string()).unwrap_or_default(),
                i.tracks.len()
            );
        }
        if let Some(next) = page.next {
            eprintln!("more: isrc release list --after {next}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn run_export(global: &GlobalArgs, args: ExportArgs) -> Result<ExitCode> {
    let format = match ReleaseFormat::parse(&args.format, Some(&args.profile)) {
        Ok(f) => f,
        Err(e) => return refuse(e.into()),
    };
    super::run_with_store(global, |store, _| async move {
        let bytes = match ops::export_release(&store, &operator(), &args.upc, format).await {
            Ok(b) => b,
            Err(e) => return refuse(e.into()),
        };
        match &args.output {
            Some(path) => {
                let mut file = crate::output::AtomicOutput::create(path)?;
                file.write_all(&bytes)?;
                file.commit()?;
            }
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(&bytes)?;
                out.flush()?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
