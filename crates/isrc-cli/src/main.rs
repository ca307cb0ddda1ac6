//! The `isrc` command. It only wires the library crates together: argument parsing lives in
//! `cli`, each subcommand in its own module.

mod check;
mod cli;
mod context;
mod media;
mod style;
mod validate;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Exit status for usage and I/O errors (0: all valid, 1: something invalid).
pub const EXIT_TROUBLE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse_with_version();
    let result = match cli.command {
        Command::Validate(args) => validate::run(&cli.global, args),
        Command::Check(args) => check::run(&cli.global, *args),
        Command::Tag(args) => media::run_tag(&cli.global, args),
        Command::Cue(args) => media::run_cue(&cli.global, args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            style::print_error(&error);
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}
