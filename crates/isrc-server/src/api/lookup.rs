//! Public checks: health, one code, a list of codes.

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
        (status = 413, description = "Body too large", body = crate::error::ErrorBody),
    ))]
pub async fn validate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    let body = body?;
    let codes = parse_codes(&headers, &body)?;
    let policy = state.policy();
    let mut body = String::with_capacity(2 + codes.len() * 512);
    body.push('[');
    for (i, code) in codes.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        isrc::check(code, &policy).write_json(&mut body);
    }
    body.push(']');
    Ok(json_response(body))
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
