//! The registrant's dashboard page (`/portal/usage`): codes used this year against its range,
//! and by month, as `GET /api/v1/registrants/{prefix}/usage` answers.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use isrc_registry::RegistrantUsage;

use super::portal::own_prefix;
use super::{Nav, page};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// The dashboard's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/portal/usage", get(usage_page))
}

#[derive(Template)]
#[template(path = "portal/usage.html")]
struct UsagePage {
    nav: Nav,
    u: RegistrantUsage,
    /// Used, in per cent of the range (for the bar).
    percent: u32,
    /// The busiest month's count (for the month bars).
    peak: u32,
}

async fn usage_page(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let prefix = own_prefix(&caller, &headers)?;
    let u = state
        .store
        .registrant_usage(prefix, state.today().year())
        .await?;
    let percent = (u64::from(u.used) * 100 / u64::from(u.capacity.max(1))) as u32;
    let peak = u.by_month.iter().map(|m| m.codes).max().unwrap_or(0).max(1);
    Ok(page(&UsagePage {
        nav: Nav::for_caller(Some(&caller)),
        u,
        percent,
        peak,
    }))
}
