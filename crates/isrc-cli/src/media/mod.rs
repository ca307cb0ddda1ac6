//! `isrc tag` and `isrc cue`: ISRCs in audio files and CUE sheets (crate `isrc-media`).

mod assign;
mod cue;
mod tag;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};

use crate::context::GlobalArgs;

/// Output formats of the media commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON document.
    Json,
    /// Comma-separated values with a header row.
    Csv,
}

#[derive(Debug, Args)]
pub struct TagArgs {
    #[command(subcommand)]
    pub command: TagCommand,
}

#[derive(Debug, Subcommand)]
pub enum TagCommand {
    /// Show the ISRC(s) of audio files, where each was found, and whether it is valid.
    Read {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// Audio files (MP3, FLAC, Ogg Vorbis, Opus, M4A, AIFF, APE, WAV/BWF).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Write an ISRC into an audio file: locked, edited in a temporary copy, read back and
    /// compared (the code, and every other tag item, picture, block and the audio), then put in
    /// place by an atomic rename keeping mode, owner and extended attributes (a file with
    /// several hard links is overwritten in place after a backup).
    Write {
        /// Show what would change, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Keep the file's modification (and access) time.
        #[arg(long)]
        keep_mtime: bool,
        /// FLAC album image: set this track's ISRC (the embedded CUESHEET's track entry and its
        /// CUE_TRACKnn_ISRC comment) instead of the file's own.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=99))]
        track: Option<u8>,
        /// The audio file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The code; written in its compact form.
        #[arg(value_name = "ISRC")]
        isrc: String,
    },
    /// Inventory of a folder tree: format, ISRC present/missing/invalid, shared codes. Reads only.
    Scan {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// The folder.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Give each file without an ISRC a new code from the registry (`--db`), allocated from the
    /// file's own title, artist and duration, then write it (verified). Files that hold an
    /// ISRC are skipped. If the write fails, the code is voided ("tag write failed").
    Assign {
        /// The registrant's prefix to allocate under.
        #[arg(long, value_parser = crate::registry::parse_prefix, value_name = "CBXYZ")]
        prefix: isrc::code::PrefixCode,
        /// Show what would be allocated and written; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Allocate even if the ledger holds a recording with the same title, artist and
        /// duration (within 10 s).
        #[arg(long)]
        force: bool,
        /// The client, under an ISRC Manager prefix.
        #[arg(long)]
        client: Option<String>,
        /// Codes under the prefix found on disk (in these files or beside them) that the
        /// ledger lacks are imported into it, so that they are never allocated again. Without
        /// it such codes are reported and nothing is allocated.
        #[arg(long)]
        import_found: bool,
        /// Keep the files' modification times.
        #[arg(long)]
        keep_mtime: bool,
        /// Audio files (MP3, FLAC, Ogg Vorbis, Opus, M4A, AIFF, APE, WAV/BWF).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct CueArgs {
    #[command(subcommand)]
    pub command: CueCommand,
}

#[derive(Debug, Subcommand)]
pub enum CueCommand {
    /// Show every track's number, title, performer and ISRC with its validity, and the CATALOG.
    Read {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// The CUE sheet.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Set the ISRC of a track (before its INDEX lines), keeping every other byte.
    Set {
        /// The track number.
        #[arg(
            long,
            value_name = "N",
            required_unless_present = "from_csv",
            requires = "isrc"
        )]
        track: Option<u32>,
        /// A CSV file of `track,isrc` rows (a header row is allowed) to set several tracks.
        #[arg(long, value_name = "CSV", conflicts_with_all = ["track", "isrc"])]
        from_csv: Option<PathBuf>,
        /// Show the edited sheet on standard output, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The CUE sheet.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The code.
        #[arg(value_name = "ISRC")]
        isrc: Option<String>,
    },
}

/// On Ctrl-C, SIGTERM or SIGHUP during a write, removes its temporary files (after a rename
/// or in-place overwrite in progress has finished) and exits with 128 + the signal's number.
fn remove_temporary_files_on_signal() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let removed = isrc_media::remove_temporary_files();
            if removed > 0 {
                eprintln!(
                    "interrupted: removed {removed} temporary file(s); the files being written were not changed"
                );
            }
            std::process::exit(128 + signal);
        }
    });
}

pub fn run_tag(global: &GlobalArgs, args: TagArgs) -> Result<ExitCode> {
    if matches!(
        args.command,
        TagCommand::Write { .. } | TagCommand::Assign { .. }
    ) {
        remove_temporary_files_on_signal();
    }
    match args.command {
        TagCommand::Read { format, files } => tag::read(global, &files, format),
        TagCommand::Write {
            dry_run,
            keep_mtime,
            track,
            file,
            isrc,
        } => tag::write(
            global,
            &file,
            &isrc,
            isrc_media::WriteOptions {
                dry_run,
                keep_mtime,
                track,
            },
        ),
        TagCommand::Scan { format, dir } => tag::scan(global, &dir, format),
        TagCommand::Assign {
            prefix,
            dry_run,
            force,
            client,
            import_found,
            keep_mtime,
            files,
        } => assign::assign(
            global,
            files,
            assign::AssignOptions {
                prefix,
                dry_run,
                force,
                client,
                import_found,
                keep_mtime,
            },
        ),
    }
}

pub fn run_cue(global: &GlobalArgs, args: CueArgs) -> Result<ExitCode> {
    if matches!(args.command, CueCommand::Set { .. }) {
        remove_temporary_files_on_signal();
    }
    match args.command {
        CueCommand::Read { format, file } => cue::read(global, &file, format),
        CueCommand::Set {
            track,
            from_csv,
            dry_run,
            file,
            isrc,
        } => cue::set(
            global,
            &file,
            track,
            isrc.as_deref(),
            from_csv.as_deref(),
            dry_run,
        ),
    }
}

/// Checks a code given on the command line: valid codes come back compact; otherwise the
/// findings are the error.
fn valid_code(policy: &isrc::Policy<'_>, text: &str) -> Result<isrc::Isrc> {
    let report = isrc::check(text, policy);
    match report.isrc {
        Some(code) if report.is_valid() => Ok(code),
        _ => {
            let reasons: Vec<String> = report
                .findings
                .iter()
                .filter(|f| f.severity == isrc::rule::Severity::Error)
                .map(|f| format!("{}: {}", f.rule, f.message))
                .collect();
            Err(anyhow::anyhow!(
                "{text:?} is not a valid ISRC ({}); nothing was written",
                reasons.join("; ")
            ))
        }
    }
}

/// Text safe to print in a table cell: control characters replaced.
fn cell(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '�' } else { c })
        .collect()
}
