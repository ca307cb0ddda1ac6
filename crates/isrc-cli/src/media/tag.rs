//! `isrc tag read|write|scan`.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use isrc_media::scan::{self, Progress, Status};
use isrc_media::{MediaInfo, WriteOptions};
use serde::Serialize;

use super::{OutputFormat, cell, valid_code};
use crate::EXIT_TROUBLE;
use crate::context::Context;
use crate::context::GlobalArgs;
use crate::style;

#[derive(Serialize)]
struct Value {
    location: isrc_media::Location,
    where_found: String,
    standard: bool,
    value: String,
    valid: bool,
    findings: Vec<isrc::rule::Finding>,
}

#[derive(Serialize)]
struct FileOut {
    file: String,
    format: Option<isrc_media::Format>,
    title: Option<String>,
    artist: Option<String>,
    duration_seconds: Option<f64>,
    isrcs: Vec<Value>,
    notes: Vec<String>,
    warnings: Vec<String>,
    error: Option<String>,
}

fn file_out(
    path: &Path,
    info: Result<MediaInfo, isrc_media::Error>,
    policy: &isrc::Policy<'_>,
) -> FileOut {
    match info {
        Ok(info) => FileOut {
            file: path.display().to_string(),
            format: Some(info.format),
            title: info.title,
            artist: info.artist,
            duration_seconds: info
                .duration
                .map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0),
            isrcs: info
                .isrcs
                .iter()
                .map(|f| {
                    let report = isrc::check(&f.value, policy);
                    Value {
                        location: f.location,
                        where_found: f.location.to_string(),
                        standard: f.location.is_standard(),
                        value: f.value.clone(),
                        valid: report.is_valid(),
                        findings: report.findings,
                    }
                })
                .collect(),
            notes: info.notes,
            warnings: info.warnings,
            error: None,
        },
        Err(error) => FileOut {
            file: path.display().to_string(),
            format: None,
            title: None,
            artist: None,
            duration_seconds: None,
            isrcs: Vec::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
            error: Some(error.to_string()),
        },
    }
}

