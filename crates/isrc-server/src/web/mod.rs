//! Server-rendered pages (askama templates in `templates/`, compile-time checked, HTML-escaped)
//! and the static files compiled into the binary. Every page works without JavaScript.
//!
//! The pattern for a page: a `#[derive(Template)]` struct holding a [`Nav`] plus the page's
//! data, rendered with [`page`]. Every form post carries a token in a hidden `csrf_token` field
//! (see [`forms`]): the session's for signed-in users (checked with
//! [`Caller::check_csrf`](crate::auth::Caller::check_csrf)), a cookie-bound one for the public
//! forms. Handlers return [`ApiError`] like the API does; [`errors`] turns those answers into
//! an HTML page for browsers.
//!
//! | area | module | who |
//! | --- | --- | --- |
//! | validator, catalogue check, application form, lookup, sign-in | [`public`] | anyone |
//! | recordings, allocation with the derive rules, bulk CSV, void, publish, export | [`portal`] | a registrant user, for their own prefix only |
//! | applications queue, directory, listings, accounts, outbox | [`agency`] | the agency's admins |

pub mod agency;
pub mod errors;
pub mod forms;
pub mod portal;
pub mod public;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use isrc_registry::Role;
use serde::Deserialize;

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Form};
use crate::state::AppState;

/// The navigation bar's data: who is signed in, what they may reach, and the token for the
/// sign-out form.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    /// The signed-in user's address.
    pub user: Option<String>,
    /// The session's CSRF token (empty when signed out).
    pub csrf_token: String,
    /// The signed-in user is an agency admin (shows the back office).
    pub admin: bool,
    /// The registrant a signed-in registrant user acts for (shows the portal).
    pub prefix: Option<String>,
}

impl Nav {
    /// The bar for this caller.
    pub fn for_caller(caller: Option<&Caller>) -> Nav {
        Nav {
            user: caller.map(|c| c.user.email.clone()),
            csrf_token: caller
                .and_then(|c| c.csrf_token())
                .unwrap_or_default()
                .to_string(),
            admin: caller.is_some_and(|c| c.user.role == Role::Admin),
            prefix: caller.and_then(|c| c.user.prefix.map(|p| p.to_string())),
        }
    }
}

/// Renders a template as an HTML response (a 500 only if rendering itself fails).
pub fn page(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => ApiError::internal(format!("template: {e}")).into_response(),
    }
}

/// [`page`] with another status (a form shown again with its errors: 400, 401, 409...).
pub fn page_with_status(status: StatusCode, template: &impl Template) -> Response {
    let mut response = page(template);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// The pages and static files.
pub fn routes(state: &AppState) -> Router<AppState> {
    let login = Router::new()
        .route("/login", post(login_submit))
        .layer(state.limits.login.layer());
    let apply = Router::new()
        .route("/apply", post(public::apply_submit))
        .layer(state.limits.applications.layer());
    // The catalogue upload shares the API's budget of bytes in flight.
    let upload = Router::new()
        .route("/check", post(public::check_submit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::budget::public,
        ));
    let anonymous = Router::new()
        .merge(upload)
        .route("/lookup", get(public::lookup))
        .layer(state.limits.public.layer());
    Router::new()
        .route("/", get(public::index).post(public::index_submit))
        .route("/check", get(public::check_page))
        .route("/apply", get(public::apply_page))
        .route("/login", get(login_page))
        .route("/logout", post(logout))
        .route("/account", get(account_page).post(account_submit))
        .route("/static/style.css", get(style))
        .merge(login)
        .merge(apply)
        .merge(anonymous)
        .merge(portal::routes())
        .merge(agency::routes())
}

const STYLE: &str = include_str!("../../static/style.css");

async fn style() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        STYLE,
    )
        .into_response()
}

// ----- sign in / out -----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    email: String,
    error: Option<String>,
    form_token: String,
}

async fn login_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: axum::http::HeaderMap,
) -> Response {
    let token = forms::FormToken::issue(&state, caller.as_ref(), &headers);
    token.attach(page(&LoginPage {
        nav: Nav::for_caller(caller.as_ref()),
        email: String::new(),
        error: None,
        form_token: token.value.clone(),
    }))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    csrf_token: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> ApiResult<Response> {
    // Login CSRF: a forged post would sign the victim in as the attacker.
    forms::check(caller.as_ref(), &headers, form.csrf_token.as_deref())?;
    Ok(
        match auth::sign_in(&state, &form.email, &form.password).await {
            Ok(user) => {
                let session = auth::start_session(&state, &user).await?;
                let home = if user.role == Role::Admin {
                    "/agency/applications"
                } else {
                    "/portal"
                };
                ([(header::SET_COOKIE, session.cookie)], Redirect::to(home)).into_response()
            }
            Err(e) if e.status() == StatusCode::UNAUTHORIZED => page_with_status(
                StatusCode::UNAUTHORIZED,
                &LoginPage {
                    nav: Nav::default(),
                    email: form.email,
                    error: Some(e.message().to_string()),
                    form_token: form.csrf_token.unwrap_or_default(),
                },
            ),
            Err(e) => return Err(e),
        },
    )
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf_token: Option<String>,
}

async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<CsrfForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    if let auth::Credential::Session { id_hash, .. } = &caller.credential {
        state.store.delete_session(id_hash).await?;
    }
    Ok((
        [(header::SET_COOKIE, auth::session_cookie(&state, "", 0))],
        Redirect::to("/"),
    )
        .into_response())
}

// ----- one's own account -----

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Nav,
    role: &'static str,
    prefix: String,
    error: Option<String>,
}

async fn account_page(caller: Caller) -> Response {
    page(&AccountPage {
        nav: Nav::for_caller(Some(&caller)),
        role: caller.user.role.as_str(),
        prefix: caller
            .user
            .prefix
            .map(|p| p.to_string())
            .unwrap_or_default(),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    csrf_token: Option<String>,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

/// Changes one's password (a mailed one should be replaced); every session of the account
/// ends, so the answer is the sign-in page.
async fn account_submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PasswordForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    let checked = match auth::check_password_strength(&form.new) {
        Ok(()) => auth::sign_in(&state, &caller.user.email, &form.current)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = checked {
        if !e.status().is_client_error() {
            return Err(e);
        }
        return Ok(page_with_status(
            e.status(),
            &AccountPage {
                nav: Nav::for_caller(Some(&caller)),
                role: caller.user.role.as_str(),
                prefix: caller
                    .user
                    .prefix
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                error: Some(e.message().to_string()),
            },
        ));
    }
    let hash = auth::hash_password(&form.new)?;
    state
        .store
        .set_password(caller.user.id, &hash, &caller.actor())
        .await?;
    Ok((
        [(header::SET_COOKIE, auth::session_cookie(&state, "", 0))],
        Redirect::to("/login"),
    )
        .into_response())
}
