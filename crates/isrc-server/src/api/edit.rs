//! Correcting a recording's metadata (`PATCH /api/v1/recordings/{isrc}`): the fields given
//! replace the stored ones; the rules are [`isrc_registry::ops::edit`]'s.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use isrc_registry::ops;
use serde::Deserialize;
use utoipa::ToSchema;

use super::recordings::{RecordingFields, owner_view};
use super::registry::{parse_isrc, refuse_unknown};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::state::AppState;

/// The fields to correct; those left out keep their value, and those given as `null` are
/// emptied (version, duration, published, language, recording_year, iswc, notes; never the
/// title or artist). The ISRC never changes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditBody {
    /// The corrected fields.
    #[serde(flatten)]
    pub fields: RecordingFields,
    /// Fields nobody knows (refused).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: std::collections::BTreeMap<String, serde_json::Value>,
}

/// Corrects a recording's metadata (title, version's spelling, artist, duration within 10 s,
/// dates, ISWC, language, notes). The edit is in the audit log with before and after (see
/// `history` of `GET /api/v1/recordings/{isrc}`). A change that makes another recording (a
/// duration more than 10 s away, another version, audio to video) is refused with 409
/// `needs_derive`: judge it with `POST /api/v1/recordings/{isrc}/derive`. A field given as
/// JSON `null` is emptied (`{"version": null}`); its history shows the value before and `—`.
#[utoipa::path(patch, path = "/api/v1/recordings/{isrc}", tag = "registry",
    params(("isrc" = String, Path, description = "The ISRC, any spelling")), request_body = EditBody,
    responses(
        (status = 200, description = "The edited recording"),
        (status = 400, description = "A malformed field, or nothing to change", body = crate::error::ErrorBody),
        (status = 403, description = "Another registrant's", body = crate::error::ErrorBody),
        (status = 404, description = "Not in the ledger", body = crate::error::ErrorBody),
        (status = 409, description = "`needs_derive`: another recording; `duplicate_recording`: then the same as another one; `already_void`", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(mut raw): Json<serde_json::Value>,
) -> ApiResult<Response> {
    // `"field": null` empties the field: taken out before the body is read.
    let mut clear = Vec::new();
    if let Some(map) = raw.as_object_mut() {
        let nulls: Vec<String> = map
            .iter()
            .filter(|(_, v)| v.is_null())
            .map(|(k, _)| k.clone())
            .collect();
        for name in nulls {
            map.remove(&name);
            clear.push(ops::Clearable::parse(&name)?);
        }
    }
    let body: EditBody = serde_json::from_value(raw).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_json",
            e.to_string(),
        )
    })?;
    refuse_unknown(&body.unknown)?;
    let isrc = parse_isrc(&code)?;
    let patch = body.fields.patch()?;
    let recording =
        ops::edit_clearing(&state.store, &caller.acting(), isrc, &patch, &clear).await?;
    let public = state.store.is_public(isrc).await?;
    Ok(axum::Json(owner_view(&recording, public)).into_response())
}
