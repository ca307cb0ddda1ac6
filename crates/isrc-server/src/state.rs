//! [`AppState`]: what every handler shares.

use std::sync::Arc;

use isrc::{Policy, policy::Date, prefix::PrefixTable};
use isrc_registry::Store;

use crate::budget::{Budget, Workers};
use crate::config::Config;
use crate::limits::RateLimit;
use crate::mail::Mailer;

/// Shared by all handlers; cheap to clone: one reference count, however many parts it has
/// (handlers and middleware clone it on every request, from every worker thread).
#[derive(Clone, Debug)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// What [`AppState`] shares.
#[derive(Debug)]
pub struct SharedState {
    /// The ledger.
    pub store: Store,
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// The prefix table checks run against.
    pub prefixes: Arc<PrefixTable>,
    /// Outgoing mail.
    pub mailer: Mailer,
    /// Rate limits.
    pub limits: RateLimits,
    /// Bytes in flight of the expensive endpoints.
    pub budget: Budget,
    /// Low-priority threads for the expensive endpoints' CPU work.
    pub workers: Workers,
}

/// The rate limits, one per kind of request.
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// Sign-in attempts.
    pub login: RateLimit,
    /// Registrant-code applications.
    pub applications: RateLimit,
    /// The public API (lookup, validate, check).
    pub public: RateLimit,
}

impl AppState {
    /// State for an opened store and a configuration.
    pub fn new(store: Store, config: Config) -> Result<AppState, crate::config::ConfigError> {
        config.validate()?;
        let prefixes = config
            .prefixes
            .clone()
            .unwrap_or_else(|| PrefixTable::builtin().clone());
        let store = store.with_prefixes(prefixes.clone());
        let mailer = Mailer::new(&config, store.clone())?;
        let proxy = config.trust_forwarded_for;
        let limits = RateLimits {
            login: RateLimit::per_minute(config.limits.login_per_minute)
                .trusting_forwarded_for(proxy),
            applications: RateLimit::per_hour(config.limits.applications_per_hour)
                .trusting_forwarded_for(proxy),
            public: RateLimit::per_minute(config.limits.public_per_minute)
                .trusting_forwarded_for(proxy),
        };
        let config_limits = config.limits.clone();
        Ok(AppState(Arc::new(SharedState {
            store,
            config: Arc::new(config),
            prefixes: Arc::new(prefixes),
            mailer,
            limits,
            budget: Budget::new(config_limits.in_flight_bytes),
            workers: Workers::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
        })))
    }

    /// Today (UTC), or the configured reference date.
    pub fn today(&self) -> Date {
        self.config.today.unwrap_or_else(Date::today)
    }

    /// The check policy for this request: today's date and the prefix table.
    pub fn policy(&self) -> Policy<'_> {
        Policy::new(self.today()).with_prefixes(&self.prefixes)
    }
}
