//! `isrc cue read|set`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use isrc_media::cue::{CatalogCheck, CueSheet, check_catalog};
use serde::Serialize;

use super::{OutputFormat, cell, valid_code};
use crate::context::Context;
use crate::context::GlobalArgs;
use crate::style;

#[derive(Serialize)]
struct TrackOut {
    track: u32,
    title: Option<String>,
    performer: Option<String>,
    isrc: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    valid: Option<bool>,
    findings: Vec<isrc::rule::Finding>,
}

#[derive(Serialize)]
struct SheetOut {
    file: String,
    encoding: isrc_media::cue::Encoding,
    catalog: Option<CatalogCheck>,
    title: Option<String>,
    performer: Option<String>,
    tracks: Vec<TrackOut>,
    warnings: Vec<isrc_media::cue::CueWarning>,
}

fn load(file: &Path) -> Result<CueSheet> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    CueSheet::parse(&bytes).map_err(|e| anyhow::anyhow!("{}:{e}", file.display()))
}

pub fn read(global: &GlobalArgs, file: &Path, format: OutputFormat) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let policy = context.policy();
    let sheet = load(file)?;
    let tracks: Vec<TrackOut> = sheet
        .tracks
        .iter()
        .map(|t| {
            let report = t.isrc.as_ref().map(|i| isrc::check(&i.value, &policy));
            TrackOut {
                track: t.number,
                title: t.title.clone(),
                performer: t.performer.clone(),
                isrc: t.isrc.as_ref().map(|i| i.value.clone()),
                line: t.isrc.as_ref().map(|i| i.line),
                column: t.isrc.as_ref().map(|i| i.column),
                // CD burners take only the compact form in capitals.
                valid: report.as_ref().map(|r| {
                    r.is_valid()
                        && t.isrc.as_ref().is_some_and(|i| {
                            i.value.len() == 12
                                && i.value
                                    .bytes()
                                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                        })
                }),
                findings: report.map(|r| r.findings).unwrap_or_default(),
            }
        })
        .collect();
    let out = SheetOut {
        file: file.display().to_string(),
        encoding: sheet.encoding,
        catalog: sheet.catalog.as_ref().map(|c| check_catalog(&c.value)),
        title: sheet.title.clone(),
        performer: sheet.performer.clone(),
        tracks,
        warnings: sheet.warnings.clone(),
    };
    let stdout = anstream::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut w, &out)?;
            writeln!(w)?;
        }
        OutputFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut w);
            csv.write_record(["track", "title", "performer", "isrc", "valid", "rules"])?;
            for t in &out.tracks {
                let rules: Vec<&str> = t.findings.iter().map(|f| f.rule.id()).collect();
                csv.write_record([
                    t.track.to_string(),
                    t.title.clone().unwrap_or_default(),
                    t.performer.clone().unwrap_or_default(),
                    t.isrc.clone().unwrap_or_default(),
                    t.valid.map(|v| v.to_string()).unwrap_or_default(),
                    rules.join(" "),
                ])?;
            }
            csv.flush()?;
        }
        OutputFormat::Table => {
            match &out.catalog {
                Some(c) if c.valid => writeln!(
                    w,
                    "CATALOG {} ({}, check digit ok)",
                    cell(&c.value),
                    c.kind.unwrap_or("?")
                )?,
                Some(c) => writeln!(
                    w,
                    "CATALOG {} {}invalid{}: {}",
                    cell(&c.value),
                    style::ERROR.render(),
                    style::ERROR.render_reset(),
                    c.message.as_deref().unwrap_or("")
                )?,
                None => writeln!(w, "no CATALOG")?,
            }
            for t in &out.tracks {
                let name = format!(
                    "{} / {}",
                    cell(t.title.as_deref().unwrap_or("-")),
                    cell(
                        t.performer
                            .as_deref()
                            .or(out.performer.as_deref())
                            .unwrap_or("-")
                    )
                );
                match (&t.isrc, t.valid) {
                    (Some(code), Some(true)) => writeln!(
                        w,
                        "{:02}  {}  {}valid{}  {name}",
                        t.track,
                        cell(code),
                        style::VALID.render(),
                        style::VALID.render_reset()
                    )?,
                    (Some(code), _) => {
                        writeln!(
                            w,
                            "{:02}  {}  {}invalid{}  {name}",
                            t.track,
                            cell(code),
                            style::ERROR.render(),
                            style::ERROR.render_reset()
                        )?;
                        for f in &t.findings {
                            writeln!(w, "      {}: {}", f.rule, f.message)?;
                        }
                    }
                    (None, _) => writeln!(
                        w,
                        "{:02}  {}no ISRC{}      {name}",
                        t.track,
                        style::WARNING.render(),
                        style::WARNING.render_reset()
                    )?,
                }
            }
            for warning in &out.warnings {
                writeln!(
                    w,
                    "{}:{}:{}: warning: {}",
                    out.file, warning.line, warning.column, warning.message
                )?;
            }
        }
    }
    w.flush()?;
    let bad = out.catalog.as_ref().is_some_and(|c| !c.valid)
        || out.tracks.iter().any(|t| t.valid == Some(false));
    Ok(if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn read_csv(path: &Path, policy: &isrc::Policy<'_>) -> Result<Vec<(u32, isrc::Isrc)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: bad CSV", path.display()))?;
        let line = record.position().map_or(i as u64 + 1, |p| p.line());
        let track = record.get(0).unwrap_or("");
        let code = record.get(1).unwrap_or("");
        let Ok(number) = track.parse::<u32>() else {
            if i == 0 {
                continue; // header row
            }
            anyhow::bail!(
                "{}:{line}:1: {track:?} is not a track number",
                path.display()
            );
        };
        let code =
            valid_code(policy, code).with_context(|| format!("{}:{line}:2", path.display()))?;
        out.push((number, code));
    }
    Ok(out)
}

