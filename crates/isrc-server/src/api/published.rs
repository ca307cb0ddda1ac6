//! The public lookup of published recordings: no registrant, client or notes (IFPI
//! Bulletin 2006/02).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use isrc::Isrc;
use isrc_registry::Recording;
use serde::Serialize;
use utoipa::ToSchema;

use super::registry::*;
use crate::error::{ApiError, ApiResult, Path};
use crate::state::AppState;

/// What the public sees of a published recording: no registrant, client or notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicRecording {
    /// The ISRC.
    pub isrc: String,
    /// Track title.
    pub title: String,
    /// Main artist.
    pub artist: String,
    /// Version title.
    pub version: String,
    /// Duration in milliseconds.
    pub duration_ms: Option<u64>,
    /// `audio` or `video`.
    #[serde(rename = "type")]
    pub content_type: String,
    /// Year of recording.
    pub recording_year: Option<u16>,
    /// Date of first publication.
    pub published: Option<String>,
    /// `active` or `void`.
    pub status: String,
}

impl PublicRecording {
    /// The public fields of a recording.
    pub fn of(r: Recording) -> PublicRecording {
        PublicRecording {
            isrc: r.isrc.to_string(),
            title: r.meta.title,
            artist: r.meta.artist,
            version: r.meta.version,
            duration_ms: r.meta.duration_ms,
            content_type: r.meta.content_type.to_string(),
            recording_year: r.meta.recording_year,
            published: r.meta.published.map(|d| d.to_string()),
            status: r.status.as_str().to_string(),
        }
    }
}

/// A published recording of this registry (404 for codes not here or not published: the
/// answer does not tell which).
#[utoipa::path(get, path = "/api/v1/lookup/{isrc}", tag = "public",
    params(("isrc" = String, Path, description = "The ISRC, any spelling")),
    responses(
        (status = 200, description = "The published metadata", body = PublicRecording),
        (status = 404, description = "Not published here", body = crate::error::ErrorBody),
    ))]
pub async fn lookup(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let isrc = parse_isrc(&code)?;
    match public_recording(&state, isrc).await? {
        Some(r) => Ok(axum::Json(r).into_response()),
        None => Err(ApiError::not_found(format!(
            "{isrc} is not published in this registry"
        ))),
    }
}

/// The public view of `isrc`, when it is published.
pub async fn public_recording(state: &AppState, isrc: Isrc) -> ApiResult<Option<PublicRecording>> {
    if !state.store.is_public(isrc).await? {
        return Ok(None);
    }
    let r = match state.store.recording(isrc).await {
        Ok(r) => r,
        Err(isrc_registry::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(Some(PublicRecording::of(r)))
}
