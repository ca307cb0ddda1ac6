//! Registrants in the API: list (cursor pages), add (admins), show.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use isrc_registry::ops::{self};
use isrc_registry::{DesignationRange, NewRegistrant, RegistrantKind};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::registry::*;
use crate::auth::Caller;
use crate::error::{ApiResult, Json, Path, Query};
use crate::state::AppState;

/// A registrant to add (admins only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegistrantBody {
    /// Prefix code (country + registrant code), e.g. `CBXYZ`.
    pub prefix: String,
    /// The registrant's name.
    pub name: String,
    /// Contact (e-mail address).
    #[serde(default)]
    pub contact: String,
    /// `own` (default) or `manager` (an ISRC Manager assigning codes for clients).
    pub kind: Option<String>,
    /// Designation ranges, e.g. `00001-49999` (default: all).
    pub ranges: Option<String>,
}

impl NewRegistrantBody {
    /// The registrant asked for (also by the back office's form): kind `own` and every
    /// designation unless said otherwise.
    pub(crate) fn parse(self) -> ApiResult<NewRegistrant> {
        let kind = match &self.kind {
            Some(k) => k.parse::<RegistrantKind>()?,
            None => RegistrantKind::Own,
        };
        let ranges = match &self.ranges {
            Some(r) => isrc_registry::parse_ranges(r)?,
            None => vec![DesignationRange::DEFAULT],
        };
        Ok(NewRegistrant {
            prefix: parse_prefix(&self.prefix)?,
            name: self.name,
            contact: self.contact,
            kind,
            ranges,
        })
    }
}

/// Which registrants to list, a page at a time.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegistrantQuery {
    /// Sort by `prefix` (default), `name`, `contact`, `kind` or `created`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub dir: Option<String>,
    /// The opaque cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Rows per page, 1 to 1000 (default 100).
    pub limit: Option<u32>,
}

/// Registrants a page at a time (`{"items": [...], "next": CURSOR or null}`): all of them for
/// admins, one's own for a registrant user.
#[utoipa::path(get, path = "/api/v1/registrants", tag = "registry", params(RegistrantQuery),
    responses(
        (status = 200, description = "items (registrants: prefix, name, contact, kind, ranges, created_at) and next", body = ListPage),
        (status = 400, description = "An unknown sort column or direction, a bad limit or cursor", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn registrants(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<RegistrantQuery>,
) -> ApiResult<Response> {
    let request = page_request(query.sort, query.dir, query.after, query.limit)?;
    let only = (!caller.is_admin()).then(|| caller.user.prefixes.clone());
    let page = state
        .store
        .registrant_page(only.as_deref(), &request)
        .await?;
    Ok(axum::Json(page).into_response())
}

/// Adds a registrant (admins only).
#[utoipa::path(post, path = "/api/v1/registrants", tag = "registry", request_body = NewRegistrantBody,
    responses(
        (status = 201, description = "The registrant"),
        (status = 409, description = "Already in the ledger", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn add_registrant(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewRegistrantBody>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let registrant = ops::add_registrant(&state.store, &caller.acting(), body.parse()?).await?;
    Ok((StatusCode::CREATED, axum::Json(registrant)).into_response())
}

/// One registrant (admins, or its own users).
#[utoipa::path(get, path = "/api/v1/registrants/{prefix}", tag = "registry",
    params(("prefix" = String, Path, description = "Prefix code, e.g. CBXYZ")),
    responses(
        (status = 200, description = "The registrant"),
        (status = 403, description = "Another registrant", body = crate::error::ErrorBody),
        (status = 404, description = "Not in the ledger", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn registrant(
    State(state): State<AppState>,
    caller: Caller,
    Path(prefix): Path<String>,
) -> ApiResult<Response> {
    let prefix = parse_prefix(&prefix)?;
    caller.require_registrant(prefix)?;
    Ok(axum::Json(state.store.registrant(prefix).await?).into_response())
}
