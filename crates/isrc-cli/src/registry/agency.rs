//! `isrc agency apply|list|approve|reject`: the agency side.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use isrc_registry::{ApplicationStatus, ListingOrder, NewApplication, RegistrantKind};

use super::{actor, refuse};
use crate::cli::GlobalArgs;

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
    /// Approve an application: issues the next free registrant code in sequence.
    Approve(ApproveArgs),
    /// Reject an application, with a reason.
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
}

/// `isrc agency reject`.
#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The application number.
    pub id: i64,
    /// Why (sent to the applicant).
    #[arg(long)]
    pub reason: String,
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
            match store.apply(&new, &actor()).await {
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
                        e.name,
                        e.contact,
                        e.address,
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
                        a.name,
                        a.country,
                        a.contact,
                        a.reason.unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        AgencyCommand::Approve(a) => super::run_with_store(global, |store, _| async move {
            match store
                .approve(a.id, a.country_prefix.as_deref(), &actor())
                .await
            {
                Ok(app) => {
                    let prefix = app.prefix.map(|p| p.to_string()).unwrap_or_default();
                    println!("{prefix}");
                    anstream::eprintln!(
                        "application #{} approved: {} holds registrant code {}; its ISRCs read {}-YY-NNNNN",
                        app.id,
                        app.name,
                        prefix,
                        app.prefix
                            .map(|p| p.hyphenated().to_string())
                            .unwrap_or_default()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refuse(e.into()),
            }
        }),
        AgencyCommand::Reject(r) => super::run_with_store(global, |store, _| async move {
            match store.reject(r.id, &r.reason, &actor()).await {
                Ok(app) => {
                    println!("application #{} rejected: {}", app.id, r.reason);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refuse(e.into()),
            }
        }),
    }
}
