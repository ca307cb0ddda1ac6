//! Server-rendered pages (askama templates in `templates/`, compile-time checked, HTML-escaped)
//! and the static files compiled into the binary.
//!
//! The pattern for a page: a `#[derive(Template)]` struct holding a [`Nav`] plus the page's
//! data, rendered with [`page`]. Form posts of signed-in users carry the session's CSRF token in
//! a hidden `csrf_token` field, checked with [`Caller::check_csrf`](crate::auth::Caller::check_csrf).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Form, Query};
use crate::limits;
use crate::state::AppState;

/// The navigation bar's data: who is signed in, and the token for the sign-out form.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    /// The signed-in user's address.
    pub user: Option<String>,
    /// The session's CSRF token (empty when signed out).
    pub csrf_token: String,
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

/// The pages and static files.
pub fn routes(state: &AppState) -> Router<AppState> {
    let login = Router::new()
        .route("/login", post(login_submit))
        .layer(from_fn_with_state(
            state.limits.login.clone(),
            limits::limit,
        ));
    Router::new()
        .route("/", get(index))
        .route("/login", get(login_page))
        .route("/logout", post(logout))
        .route("/static/style.css", get(style))
        .merge(login)
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

// ----- validator (the home page) -----

/// One row of the validator's table.
#[derive(Debug)]
pub struct ReportRow {
    input: String,
    isrc: String,
    valid: bool,
    findings: Vec<String>,
    fix: String,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    nav: Nav,
    codes: String,
    rows: Vec<ReportRow>,
}

#[derive(Debug, Deserialize)]
struct IndexQuery {
    codes: Option<String>,
}

/// Most lines the validator page checks at once (the API takes more).
const PAGE_MAX_CODES: usize = 5_000;

async fn index(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(query): Query<IndexQuery>,
) -> Response {
    let codes = query.codes.unwrap_or_default();
    let policy = state.policy();
    let rows = codes
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(PAGE_MAX_CODES)
        .map(|line| {
            let report = isrc::check(line, &policy);
            ReportRow {
                input: line.to_string(),
                isrc: report.isrc.map(|i| i.to_string()).unwrap_or_default(),
                valid: report.is_valid(),
                findings: report.findings.iter().map(|f| f.message.clone()).collect(),
                fix: report.fix().map(|i| i.to_string()).unwrap_or_default(),
            }
        })
        .collect();
    page(&IndexPage {
        nav: Nav::for_caller(caller.as_ref()),
        codes,
        rows,
    })
}

// ----- sign in / out -----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    email: String,
    error: Option<String>,
}

async fn login_page(caller: Option<Caller>) -> Response {
    page(&LoginPage {
        nav: Nav::for_caller(caller.as_ref()),
        email: String::new(),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    email: String,
    password: String,
}

async fn login_submit(State(state): State<AppState>, Form(form): Form<LoginForm>) -> Response {
    match auth::sign_in(&state, &form.email, &form.password).await {
        Ok(user) => match auth::start_session(&state, &user).await {
            Ok(session) => {
                ([(header::SET_COOKIE, session.cookie)], Redirect::to("/")).into_response()
            }
            Err(e) => e.into_response(),
        },
        Err(e) if e.status() == StatusCode::UNAUTHORIZED => {
            let mut response = page(&LoginPage {
                nav: Nav::default(),
                email: form.email,
                error: Some(e.message().to_string()),
            });
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            response
        }
        Err(e) => e.into_response(),
    }
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
