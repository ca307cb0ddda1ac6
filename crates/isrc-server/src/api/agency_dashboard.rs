//! The agency's dashboard in the API (`GET /api/v1/agency/dashboard`), admins only.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiResult, Query};
use crate::state::AppState;

/// Which year.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// The full year of reference (default: this year).
    pub year: Option<u16>,
}

/// Registrants by country prefix, each registrant's codes used this year against its range
/// (99,999 or its sub-range), those at 90 % or more of it, applications by state, and the
/// registrant codes and ISRCs issued in each year.
#[utoipa::path(get, path = "/api/v1/agency/dashboard", tag = "agency", params(DashboardQuery),
    responses(
        (status = 200, description = "year, registrants, by_country [{country, registrants}], usage and near_range_end [{prefix, name, used, capacity, percent}], applications_pending, applications_by_state [[state, count]], by_year [{year, registrant_codes, isrcs}] newest first"),
        (status = 403, description = "Not an agency admin", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DashboardQuery>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let year = query.year.unwrap_or_else(|| state.today().year());
    Ok(axum::Json(state.store.agency_dashboard(year).await?).into_response())
}