pub fn read(
    global: &GlobalArgs,
    files: &[std::path::PathBuf],
    format: OutputFormat,
) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let policy = context.policy();
    let outs: Vec<FileOut> = files
        .iter()
        .map(|path| file_out(path, isrc_media::read(path), &policy))
        .collect();
    let stdout = anstream::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &outs)?;
            writeln!(out)?;
        }
        OutputFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record([
                "file", "format", "location", "standard", "isrc", "valid", "rules", "error",
            ])?;
            for f in &outs {
                let format = f.format.map(|x| x.name()).unwrap_or("");
                if f.isrcs.is_empty() {
                    csv.write_record([
                        f.file.as_str(),
                        format,
                        "",
                        "",
                        "",
                        "",
                        "",
                        f.error.as_deref().unwrap_or(""),
                    ])?;
                }
                for v in &f.isrcs {
                    let rules: Vec<&str> = v.findings.iter().map(|x| x.rule.id()).collect();
                    csv.write_record([
                        f.file.as_str(),
                        format,
                        v.where_found.as_str(),
                        if v.standard { "true" } else { "false" },
                        v.value.as_str(),
                        if v.valid { "true" } else { "false" },
                        &rules.join(" "),
                        "",
                    ])?;
                }
            }
            csv.flush()?;
        }
        OutputFormat::Table => {
            for f in &outs {
                if let Some(error) = &f.error {
                    writeln!(
                        out,
                        "{}  {}error{}  {}",
                        cell(&f.file),
                        style::ERROR.render(),
                        style::ERROR.render_reset(),
                        cell(error)
                    )?;
                    continue;
                }
                let format = f.format.map(|x| x.name()).unwrap_or("?");
                if f.isrcs.is_empty() {
                    writeln!(
                        out,
                        "{}  {format}  {}no ISRC{}",
                        cell(&f.file),
                        style::WARNING.render(),
                        style::WARNING.render_reset()
                    )?;
                }
                for v in &f.isrcs {
                    let (label, text) = if v.valid {
                        (style::VALID, "valid")
                    } else {
                        (style::ERROR, "invalid")
                    };
                    let rules: Vec<&str> = v.findings.iter().map(|x| x.rule.id()).collect();
                    write!(
                        out,
                        "{}  {format}  {}  {}  {}{text}{}",
                        cell(&f.file),
                        v.where_found,
                        cell(&v.value),
                        label.render(),
                        label.render_reset()
                    )?;
                    if !rules.is_empty() {
                        write!(out, " [{}]", rules.join(", "))?;
                    }
                    writeln!(out)?;
                }
                for warning in &f.warnings {
                    writeln!(
                        out,
                        "  {}warning:{} {}",
                        style::WARNING.render(),
                        style::WARNING.render_reset(),
                        cell(warning)
                    )?;
                }
                for note in &f.notes {
                    writeln!(
                        out,
                        "  {}note:{} {}",
                        style::DIM.render(),
                        style::DIM.render_reset(),
                        cell(note)
                    )?;
                }
            }
        }
    }
    out.flush()?;
    drop(out);
    let errors = outs.iter().filter(|f| f.error.is_some()).count();
    if format != OutputFormat::Table {
        for f in outs.iter().filter_map(|f| f.error.as_ref()) {
            style::print_error(&anyhow::anyhow!("{f}"));
        }
        for f in &outs {
            for w in &f.warnings {
                let style = style::WARNING;
                anstream::eprintln!("{style}warning:{style:#} {}: {}", f.file, cell(w));
            }
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(EXIT_TROUBLE)
    } else if outs
        .iter()
        .any(|f| f.isrcs.iter().any(|v| v.standard && !v.valid))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn write(
    global: &GlobalArgs,
    file: &Path,
    text: &str,
    options: WriteOptions,
) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let policy = context.policy();
    let code = match valid_code(&policy, text) {
        Ok(code) => code,
        Err(error) => {
            style::print_error(&error);
            return Ok(ExitCode::from(1));
        }
    };
    let started = std::time::Instant::now();
    let report = isrc_media::write_isrc(file, code, &options)?;
    tracing::info!(
        file = %file.display(),
        code = %code,
        locations = report.locations.len(),
        unchanged = report.unchanged,
        dry_run = report.dry_run,
        ms = started.elapsed().as_millis() as u64,
        "written"
    );
    let places: Vec<String> = report.locations.iter().map(ToString::to_string).collect();
    let before: Vec<String> = report
        .before
        .iter()
        .map(|f| format!("{} in {}", f.value, f.location))
        .collect();
    let was = if before.is_empty() {
        String::from("no ISRC")
    } else {
        before.join(", ")
    };
    let mut out = anstream::stdout();
    if report.unchanged {
        writeln!(
            out,
            "{}: already holds {code} ({}); not rewritten",
            file.display(),
            places.join(", ")
        )?;
    } else if report.dry_run {
        writeln!(
            out,
            "{}: would write {code} to {} (now: {was}); dry run, nothing written",
            file.display(),
            places.join(", ")
        )?;
    } else {
        let how = if report.in_place {
            "; the file has several hard links, so it was overwritten in place after a backup"
        } else {
            ""
        };
        writeln!(
            out,
            "{}: wrote {code} to {} (was: {was}); read back and verified, {} other parts (tag items, pictures, blocks, audio) unchanged{how}",
            file.display(),
            places.join(", "),
            report.kept
        )?;
        if let Some(after) = &report.after {
            for warning in &after.warnings {
                writeln!(out, "  warning: {}", cell(warning))?;
            }
            for note in &after.notes {
                writeln!(out, "  note: {}", cell(note))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn scan(global: &GlobalArgs, dir: &Path, format: OutputFormat) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let policy = context.policy();
    if !dir.is_dir() {
        anyhow::bail!("{}: not a directory", dir.display());
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let started = std::time::Instant::now();
    let inventory = scan::scan(dir, &policy, &mut |progress| {
        if let Some(bar) = &bar {
            match progress {
                Progress::Found(n) => bar.set_length(n as u64),
                Progress::Reading(path) => {
                    bar.inc(1);
                    bar.set_message(path.display().to_string());
                }
            }
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    tracing::info!(
        dir = %dir.display(),
        files = inventory.files.len(),
        ms = started.elapsed().as_millis() as u64,
        "scanned"
    );
    let stdout = anstream::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &inventory)?;
            writeln!(out)?;
        }
        OutputFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record([
                "file",
                "format",
                "status",
                "isrcs",
                "title",
                "artist",
                "duration_seconds",
                "notes",
            ])?;
            for e in &inventory.files {
                let values: Vec<&str> = e.isrcs.iter().map(|c| c.found.value.as_str()).collect();
                csv.write_record([
                    e.path.display().to_string(),
                    e.format.map(|f| f.name().to_string()).unwrap_or_default(),
                    e.status.as_str().to_string(),
                    values.join(" "),
                    e.title.clone().unwrap_or_default(),
                    e.artist.clone().unwrap_or_default(),
                    e.duration_seconds
                        .map(|d| format!("{d:.3}"))
                        .unwrap_or_default(),
                    e.notes.join("; "),
                ])?;
            }
            csv.flush()?;
        }
        OutputFormat::Table => {
            for e in &inventory.files {
                let label = match e.status {
                    Status::Present => style::VALID,
                    Status::Missing => style::WARNING,
                    Status::Invalid | Status::Error => style::ERROR,
                };
                let mut values: Vec<String> = e
                    .isrcs
                    .iter()
                    .map(|c| {
                        let mark = if c.valid { "" } else { " (invalid)" };
                        let place = if c.found.location.is_standard() {
                            ""
                        } else {
                            " (non-standard place)"
                        };
                        format!("{}{mark}{place}", cell(&c.found.value))
                    })
                    .collect();
                values.dedup();
                writeln!(
                    out,
                    "{:<10} {}{:<8}{} {}  {}",
                    e.format.map(|f| f.name()).unwrap_or("-"),
                    label.render(),
                    e.status.as_str(),
                    label.render_reset(),
                    cell(&e.path.display().to_string()),
                    values.join(", ")
                )?;
                for note in &e.notes {
                    writeln!(out, "           note: {}", cell(note))?;
                }
            }
            for c in &inventory.conflicts {
                let files: Vec<String> = c.files.iter().map(|p| p.display().to_string()).collect();
                writeln!(
                    out,
                    "{}same ISRC, different {}{}: {} on {}",
                    style::ERROR.render(),
                    c.differs.join("/"),
                    style::ERROR.render_reset(),
                    c.isrc,
                    files.join(", ")
                )?;
            }
            for p in &inventory.problems {
                let path = p
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{}skipped{} {}: {}",
                    style::WARNING.render(),
                    style::WARNING.render_reset(),
                    cell(&path),
                    cell(&p.message)
                )?;
            }
            writeln!(
                out,
                "{}{} audio files: {} with ISRC, {} missing, {} invalid, {} unreadable; {} shared codes with differences{}",
                style::BOLD.render(),
                inventory.files.len(),
                inventory.count(Status::Present),
                inventory.count(Status::Missing),
                inventory.count(Status::Invalid),
                inventory.count(Status::Error),
                inventory.conflicts.len(),
                style::BOLD.render_reset()
            )?;
        }
    }
    out.flush()?;
    let bad = inventory.count(Status::Invalid)
        + inventory.count(Status::Error)
        + inventory.conflicts.len();
    Ok(if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
