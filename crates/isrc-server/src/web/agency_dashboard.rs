//! The agency's dashboard page (`/agency/dashboard`), as `GET /api/v1/agency/dashboard`
//! answers.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use isrc_registry::AgencyDashboard;

use super::{Nav, page};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// The dashboard's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/agency/dashboard", get(dashboard_page))
}

#[derive(Template)]
#[template(path = "agency/dashboard.html")]
struct DashboardPage {
    nav: Nav,
    d: AgencyDashboard,
}

async fn dashboard_page(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require_admin()?;
    let d = state.store.agency_dashboard(state.today().year()).await?;
    Ok(page(&DashboardPage {
        nav: Nav::for_caller(Some(&caller)),
        d,
    }))
}
