//! `isrc tag assign`: give each audio file without an ISRC a new code from the registry.
//!
//! For every file: read its title, artist, duration and ISRCs; skip it if it holds any ISRC
//! (it is reported, never re-allocated); check that the code can be written (format, read-only
//! file) with a dry run; allocate the next code in the ledger from the file's own metadata;
//! write it (temporary file, atomic rename, read back and compared).
//!
//! If the write fails after the allocation, the code is voided with the reason `tag write
//! failed: ...`, so the ledger never holds an active code that no file carries; like every
//! ISRC once allocated, it is never handed out again. If the process dies between the two
//! steps, the ledger holds the recording and the next `tag assign` of the file is refused as a
//! duplicate naming that code: write it with `isrc tag write FILE CODE`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use isrc::PrefixCode;
use isrc_media::{MediaInfo, WriteOptions};
use isrc_registry::{AllocationRequest, RecordingInput, Store};

use super::cell;
use crate::cli::GlobalArgs;
use crate::registry::{actor, run_with_store};
use crate::style;

/// The options of `isrc tag assign`.
pub struct AssignOptions {
    /// The registrant's prefix the codes are allocated under.
    pub prefix: PrefixCode,
    /// Show what would happen; allocate and write nothing.
    pub dry_run: bool,
    /// Allocate even when the ledger holds a matching recording.
    pub force: bool,
    /// The client, under an ISRC Manager prefix.
    pub client: Option<String>,
}

/// What happened to one file.
enum Outcome {
    Assigned,
    Skipped,
    Failed,
}

pub fn assign(
    global: &GlobalArgs,
    files: Vec<PathBuf>,
    options: AssignOptions,
) -> Result<ExitCode> {
    let context = crate::context::Context::load(global)?;
    // A past reference date would tag files with codes of that year: refused here, as by
    // `isrc allocate` without `--year`.
    let year = match crate::registry::allocate::allocation_year(&context, None) {
        Ok((year, _)) => year,
        Err(e) => return crate::registry::refuse(e),
    };
    run_with_store(global, |store, _| async move {
        // The registrant is checked once, before any file is touched.
        if let Err(e) = store.registrant(options.prefix).await {
            return crate::registry::refuse(e.into());
        }
        let mut failed = 0;
        for file in &files {
            if let Outcome::Failed = assign_one(&store, file, &options, year).await? {
                failed += 1;
            }
        }
        Ok(if failed > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}

/// Prints an error about one file (the message names it) and carries on with the next.
fn report_error(message: impl std::fmt::Display) {
    style::print_error(&anyhow::anyhow!("{message}"));
}

/// A tag's text, unless it is missing or blank.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The recording metadata the file's own tags give, or why they are not enough.
fn recording_of(info: &MediaInfo, options: &AssignOptions) -> Result<RecordingInput, String> {
    let title = present(&info.title).ok_or("the file has no title tag")?;
    let artist = present(&info.artist).ok_or("the file has no artist tag")?;
    Ok(RecordingInput {
        title: title.to_string(),
        artist: artist.to_string(),
        duration_ms: info.duration.map(|d| d.as_millis() as u64),
        client: options.client.clone(),
        notes: info
            .path
            .file_name()
            .map(|name| format!("assigned to file {}", name.to_string_lossy())),
        ..Default::default()
    })
}

async fn assign_one(
    store: &Store,
    file: &Path,
    options: &AssignOptions,
    year: u16,
) -> Result<Outcome> {
    let mut out = anstream::stdout();
    let info = match isrc_media::read(file) {
        Ok(info) => info,
        Err(e) => {
            report_error(format!("{e}; nothing allocated"));
            return Ok(Outcome::Failed);
        }
    };
    if !info.isrcs.is_empty() {
        let found: Vec<String> = info
            .isrcs
            .iter()
            .map(|f| format!("{} in {}", cell(&f.value), f.location))
            .collect();
        writeln!(
            out,
            "{}: skipped, already holds {}; no code allocated (use `isrc tag write` to change it)",
            file.display(),
            found.join(", ")
        )?;
        return Ok(Outcome::Skipped);
    }
    let recording = match recording_of(&info, options) {
        Ok(r) => r,
        Err(why) => {
            report_error(format!("{}: {why}; nothing allocated", file.display()));
            return Ok(Outcome::Failed);
        }
    };
    // A dry run of the write first: an unsupported format or a read-only file is refused
    // before a code is spent on it.
    let placeholder = match options.prefix.isrc((year % 100) as u8, 1) {
        Some(code) => code,
        None => anyhow::bail!("{} has no designation 00001", options.prefix),
    };
    let plan = match isrc_media::write_isrc(file, placeholder, &WriteOptions { dry_run: true }) {
        Ok(plan) => plan,
        Err(e) => {
            report_error(format!("{e}; nothing allocated"));
            return Ok(Outcome::Failed);
        }
    };
    let places: Vec<String> = plan.locations.iter().map(ToString::to_string).collect();
    let described = format!(
        "{:?} by {:?}{}",
        recording.title,
        recording.artist,
        recording
            .duration_ms
            .map(|ms| format!(" ({})", isrc_registry::format_duration(ms)))
            .unwrap_or_default()
    );
    if options.dry_run {
        writeln!(
            out,
            "{}: would allocate the next code of {} for {described} and write it to {}; dry run, nothing allocated or written",
            file.display(),
            options.prefix,
            places.join(", ")
        )?;
        return Ok(Outcome::Assigned);
    }
    let request = AllocationRequest {
        prefix: options.prefix,
        year,
        recordings: vec![recording],
        force: options.force,
        actor: actor(),
        idempotency_key: None,
        labels: vec![],
    };
    let allocation = match store.allocate(&request).await {
        Ok(a) => a,
        Err(e) if e.is_caller_error() => {
            let hint = match &e {
                isrc_registry::Error::Duplicate { existing, .. } => format!(
                    "; if {existing} is this file's code, write it with `isrc tag write {} {existing}`",
                    file.display()
                ),
                _ => String::new(),
            };
            report_error(format!("{}: {e}{hint}", file.display()));
            return Ok(Outcome::Failed);
        }
        Err(e) => return Err(e.into()),
    };
    let code = allocation.isrcs[0];
    match isrc_media::write_isrc(file, code, &WriteOptions::default()) {
        Ok(report) => {
            writeln!(
                out,
                "{}: assigned {code} to {described}; wrote it to {}, read back and verified",
                file.display(),
                places.join(", ")
            )?;
            debug_assert!(report.written);
            if let Some(w) = allocation.usage_warning(options.prefix, year) {
                let style = style::WARNING;
                anstream::eprintln!("{style}warning:{style:#} {w}");
            }
            Ok(Outcome::Assigned)
        }
        Err(write_error) => {
            let reason = format!("tag write failed: {write_error}");
            match store.void(code, &reason, &actor()).await {
                Ok(_) => report_error(format!(
                    "{write_error}; {code} was allocated and is now void in the ledger (it is never reissued)"
                )),
                Err(void_error) => report_error(format!(
                    "{write_error}; {code} was allocated but could not be voided ({void_error}): void it with `isrc void {code} --reason \"tag write failed\"`"
                )),
            }
            Ok(Outcome::Failed)
        }
    }
}
