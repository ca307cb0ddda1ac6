//! One's own account beyond the password form: API tokens (listed, made with scopes and an
//! expiry, revoked; only from a signed-in session), and recovery for the signed out: asking
//! for a reset link, and choosing a new password with it.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use isrc_registry::{ApiToken, Role, Scope};
use serde::Deserialize;

use super::{Nav, forms, page};
use crate::api::accounts::{DEFAULT_TOKEN_DAYS, NewTokenResponse, make_token};
use crate::auth::Caller;
use crate::error::{ApiResult, Form, Path, Query};
use crate::state::AppState;

/// The routes; the two recovery posts go under the sign-in rate limit (see [`super::routes`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(tokens).post(add_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/forgot", get(forgot_page))
        .route("/reset", get(reset_page))
}

/// The recovery posts (rate-limited by the caller).
pub fn recovery_posts() -> Router<AppState> {
    Router::new()
        .route("/forgot", post(forgot_submit))
        .route("/reset", post(reset_submit))
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    nav: Nav,
    tokens: Vec<TokenView>,
    made: Option<NewTokenResponse>,
    admin: bool,
    default_days: u32,
}

/// A token as the page shows it.
struct TokenView {
    token: ApiToken,
    scopes: String,
    expires: String,
    state: &'static str,
}

async fn tokens_page(
    state: &AppState,
    caller: &Caller,
    made: Option<NewTokenResponse>,
) -> ApiResult<Response> {
    caller.require_session()?;
    let now = isrc_registry::unix_now();
    let tokens = state
        .store
        .api_tokens(caller.user.id)
        .await?
        .into_iter()
        .rev()
        .map(|token| {
            let state = if token.revoked_at.is_some() {
                "revoked"
            } else if token.expires_at.is_some_and(|e| e <= now) {
                "expired"
            } else {
                "live"
            };
            TokenView {
                scopes: Scope::join(&token.scopes).replace(',', ", "),
                expires: token
                    .expires_at
                    .map(|e| isrc::policy::Date::from_unix_days(e.div_euclid(86_400)).to_string())
                    .unwrap_or_else(|| "never".into()),
                state,
                token,
            }
        })
        .collect();
    Ok(page(&TokensPage {
        nav: Nav::for_caller(Some(caller)),
        tokens,
        made,
        admin: caller.user.role == Role::Admin,
        default_days: DEFAULT_TOKEN_DAYS,
    }))
}

async fn tokens(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    tokens_page(&state, &caller, None).await
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    csrf_token: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    read: Option<String>,
    #[serde(default)]
    allocate: Option<String>,
    #[serde(default)]
    admin: Option<String>,
    #[serde(default)]
    days: String,
}

async fn add_token(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<TokenForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    let mut scopes = Vec::new();
    for (on, scope) in [
        (&form.read, Scope::Read),
        (&form.allocate, Scope::Allocate),
        (&form.admin, Scope::Admin),
    ] {
        if on.is_some() {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        scopes.push(Scope::Read);
    }
    let days = match form.days.trim() {
        "" => DEFAULT_TOKEN_DAYS,
        text => text.parse().map_err(|_| {
            crate::ApiError::bad_request("invalid", format!("{text:?} is not a number of days"))
        })?,
    };
    let made = make_token(&state, &caller, &form.name, &scopes, days).await?;
    tokens_page(&state, &caller, Some(made)).await
}

#[derive(Debug, Deserialize)]
struct CsrfOnly {
    csrf_token: Option<String>,
}

async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    caller.require_session()?;
    state
        .store
        .revoke_api_token(id, caller.user.id, &caller.actor())
        .await?;
    Ok(Redirect::to("/account/tokens").into_response())
}

// ----- recovery -----

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    nav: Nav,
    form_token: String,
    sent: bool,
}

async fn forgot_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
) -> Response {
    let token = forms::FormToken::issue(&state, caller.as_ref(), &headers);
    token.attach(page(&ForgotPage {
        nav: Nav::for_caller(caller.as_ref()),
        form_token: token.value.clone(),
        sent: false,
    }))
}

#[derive(Debug, Deserialize)]
struct ForgotForm {
    csrf_token: Option<String>,
    #[serde(default)]
    email: String,
}

async fn forgot_submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> ApiResult<Response> {
    forms::check(caller.as_ref(), &headers, form.csrf_token.as_deref())?;
    crate::api::recovery::request_reset_mail(&state, &form.email).await?;
    Ok(page(&ForgotPage {
        nav: Nav::for_caller(caller.as_ref()),
        form_token: form.csrf_token.unwrap_or_default(),
        sent: true,
    }))
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    nav: Nav,
    form_token: String,
    token: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ResetQuery {
    token: Option<String>,
}

async fn reset_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Query(query): Query<ResetQuery>,
) -> Response {
    let form = forms::FormToken::issue(&state, caller.as_ref(), &headers);
    form.attach(page(&ResetPage {
        nav: Nav::for_caller(caller.as_ref()),
        form_token: form.value.clone(),
        token: query.token.unwrap_or_default(),
        error: None,
    }))
}

#[derive(Debug, Deserialize)]
struct ResetForm {
    csrf_token: Option<String>,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn reset_submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> ApiResult<Response> {
    forms::check(caller.as_ref(), &headers, form.csrf_token.as_deref())?;
    match crate::api::recovery::use_reset(&state, &form.token, &form.password).await {
        Ok(()) => Ok(Redirect::to("/login").into_response()),
        Err(e) if e.status().is_client_error() => Ok(super::page_with_status(
            e.status(),
            &ResetPage {
                nav: Nav::for_caller(caller.as_ref()),
                form_token: form.csrf_token.unwrap_or_default(),
                token: form.token,
                error: Some(super::for_pages(e.message())),
            },
        )),
        Err(e) => Err(e),
    }
}
