//! `isrc agency apply|list|approve|reject`: the agency side.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use isrc_registry::{
    ApplicationStatus, ListingOrder, NewApplication, RegistrantKind, escape_control_characters,
};

use isrc_registry::ops;

use super::{operator, refuse};
use crate::context::GlobalArgs;

/// `isrc agency ...`.
#[derive(Debug, Args)]
pub struct AgencyArgs {
    #[command(subcommand)]
    pub command: AgencyCommand,
}

/// Agency subcommands.
#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// File an application for a registrant code.
    Apply(ApplyArgs),
    /// List applications, or (with --codes) the listing of issued codes.
    List(AgencyListArgs),
    /// Approve an application: issues the next free registrant code (or --code), gives it to
    /// the applicant's account (a new one, or their existing account), and mails them: the
    /// same approval as the server's back office.
    Approve(ApproveArgs),
    /// Reject an application, with a reason mailed to the applicant.
    Reject(RejectArgs),
}

/// `isrc agency apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Applicant (master owner) name.
    #[arg(long)]
    pub name: String,
    /// Contact e-mail.
    #[arg(long)]
    pub contact: String,
    /// Postal address.
    #[arg(long)]
    pub address: String,
    /// Country of residence, ISO 3166 alpha-2 (e.g. CA).
    #[arg(long)]
    pub country: String,
    /// own or manager.
    #[arg(long, default_value = "own", value_parser = |s: &str| s.parse::<RegistrantKind>().map_err(|e| e.to_string()))]
    pub kind: RegistrantKind,
}

/// `isrc agency list`.
#[derive(Debug, Args)]
pub struct AgencyListArgs {
    /// Only applications in this state: pending, approved or rejected.
    #[arg(long, value_parser = |s: &str| s.parse::<ApplicationStatus>().map_err(|e| e.to_string()))]
    pub status: Option<ApplicationStatus>,
    /// Print the listing of issued codes instead (code, name, contact, address).
    #[arg(long)]
    pub codes: bool,
    /// With --codes: order by registrant name instead of by code.
    #[arg(long, requires = "codes")]
    pub by_name: bool,
}

/// `isrc agency approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The application number.
    pub id: i64,
    /// The country prefix to issue under (default: the applicant's country; Canada gets CB).
    #[arg(long, value_name = "CC")]
    pub country_prefix: Option<String>,
    /// The registrant code to issue (XYZ, or the whole prefix CBXYZ) instead of the next free
    /// one in sequence.
    #[arg(long, value_name = "XYZ")]
    pub code: Option<String>,
    #[command(flatten)]
    pub mail: MailArgs,
}

/// How the decision is mailed: as `isrc serve` does (the outbox, and SMTP when given).
#[derive(Debug, Args)]
pub struct MailArgs {
    #[command(flatten)]
    pub relay: crate::context::RelayArgs,
    /// The server's address, for the sign-in link in the mail.
    #[arg(
        long,
        value_name = "URL",
        env = "ISRC_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
}

/// `isrc agency reject`.
#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The application number.
    pub id: i64,
    /// Why (sent to the applicant).
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub mail: MailArgs,
}

/// The server's state over this store: its mailer (the outbox, and SMTP when given) and the
/// sign-in address, for the registry's one approval and rejection (account and mail included).
fn server_state(
    global: &GlobalArgs,
    store: isrc_registry::Store,
    context: &crate::context::Context,
    mail: &MailArgs,
) -> Result<isrc_server::AppState> {
    let mut config = isrc_server::Config::new(global.database_location());
    mail.relay.configure(&mut config)?;
    config.public_url = mail.public_url.trim_end_matches('/').to_string();
    config.today = global.today;
    config.prefixes = context.table().cloned();
    isrc_server::AppState::new(store, config).map_err(|e| anyhow::anyhow!("{e}"))
}

fn mail_note(mail: &str) -> &'static str {
    match mail {
        "sent" => "the mail was sent",
        "kept" => "no SMTP server given (--smtp): the mail is in the outbox",
        _ => "the mail could not be sent (see the outbox)",
    }
}

pub fn run(global: &GlobalArgs, args: AgencyArgs) -> Result<ExitCode> {
    match args.command {
        AgencyCommand::Apply(a) => super::run_with_store(global, |store, _| async move {
            let new = NewApplication {
                name: a.name.clone(),
                contact: a.contact.clone(),
                address: a.address.clone(),
                country: a.country.clone(),
                kind: a.kind,
            };
            match ops::apply(&store, &operator(), &new).await {
                Ok(app) => {
                    println!(
                        "application #{} filed ({}, {})",
                        app.id, app.name, app.country
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refuse(e.into()),
            }
        }),
        AgencyCommand::List(l) => super::run_with_store(global, |store, _| async move {
            if l.codes {
                let order = if l.by_name {
                    ListingOrder::ByName
                } else {
                    ListingOrder::ByCode
                };
                for e in store.listing(order).await? {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        e.prefix.hyphenated(),
                        escape_control_characters(&e.name),
                        escape_control_characters(&e.contact),
                        escape_control_characters(&e.address),
                        e.kind
                    );
                }
            } else {
                for a in store.applications(l.status).await? {
                    println!(
                        "#{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        a.id,
                        a.status.as_str(),
                        a.prefix.map(|p| p.to_string()).unwrap_or_default(),
                        escape_control_characters(&a.name),
                        a.country,
                        escape_control_characters(&a.contact),
                        escape_control_characters(&a.reason.unwrap_or_default())
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        AgencyCommand::Approve(a) => super::run_with_store(global, |store, context| async move {
            let state = server_state(global, store, &context, &a.mail)?;
            let choice = ops::ApprovalChoice {
                country_prefix: a.country_prefix.clone(),
                code: a.code.clone(),
            };
            let outcome = match ops::approve_application(
                &state.store,
                &operator(),
                &state.mailer,
                &isrc_server::auth::GeneratedPasswords,
                a.id,
                &choice,
                &format!("{}/login", state.config.public_url),
                state.today().year(),
            )
            .await
            {
                Ok(o) => o,
                Err(e) => return refuse(e.into()),
            };
            let prefix = outcome.prefix;
            println!("{prefix}");
            let how = match outcome.account_status {
                ops::AccountStatus::Extended => "their existing account",
                ops::AccountStatus::Created => "a new account",
            };
            anstream::eprintln!(
                "application #{} approved: {} holds registrant code {prefix} ({how} {}); {}",
                a.id,
                outcome.application.name,
                outcome.account,
                mail_note(outcome.mail.as_str())
            );
            if let Some(password) = &outcome.password {
                anstream::eprintln!(
                    "the account's password, shown only this once (it must be changed at the first sign-in): {password}"
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
        AgencyCommand::Reject(r) => super::run_with_store(global, |store, context| async move {
            let state = server_state(global, store, &context, &r.mail)?;
            match ops::reject_application(&state.store, &operator(), &state.mailer, r.id, &r.reason)
                .await
            {
                Ok(outcome) => {
                    println!(
                        "application #{} rejected: {}; {}",
                        r.id,
                        r.reason,
                        mail_note(outcome.mail.as_str())
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refuse(e.into()),
            }
        }),
    }
}
