//! Command-line arguments: the subcommands, each defined by its own module. The options every
//! subcommand shares are `crate::context::GlobalArgs`, so that the commands depend on
//! `context` and only this module depends on the commands.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::context::GlobalArgs;

/// Allocate, check and tag International Standard Recording Codes (ISO 3901).
#[derive(Debug, Parser)]
#[command(name = "isrc", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check ISRCs given as arguments, or one per line on standard input.
    Validate(crate::validate::ValidateArgs),
    /// Check catalogue files in bulk: every record, duplicates, conflicts, systemic errors by registrant.
    Check(Box<crate::check::CheckArgs>),
    /// ISRCs in audio files: read, write (verified), scan a folder.
    Tag(crate::media::TagArgs),
    /// ISRCs in CUE sheets: read, set.
    Cue(crate::media::CueArgs),
    /// Registrants (prefix codes) held in the registry ledger.
    Registrant(crate::registry::records::RegistrantArgs),
    /// Allocate the next ISRC(s) of a registrant; prints the code alone (or CSV for a batch).
    Allocate(crate::registry::allocate::AllocateArgs),
    /// New ISRC or keep it? Judge a changed recording (edit, remix, remaster...) by the rules.
    Derive(crate::registry::allocate::DeriveArgs),
    /// Bring existing codes into the ledger from CSV (all or nothing).
    Import(crate::registry::records::ImportArgs),
    /// Mark a code void (allocated in error); it is kept and never reissued.
    Void(crate::registry::records::VoidArgs),
    /// Publish a code (the public lookup shows its recording), or take it back with --off.
    Publish(crate::registry::records::PublishArgs),
    /// Correct a recording's metadata (never its ISRC); the audit log keeps before and after.
    Edit(crate::registry::edit::EditArgs),
    /// Search the published recordings by title, artist, version or ISRC.
    Search(crate::registry::edit::SearchArgs),
    /// Show one recording of the ledger with its history.
    Show(crate::registry::records::ShowArgs),
    /// List the recordings in the ledger.
    List(crate::registry::records::ListArgs),
    /// Export the ledger: distributor metadata, repertoire declaration or agency listing.
    Export(crate::registry::records::ExportArgs),
    /// Releases (UPC/EAN, title, label, ℗ line, date, tracks): add, edit, show, list, export (CSV, DDEX ERN 4.3).
    Release(crate::registry::release::ReleaseArgs),
    /// Agency side: registrant-code applications and listings.
    Agency(crate::registry::agency::AgencyArgs),
    /// The ledger's audit log: who changed what, when, before and after.
    Audit(crate::registry::audit::AuditArgs),
    /// Run the ISRC service: JSON API, web pages, accounts (see crates/isrc-server).
    Serve(Box<crate::serve::ServeArgs>),
    /// Server accounts: make an agency admin.
    Admin(crate::serve::AdminArgs),
}

impl Command {
    /// The subcommand's name, as typed, for the log.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Validate(_) => "validate",
            Command::Check(_) => "check",
            Command::Tag(_) => "tag",
            Command::Cue(_) => "cue",
            Command::Registrant(_) => "registrant",
            Command::Allocate(_) => "allocate",
            Command::Derive(_) => "derive",
            Command::Import(_) => "import",
            Command::Void(_) => "void",
            Command::Publish(_) => "publish",
            Command::Edit(_) => "edit",
            Command::Search(_) => "search",
            Command::Show(_) => "show",
            Command::List(_) => "list",
            Command::Export(_) => "export",
            Command::Release(_) => "release",
            Command::Agency(_) => "agency",
            Command::Audit(_) => "audit",
            Command::Serve(_) => "serve",
            Command::Admin(_) => "admin",
        }
    }
}

impl Cli {
    /// Parses the command line, with `--version` naming the built-in prefix table's date.
    pub fn parse_with_version() -> Cli {
        let table = isrc::prefix::PrefixTable::builtin();
        let version = format!(
            "{} (prefix table {}, {} prefixes)",
            env!("CARGO_PKG_VERSION"),
            table.date().unwrap_or("undated"),
            table.len()
        );
        let matches = Cli::command().version(version).get_matches();
        match Cli::from_arg_matches(&matches) {
            Ok(cli) => cli,
            Err(error) => error.exit(),
        }
    }
}
