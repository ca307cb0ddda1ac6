//! Accounts API: users (admins make them), API tokens (a signed-in session makes its own, with
//! scopes and an expiry; a token cannot make or revoke tokens), changing one's password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use isrc_registry::{NewUser, Role, Scope};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::state::AppState;

/// A user to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// E-mail address (the sign-in name).
    pub email: String,
    /// `registrant` (default) or `admin`.
    pub role: Option<String>,
    /// The registrant a registrant user acts for.
    pub prefix: Option<String>,
    /// The password (at least 12 characters, hard to guess); when absent one is generated,
    /// returned once, and must be changed at the first sign-in.
    pub password: Option<String>,
}

/// The user made, and the generated password (shown once).
#[derive(Debug, Serialize, ToSchema)]
pub struct NewUserResponse {
    /// The user.
    #[schema(value_type = Object)]
    pub user: serde_json::Value,
    /// The generated password, when none was given.
    pub password: Option<String>,
}

/// Every user (admins only).
#[utoipa::path(get, path = "/api/v1/users", tag = "session",
    responses((status = 200, description = "Users: id, email, role, prefix, created_at")),
    security(("session" = []), ("token" = [])))]
pub async fn users(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require_admin()?;
    Ok(axum::Json(state.store.users().await?).into_response())
}

/// Makes a user (admins only).
#[utoipa::path(post, path = "/api/v1/users", tag = "session", request_body = NewUserBody,
    responses(
        (status = 201, description = "Made", body = NewUserResponse),
        (status = 409, description = "The address has an account", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewUserBody>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let role = match &body.role {
        Some(r) => r.parse::<Role>()?,
        None => Role::Registrant,
    };
    let prefix = match &body.prefix {
        Some(p) => Some(super::registry::parse_prefix(p)?),
        None => None,
    };
    let (password, generated) = match body.password {
        Some(p) => {
            auth::check_password_strength(&p, &[body.email.as_str()])?;
            (p, false)
        }
        None => (auth::generated_password(), true),
    };
    let user = state
        .store
        .create_user(
            &NewUser {
                email: body.email,
                password_hash: auth::hash_password(&password)?,
                role,
                prefix,
            },
            &caller.actor(),
        )
        .await?;
    if generated {
        state.store.set_must_change_password(user.id, true).await?;
    }
    let user = state.store.user(user.id).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(NewUserResponse {
            user: serde_json::to_value(user).unwrap_or_default(),
            password: generated.then_some(password),
        }),
    )
        .into_response())
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    /// The current password.
    pub current: String,
    /// The new one (at least 12 characters, hard to guess).
    pub new: String,
}

/// Changes one's own password (signed in with a session); every session and API token of the
/// account ends.
#[utoipa::path(put, path = "/api/v1/session/password", tag = "session", request_body = PasswordBody,
    responses(
        (status = 204, description = "Changed; sign in again"),
        (status = 401, description = "The current password is wrong", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PasswordBody>,
) -> ApiResult<Response> {
    caller.require_session()?;
    auth::check_password_strength(&body.new, &[caller.user.email.as_str()])?;
    if body.new == body.current {
        return Err(ApiError::bad_request(
            "weak_password",
            "choose a new password, not the one you have",
        ));
    }
    auth::sign_in(&state, &caller.user.email, &body.current).await?;
    let hash = auth::hash_password(&body.new)?;
    state
        .store
        .set_password(caller.user.id, &hash, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A token to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// What uses it ("label system", "CI").
    pub name: String,
    /// What it may do: any of `read`, `allocate`, `admin` (admins' tokens only). Default:
    /// `["read"]`.
    pub scopes: Option<Vec<String>>,
    /// Days until it stops working, 1 to 365 (default 90).
    pub expires_in_days: Option<u32>,
}

/// The default lifetime of an API token.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;
/// The longest lifetime of an API token.
pub const MAX_TOKEN_DAYS: u32 = 365;

/// The token made: the secret is shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenResponse {
    /// The token's id (to revoke it).
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The secret: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// When it stops working (Unix seconds).
    pub expires_at: Option<i64>,
}

/// The caller's API tokens (secrets are never shown again).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "session",
    responses((status = 200, description = "Tokens: id, name, created_at, revoked_at")),
    security(("session" = []), ("token" = [])))]
pub async fn tokens(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    Ok(axum::Json(state.store.api_tokens(caller.user.id).await?).into_response())
}

/// Makes an API token for the caller, with scopes and an expiry. Only a signed-in session may
/// (403 `session_required` for a token): a leaked token cannot mint others.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "session", request_body = NewTokenBody,
    responses(
        (status = 201, description = "Made; the secret is in this answer only", body = NewTokenResponse),
        (status = 403, description = "Called with an API token, or an admin scope for a registrant", body = crate::error::ErrorBody),
    ),
    security(("session" = [])))]
pub async fn add_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewTokenBody>,
) -> ApiResult<Response> {
    caller.require_session()?;
    let scopes = match &body.scopes {
        Some(list) => Scope::parse_list(&list.join(","))?,
        None => vec![Scope::Read],
    };
    let days = body.expires_in_days.unwrap_or(DEFAULT_TOKEN_DAYS);
    let made = make_token(&state, &caller, &body.name, &scopes, days).await?;
    Ok((StatusCode::CREATED, axum::Json(made)).into_response())
}

/// Makes a token for a signed-in caller (the API and the tokens page).
pub async fn make_token(
    state: &AppState,
    caller: &Caller,
    name: &str,
    scopes: &[Scope],
    days: u32,
) -> ApiResult<NewTokenResponse> {
    caller.require_session()?;
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(ApiError::bad_request(
            "invalid",
            format!("a token lasts 1 to {MAX_TOKEN_DAYS} days, not {days}"),
        ));
    }
    if scopes.contains(&Scope::Admin) && caller.user.role != Role::Admin {
        return Err(ApiError::forbidden(
            "only the agency's admins may make tokens with the admin scope",
        ));
    }
    let secret = format!("isrc_{}", auth::random_secret());
    let expires_at = isrc_registry::unix_now() + i64::from(days) * 86_400;
    let token = state
        .store
        .create_scoped_api_token(
            &auth::secret_hash(&secret),
            name,
            caller.user.id,
            scopes,
            Some(expires_at),
            &caller.actor(),
        )
        .await?;
    Ok(NewTokenResponse {
        id: token.id,
        name: token.name,
        token: secret,
        scopes: token.scopes.iter().map(|s| s.to_string()).collect(),
        expires_at: token.expires_at,
    })
}

/// Revokes one of the caller's tokens (signed in with a session).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "session",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 200, description = "Revoked"),
        (status = 403, description = "Called with an API token", body = crate::error::ErrorBody),
        (status = 404, description = "No such token of yours", body = crate::error::ErrorBody),
    ),
    security(("session" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    caller.require_session()?;
    let token = state
        .store
        .revoke_api_token(id, caller.user.id, &caller.actor())
        .await?;
    Ok(axum::Json(token).into_response())
}
