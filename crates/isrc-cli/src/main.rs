//! The `isrc` command. It only wires the library crates together: argument parsing lives in
//! `cli`, each subcommand in its own module.

mod check;
mod check_ddex;
mod check_report;
mod cli;
mod context;
mod logging;
mod media;
mod output;
mod registry;
mod serve;
mod style;
mod validate;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Exit status for usage and I/O errors (0: all valid, 1: something invalid).
pub const EXIT_TROUBLE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse_with_version();
    let access_log = matches!(&cli.command, Command::Serve(args) if !args.no_access_log);
    logging::init(cli.global.verbose, access_log);
    let name = cli.command.name();
    let started = std::time::Instant::now();
    tracing::info!(command = name, "started");
    let result = match cli.command {
        Command::Validate(args) => validate::run(&cli.global, args),
        Command::Check(args) => check::run(&cli.global, *args),
        Command::Tag(args) => media::run_tag(&cli.global, args),
        Command::Cue(args) => media::run_cue(&cli.global, args),
        Command::Registrant(args) => registry::records::run_registrant(&cli.global, args),
        Command::Allocate(args) => registry::allocate::run(&cli.global, args),
        Command::Derive(args) => registry::allocate::run_derive(&cli.global, args),
        Command::Import(args) => registry::records::run_import(&cli.global, args),
        Command::Void(args) => registry::records::run_void(&cli.global, args),
        Command::Publish(args) => registry::records::run_publish(&cli.global, args),
        Command::Edit(args) => registry::edit::run_edit(&cli.global, args),
        Command::Search(args) => registry::edit::run_search(&cli.global, args),
        Command::Show(args) => registry::records::run_show(&cli.global, args),
        Command::List(args) => registry::records::run_list(&cli.global, args),
        Command::Export(args) => registry::records::run_export(&cli.global, args),
        Command::Release(args) => registry::release::run(&cli.global, args),
        Command::Agency(args) => registry::agency::run(&cli.global, args),
        Command::Audit(args) => registry::audit::run(&cli.global, args),
        Command::Serve(args) => serve::run(&cli.global, *args),
        Command::Admin(args) => serve::run_admin(&cli.global, args),
    };
    tracing::info!(
        command = name,
        ms = started.elapsed().as_millis() as u64,
        ok = result.is_ok(),
        "finished"
    );
    match result {
        Ok(code) => code,
        Err(error) => {
            style::print_error(&error);
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}
