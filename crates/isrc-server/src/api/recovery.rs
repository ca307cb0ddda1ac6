//! Account recovery: a password reset by mail (a single-use token that expires, stored hashed),
//! and the agency's hand on accounts: reset a user's password, disable and enable an account,
//! give an account another prefix.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::state::AppState;

/// How long a mailed reset link works.
pub const RESET_TTL_SECONDS: i64 = 3600;

/// Asking for a reset link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The account's e-mail address.
    pub email: String,
}

/// Using a reset link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    /// The token from the mailed link.
    pub token: String,
    /// The new password (at least 12 characters, hard to guess).
    pub password: String,
}

/// The answer to a reset request: the same whether or not the address has an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetAccepted {
    /// What happens next.
    pub message: String,
}

/// Mails a single-use reset link (valid one hour) to the address when it has an enabled
/// account. The answer is the same either way, so it does not tell which addresses have
/// accounts. Rate-limited like sign-in.
#[utoipa::path(post, path = "/api/v1/password-reset", tag = "session", request_body = ResetRequest,
    responses(
        (status = 202, description = "If the address has an account, a link was mailed", body = ResetAccepted),
        (status = 429, description = "Too many attempts", body = crate::error::ErrorBody),
    ))]
pub async fn request_reset(
    State(state): State<AppState>,
    Json(body): Json<ResetRequest>,
) -> ApiResult<Response> {
    request_reset_mail(&state, &body.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(ResetAccepted {
            message: "if this address has an account, a link to choose a new password was mailed to it; it works once, for one hour".into(),
        }),
    )
        .into_response())
}

/// Makes and mails a reset link when `email` has an enabled account (the API and the page).
pub async fn request_reset_mail(state: &AppState, email: &str) -> ApiResult<()> {
    let Some(user) = state.store.user_by_email(email).await? else {
        return Ok(());
    };
    if user.disabled {
        return Ok(());
    }
    let secret = auth::random_secret();
    let expires_at = isrc_registry::unix_now() + RESET_TTL_SECONDS;
    state
        .store
        .create_password_reset(user.id, &auth::secret_hash(&secret), expires_at)
        .await?;
    let link = format!("{}/reset?token={secret}", state.config.public_url);
    let body = format!(
        "Someone (we hope you) asked to choose a new password for {} in the ISRC registry.\n\nOpen this link within one hour to choose it; it works once:\n\n    {link}\n\nIf it was not you, ignore this mail: your password stays as it is.\n\n-- the ISRC agency\n",
        user.email
    );
    state
        .mailer
        .send_with_secret(&user.email, "Choose a new password", &body, Some(&secret))
        .await?;
    Ok(())
}

/// Sets a new password with a mailed token; the token is then used up, and every session and
/// API token of the account ends.
#[utoipa::path(post, path = "/api/v1/password-reset/confirm", tag = "session", request_body = ResetConfirm,
    responses(
        (status = 204, description = "Changed; sign in with the new password"),
        (status = 400, description = "Unknown, used or expired token, or a weak password", body = crate::error::ErrorBody),
    ))]
pub async fn confirm_reset(
    State(state): State<AppState>,
    Json(body): Json<ResetConfirm>,
) -> ApiResult<Response> {
    use_reset(&state, &body.token, &body.password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Uses a reset token (the API and the page).
pub async fn use_reset(state: &AppState, token: &str, password: &str) -> ApiResult<()> {
    auth::check_password_strength(password, &[])?;
    let hash = auth::hash_password(password)?;
    state
        .store
        .use_password_reset(&auth::secret_hash(token.trim()), &hash)
        .await?;
    Ok(())
}

/// A password an admin generated for a user.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminReset {
    /// The user, after the reset.
    #[schema(value_type = Object)]
    pub user: serde_json::Value,
    /// The new password, shown only in this answer; the user must change it at the next
    /// sign-in.
    pub password: String,
}

/// Resets a user's password to a generated one, to be changed at the next sign-in; every
/// session and API token of the user ends (admins only).
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "session",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Reset; the password is in this answer only", body = AdminReset),
        (status = 404, description = "No such user", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn admin_reset(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let (user, password) = admin_reset_password(&state, &caller, id).await?;
    Ok(axum::Json(AdminReset {
        user: serde_json::to_value(user).unwrap_or_default(),
        password,
    })
    .into_response())
}

/// Generates and sets a password the user must change (the API and the accounts page).
pub async fn admin_reset_password(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> ApiResult<(isrc_registry::User, String)> {
    caller.require_admin()?;
    let password = auth::generated_password();
    let hash = auth::hash_password(&password)?;
    let user = state
        .store
        .admin_reset_password(id, &hash, &caller.actor())
        .await?;
    Ok((user, password))
}

/// Disables an account: it cannot sign in, and its sessions and API tokens end (admins only;
/// not one's own account).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "session",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Disabled"),
        (status = 409, description = "One's own account", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let user = set_disabled(&state, &caller, id, true).await?;
    Ok(axum::Json(user).into_response())
}

/// Enables a disabled account again (admins only). Its old sessions and tokens stay ended.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "session",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, description = "Enabled")),
    security(("session" = []), ("token" = [])))]
pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let user = set_disabled(&state, &caller, id, false).await?;
    Ok(axum::Json(user).into_response())
}

/// Disables or enables an account (the API and the accounts page).
pub async fn set_disabled(
    state: &AppState,
    caller: &Caller,
    id: i64,
    disabled: bool,
) -> ApiResult<isrc_registry::User> {
    caller.require_admin()?;
    if disabled && id == caller.user.id {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "own_account",
            "you cannot disable your own account (another admin can)",
        ));
    }
    Ok(state
        .store
        .set_disabled(id, disabled, &caller.actor())
        .await?)
}

/// A prefix to give an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrefixBody {
    /// The registrant's prefix (`CBXYZ`).
    pub prefix: String,
}

/// Lets a registrant account act under one more prefix: an organisation with several
/// registrant codes uses one account (admins only).
#[utoipa::path(post, path = "/api/v1/users/{id}/prefixes", tag = "session", request_body = PrefixBody,
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The account, with its prefixes"),
        (status = 404, description = "No such user or registrant", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn add_prefix(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<PrefixBody>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let prefix = super::registry::parse_prefix(&body.prefix)?;
    let user = state
        .store
        .add_user_prefix(id, prefix, &caller.actor())
        .await?;
    Ok(axum::Json(user).into_response())
}
