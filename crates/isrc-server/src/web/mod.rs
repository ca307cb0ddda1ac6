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

pub mod account;
pub mod agency;
pub mod agency_dashboard;
pub mod allocate;
pub mod audit;
pub mod dashboard;
pub mod edit;
pub mod errors;
pub mod forms;
pub mod import;
pub mod portal;
pub mod public;
pub mod releases;
pub mod search;
pub mod table;

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
    /// The registrant a signed-in registrant user acts for by default (shows the portal).
    pub prefix: Option<String>,
    /// Every prefix the signed-in account holds.
    pub prefixes: Vec<String>,
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
            prefixes: caller
                .map(|c| c.user.prefixes.iter().map(|p| p.to_string()).collect())
                .unwrap_or_default(),
        }
    }
}

/// An error message in the pages' words: the shared messages name command-line options and
/// headers (`pass --force`, `isrc list`, `Authorization: Bearer`), which mean nothing to someone
/// using the web pages.
///
/// ```
/// let text = isrc_server::web::for_pages("reuse X, or pass --force if it really is a different recording");
/// assert!(!text.contains("--force"));
/// ```
pub fn for_pages(message: &str) -> String {
    const FORCE: &str = "tick \"allocate even if the same recording is already in the ledger\"";
    message
        .replace(
            "pass --force if they really differ",
            &format!("{FORCE} if they really differ"),
        )
        .replace(
            "pass --force if it really is",
            &format!("{FORCE} if it really is"),
        )
        .replace(" (list what is with `isrc list`)", "")
        .replace(
            "sign in first, or send Authorization: Bearer <API token>",
            "sign in first",
        )
        .replace(
            "pass --country-prefix with",
            "give in the country prefix field",
        )
        .replace(" (--reason TEXT)", "")
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
        .merge(account::recovery_posts())
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
        .merge(account::routes())
        .merge(portal::routes())
        .merge(import::routes())
        .merge(edit::routes())
        .merge(dashboard::routes())
        .merge(releases::routes())
        .merge(search::routes(state))
        .merge(agency::routes())
        .merge(agency_dashboard::routes())
        .merge(audit::routes())
}

const STYLE: &str = include_str!("../../static/style.css");

async fn style() -> Response {
    static_file("text/css; charset=utf-8", STYLE)
}

/// A file built into the binary, cacheable for an hour.
pub(crate) fn static_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Middleware: an answer to a signed-in request (session cookie or API token) is never stored
/// by a browser or a shared cache (`Cache-Control: no-store`), unless the handler chose its own
/// caching (the style sheet).
pub async fn no_store_when_signed_in(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let signed_in = auth::cookie_value(request.headers(), auth::SESSION_COOKIE).is_some()
        || request.headers().contains_key(header::AUTHORIZATION);
    let mut response = next.run(request).await;
    if signed_in && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
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
                    error: Some(for_pages(e.message())),
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
    must_change: bool,
}

impl AccountPage {
    fn new(caller: &Caller, error: Option<String>) -> AccountPage {
        AccountPage {
            nav: Nav::for_caller(Some(caller)),
            role: caller.user.role.as_str(),
            prefix: caller
                .user
                .prefixes
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            error,
            must_change: caller.user.must_change_password,
        }
    }
}

async fn account_page(caller: Caller) -> Response {
    page(&AccountPage::new(&caller, None))
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
    caller.require_session()?;
    let checked = match auth::check_password_strength(&form.new, &[caller.user.email.as_str()])
        .and_then(|()| {
            if form.new == form.current {
                Err(ApiError::bad_request(
                    "weak_password",
                    "choose a new password, not the one you have",
                ))
            } else {
                Ok(())
            }
        }) {
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
            &AccountPage::new(&caller, Some(for_pages(e.message()))),
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
