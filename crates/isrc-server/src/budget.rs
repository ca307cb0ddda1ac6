//! The budget of the expensive endpoints (validate, check, bulk allocate): a global cap on the
//! request bytes in flight, a smaller per-request cap for anonymous callers, and a few
//! low-priority threads that do the CPU work, so that a flood of large requests is answered
//! 503 with `Retry-After` instead of growing memory, and health checks and allocations keep
//! their latency while it lasts.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{OptionalFromRequestParts, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The budget unit: the semaphore counts KiB so that budgets of gigabytes fit its `u32`.
const UNIT: u64 = 1024;

/// Bytes in flight across the expensive endpoints, shared by all their requests.
#[derive(Debug, Clone)]
pub struct Budget {
    permits: Arc<Semaphore>,
    units: u32,
}

impl Budget {
    /// A budget of `bytes` (at least 1 KiB).
    ///
    /// ```
    /// let budget = isrc_server::budget::Budget::new(64 * 1024);
    /// let held = budget.try_take(40 * 1024).unwrap();
    /// assert!(budget.try_take(40 * 1024).is_err(), "only 24 KiB left");
    /// drop(held);
    /// assert!(budget.try_take(40 * 1024).is_ok());
    /// ```
    pub fn new(bytes: usize) -> Budget {
        let units = (bytes as u64 / UNIT).clamp(1, u64::from(u32::MAX >> 4)) as u32;
        Budget {
            permits: Arc::new(Semaphore::new(units as usize)),
            units,
        }
    }

    /// Reserves `bytes` until the returned permit is dropped; 503 with `Retry-After` when the
    /// budget does not have them now. A request larger than the whole budget needs all of it.
    pub fn try_take(&self, bytes: u64) -> Result<OwnedSemaphorePermit, ApiError> {
        self.permits
            .clone()
            .try_acquire_many_owned(self.units_for(bytes))
            .map_err(|_| ApiError::busy(1))
    }

    /// [`Budget::try_take`], waiting up to `wait` for the bytes (in turn with other waiters)
    /// before the 503. A waiting request has not been read yet, so it costs no memory, and
    /// clients that retry at once are slowed to one try per `wait` instead of spinning.
    pub async fn take(&self, bytes: u64, wait: Duration) -> Result<OwnedSemaphorePermit, ApiError> {
        let units = self.units_for(bytes);
        match tokio::time::timeout(wait, self.permits.clone().acquire_many_owned(units)).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::busy(1)),
        }
    }

    fn units_for(&self, bytes: u64) -> u32 {
        bytes.div_ceil(UNIT).clamp(1, u64::from(self.units)) as u32
    }
}

/// Middleware of validate and check: the per-request cap (anonymous callers get the smaller
/// one), then the bytes of the request taken from the [`Budget`] until its answer has been
/// sent. A body without `Content-Length` is charged the whole per-request cap.
pub async fn public(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let limits = &state.config.limits;
    let anonymous = match <Caller as OptionalFromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await
    {
        Ok(caller) => caller.is_none(),
        // Wrong credentials get the anonymous cap here; the handler answers them itself.
        Err(_) => true,
    };
    if anonymous {
        parts.extensions.insert(Anonymous);
    }
    let cap = if anonymous {
        limits.anonymous_body_bytes.min(limits.max_body_bytes)
    } else {
        limits.max_body_bytes
    };
    // Small requests cost little memory and are bounded by the rate limit already.
    charge(&state, parts, body, cap, anonymous, SMALL, next).await
}

/// Middleware of validate: [`public`], except that a small body (4 KiB at most, declared) goes
/// straight through: it costs little, needs no cap, and validate is the public API's busiest
/// POST.
pub async fn validate(state: State<AppState>, request: Request, next: Next) -> Response {
    let small = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|length| length <= SMALL);
    if small {
        return next.run(request).await;
    }
    public(state, request, next).await
}

/// Bodies up to this size are not charged to the budget of validate and check.
const SMALL: u64 = 4 * 1024;

/// Middleware of allocation: a bulk request (a body over 64 KiB, or of unknown length) is
/// charged to the [`Budget`]; single allocations are never refused for it.
pub async fn bulk(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let cap = state.config.limits.max_body_bytes;
    charge(&state, parts, body, cap, false, 64 * 1024, next).await
}

/// Marks a validate or check request made without credentials (its smaller caps apply).
#[derive(Debug, Clone, Copy)]
pub struct Anonymous;

async fn charge(
    state: &AppState,
    parts: axum::http::request::Parts,
    body: Body,
    cap: usize,
    anonymous: bool,
    free_below: u64,
    next: Next,
) -> Response {
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = declared
        && length > cap as u64
    {
        return too_large(length, cap, anonymous).into_response();
    }
    // The body may not grow past the cap either (chunked uploads, lying clients).
    let body = Body::new(http_body_util::Limited::new(body, cap));
    if declared.is_some_and(|length| length <= free_below) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let permit = match state
        .budget
        .take(
            declared.unwrap_or(cap as u64),
            state.config.limits.budget_wait,
        )
        .await
    {
        Ok(permit) => permit,
        Err(e) => {
            // Read the body (discarding it, up to the cap) before answering: a server that
            // closes on unread bytes makes the client see a reset instead of the 503.
            let mut frames = body.into_data_stream();
            while let Some(Ok(_)) = frames.next().await {}
            return e.into_response();
        }
    };
    let response = next.run(Request::from_parts(parts, body)).await;
    // Held until the last byte of the answer is sent (or the client goes away).
    let (parts, body) = response.into_parts();
    let stream = body.into_data_stream().map(move |chunk| {
        let _held = &permit;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

fn too_large(length: u64, cap: usize, anonymous: bool) -> ApiError {
    let who = if anonymous {
        "without signing in (send an API token for larger files)"
    } else {
        "in one request"
    };
    ApiError::new(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("the body is {length} bytes; at most {cap} bytes are accepted {who}"),
    )
}

type Job = Box<dyn FnOnce() + Send>;

/// A few threads at low CPU priority (nice 10 on Linux) for the expensive endpoints' parsing
/// and checking: under a flood they get what the request threads leave, so that health checks
/// and allocations are served first.
#[derive(Debug, Clone)]
pub struct Workers {
    jobs: mpsc::Sender<Job>,
}

impl Workers {
    /// `threads` workers (one per core is the default of [`AppState`]).
    pub fn new(threads: usize) -> Workers {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("isrc-expensive-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .expect("start a worker thread");
        }
        Workers { jobs }
    }

    /// Runs `work` on a worker and waits for its value.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = tx.send(work());
            }))
            .map_err(|_| ApiError::internal("the worker threads have stopped"))?;
        rx.await
            .map_err(|_| ApiError::internal("a worker thread panicked"))
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // Linux keeps a nice value per thread: `who = 0` is the calling thread. Threads this one
    // starts (the checker's) inherit it.
    // A failure leaves the thread at normal priority, which is only slower for the others.
    let _ = rustix::process::setpriority_process(None, 10);
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}
