//! `POST /api/v1/imports`: codes allocated elsewhere brought into the ledger from CSV, all or
//! nothing: the rule of `isrc import` and of the portal's import page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use isrc::code::PrefixCode;
use isrc_registry::csv_input::RecordingTable;
use isrc_registry::ops;
use serde::Deserialize;
use utoipa::IntoParams;

use super::registry::parse_prefix;
use crate::auth::Caller;
use crate::error::{ApiResult, Query};
use crate::state::AppState;

/// What the file is called and which codes it may hold.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// The file's name, for messages (`old.csv:3: ...`; default `upload.csv`).
    pub name: Option<String>,
    /// Refuse codes that are not under this prefix.
    pub prefix: Option<String>,
}

/// Imports existing codes from CSV: an `isrc` column (required), `title` and `artist`
/// (required), the other columns of a bulk allocation, and `status` (active|void). Every row
/// is checked; nothing is imported if any is wrong, repeated or already in the ledger.
#[utoipa::path(post, path = "/api/v1/imports", tag = "registry", params(ImportQuery),
    request_body(content = String, description = "The CSV file", content_type = "text/csv"),
    responses(
        (status = 201, description = "`{\"imported\": N}`"),
        (status = 400, description = "A row cannot be read", body = crate::error::ErrorBody),
        (status = 403, description = "A code of another registrant", body = crate::error::ErrorBody),
        (status = 409, description = "A code already in the ledger, or repeated", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ImportQuery>,
    body: String,
) -> ApiResult<Response> {
    let only = query.prefix.as_deref().map(parse_prefix).transpose()?;
    let name = query.name.as_deref().unwrap_or("upload.csv");
    let imported = import_csv(&state, &caller, name, body.as_bytes(), only).await?;
    let answer = serde_json::json!({ "imported": imported });
    Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
}

/// Reads `bytes` as the CSV file `name` and imports its codes as `caller`; the count.
pub(crate) async fn import_csv(
    state: &AppState,
    caller: &Caller,
    name: &str,
    bytes: &[u8],
    only: Option<PrefixCode>,
) -> ApiResult<usize> {
    let table = RecordingTable::read(name, bytes, true)?;
    let records = table.import_records(&state.policy())?;
    Ok(ops::import(&state.store, &caller.acting(), &records, only).await?)
}
