//! Releases in the API: add, replace, show, list (cursor pages) and export (CSV per
//! distributor profile, DDEX ERN 4.3). The rules are [`isrc_registry::ops`]'s.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use isrc_registry::ops::{self, ReleaseFormat};
use isrc_registry::{Release, ReleaseInput, Upc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::registry::{parse_isrc, parse_prefix};
use crate::auth::Caller;
use crate::error::{ApiResult, Json, Path, Query};
use crate::state::AppState;

/// A release as given to add or replace it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBody {
    /// The registrant (to add; default: a registrant user's own). Left out to replace.
    pub prefix: Option<String>,
    /// The barcode: a UPC-A (12 digits) or EAN-13 (13 digits), check digit verified. Required
    /// to add; to replace, it must be the release's own if given.
    pub upc: Option<String>,
    /// The release title.
    pub title: String,
    /// The display artist (default: the first track's artist).
    #[serde(default)]
    pub artist: String,
    /// The record label.
    #[serde(default)]
    pub label: String,
    /// The ℗ line without the ℗ sign (`2026 Les Disques XYZ`).
    #[serde(default)]
    pub p_line: String,
    /// The release date, YYYY-MM-DD.
    pub release_date: Option<String>,
    /// The tracks in order: ISRCs of the registrant (any spelling), each once.
    pub tracks: Vec<String>,
    /// The contributors, each `Name:Role` (the whole release) or `Name:Role:TRACK` (one
    /// track, 1-based), the role a DDEX name: MainArtist, FeaturedArtist, Composer, Lyricist,
    /// ComposerLyricist, Arranger, Producer, Remixer, MixingEngineer, MasteringEngineer,
    /// RecordingEngineer, Conductor, Orchestra. A replace sets the whole list.
    #[serde(default)]
    pub contributors: Vec<String>,
}

impl ReleaseBody {
    fn input(&self, upc: Upc) -> ApiResult<ReleaseInput> {
        Ok(ReleaseInput {
            upc,
            title: self.title.clone(),
            artist: self.artist.clone(),
            label: self.label.clone(),
            p_line: self.p_line.clone(),
            release_date: self
                .release_date
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .map(|d| isrc_registry::parse_date("release_date", d))
                .transpose()?,
            tracks: self
                .tracks
                .iter()
                .map(|t| parse_isrc(t))
                .collect::<ApiResult<_>>()?,
            contributors: self
                .contributors
                .iter()
                .map(|c| Ok(isrc_registry::Contributor::parse(c)?))
                .collect::<ApiResult<_>>()?,
        })
    }
}

pub(crate) fn parse_upc(text: &str) -> ApiResult<Upc> {
    Ok(text.parse::<Upc>()?)
}

/// Adds a release of a registrant: a barcode not in the ledger, and one or more of the
/// registrant's active ISRCs as tracks. Audited as `release.add`.
#[utoipa::path(post, path = "/api/v1/releases", tag = "registry", request_body = ReleaseBody,
    responses(
        (status = 201, description = "The release: prefix, upc, title, artist, label, p_line, release_date, tracks, created_at, updated_at"),
        (status = 400, description = "A bad barcode (check digit), date or track", body = crate::error::ErrorBody),
        (status = 403, description = "Another registrant", body = crate::error::ErrorBody),
        (status = 409, description = "`release_exists`: the barcode is in the ledger", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ReleaseBody>,
) -> ApiResult<Response> {
    let prefix = match (&body.prefix, caller.user.prefix) {
        (Some(p), _) => parse_prefix(p)?,
        (None, Some(own)) => own,
        (None, None) => {
            return Err(isrc_registry::Error::Invalid {
                field: "prefix".into(),
                message: "give the registrant's prefix".into(),
            }
            .into());
        }
    };
    let upc = parse_upc(body.upc.as_deref().unwrap_or_default())?;
    let input = body.input(upc)?;
    let release = ops::add_release(&state.store, &caller.acting(), prefix, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(release)).into_response())
}

