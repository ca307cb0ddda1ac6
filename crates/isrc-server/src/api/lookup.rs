//! Public checks: health, one code, a list of codes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ApiResult, Path};
use crate::state::AppState;

/// Most codes one validate request may hold.
pub const MAX_CODES: usize = 100_000;

/// Liveness: answers `ok` without touching the database.
#[utoipa::path(get, path = "/healthz", tag = "public",
    responses((status = 200, description = "The server is up", body = String, content_type = "text/plain")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The same report as `isrc validate --json` for one code, in any spelling
/// (`us-rc1-76-07839`, `ISRC USRC17607839`).
#[utoipa::path(get, path = "/api/v1/isrc/{code}", tag = "public",
    params(("code" = String, Path, description = "The code as written")),
    responses(
        (status = 200, description = "The report: input, isrc, valid, findings (rule, severity, message, fix)"),
        (status = 429, description = "Rate limited", body = crate::error::ErrorBody),
    ))]
pub async fn isrc(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let policy = state.policy();
    json_response(isrc::check(&code, &policy).to_json())
}

/// An answer whose body is JSON text written by [`isrc::Report::write_json`], which is several
/// times faster than `serde_json` for reports (the lookup is the public API's hot path).
fn json_response(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Reports for many codes: a JSON array of strings, or `text/plain` with one code per line.
#[utoipa::path(post, path = "/api/v1/validate", tag = "public",
    request_body(content = Vec<String>, description = "JSON array of codes, or text/plain lines",
        content_type = "application/json"),
    responses(
        (status = 200, description = "One report per code, in order"),
        (status = 400, description = "Not a JSON array of strings", body = crate::error::ErrorBody),
        (status = 413, description = "Body too large (anonymous callers have a smaller cap; for check also: unpacks to too many bytes or records)", body = crate::error::ErrorBody),
        (status = 503, description = "Busy: the bytes in flight of large requests are at the server's budget; retry after Retry-After seconds", body = crate::error::ErrorBody),
    ))]
pub async fn validate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    let body = body?;
    if body.len() <= INLINE_BYTES {
        // A few codes: answered on the spot, cheaper than a trip to the workers.
        let codes = parse_codes(&headers, &body)?;
        let policy = state.policy();
        let mut text = String::with_capacity(2 + codes.len() * 320);
        text.push('[');
        for (i, code) in codes.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            isrc::check(code, &policy).write_json(&mut text);
        }
        text.push(']');
        return Ok(json_response(text));
    }
    let codes = state
        .workers
        .run(move || parse_codes(&headers, &body))
        .await??;
    Ok(json_stream(state, Arc::new(codes)))
}

/// Bodies up to this size (a few dozen codes) are checked on the request's own thread.
const INLINE_BYTES: usize = 1024;

/// Codes per chunk of a validate answer: about 300 KB of JSON, rendered by one worker job.
const CHUNK_CODES: usize = 1024;

/// The answer to a validate request, rendered chunk by chunk on the low-priority workers as
/// the client reads it: memory stays at one chunk per request, whatever the number of codes,
/// and the async threads never run the checks.
fn json_stream(state: AppState, codes: Arc<Vec<String>>) -> Response {
    // Bytes of JSON per code, learnt from the previous chunk (a report is ~300 bytes).
    let first_guess = 320;
    let chunks = futures_util::stream::unfold(
        (0usize, first_guess, false),
        move |(start, per_code, done)| {
            let state = state.clone();
            let codes = codes.clone();
            async move {
                if done {
                    return None;
                }
                let total = codes.len();
                let end = (start + CHUNK_CODES).min(total);
                let prefixes = state.prefixes.clone();
                let today = state.today();
                let rendered = state
                    .workers
                    .run(move || {
                        let policy = isrc::Policy::new(today).with_prefixes(&prefixes);
                        let mut text = String::with_capacity((end - start) * per_code + 2);
                        if start == 0 {
                            text.push('[');
                        }
                        for (i, code) in codes[start..end].iter().enumerate() {
                            if start + i > 0 {
                                text.push(',');
                            }
                            isrc::check(code, &policy).write_json(&mut text);
                        }
                        if end == total {
                            text.push(']');
                        }
                        text
                    })
                    .await;
                match rendered {
                    Ok(text) => {
                        let learnt = text.len() / (end - start).max(1) + 16;
                        let last = end == total;
                        Some((
                            Ok::<_, std::io::Error>(Bytes::from(text)),
                            (end, learnt, last),
                        ))
                    }
                    Err(e) => Some((Err(std::io::Error::other(e.to_string())), (end, 0, true))),
                }
            }
        },
    );
    (
        [(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        axum::body::Body::from_stream(chunks),
    )
        .into_response()
}

/// Reads the codes of a validate request by its content type.
pub fn parse_codes(headers: &HeaderMap, body: &[u8]) -> ApiResult<Vec<String>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let codes: Vec<String> = if content_type.starts_with("application/json") {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(
                "invalid_json",
                format!("expected a JSON array of strings: {e}"),
            )
        })?
    } else if content_type.starts_with("text/plain") || content_type.is_empty() {
        let text = std::str::from_utf8(body).map_err(|e| {
            ApiError::bad_request(
                "invalid_text",
                format!("the body is not UTF-8 text (byte {})", e.valid_up_to()),
            )
        })?;
        text.lines()
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    } else {
        return Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "send application/json (an array of strings) or text/plain lines, not {content_type}"
            ),
        ));
    };
    if codes.len() > MAX_CODES {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_codes",
            format!("{} codes in one request; at most {MAX_CODES}", codes.len()),
        ));
    }
    Ok(codes)
}
