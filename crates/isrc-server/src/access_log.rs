//! The access log: one JSON line per request on standard error, for operators and their log
//! collectors. It holds no secret: the path without its query string (a reset link carries its
//! token there), no headers (cookies, `Authorization`), no bodies.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Middleware writing one line per request:
/// `{"at":"2026-12-03T12:00:00.000Z","client":"127.0.0.1","method":"GET","path":"/portal","status":200,"ms":3}`.
pub async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default();
    let response = next.run(request).await;
    let line = serde_json::json!({
        "at": timestamp(),
        "client": client,
        "method": method,
        "path": path,
        "status": response.status().as_u16(),
        "ms": started.elapsed().as_millis() as u64,
    });
    eprintln!("{line}");
    response
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
