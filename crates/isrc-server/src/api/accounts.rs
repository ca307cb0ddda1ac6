//! Accounts API: users (admins make them), API tokens (registrant users make their own),
//! changing one's password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use isrc_registry::{NewUser, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::state::AppState;

/// A user to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserBody {
    /// E-mail address (the sign-in name).
    pub email: String,
    /// `registrant` (default) or `admin`.
    pub role: Option<String>,
    /// The registrant a registrant user acts for.
    pub prefix: Option<String>,
    /// The password (at least 10 characters); generated and returned once when absent.
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
            auth::check_password_strength(&p)?;
            (p, false)
        }
        None => (auth::random_secret()[..16].to_string(), true),
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
pub struct PasswordBody {
    /// The current password.
    pub current: String,
    /// The new one (at least 10 characters).
    pub new: String,
}

/// Changes one's own password; every session of the account ends.
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
    auth::check_password_strength(&body.new)?;
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
pub struct NewTokenBody {
    /// What uses it ("label system", "CI").
    pub name: String,
}

/// The token made: the secret is shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenResponse {
    /// The token's id (to revoke it).
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The secret: send it as `Authorization: Bearer <token>`.
    pub token: String,
}

/// The caller's API tokens (secrets are never shown again).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "session",
    responses((status = 200, description = "Tokens: id, name, created_at, revoked_at")),
    security(("session" = []), ("token" = [])))]
pub async fn tokens(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    Ok(axum::Json(state.store.api_tokens(caller.user.id).await?).into_response())
}

/// Makes an API token acting for the caller's registrant (registrant users only).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "session", request_body = NewTokenBody,
    responses(
        (status = 201, description = "Made; the secret is in this answer only", body = NewTokenResponse),
        (status = 403, description = "Admins do not get API tokens", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn add_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewTokenBody>,
) -> ApiResult<Response> {
    if caller.user.role != Role::Registrant {
        return Err(ApiError::forbidden(
            "API tokens act for one registrant: make them as a registrant user",
        ));
    }
    let secret = format!("isrc_{}", auth::random_secret());
    let token = state
        .store
        .create_api_token(
            &auth::secret_hash(&secret),
            &body.name,
            caller.user.id,
            &caller.actor(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(NewTokenResponse {
            id: token.id,
            name: token.name,
            token: secret,
        }),
    )
        .into_response())
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "session",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 200, description = "Revoked"),
        (status = 404, description = "No such token of yours", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let token = state
        .store
        .revoke_api_token(id, caller.user.id, &caller.actor())
        .await?;
    Ok(axum::Json(token).into_response())
}
