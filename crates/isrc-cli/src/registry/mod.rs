//! The registry commands: `registrant add`, `allocate`, `derive`, `import`, `void`, `show`,
//! `list`, `export`, `audit` and `agency` (and `tag assign`). They open the ledger named by the
//! global `--db` option (or `ISRC_DATABASE_URL`, default `./isrc.db`; see
//! [`GlobalArgs::database_location`]) and run the async store on a small tokio runtime.

pub mod agency;
pub mod allocate;
pub mod audit;
pub mod csvio;
pub mod edit;
pub mod records;
pub mod release;

use std::process::ExitCode;

use anyhow::Result;
use isrc::{Isrc, code::PrefixCode};
use isrc_registry::Store;

use crate::context::Context;
use crate::context::GlobalArgs;
use crate::style;

/// Runs one registry command body on a fresh runtime; turns registry refusals into exit 1 and
/// database trouble into exit 2, each with its message on stderr.
pub fn run_with_store<F, Fut>(global: &GlobalArgs, body: F) -> Result<ExitCode>
where
    F: FnOnce(Store, Context) -> Fut,
    Fut: std::future::Future<Output = Result<ExitCode>>,
{
    let context = Context::load(global)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::open(global.database_location())
            .await
            .map_err(anyhow::Error::from)?;
        let store = match context.table() {
            Some(table) => store.with_prefixes(table.clone()),
            None => store,
        };
        let result = body(store.clone(), context).await;
        store.close().await;
        result
    })
}

/// Converts a library result: caller errors exit 1, the rest 2.
pub fn refuse(error: anyhow::Error) -> Result<ExitCode> {
    if let Some(registry) = error.downcast_ref::<isrc_registry::Error>()
        && registry.is_caller_error()
    {
        style::print_error(&error);
        return Ok(ExitCode::from(1));
    }
    Err(error)
}

/// Who is acting, for the audit log: `$ISRC_ACTOR`, `$USER`, or `cli`.
pub fn actor() -> String {
    std::env::var("ISRC_ACTOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "cli".into())
}

/// The command line's operator, for the registry's operations: whoever holds the database
/// acts for the agency and every registrant, named by [`actor`] in the audit log.
pub fn operator() -> isrc_registry::ops::Actor {
    isrc_registry::ops::Actor::agency(actor())
}

/// Reads a prefix code (`CBXYZ`, `CB-XYZ`).
pub fn parse_prefix(text: &str) -> Result<PrefixCode, String> {
    text.parse::<PrefixCode>().map_err(|e| {
        format!("{text:?} is not a prefix code (country + registrant code, e.g. CBXYZ): {e}")
    })
}

/// Reads an ISRC leniently (`CB-XYZ-26-00001`).
pub fn parse_isrc(text: &str) -> Result<Isrc, String> {
    text.parse::<Isrc>()
        .map_err(|e| format!("{text:?} is not an ISRC: {e}"))
}

/// Reads a date `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<isrc::policy::Date, String> {
    isrc_registry::parse_date("date", text).map_err(|e| e.to_string())
}

/// Reads a duration `M:SS` into milliseconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    isrc_registry::parse_duration(text).map_err(|e| e.to_string())
}
