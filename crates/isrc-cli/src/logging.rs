//! Diagnostics on standard error through `tracing`: quiet by default (only the server's internal
//! errors), so that a command's output stays the same; `-v` shows what the isrc crates do
//! (`info`), `-vv` adds `debug`, `-vvv` everything (`trace`, other crates too); `RUST_LOG`
//! (the `tracing-subscriber` filter syntax, e.g. `RUST_LOG=isrc_server::access=info`) replaces
//! the choice of `-v`. `isrc serve` also writes its JSON access log
//! (`isrc_server::access_log::JsonLines::stderr`) unless `--no-access-log`.

use std::io::IsTerminal as _;

use tracing_subscriber::filter::{EnvFilter, filter_fn};
use tracing_subscriber::layer::{Layer as _, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;

/// Our crates, as `tracing` names their targets (`isrc` is both the core and this binary).
const OURS: [&str; 5] = [
    "isrc",
    "isrc_check",
    "isrc_media",
    "isrc_registry",
    "isrc_server",
];

/// The filter for `-v` given `verbose` times, when `RUST_LOG` is not set.
fn default_filter(verbose: u8) -> String {
    let level = match verbose {
        0 => return "off,isrc_server=error".to_string(),
        1 => "info",
        2 => "debug",
        _ => return "trace".to_string(),
    };
    let mut directives = vec!["warn".to_string()];
    directives.extend(OURS.iter().map(|name| format!("{name}={level}")));
    directives.join(",")
}

/// Installs the subscriber for this run.
pub fn init(verbose: u8, access_log: bool) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(text) if !text.trim().is_empty() => EnvFilter::new(text),
        _ => EnvFilter::new(default_filter(verbose)),
    };
    let events = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_filter(filter);
    // The access log is its own layer with its own filter: `-v` or not, it is the same.
    let access = access_log.then(|| {
        isrc_server::access_log::JsonLines::stderr().with_filter(filter_fn(|metadata| {
            metadata.target() == isrc_server::access_log::ACCESS_TARGET
        }))
    });
    let _ = tracing_subscriber::registry()
        .with(events)
        .with(access)
        .try_init();
}
