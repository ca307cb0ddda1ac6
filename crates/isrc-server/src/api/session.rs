//! Signing in and out over the API, and the admin's view of the mail outbox.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::auth::{self, Caller};
use crate::error::{ApiResult, Json, Query};
use crate::state::AppState;

/// Sign-in credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's e-mail address.
    pub email: String,
    /// Its password.
    pub password: String,
}

/// Who is signed in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The e-mail address.
    pub email: String,
    /// `admin` or `registrant`.
    pub role: String,
    /// The registrant a registrant user acts for by default.
    pub prefix: Option<String>,
    /// Every prefix the account holds and may act under.
    pub prefixes: Vec<String>,
    /// The password was generated or reset: change it before anything else.
    pub must_change_password: bool,
    /// An API token caller's scopes (absent for a session).
    pub scopes: Option<Vec<String>>,
    /// The CSRF token to send as `X-CSRF-Token` with cookie-authenticated changes (absent for
    /// API-token callers).
    pub csrf_token: Option<String>,
}

fn describe(caller: &Caller) -> Me {
    Me {
        email: caller.user.email.clone(),
        role: caller.user.role.to_string(),
        prefix: caller.user.prefix.map(|p| p.to_string()),
        prefixes: caller.user.prefixes.iter().map(|p| p.to_string()).collect(),
        must_change_password: caller.user.must_change_password,
        scopes: match &caller.credential {
            auth::Credential::Token { scopes, .. } => {
                Some(scopes.iter().map(|s| s.to_string()).collect())
            }
            auth::Credential::Session { .. } => None,
        },
        csrf_token: caller.csrf_token().map(str::to_string),
    }
}

/// Signs in: sets the session cookie. Rate-limited per client address.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = Me),
        (status = 401, description = "Wrong e-mail address or password", body = crate::error::ErrorBody),
        (status = 429, description = "Too many attempts", body = crate::error::ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    Json(request): Json<LoginRequest>,
) -> ApiResult<Response> {
    let user = auth::sign_in(&state, &request.email, &request.password).await?;
    let session = auth::start_session(&state, &user).await?;
    Ok((
        [(header::SET_COOKIE, session.cookie)],
        axum::Json(describe(&session.caller)),
    )
        .into_response())
}

/// Signs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "Signed out")),
    security(("session" = [])))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    if let auth::Credential::Session { id_hash, .. } = &caller.credential {
        state.store.delete_session(id_hash).await?;
    }
    Ok((
        axum::http::StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::session_cookie(&state, "", 0))],
    )
        .into_response())
}

/// Who is signed in (and the session's CSRF token).
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(describe(&caller))
}

/// How many outbox messages to show.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OutboxQuery {
    /// At most this many, newest first (default 100).
    pub limit: Option<u32>,
}

/// The mail outbox, newest first (admins only).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "agency", params(OutboxQuery),
    responses(
        (status = 200, description = "Messages: recipient, subject, body, created_at, sent_at, error"),
        (status = 403, description = "Not an admin", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn outbox(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<OutboxQuery>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let mail = state
        .store
        .outbox(query.limit.unwrap_or(100).min(10_000))
        .await?;
    Ok(axum::Json(mail).into_response())
}
