//! `isrc edit` (correct a recording's metadata) and `isrc search` (the published recordings,
//! as the public search finds them).

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use isrc::Isrc;
use isrc_registry::{format_duration, ops, recording_changes};

use super::allocate::MetaArgs;
use super::{operator, parse_isrc, refuse};
use crate::context::GlobalArgs;

/// `isrc edit`.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct EditArgs {
    /// The recording's ISRC (any spelling); it never changes.
    #[arg(value_parser = parse_isrc)]
    pub isrc: Isrc,
    /// The corrected fields; those not given keep their value.
    #[command(flatten)]
    pub meta: MetaArgs,
    /// Empty these fields (version, duration, published, language, recording-year, iswc,
    /// notes); repeat or separate with commas. The title and artist are never empty.
    #[arg(long, value_delimiter = ',', value_name = "FIELD")]
    pub clear: Vec<String>,
}

/// Corrects the fields given and prints each change (field, before, after).
pub fn run_edit(global: &GlobalArgs, args: EditArgs) -> Result<ExitCode> {
    let patch = match args.meta.patch() {
        Ok(p) => p,
        Err(e) => return refuse(e),
    };
    let clear = match args
        .clear
        .iter()
        .map(|f| ops::Clearable::parse(f))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(c) => c,
        Err(e) => return refuse(e.into()),
    };
    super::run_with_store(global, |store, _| async move {
        let before = match store.recording(args.isrc).await {
            Ok(r) => r,
            Err(e) => return refuse(e.into()),
        };
        match ops::edit_clearing(&store, &operator(), args.isrc, &patch, &clear).await {
            Ok(after) => {
                println!(
                    "corrected {} (the audit log has before and after):",
                    after.isrc
                );
                for change in recording_changes(&before, &after) {
                    println!("  {}: {} -> {}", change.field, change.before, change.after);
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refuse(e.into()),
        }
    })
}

/// `isrc search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words of the title, artist, version or ISRC (case and punctuation ignored).
    #[arg(required = true, num_args = 1..)]
    pub words: Vec<String>,
    /// Start after this ISRC (the `next` line of the previous page).
    #[arg(long, value_parser = parse_isrc, value_name = "ISRC")]
    pub after: Option<Isrc>,
    /// Recordings per page.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Print JSON ({"items": [...], "next": ISRC or null}).
    #[arg(long)]
    pub json: bool,
}

/// Prints one page of the published recordings matching the words.
pub fn run_search(global: &GlobalArgs, args: SearchArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        let query = args.words.join(" ");
        let page = match store.search_published(&query, args.after, args.limit).await {
            Ok(p) => p,
            Err(e) => return refuse(e.into()),
        };
        if args.json {
            println!("{}", serde_json::to_string_pretty(&page)?);
            return Ok(ExitCode::SUCCESS);
        }
        for r in &page.items {
            let m = &r.meta;
            println!(
                "{}\t{}\t{}\t{}\t{}",
                r.isrc,
                m.artist,
                m.title,
                m.version,
                m.duration_ms.map(format_duration).unwrap_or_default()
            );
        }
        if let Some(next) = page.next {
            eprintln!("more: isrc search {query} --after {next}");
        }
        Ok(ExitCode::SUCCESS)
    })
}
