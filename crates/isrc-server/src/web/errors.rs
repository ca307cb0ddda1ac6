//! Refusals as HTML for browsers: the pages' handlers answer with [`ApiError`](crate::ApiError)
//! like the API does (one set of codes and messages); this middleware shows such an answer as
//! an error page when the client asked for HTML, keeping the status and `Retry-After`.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::{Nav, page_with_status};

/// The largest JSON error body read back (ours are a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Nav,
    status: u16,
    code: String,
    message: String,
    sign_in: bool,
}

/// A browser asking for a page (not an API call, whose answers stay JSON).
fn wants_html(request: &Request) -> bool {
    let path = request.uri().path();
    if path.starts_with("/api/") || path == "/healthz" {
        return false;
    }
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Middleware over the whole application: a JSON error answer to a page request (not under
/// `/api/`) becomes an HTML page when the request accepts `text/html`; 404s of unknown paths too.
pub async fn html_errors(request: Request, next: Next) -> Response {
    let html = wants_html(&request);
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !html || !(status.is_client_error() || status.is_server_error()) || !is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let parsed: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let text = |key: &str| parsed[key].as_str().unwrap_or_default().to_string();
    if text("code") == "password_change_required" {
        // A generated or reset password: the account page is where to go.
        return axum::response::IntoResponse::into_response(axum::response::Redirect::to(
            "/account",
        ));
    }
    let mut page = page_with_status(
        status,
        &ErrorPage {
            nav: Nav::default(),
            status: status.as_u16(),
            code: text("code"),
            message: super::for_pages(&text("message")),
            sign_in: status == axum::http::StatusCode::UNAUTHORIZED,
        },
    );
    if let Some(retry) = parts.headers.get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    page
}
