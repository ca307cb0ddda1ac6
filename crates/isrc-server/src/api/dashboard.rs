//! The registrant's dashboard in the API: codes used this year against its range, by month.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::registry::parse_prefix;
use crate::auth::Caller;
use crate::error::{ApiResult, Path, Query};
use crate::state::AppState;

/// Which year.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// The full year of reference (default: this year).
    pub year: Option<u16>,
}

/// Codes used in a year against the registrant's range (99,999 or its sub-range), and the
/// codes allocated by month (registrant users for their own, admins for any).
#[utoipa::path(get, path = "/api/v1/registrants/{prefix}/usage", tag = "registry",
    params(("prefix" = String, Path, description = "Prefix code, e.g. CBXYZ"), UsageQuery),
    responses(
        (status = 200, description = "prefix, year, used, capacity, remaining, ranges, by_month [{month, codes}]"),
        (status = 403, description = "Another registrant", body = crate::error::ErrorBody),
        (status = 404, description = "Not in the ledger", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn usage(
    State(state): State<AppState>,
    caller: Caller,
    Path(prefix): Path<String>,
    Query(query): Query<UsageQuery>,
) -> ApiResult<Response> {
    let prefix = parse_prefix(&prefix)?;
    caller.require_registrant(prefix)?;
    let year = query.year.unwrap_or_else(|| state.today().year());
    Ok(axum::Json(state.store.registrant_usage(prefix, year).await?).into_response())
}
