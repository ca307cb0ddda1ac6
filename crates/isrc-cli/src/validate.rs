//! `isrc validate`: one verdict per code, for people or as JSON Lines.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use isrc::{Report, rule::Finding};

use crate::context::Context;
use crate::context::GlobalArgs;
use crate::style;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Print one JSON object per input, one per line.
    #[arg(long)]
    pub json: bool,

    /// Codes to check; without any, each line of standard input is one code.
    #[arg(value_name = "CODE")]
    pub codes: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: ValidateArgs) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let policy = context.policy();
    // JSON goes straight out: the colour-stripping stream would scan every byte of it (a third
    // of the time of `validate --json` on a long list), and it never has colours.
    let mut out: Box<dyn Write> = if args.json {
        Box::new(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout().lock(),
        ))
    } else {
        Box::new(std::io::BufWriter::new(anstream::stdout().lock()))
    };
    let mut tally = Tally::default();
    let mut json = String::with_capacity(1024);
    let mut emit = |input: &str, out: &mut dyn Write| -> Result<()> {
        let report = isrc::check(input, &policy);
        tally.count(&report);
        if args.json {
            json.clear();
            report.write_json(&mut json);
            json.push('\n');
            out.write_all(json.as_bytes())?;
        } else {
            write_human(out, &report)?;
        }
        Ok(())
    };
    if args.codes.is_empty() {
        let stdin = std::io::stdin();
        let mut reader = stdin.lock();
        let mut line = Vec::new();
        let mut line_no = 0usize;
        loop {
            line.clear();
            let read = reader
                .read_until(b'\n', &mut line)
                .with_context(|| format!("reading standard input after line {line_no}"))?;
            if read == 0 {
                break;
            }
            line_no += 1;
            let text = String::from_utf8_lossy(trim_newline(&line));
            emit(&text, &mut out).map_err(broken_pipe_is_fine)?;
        }
    } else {
        for code in &args.codes {
            emit(code, &mut out).map_err(broken_pipe_is_fine)?;
        }
    }
    if !args.json && tally.inputs > 1 {
        writeln!(
            out,
            "{}{} inputs: {} valid, {} invalid{}",
            style::BOLD.render(),
            tally.inputs,
            tally.valid,
            tally.inputs - tally.valid,
            style::BOLD.render_reset()
        )?;
    }
    out.flush().ok();
    Ok(if tally.valid == tally.inputs {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn broken_pipe_is_fine(error: anyhow::Error) -> anyhow::Error {
    if let Some(io) = error.downcast_ref::<std::io::Error>()
        && io.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
    error
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[derive(Default)]
struct Tally {
    inputs: usize,
    valid: usize,
}

impl Tally {
    fn count(&mut self, report: &Report<'_>) {
        self.inputs += 1;
        if report.is_valid() {
            self.valid += 1;
        }
    }
}

/// The verdict line, then each finding with a caret under what it concerns.
fn write_human(out: &mut dyn Write, report: &Report<'_>) -> std::io::Result<()> {
    let shown = visible(report.input);
    if report.is_valid() {
        write!(
            out,
            "{}valid{}  ",
            style::VALID.render(),
            style::VALID.render_reset()
        )?;
    } else {
        write!(
            out,
            "{}invalid{}",
            style::ERROR.render(),
            style::ERROR.render_reset()
        )?;
    }
    write!(out, "  {shown}")?;
    if let Some(code) = report.isrc {
        write!(
            out,
            "  {}→ {code}  {}{}",
            style::DIM.render(),
            code.labelled(),
            style::DIM.render_reset()
        )?;
    }
    if let Some(prefix) = report.prefix {
        write!(
            out,
            "  {}({}, {}){}",
            style::DIM.render(),
            prefix.territory(),
            prefix.agency(),
            style::DIM.render_reset()
        )?;
    }
    writeln!(out)?;
    for finding in &report.findings {
        write_finding(out, report.input, &shown, finding)?;
    }
    Ok(())
}

fn write_finding(
    out: &mut dyn Write,
    input: &str,
    shown: &str,
    finding: &Finding,
) -> std::io::Result<()> {
    let label = style::severity(finding.severity);
    writeln!(
        out,
        "  {}{}[{}]{}: {}",
        label.render(),
        finding.severity,
        finding.rule,
        label.render_reset(),
        finding.message
    )?;
    // Long inputs are not echoed: the message says enough.
    if input.len() <= 120 {
        let column = finding.span.column_in(input);
        let width = input
            .get(finding.span.start..finding.span.end)
            .map_or(1, |s| s.chars().count().max(1));
        writeln!(
            out,
            "    {}|{} {shown}",
            style::DIM.render(),
            style::DIM.render_reset()
        )?;
        writeln!(
            out,
            "    {}|{} {}{}{}{}",
            style::DIM.render(),
            style::DIM.render_reset(),
            " ".repeat(column),
            label.render(),
            "^".repeat(width),
            label.render_reset()
        )?;
    }
    if let Some(fix) = finding.fix {
        writeln!(out, "    = fix: {fix}")?;
    }
    Ok(())
}

/// The input with invisible and control characters replaced one for one, so that carets
/// line up and nothing is written to the terminal that could move its cursor.
fn visible(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => '·',
            c if c.is_control() => '�',
            c => c,
        })
        .collect()
}
