//! Per-client-address rate limits (token buckets from `governor`) answering 429 with
//! `Retry-After`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// One rate limit keyed by client address.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    trust_forwarded_for: bool,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimit")
    }
}

impl RateLimit {
    /// `count` requests per minute per address (bursts up to `count`).
    pub fn per_minute(count: u32) -> RateLimit {
        RateLimit::new(Quota::per_minute(nonzero(count)))
    }

    /// `count` requests per hour per address (bursts up to `count`).
    pub fn per_hour(count: u32) -> RateLimit {
        RateLimit::new(Quota::per_hour(nonzero(count)))
    }

    fn new(quota: Quota) -> RateLimit {
        RateLimit {
            limiter: Arc::new(RateLimiter::keyed(quota)),
            trust_forwarded_for: false,
        }
    }

    /// Keys the limit by the last address of `X-Forwarded-For` (the one the proxy in front of
    /// this server saw) instead of the connection's peer. Only behind a proxy that sets that
    /// header: otherwise any client could pick its own key.
    pub fn trusting_forwarded_for(mut self, trust: bool) -> RateLimit {
        self.trust_forwarded_for = trust;
        self
    }

    /// The address a request is counted against.
    pub fn client(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> IpAddr {
        if !self.trust_forwarded_for {
            return peer;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back()
            .unwrap_or(peer)
    }

    /// Takes one request from `ip`'s bucket; the 429 error when it is empty.
    pub fn check(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::rate_limited(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        })
    }

    /// Forgets addresses whose buckets are full again (keeps memory bounded).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

fn nonzero(count: u32) -> NonZeroU32 {
    NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN)
}

/// Middleware: applies the [`RateLimit`] in its state to the client's address.
pub async fn limit(
    State(limit): State<RateLimit>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    limit.check(limit.client(peer.ip(), request.headers()))?;
    Ok(next.run(request).await)
}