/// Replaces a release's title, artist, label, ℗ line, date and tracks (never its barcode or
/// registrant). Audited as `release.edit` with before and after.
#[utoipa::path(put, path = "/api/v1/releases/{upc}", tag = "registry",
    params(("upc" = String, Path, description = "The barcode, UPC-A or EAN-13")), request_body = ReleaseBody,
    responses(
        (status = 200, description = "The release as it now is"),
        (status = 400, description = "A bad field, or nothing to change", body = crate::error::ErrorBody),
        (status = 403, description = "Another registrant's", body = crate::error::ErrorBody),
        (status = 404, description = "`release_not_found`", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<ReleaseBody>,
) -> ApiResult<Response> {
    let upc = parse_upc(&code)?;
    if let Some(given) = &body.upc
        && parse_upc(given)? != upc
    {
        return Err(isrc_registry::Error::Invalid {
            field: "upc".into(),
            message: format!("{given} is not {upc}: a release's barcode never changes"),
        }
        .into());
    }
    if body.prefix.is_some() {
        return Err(isrc_registry::Error::Invalid {
            field: "prefix".into(),
            message: "a release's registrant never changes; leave prefix out".into(),
        }
        .into());
    }
    let input = body.input(upc.clone())?;
    let release = ops::edit_release(&state.store, &caller.acting(), &upc, &input).await?;
    Ok(axum::Json(release).into_response())
}

/// A release with its history (the audit log's `release.add` and `release.edit`).
#[utoipa::path(get, path = "/api/v1/releases/{upc}", tag = "registry",
    params(("upc" = String, Path, description = "The barcode, UPC-A or EAN-13")),
    responses(
        (status = 200, description = "The release and `history`"),
        (status = 403, description = "Another registrant's", body = crate::error::ErrorBody),
        (status = 404, description = "`release_not_found`", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let upc = parse_upc(&code)?;
    let release = ops::release(&state.store, &caller.acting(), &upc).await?;
    Ok(axum::Json(with_history(&state, release).await?).into_response())
}

async fn with_history(state: &AppState, release: Release) -> ApiResult<serde_json::Value> {
    let history = state
        .store
        .audit_log(Some(&format!("release:{}", release.input.upc)))
        .await?;
    let mut view = serde_json::to_value(release).unwrap_or_default();
    view["history"] = serde_json::to_value(history).unwrap_or_default();
    Ok(view)
}

/// Which releases to list, a page at a time.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReleaseQuery {
    /// Only this registrant (default: a registrant user's own; admins may leave it out).
    pub prefix: Option<String>,
    /// Sort by `upc` (default: barcode order), `title`, `artist`, `date` or `created`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub dir: Option<String>,
    /// The opaque cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Rows per page, 1 to 1000 (default 100).
    pub limit: Option<u32>,
}

/// Releases a page at a time: `{"items": [...], "next": CURSOR or null}`. Give `next` as
/// `after` for the following page; every release is on one page, releases added between
/// pages included when they sort after the cursor.
#[utoipa::path(get, path = "/api/v1/releases", tag = "registry", params(ReleaseQuery),
    responses(
        (status = 200, description = "items (releases) and next (the cursor of the next page, or null)", body = super::registry::ListPage),
        (status = 400, description = "An unknown sort column or direction, a limit out of 1 to 1000, a cursor that is not this list's", body = crate::error::ErrorBody),
        (status = 403, description = "Another registrant's prefix", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReleaseQuery>,
) -> ApiResult<Response> {
    let prefix = match &query.prefix {
        Some(p) => Some(parse_prefix(p)?),
        None => caller.user.prefix,
    };
    let request = super::registry::page_request(query.sort, query.dir, query.after, query.limit)?;
    let page = ops::releases(&state.store, &caller.acting(), prefix, &request).await?;
    Ok(axum::Json(page).into_response())
}

/// How to export a release.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReleaseExportQuery {
    /// `csv` (default) or `ern` (a DDEX ERN 4.3 NewReleaseMessage).
    pub format: Option<String>,
    /// For CSV: `distributor` (default) or `repertoire`, the columns of `GET /api/v1/export`.
    pub profile: Option<String>,
}

/// A release as CSV (the release's columns, then the profile's, a row per track) or as a
/// DDEX ERN 4.3 NewReleaseMessage.
#[utoipa::path(get, path = "/api/v1/releases/{upc}/export", tag = "registry",
    params(("upc" = String, Path, description = "The barcode, UPC-A or EAN-13"), ReleaseExportQuery),
    responses(
        (status = 200, description = "text/csv or application/xml, as an attachment"),
        (status = 400, description = "An unknown format or profile", body = crate::error::ErrorBody),
        (status = 403, description = "Another registrant's", body = crate::error::ErrorBody),
        (status = 404, description = "`release_not_found`", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(query): Query<ReleaseExportQuery>,
) -> ApiResult<Response> {
    let upc = parse_upc(&code)?;
    let format = ReleaseFormat::parse(
        query.format.as_deref().unwrap_or("csv"),
        query.profile.as_deref(),
    )?;
    let bytes = ops::export_release(&state.store, &caller.acting(), &upc, format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", format.file_name(&upc)),
            ),
        ],
        bytes,
    )
        .into_response())
}
