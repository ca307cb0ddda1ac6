//! Exports of a registrant's recordings: CSV, XLSX or JSON, per profile.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use isrc::code::PrefixCode;
use isrc_registry::{ExportProfile, ListFilter, json_row};
use serde::Deserialize;
use utoipa::IntoParams;

use super::registry::*;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Query};
use crate::state::AppState;

/// What to export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// The registrant (default: a registrant user's own; admins may leave it out for all).
    pub prefix: Option<String>,
    /// Only this year of reference (full year).
    pub year: Option<u16>,
    /// `csv` (default), `json` or `xlsx` (the CSV's columns in a workbook).
    pub format: Option<String>,
    /// `distributor` (default: IFPI reference metadata, void codes included) or `repertoire`
    /// (a collecting society's declaration, active codes).
    pub profile: Option<String>,
}

/// Exports recordings as CSV, XLSX or JSON, with the same columns as `isrc export`.
#[utoipa::path(get, path = "/api/v1/export", tag = "registry", params(ExportQuery),
    responses(
        (status = 200, description = "CSV (text/csv), XLSX (one sheet, the CSV's columns) or a JSON array of objects (duration_seconds and recording_year as numbers or null)"),
        (status = 403, description = "Another registrant's prefix", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ExportQuery>,
) -> ApiResult<Response> {
    let prefix = listed_prefix(&caller, query.prefix.as_deref())?;
    let profile = match query.profile.as_deref().unwrap_or("distributor") {
        "distributor" => ExportProfile::Distributor,
        "repertoire" => ExportProfile::Repertoire,
        other => {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("profile {other:?}: use distributor or repertoire"),
            ));
        }
    };
    let filter = ListFilter {
        prefix,
        year: query.year,
        include_void: profile.includes_void(),
        search: None,
        limit: None,
    };
    let recordings = state.store.recordings(&filter).await?;
    let columns = profile.columns();
    let rows = recordings.iter().map(|r| profile.row(r));
    match query.format.as_deref().unwrap_or("csv") {
        "json" => {
            let array: Vec<serde_json::Map<String, serde_json::Value>> =
                rows.map(|row| json_row(columns, row)).collect();
            Ok(axum::Json(array).into_response())
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(columns).map_err(ApiError::internal)?;
            for row in rows {
                // Text a spreadsheet would run as a formula gets a leading `'`.
                w.write_record(isrc_registry::csv_row(row))
                    .map_err(ApiError::internal)?;
            }
            let bytes = w.into_inner().map_err(ApiError::internal)?;
            let name = export_name(prefix);
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"isrc-{name}.csv\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        "xlsx" => {
            let bytes = isrc_registry::xlsx_workbook(columns, rows)?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"isrc-{}.xlsx\"", export_name(prefix)),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        other => Err(ApiError::bad_request(
            "invalid_query",
            format!("format {other:?}: use csv, xlsx or json"),
        )),
    }
}

/// The file name part of an export: the prefix, or `all`.
fn export_name(prefix: Option<PrefixCode>) -> String {
    prefix
        .map(|p| p.to_string())
        .unwrap_or_else(|| "all".into())
}
