//! The isrc HTTP service (`isrc serve`): a JSON API under `/api/v1` documented at
//! `/api/openapi.json`, server-rendered pages, accounts with argon2 passwords, session cookies
//! and API tokens, e-mail through SMTP or an outbox, per-address rate limits and body limits, all
//! over one [`isrc_registry::Store`] (SQLite file or PostgreSQL shared by several instances).
//!
//! ```no_run
//! # async fn run() -> Result<(), isrc_server::ServeError> {
//! let config = isrc_server::Config::new("./isrc.db");
//! isrc_server::serve(config).await
//! # }
//! ```

pub mod access_log;
pub mod api;
pub mod auth;
pub mod budget;
pub mod config;
pub mod error;
pub mod limits;
pub mod mail;
pub mod state;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use isrc_registry::{NewUser, Role, Store};

pub use config::{Config, ConfigError, Limits, ServeError, SmtpConfig};
pub use error::{ApiError, ErrorBody};
pub use state::AppState;

/// The whole application: API, OpenAPI document, pages, static files, body limit.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::routes(&state).split_for_parts();
    let openapi_json = serde_json::to_string_pretty(&openapi).unwrap_or_default();
    let app: Router = Router::new()
        .merge(api)
        .route(
            "/api/openapi.json",
            get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    openapi_json,
                )
            }),
        )
        .merge(web::routes(&state))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(web::errors::html_errors))
        .layer(axum::middleware::from_fn(web::no_store_when_signed_in))
        .layer(DefaultBodyLimit::max(state.config.limits.max_body_bytes))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state);
    // Outermost, so that it sees the final status; a `Router` layer wraps each route, so the
    // route's pattern (`MatchedPath`) is known to it.
    app.layer(axum::middleware::from_fn(access_log::trace_request))
}

/// Headers on every answer: no MIME sniffing, no framing (clickjacking), no referrer leaks to
/// other sites, and a content security policy allowing only this server's own scripts, styles
/// and images (no inline scripts: put JavaScript in `static/`).
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    response
}

/// The OpenAPI document of the API, as served at `/api/openapi.json`.
pub fn openapi(state: &AppState) -> utoipa::openapi::OpenApi {
    api::routes(state).split_for_parts().1
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("no page or API route {}", uri.path()))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take this method (see /api/openapi.json)",
    )
}

/// The e-mail address of the admin account made on first start.
pub const FIRST_ADMIN_EMAIL: &str = "admin@isrc.localhost";

/// Makes the first admin account when there is none: returns its generated password, to be
/// shown once. `None` when an admin exists (or another instance made it at the same moment).
pub async fn ensure_admin(store: &Store) -> Result<Option<String>, ApiError> {
    if store.admin_count().await? > 0 {
        return Ok(None);
    }
    let password = auth::generated_password();
    let hash = auth::hash_password(&password)?;
    let new = NewUser {
        email: FIRST_ADMIN_EMAIL.into(),
        password_hash: hash,
        role: Role::Admin,
        prefix: None,
    };
    match store.create_user(&new, "isrc serve").await {
        Ok(user) => {
            // Printed on a terminal: the admin chooses their own at the first sign-in.
            store.set_must_change_password(user.id, true).await?;
            Ok(Some(password))
        }
        Err(isrc_registry::Error::UserExists { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Opens the ledger, makes the first admin if needed, listens, and serves until Ctrl-C or
/// SIGTERM (requests in flight are finished).
pub async fn serve(config: Config) -> Result<(), ServeError> {
    config.validate()?;
    let store = Store::open(&config.database)
        .await
        .map_err(|e| ServeError::Store(e.to_string()))?;
    if let Some(password) = ensure_admin(&store)
        .await
        .map_err(|e| ServeError::Store(e.to_string()))?
    {
        eprintln!(
            "isrc serve: first start: created the admin account {FIRST_ADMIN_EMAIL} with the password\n\n    {password}\n\nIt is shown only this once; sign in and choose your own (or make your own admin with `isrc admin create --email ADDRESS`)."
        );
    }
    let listen = config.listen;
    let state = AppState::new(store.clone(), config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Listen { listen, source })?;
    let local = listener.local_addr().map_err(ServeError::Serve)?;
    eprintln!("isrc serve: listening on http://{local} (Ctrl-C stops)");
    serve_on(listener, state, shutdown_signal())
        .await
        .map_err(ServeError::Serve)?;
    store.close().await;
    eprintln!("isrc serve: stopped");
    Ok(())
}

/// Serves the application on a bound listener until `shutdown` completes (tests bind
/// 127.0.0.1:0 and pass their own shutdown).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits.clone();
    let sweeper = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.login.forget_idle();
            limits.applications.forget_idle();
            limits.public.forget_idle();
        }
    });
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    result
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
