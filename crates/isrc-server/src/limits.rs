//! Per-client-address rate limits (token buckets from `governor`) answering 429 with
//! `Retry-After`.

use std::future::{Ready, ready};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{ConnectInfo, Request};
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
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

/// Applies a [`RateLimit`] to every request of the routes it wraps
/// (`router.layer(limit.layer())`): a request over the limit is answered 429 at once.
///
/// A layer of its own rather than `axum::middleware::from_fn`: the public lookup is the
/// busiest route, and `from_fn` boxes every request's future and clones its state.
#[derive(Clone, Debug)]
pub struct LimitLayer(RateLimit);

impl RateLimit {
    /// This limit as a [`tower_layer::Layer`] for a router.
    pub fn layer(&self) -> LimitLayer {
        LimitLayer(self.clone())
    }
}

impl<S> tower_layer::Layer<S> for LimitLayer {
    type Service = Limited<S>;

    fn layer(&self, inner: S) -> Limited<S> {
        Limited {
            inner,
            limit: self.0.clone(),
        }
    }
}

/// A service behind a [`LimitLayer`].
#[derive(Clone, Debug)]
pub struct Limited<S> {
    inner: S,
    limit: RateLimit,
}

impl<S> tower_service::Service<Request> for Limited<S>
where
    S: tower_service::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The server is always started with connection info; without it (a router driven
        // in memory), every request counts against one unspecified address.
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        match self.limit.check(self.limit.client(peer, request.headers())) {
            Ok(()) => Either::Right(self.inner.call(request)),
            Err(e) => Either::Left(ready(Ok(e.into_response()))),
        }
    }
}
