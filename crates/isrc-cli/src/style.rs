//! Colours for people: used only when stderr/stdout is a terminal (anstream strips them
//! otherwise, and honours NO_COLOR and CLICOLOR_FORCE).

use anstyle::{AnsiColor, Style};
use isrc::rule::Severity;

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
pub const INFO: Style = AnsiColor::Cyan.on_default().bold();
pub const VALID: Style = AnsiColor::Green.on_default().bold();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();

/// The style of a severity's label.
pub fn severity(severity: Severity) -> Style {
    match severity {
        Severity::Error => ERROR,
        Severity::Warning => WARNING,
        Severity::Info => INFO,
    }
}

/// Prints `error: ...` with its causes on stderr.
pub fn print_error(error: &anyhow::Error) {
    let mut message = format!("{ERROR}error:{ERROR:#} {error}");
    for cause in error.chain().skip(1) {
        message.push_str(&format!("\n  caused by: {cause}"));
    }
    anstream::eprintln!("{message}");
}
