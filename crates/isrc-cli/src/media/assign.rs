//! `isrc tag assign`: give each audio file without an ISRC a new code from the registry.
//!
//! First, every code under the prefix found on disk (in the files given and in the other audio
//! files of their folders) is looked up in the ledger: a code the ledger lacks could be
//! allocated again, so it is reported and nothing is allocated, unless `--import-found`
//! imports it (with the file's title and artist) so that it is never allocated.
//!
//! Then, for every file: read its title, artist, duration and ISRCs; skip it if it holds any ISRC
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
use isrc::code::PrefixCode;
use isrc_media::{MediaInfo, WriteOptions};
use isrc_registry::{AllocationRequest, ImportRecord, RecordingInput, Status, Store};

use super::cell;
use crate::context::GlobalArgs;
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
    /// Import codes under the prefix found on disk that the ledger lacks.
    pub import_found: bool,
    /// Keep the files' modification times.
    pub keep_mtime: bool,
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
        Ok(year) => year,
        Err(e) => return crate::registry::refuse(e),
    };
    run_with_store(global, |store, _| async move {
        // The registrant is checked once, before any file is touched.
        if let Err(e) = store.registrant(options.prefix).await {
            return crate::registry::refuse(e.into());
        }
        match check_codes_on_disk(&store, &files, &options).await? {
            DiskCheck::Clean => {}
            DiskCheck::Refused => return Ok(ExitCode::from(1)),
        }
        let mut failed = 0;
        let started = std::time::Instant::now();
        for file in &files {
            let span = tracing::info_span!("file", path = %file.display());
            let outcome =
                tracing::Instrument::instrument(assign_one(&store, file, &options, year), span)
                    .await?;
            if let Outcome::Failed = outcome {
                failed += 1;
            }
        }
        tracing::info!(
            files = files.len(),
            failed,
            ms = started.elapsed().as_millis() as u64,
            "assigned"
        );
        Ok(if failed > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}

/// Whether the allocation may go on after the codes on disk were checked.
enum DiskCheck {
    Clean,
    Refused,
}

/// The files given and the other audio files of their folders.
fn files_on_disk(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = files.to_vec();
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .map(|f| match f.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && isrc_media::scan::is_audio_path(p))
            .collect();
        found.sort();
        out.extend(found);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    out
}

/// Looks up every code under the prefix found on disk in the ledger; imports the missing ones
/// with `--import-found`, else reports them and refuses to allocate.
async fn check_codes_on_disk(
    store: &Store,
    files: &[PathBuf],
    options: &AssignOptions,
) -> Result<DiskCheck> {
    let mut missing: Vec<(isrc::Isrc, MediaInfo)> = Vec::new();
    for path in files_on_disk(files) {
        let Ok(info) = isrc_media::read(&path) else {
            continue; // reported when the file itself is assigned
        };
        let codes: Vec<isrc::Isrc> = info
            .standard_values()
            .into_iter()
            .filter_map(|v| v.parse::<isrc::Isrc>().ok())
            .filter(|code| code.prefix() == options.prefix)
            .collect();
        for code in codes {
            if missing.iter().any(|(c, _)| *c == code) {
                continue;
            }
            match store.recording(code).await {
                Ok(_) => {}
                Err(isrc_registry::Error::NotFound { .. }) => missing.push((code, info.clone())),
                Err(e) => return Err(e.into()),
            }
        }
    }
    if missing.is_empty() {
        return Ok(DiskCheck::Clean);
    }
    let listed: Vec<String> = missing
        .iter()
        .map(|(code, info)| format!("{code} on {}", info.path.display()))
        .collect();
    if options.dry_run {
        let what = if options.import_found {
            "they would be imported"
        } else {
            "a real run allocates nothing until they are imported with --import-found"
        };
        let style = style::WARNING;
        anstream::eprintln!(
            "{style}warning:{style:#} {} code(s) under {} are on disk but not in the ledger ({}); {what}",
            missing.len(),
            options.prefix,
            listed.join(", ")
        );
        return Ok(DiskCheck::Clean);
    }
    if !options.import_found {
        report_error(format!(
            "{} code(s) under {} are on disk but not in the ledger ({}); nothing allocated: import them with --import-found, so that they are never allocated again",
            missing.len(),
            options.prefix,
            listed.join(", ")
        ));
        return Ok(DiskCheck::Refused);
    }
    let records: Vec<ImportRecord> = missing
        .iter()
        .map(|(code, info)| {
            let name = info
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            ImportRecord {
                isrc: *code,
                meta: RecordingInput {
                    title: present(&info.title).unwrap_or(&name).to_string(),
                    artist: present(&info.artist)
                        .unwrap_or("(unknown: found on disk)")
                        .to_string(),
                    duration_ms: info.duration.map(|d| d.as_millis() as u64),
                    client: options.client.clone(),
                    notes: Some(format!("found on file {name} by `isrc tag assign`")),
                    ..Default::default()
                },
                status: Status::Active,
                label: info.path.display().to_string(),
            }
        })
        .collect();
    match store.import(&records, Some(options.prefix), &actor()).await {
        Ok(n) => {
            let mut out = anstream::stdout();
            writeln!(
                out,
                "imported {n} code(s) found on disk into the ledger: {}",
                listed.join(", ")
            )?;
            Ok(DiskCheck::Clean)
        }
        Err(e) if e.is_caller_error() => {
            report_error(format!(
                "importing the codes found on disk failed: {e}; nothing allocated"
            ));
            Ok(DiskCheck::Refused)
        }
        Err(e) => Err(e.into()),
    }
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
    let dry = WriteOptions {
        dry_run: true,
        ..WriteOptions::default()
    };
    let plan = match isrc_media::write_isrc(file, placeholder, &dry) {
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
    let current_year = crate::context::clock_today().year();
    let operator = crate::registry::operator();
    let allocation = match isrc_registry::ops::allocate(store, &operator, request, current_year)
        .await
    {
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
    let write = WriteOptions {
        keep_mtime: options.keep_mtime,
        ..WriteOptions::default()
    };
    match isrc_media::write_isrc(file, code, &write) {
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
            match isrc_registry::ops::void(store, &operator, code, &reason).await {
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