pub fn set(
    global: &GlobalArgs,
    file: &Path,
    track: Option<u32>,
    code: Option<&str>,
    from_csv: Option<&Path>,
    dry_run: bool,
) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let policy = context.policy();
    let edits = match (from_csv, track, code) {
        (Some(csv), _, _) => read_csv(csv, &policy)?,
        (None, Some(track), Some(code)) => match valid_code(&policy, code) {
            Ok(code) => vec![(track, code)],
            Err(error) => {
                style::print_error(&error);
                return Ok(ExitCode::from(1));
            }
        },
        _ => anyhow::bail!("give --track N ISRC, or --from-csv FILE"),
    };
    let original = load(file)?;
    let mut sheet = original.clone();
    for &(track, code) in &edits {
        let bytes = sheet
            .set_isrc(track, code)
            .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message))?;
        sheet = CueSheet::parse(&bytes).map_err(|e| anyhow::anyhow!("{}:{e}", file.display()))?;
    }
    // Verify before anything touches the disk.
    for &(track, code) in &edits {
        let t = sheet.tracks.iter().find(|t| t.number == track);
        let got = t.and_then(|t| t.isrc.as_ref()).map(|i| i.value.as_str());
        if got != Some(code.to_string().as_str()) {
            anyhow::bail!(
                "{}: track {track} would read back as {got:?}; nothing written",
                file.display()
            );
        }
    }
    let mut out = anstream::stdout();
    if dry_run {
        std::io::stdout().write_all(&sheet.to_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    if sheet.bytes() == original.bytes() {
        writeln!(out, "{}: already up to date; not rewritten", file.display())?;
        return Ok(ExitCode::SUCCESS);
    }
    let target = std::fs::canonicalize(file)
        .with_context(|| format!("cannot resolve {}", file.display()))?;
    isrc_media::replace_contents(&target, &sheet.to_bytes(), false)?;
    let reread = load(&target)?;
    for &(track, code) in &edits {
        let got = reread
            .tracks
            .iter()
            .find(|t| t.number == track)
            .and_then(|t| t.isrc.as_ref())
            .map(|i| i.value.clone());
        if got.as_deref() != Some(code.to_string().as_str()) {
            anyhow::bail!(
                "{}: track {track} reads back as {got:?} after writing",
                file.display()
            );
        }
        writeln!(out, "{}: track {track:02} ISRC {code}", file.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
