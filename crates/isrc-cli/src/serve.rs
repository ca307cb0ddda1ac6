//! `isrc serve` (the HTTP service of crates/isrc-server) and `isrc admin create`.

use std::io::{BufRead as _, IsTerminal as _};
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::{Args, Subcommand};
use isrc_registry::{NewUser, Role, Store};

use crate::context::{Context, GlobalArgs};

/// Options of `isrc serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(
        long,
        value_name = "ADDR",
        env = "ISRC_LISTEN",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub relay: crate::context::RelayArgs,
    /// The address people reach the server at, for links in mail (default: http://LISTEN).
    #[arg(long, value_name = "URL", env = "ISRC_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Session cookie without `Secure`, for plain-HTTP development on a loopback address only
    /// (refused for other addresses). Browsers accept `Secure` cookies from http://127.0.0.1 and
    /// http://localhost, so this is rarely needed.
    #[arg(long)]
    pub insecure_cookies: bool,
    /// Behind a reverse proxy: count rate limits against the last X-Forwarded-For address (the
    /// proxy must set it). Never without a proxy: clients could choose their own address.
    #[arg(long)]
    pub trust_forwarded_for: bool,
    /// Largest request body in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_body: usize,
    /// Anonymous public API requests per client address per minute.
    #[arg(long, value_name = "N", default_value_t = 600)]
    pub public_rate: u32,
    /// Sign-in attempts per client address per minute.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub login_rate: u32,
    /// Registrant-code applications per client address per hour.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub application_rate: u32,
    /// No access log (by default one JSON line per request goes to standard error: time,
    /// client address, method, path without the query, status, milliseconds).
    #[arg(long)]
    pub no_access_log: bool,
    /// Request bytes in flight at once across validate, check and bulk allocation; requests
    /// beyond it are answered 503 with Retry-After.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub in_flight: usize,
    /// Largest body of a validate or check request made without signing in.
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    pub anonymous_body: usize,
    /// Most bytes an anonymous catalogue check may unpack a gzip upload to.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub check_max_bytes: u64,
    /// Most records (lines) in an anonymous catalogue check.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub check_max_records: u64,
}

/// `isrc admin ...`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// Admin account commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Make an agency admin account; the password is asked for (or read from standard input).
    Create {
        /// The admin's e-mail address (the sign-in name).
        #[arg(long, value_name = "ADDRESS")]
        email: String,
    },
}

pub fn run(global: &GlobalArgs, args: ServeArgs) -> Result<ExitCode> {
    let context = Context::load(global)?;
    let current = crate::context::clock_today().year();
    if context.today().year() < current {
        // The server allocates under the reference date's year: codes of a past year.
        bail!(
            "--today {} is in a year before the current one ({current}): the server would allocate codes of {}; drop --today (or ISRC_TODAY)",
            context.today(),
            context.today().year()
        );
    }
    let mut config = isrc_server::Config::new(global.database_location());
    config.listen = args.listen;
    args.relay.configure(&mut config)?;
    config.public_url = args
        .public_url
        .unwrap_or_else(|| format!("http://{}", args.listen));
    config.insecure_cookies = args.insecure_cookies;
    config.trust_forwarded_for = args.trust_forwarded_for;
    config.today = global.today;
    config.prefixes = context.table().cloned();
    config.limits.max_body_bytes = args.max_body;
    config.limits.public_per_minute = args.public_rate;
    config.limits.login_per_minute = args.login_rate;
    config.limits.applications_per_hour = args.application_rate;
    config.limits.in_flight_bytes = args.in_flight;
    config.limits.anonymous_body_bytes = args.anonymous_body;
    config.limits.check_decompressed_bytes = args.check_max_bytes;
    config.limits.check_records = args.check_max_records;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime
        .block_on(isrc_server::serve(config))
        .map_err(|e| anyhow!("{e}"))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_admin(global: &GlobalArgs, args: AdminArgs) -> Result<ExitCode> {
    let AdminCommand::Create { email } = args.command;
    let password = read_password()?;
    if let Err(e) = isrc_server::auth::check_password_strength(&password, &[email.as_str()]) {
        bail!("{}", e.message());
    }
    let hash = isrc_server::auth::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::open(global.database_location()).await?;
        let user = store
            .create_user(
                &NewUser {
                    email,
                    password_hash: hash,
                    role: Role::Admin,
                    prefix: None,
                },
                &crate::registry::actor(),
            )
            .await;
        store.close().await;
        match user {
            Ok(user) => {
                eprintln!("created admin {}", user.email);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => crate::registry::refuse(e.into()),
        }
    })
}

/// The password: asked twice on a terminal, else the first line of standard input.
fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("reading the password")?;
        let second = rpassword::prompt_password("Again: ").context("reading the password")?;
        if first != second {
            bail!("the two passwords differ; nothing was created");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
