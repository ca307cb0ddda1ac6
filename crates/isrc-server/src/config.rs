//! [`Config`]: where the ledger is, where to listen, how to send mail, and the limits.

use std::net::SocketAddr;
use std::time::Duration;

/// Everything `isrc serve` needs to start.
///
/// ```
/// let config = isrc_server::Config::new("./isrc.db");
/// assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
/// assert!(config.smtp.is_none(), "mail stays in the outbox until SMTP is configured");
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// The registry database: an SQLite file path or a `postgres://` URL.
    pub database: String,
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The SMTP server to send mail through; `None` keeps mail in the outbox only.
    pub smtp: Option<SmtpConfig>,
    /// The sender of the server's e-mail.
    pub mail_from: String,
    /// The address people reach this server at, for links in e-mail (`http://127.0.0.1:8080`).
    pub public_url: String,
    /// Send the session cookie without the `Secure` attribute. Only for plain-HTTP development on
    /// a loopback address: [`Config::validate`] refuses it for any other listen address.
    pub insecure_cookies: bool,
    /// Count rate limits against the last `X-Forwarded-For` address: set it when the server
    /// runs behind a reverse proxy (which then must set that header), never otherwise.
    pub trust_forwarded_for: bool,
    /// Fixed reference date for checks and allocation (tests); `None` uses the clock.
    pub today: Option<isrc::policy::Date>,
    /// A prefix table to use instead of the built-in one.
    pub prefixes: Option<isrc::prefix::PrefixTable>,
    /// Request size and rate limits.
    pub limits: Limits,
}

/// An SMTP server to relay through. The connection is plain SMTP without TLS, so the server must
/// be on a loopback address (a local relay such as Postfix, which does TLS onward).
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Host name or address.
    pub host: String,
    /// Port (25, or the test server's port).
    pub port: u16,
}

/// Body and rate limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body in bytes (uploads included).
    pub max_body_bytes: usize,
    /// Sign-in attempts per client address per minute.
    pub login_per_minute: u32,
    /// Registrant-code applications per client address per hour.
    pub applications_per_hour: u32,
    /// Anonymous public API requests (lookup, validate, check) per client address per minute.
    pub public_per_minute: u32,
    /// How long a session lasts.
    pub session_ttl: Duration,
    /// Request bytes in flight at once across validate, check and bulk allocation; more are
    /// answered 503 with `Retry-After`.
    pub in_flight_bytes: usize,
    /// Largest body of an anonymous validate or check request (signed-in callers get
    /// `max_body_bytes`).
    pub anonymous_body_bytes: usize,
    /// Most bytes an anonymous catalogue check may decompress to (a gzip upload).
    pub check_decompressed_bytes: u64,
    /// Most lines (records) an anonymous catalogue check may hold.
    pub check_records: u64,
    /// How long a validate, check or bulk request waits for room in the budget before it is
    /// answered 503 (clients that retry at once are slowed to one try per wait).
    pub budget_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            login_per_minute: 10,
            applications_per_hour: 10,
            public_per_minute: 600,
            session_ttl: Duration::from_secs(12 * 3600),
            in_flight_bytes: 16 * 1024 * 1024,
            anonymous_body_bytes: 4 * 1024 * 1024,
            check_decompressed_bytes: 64 * 1024 * 1024,
            check_records: 1_000_000,
            budget_wait: Duration::from_millis(500),
        }
    }
}

impl Config {
    /// The defaults: listen on 127.0.0.1:8080, no SMTP, `Secure` cookies, default limits.
    pub fn new(database: impl Into<String>) -> Config {
        Config {
            database: database.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            smtp: None,
            mail_from: "isrc@localhost".into(),
            public_url: "http://127.0.0.1:8080".into(),
            insecure_cookies: false,
            trust_forwarded_for: false,
            today: None,
            prefixes: None,
            limits: Limits::default(),
        }
    }

    /// Refuses settings that are unsafe: insecure cookies off loopback, SMTP without TLS to a
    /// remote host.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.insecure_cookies && !self.listen.ip().is_loopback() {
            return Err(ConfigError::InsecureCookiesOffLoopback {
                listen: self.listen,
            });
        }
        if let Some(smtp) = &self.smtp {
            let loopback = smtp.host == "localhost"
                || smtp
                    .host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                return Err(ConfigError::RemoteSmtp {
                    host: smtp.host.clone(),
                });
            }
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::MailFrom {
                from: self.mail_from.clone(),
            });
        }
        Ok(())
    }
}

/// A setting [`Config::validate`] refuses, or a server that cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `insecure_cookies` on an address other than loopback.
    #[error(
        "--insecure-cookies is only for development on a loopback address, not {listen}; serve over HTTPS (behind a proxy) and drop the flag"
    )]
    InsecureCookiesOffLoopback {
        /// The address to listen on.
        listen: std::net::SocketAddr,
    },
    /// An SMTP relay on another machine (mail is sent without TLS).
    #[error(
        "SMTP host {host} is not on this machine: mail is sent without TLS, so relay through a local mail server (localhost)"
    )]
    RemoteSmtp {
        /// The SMTP host given.
        host: String,
    },
    /// A sender address that is not an e-mail address.
    #[error("--mail-from {from:?} is not an e-mail address")]
    MailFrom {
        /// The sender given.
        from: String,
    },
}

/// Why [`crate::serve`] stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The configuration is refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The ledger cannot be opened, or the first admin not made.
    #[error("{0}")]
    Store(String),
    /// The address cannot be bound.
    #[error("cannot listen on {listen}: {source}")]
    Listen {
        /// The address to listen on.
        listen: std::net::SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("server: {0}")]
    Serve(#[source] std::io::Error),
}
