//! Request tracing and the access log.
//!
//! [`trace_request`] gives every request an id (the caller's `x-request-id` when it is a short
//! token, otherwise a new one), answers it in the `x-request-id` header, runs the request in a
//! `tracing` span `request{id, method, route}` (so every event of the request, such as an auth
//! failure or a store error, carries the id), and at the end emits one event with target
//! [`ACCESS_TARGET`]: id, client, method, path, route, status and duration in milliseconds.
//!
//! [`JsonLines`] is the access log: a `tracing-subscriber` layer writing each of those events
//! as one JSON line on standard error, for operators and their log collectors:
//! `{"at":"2026-12-03T12:00:00.000Z","client":"127.0.0.1","method":"GET","path":"/portal","status":200,"ms":3,"id":"...","route":"/portal"}`.
//! It holds no secret: the path without its query string (a reset link carries its token
//! there), no headers (cookies, `Authorization`), no bodies.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer};

/// The target of the one event per request (`RUST_LOG=isrc_server::access=info` shows them).
pub const ACCESS_TARGET: &str = "isrc_server::access";

/// The header carrying the request id, in both directions.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Middleware: request id, span, and the access event (see the module documentation).
pub async fn trace_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|text| is_token(text))
        .map(str::to_string)
        .unwrap_or_else(new_request_id);
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_string())
        .unwrap_or_default();
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default();
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let mut response = next.run(request).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    tracing::info!(
        target: ACCESS_TARGET,
        id = %id,
        client = %client,
        method = %method,
        path = %path,
        route = %route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// A caller's id is kept when it is 1-64 letters, digits, `-`, `_` or `.` (nothing a log
/// reader could mistake for structure).
fn is_token(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Unique within the process and, by the start time in it, across restarts.
fn new_request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default()
    });
    format!("{start:x}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The access log layer: each [`ACCESS_TARGET`] event as one JSON line, on standard error
/// ([`JsonLines::stderr`]) or given to a function ([`JsonLines::to`]).
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt as _;
/// let subscriber = tracing_subscriber::registry().with(isrc_server::access_log::JsonLines::stderr());
/// let _guard = tracing::subscriber::set_default(subscriber);
/// ```
pub struct JsonLines {
    write: Box<dyn Fn(&str) + Send + Sync>,
}

impl JsonLines {
    /// Writes each line on standard error.
    pub fn stderr() -> JsonLines {
        JsonLines::to(|line| eprintln!("{line}"))
    }

    /// Gives each line (without its newline) to `write`.
    pub fn to(write: impl Fn(&str) + Send + Sync + 'static) -> JsonLines {
        JsonLines {
            write: Box::new(write),
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for JsonLines {
    fn on_event(&self, event: &tracing::Event<'_>, _context: Context<'_, S>) {
        if event.metadata().target() != ACCESS_TARGET {
            return;
        }
        let mut fields = AccessFields::default();
        event.record(&mut fields);
        (self.write)(&fields.json_line());
    }
}

/// The fields of one access event, in the access log's order.
#[derive(Default)]
struct AccessFields {
    text: [String; 5],
    status: u64,
    ms: u64,
}

const TEXT_FIELDS: [&str; 5] = ["client", "method", "path", "id", "route"];

impl AccessFields {
    fn json_line(&self) -> String {
        let [client, method, path, id, route] = &self.text;
        serde_json::json!({
            "at": timestamp(),
            "client": client,
            "method": method,
            "path": path,
            "status": self.status,
            "ms": self.ms,
            "id": id,
            "route": route,
        })
        .to_string()
    }
}

impl Visit for AccessFields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "status" => self.status = value,
            "ms" => self.ms = value,
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if let Some(slot) = TEXT_FIELDS.iter().position(|name| *name == field.name()) {
            // Display fields (`%value`) arrive here; their Debug is their Display.
            self.text[slot] = format!("{value:?}");
        }
    }
}

fn timestamp() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs() as i64;
    let date = isrc::policy::Date::from_unix_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        since.subsec_millis()
    )
}
