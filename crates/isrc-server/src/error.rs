//! [`ApiError`]: every refusal as JSON `{"code": "...", "message": "..."}` with a stable code and
//! the right status, and JSON-shaped versions of axum's own extractor rejections.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The target of the auth-failure events (401 and 403), each inside its request's span:
/// `RUST_LOG=isrc_server::auth=info` shows them.
pub const AUTH_TARGET: &str = "isrc_server::auth";

/// An error answer: status, stable machine-readable code, human message.
///
/// ```
/// use axum::http::StatusCode;
/// use isrc_server::ApiError;
/// let error = ApiError::new(StatusCode::FORBIDDEN, "forbidden", "not your registrant");
/// assert_eq!(error.code(), "forbidden");
/// assert_eq!(error.status(), StatusCode::FORBIDDEN);
/// ```
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
    /// The recording a refused one already is (`duplicate_recording`).
    existing: Option<String>,
}

/// The JSON body of an error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code (`invalid_json`, `not_found`, `rate_limited`...).
    pub code: String,
    /// What went wrong and what to do about it.
    pub message: String,
    /// With `duplicate_recording`: the ISRC the recording already has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing: Option<String>,
    /// With `duplicate_recording`: where that recording is (`/api/v1/recordings/{isrc}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            existing: None,
        }
    }

    /// 400 with code `invalid` (or another code).
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401: no credentials, or they are wrong.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        let error = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
        tracing::info!(target: AUTH_TARGET, status = 401, reason = %error.message, "auth failure");
        error
    }

    /// 403: signed in, but not allowed.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        let error = ApiError::new(StatusCode::FORBIDDEN, "forbidden", message);
        tracing::info!(target: AUTH_TARGET, status = 403, reason = %error.message, "auth failure");
        error
    }

    /// 404 with code `not_found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 429 with a `Retry-After` of `seconds`.
    pub fn rate_limited(seconds: u64) -> ApiError {
        ApiError {
            retry_after: Some(seconds.max(1)),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "too many requests from your address; try again in {} s",
                    seconds.max(1)
                ),
            )
        }
    }

    /// 503 with a `Retry-After` of `seconds`: the budget of large requests is spent for now.
    pub fn busy(seconds: u64) -> ApiError {
        ApiError {
            retry_after: Some(seconds.max(1)),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                format!(
                    "the server is busy with other large requests; try again in {} s",
                    seconds.max(1)
                ),
            )
        }
    }

    /// 500 for a failure of the server itself; the detail goes to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        // Inside the request's span: the log line carries the request id and route.
        tracing::error!(%detail, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer; the error is logged",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The human message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// With `duplicate_recording`: the ISRC the refused recording already has.
    pub fn existing(&self) -> Option<&str> {
        self.existing.as_deref()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.code, self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_string(),
            message: self.message,
            link: self
                .existing
                .as_ref()
                .map(|isrc| format!("/api/v1/recordings/{isrc}")),
            existing: self.existing,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// The status a registry refusal deserves.
fn registry_status(error: &isrc_registry::Error) -> StatusCode {
    match error.code() {
        "invalid" => StatusCode::BAD_REQUEST,
        "unknown_prefix"
        | "not_found"
        | "application_not_found"
        | "user_not_found"
        | "token_not_found"
        | "release_not_found" => StatusCode::NOT_FOUND,
        "prefix_not_allowed" => StatusCode::UNPROCESSABLE_ENTITY,
        "forbidden" => StatusCode::FORBIDDEN,
        "busy" | "database_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        _ if error.is_caller_error() => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<isrc_registry::Error> for ApiError {
    fn from(error: isrc_registry::Error) -> ApiError {
        let status = registry_status(&error);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            return ApiError::internal(error);
        }
        let existing = match &error {
            isrc_registry::Error::Duplicate { existing, .. } => Some(existing.to_string()),
            _ => None,
        };
        ApiError {
            existing,
            ..ApiError::new(status, error.code(), error.to_string())
        }
    }
}

/// Keeps axum's status (400, 413, 415, 422) and message, in the JSON shape.
fn rejection(status: StatusCode, code: &'static str, text: String) -> ApiError {
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "body_too_large"
    } else if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        "unsupported_media_type"
    } else {
        code
    };
    ApiError::new(status, code, text)
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        rejection(r.status(), "invalid_json", r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        rejection(r.status(), "invalid_path", r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        rejection(r.status(), "invalid_query", r.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> ApiError {
        rejection(r.status(), "invalid_body", r.body_text())
    }
}

impl From<MultipartRejection> for ApiError {
    fn from(r: MultipartRejection) -> ApiError {
        rejection(r.status(), "invalid_multipart", r.body_text())
    }
}

impl From<axum::extract::multipart::MultipartError> for ApiError {
    fn from(r: axum::extract::multipart::MultipartError) -> ApiError {
        rejection(r.status(), "invalid_multipart", r.body_text())
    }
}

impl From<axum::extract::rejection::FormRejection> for ApiError {
    fn from(r: axum::extract::rejection::FormRejection) -> ApiError {
        rejection(r.status(), "invalid_form", r.body_text())
    }
}

/// `axum::Json` whose rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        // One buffer sized for a typical report (a lookup's is ~600 bytes), not one that
        // starts at 128 bytes and is copied as it doubles.
        let mut body = Vec::with_capacity(1024);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => (
                [(
                    axum::http::header::CONTENT_TYPE,
                    axum::http::HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response(),
            Err(e) => ApiError::internal(e).into_response(),
        }
    }
}

/// `axum::extract::Path` whose rejections are [`ApiError`]s.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` whose rejections are [`ApiError`]s.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// `axum::Form` whose rejections are [`ApiError`]s.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Form), rejection(ApiError))]
pub struct Form<T>(pub T);

/// The result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
