//! What every command is given: the global options ([`GlobalArgs`]) and what they resolve to
//! ([`Context`]: the prefix table, built in or `--prefixes FILE`, and the reference date,
//! `--today`, `ISRC_TODAY`, or the system clock). Commands depend on this module and on nothing
//! of `cli`, which depends on the commands.

use std::path::PathBuf;

use anyhow::{Context as _, Result, anyhow};
use clap::Args;
use isrc::{Policy, policy::Date, prefix::PrefixTable};

/// Options every subcommand understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Prefix table to use instead of the built-in one (CSV: prefix,territory,agency,status,introduced).
    #[arg(long, global = true, value_name = "FILE", env = "ISRC_PREFIXES")]
    pub prefixes: Option<PathBuf>,

    /// Reference date for year checks and allocation, instead of today (also ISRC_TODAY).
    #[arg(long, global = true, value_name = "YYYY-MM-DD", env = "ISRC_TODAY")]
    pub today: Option<Date>,

    /// Registry database: an SQLite file (created on first use) or a postgres:// URL.
    #[arg(
        long,
        global = true,
        value_name = "PATH|URL",
        env = "ISRC_DATABASE_URL",
        default_value = "./isrc.db"
    )]
    pub db: String,

    /// Tell what the command does on stderr (-v: steps and timings, -vv: more); RUST_LOG
    /// (e.g. RUST_LOG=isrc_server=debug) sets the filter instead.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl GlobalArgs {
    /// Where the registry ledger is (`--db`, `ISRC_DATABASE_URL`, or `./isrc.db`): the one place
    /// every command that opens the ledger takes it from.
    pub fn database_location(&self) -> &str {
        &self.db
    }
}

/// The clock's date. In debug builds (the tests' binary) `ISRC_CLOCK=YYYY-MM-DD` stands in for
/// the clock, so that tests fixing `ISRC_TODAY` to a date of 2026 still pass in later years;
/// release builds always read the clock.
pub fn clock_today() -> Date {
    #[cfg(debug_assertions)]
    if let Some(date) = std::env::var("ISRC_CLOCK")
        .ok()
        .and_then(|text| text.parse().ok())
    {
        return date;
    }
    Date::today()
}

/// What the global options resolve to.
pub struct Context {
    table: Option<PrefixTable>,
    today: Date,
}

impl Context {
    /// Loads the prefix table file, if one was given.
    pub fn load(global: &GlobalArgs) -> Result<Context> {
        let table = match &global.prefixes {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read prefix table {}", path.display()))?;
                let name = path.display().to_string();
                let table = PrefixTable::from_csv(&text, &name).map_err(|e| {
                    anyhow::anyhow!("{name}:{}:{}: {}", e.line(), e.column(), e.message())
                })?;
                Some(table)
            }
        };
        Ok(Context {
            table,
            today: global.today.unwrap_or_else(clock_today),
        })
    }

    /// The reference date (`--today`, `ISRC_TODAY`, or the clock).
    pub fn today(&self) -> Date {
        self.today
    }

    /// The prefix table given with `--prefixes`, if any.
    pub fn table(&self) -> Option<&PrefixTable> {
        self.table.as_ref()
    }

    /// The policy for checks.
    pub fn policy(&self) -> Policy<'_> {
        let policy = Policy::new(self.today);
        match &self.table {
            Some(table) => policy.with_prefixes(table),
            None => policy,
        }
    }
}

/// How mail leaves (`isrc serve`, and `isrc agency approve/reject`, which mail as the server
/// does): the SMTP relay and the sender.
#[derive(Debug, clap::Args)]
pub struct RelayArgs {
    /// SMTP relay on this machine to send mail through (HOST:PORT, plain SMTP); without it mail
    /// stays in the outbox that admins read.
    #[arg(long, value_name = "HOST:PORT", env = "ISRC_SMTP")]
    pub smtp: Option<String>,
    /// Sender address of the mail.
    #[arg(
        long,
        value_name = "ADDRESS",
        env = "ISRC_MAIL_FROM",
        default_value = "isrc@localhost"
    )]
    pub mail_from: String,
}

impl RelayArgs {
    /// Sets the server configuration's relay and sender.
    pub fn configure(&self, config: &mut isrc_server::Config) -> anyhow::Result<()> {
        config.smtp = self.smtp.as_deref().map(parse_smtp).transpose()?;
        config.mail_from = self.mail_from.clone();
        Ok(())
    }
}

/// Reads `--smtp HOST:PORT` (of `isrc serve` and of the agency commands that send mail).
pub fn parse_smtp(text: &str) -> Result<isrc_server::SmtpConfig> {
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| anyhow!("--smtp {text:?}: give HOST:PORT, e.g. localhost:25"))?;
    let port = port
        .parse()
        .map_err(|_| anyhow!("--smtp {text:?}: {port:?} is not a port number"))?;
    Ok(isrc_server::SmtpConfig {
        host: host.trim_matches(['[', ']']).to_string(),
        port,
    })
}
