//! Recordings in the API: list (cursor pages, sortable), show with history, publish,
//! void. The rules are [`isrc_registry::ops`]'s.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use isrc_registry::ops::{self, RecordingPatch};
use isrc_registry::{ContentType, ListFilter, Recording, RecordingInput};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::registry::*;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::state::AppState;

/// Metadata of a recording, as `isrc allocate` takes it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RecordingFields {
    /// Track title (required for a new recording).
    pub title: Option<String>,
    /// Main artist (required for a new recording).
    pub artist: Option<String>,
    /// Version title (Radio Edit, Live...).
    pub version: Option<String>,
    /// Duration as M:SS or H:MM:SS (or give `duration_ms`).
    pub duration: Option<String>,
    /// Duration in milliseconds.
    pub duration_ms: Option<u64>,
    /// `audio` (default) or `video`.
    #[serde(rename = "type")]
    pub content_type: Option<String>,
    /// Date of first publication, YYYY-MM-DD.
    pub published: Option<String>,
    /// Language of the performance.
    pub language: Option<String>,
    /// Year of recording.
    pub recording_year: Option<u16>,
    /// ISWC of the work.
    pub iswc: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// The client, under an ISRC Manager prefix.
    pub client: Option<String>,
}

impl RecordingFields {
    pub(crate) fn is_empty(&self) -> bool {
        self.title.is_none() && self.artist.is_none()
    }

    /// The fields given, read (a duration as M:SS or in milliseconds, the type, the date).
    pub(crate) fn patch(&self) -> ApiResult<RecordingPatch> {
        let duration_ms = match (&self.duration, self.duration_ms) {
            (_, Some(ms)) => Some(ms),
            (Some(d), None) => Some(isrc_registry::parse_duration(d)?),
            (None, None) => None,
        };
        Ok(RecordingPatch {
            title: self.title.clone(),
            artist: self.artist.clone(),
            version: self.version.clone(),
            duration_ms,
            content_type: self
                .content_type
                .as_deref()
                .map(str::parse::<ContentType>)
                .transpose()?,
            published: self
                .published
                .as_deref()
                .map(|p| isrc_registry::parse_date("published", p))
                .transpose()?,
            language: self.language.clone(),
            recording_year: self.recording_year,
            iswc: self.iswc.clone(),
            notes: self.notes.clone(),
            client: self.client.clone(),
        })
    }

    /// Applies the given fields over `base` (the parent's metadata for a derived recording).
    pub(crate) fn apply(&self, base: RecordingInput, what: &str) -> ApiResult<RecordingInput> {
        let r = self.patch()?.apply(base);
        if r.title.trim().is_empty() || r.artist.trim().is_empty() {
            return Err(ApiError::bad_request(
                "invalid",
                format!("{what}: title and artist are required"),
            ));
        }
        Ok(r)
    }
}

/// A recording as its registrant (or an admin) sees it: the ledger's fields plus `public`.
pub(crate) fn owner_view(recording: &Recording, public: bool) -> serde_json::Value {
    let mut value = serde_json::to_value(recording).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("public".into(), public.into());
        map.insert("prefix".into(), recording.isrc.prefix().to_string().into());
    }
    value
}

/// Which recordings to list, a page at a time.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecordingQuery {
    /// Only this registrant (a registrant user's own is the default and the only one allowed).
    pub prefix: Option<String>,
    /// Text that the title, artist or ISRC contains (case-insensitive).
    pub q: Option<String>,
    /// Only this year of reference (full year, e.g. 2026).
    pub year: Option<u16>,
    /// Include void recordings.
    #[serde(default)]
    pub include_void: bool,
    /// Sort by `isrc` (default), `title`, `artist`, `version`, `duration`, `type`, `status` or
    /// `created`; the ISRC breaks ties.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub dir: Option<String>,
    /// The opaque cursor: the `next` of the previous page (it keeps its sort and direction).
    pub after: Option<String>,
    /// Rows per page, 1 to 1000 (default 100).
    pub limit: Option<u32>,
}

/// Recordings a page at a time: `{"items": [...], "next": CURSOR or null}`; search by title,
/// artist or ISRC with `q`. Give `next` as `after` for the following page: every recording is
/// on one page only, also when codes are allocated between pages.
#[utoipa::path(get, path = "/api/v1/recordings", tag = "registry", params(RecordingQuery),
    responses(
        (status = 200, description = "items (recordings with their metadata, `prefix` and `public` flag) and next", body = ListPage),
        (status = 400, description = "An unknown sort column or direction, a limit out of 1 to 1000, a cursor that is not this list's", body = crate::error::ErrorBody),
        (status = 403, description = "Another registrant's prefix", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn recordings(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<RecordingQuery>,
) -> ApiResult<Response> {
    let prefix = listed_prefix(&caller, query.prefix.as_deref())?;
    let filter = ListFilter {
        prefix,
        year: query.year,
        include_void: query.include_void,
        search: query.q.filter(|q| !q.trim().is_empty()),
        limit: None,
    };
    let request = page_request(query.sort, query.dir, query.after, query.limit)?;
    let page = state.store.recording_page(&filter, &request).await?;
    let public = state.store.public_isrcs(prefix).await?;
    let page = page.map(|r| owner_view(&r, public.contains(&r.isrc)));
    Ok(axum::Json(page).into_response())
}

/// Loads a recording the caller may see in full (403 for another registrant's).
async fn own_recording(state: &AppState, caller: &Caller, code: &str) -> ApiResult<Recording> {
    let isrc = parse_isrc(code)?;
    caller.require_registrant(isrc.prefix())?;
    Ok(state.store.recording(isrc).await?)
}

/// One recording with its audit history.
#[utoipa::path(get, path = "/api/v1/recordings/{isrc}", tag = "registry",
    params(("isrc" = String, Path, description = "The ISRC, any spelling")),
    responses(
        (status = 200, description = "The recording and its history"),
        (status = 403, description = "Another registrant's", body = crate::error::ErrorBody),
        (status = 404, description = "Not in the ledger", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn recording(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let recording = own_recording(&state, &caller, &code).await?;
    let public = state.store.is_public(recording.isrc).await?;
    let history = state
        .store
        .audit_log(Some(&recording.isrc.to_string()))
        .await?;
    let mut view = owner_view(&recording, public);
    view["history"] = serde_json::to_value(history).unwrap_or_default();
    Ok(axum::Json(view).into_response())
}

/// Whether to show a recording in the public lookup.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicBody {
    /// `true` shows it, `false` hides it.
    pub public: bool,
}

/// Shows or hides a recording in the public lookup (its registrant chooses).
#[utoipa::path(put, path = "/api/v1/recordings/{isrc}/public", tag = "registry",
    params(("isrc" = String, Path, description = "The ISRC")), request_body = PublicBody,
    responses(
        (status = 200, description = "The recording"),
        (status = 403, description = "Another registrant's", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn set_public(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<PublicBody>,
) -> ApiResult<Response> {
    let isrc = parse_isrc(&code)?;
    let recording = ops::set_public(&state.store, &caller.acting(), isrc, body.public).await?;
    Ok(axum::Json(owner_view(&recording, body.public)).into_response())
}

/// Why a code is voided.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidBody {
    /// The reason (kept in the ledger).
    pub reason: String,
}

/// Marks a code void (allocated in error); it is kept and never reissued.
#[utoipa::path(post, path = "/api/v1/recordings/{isrc}/void", tag = "registry",
    params(("isrc" = String, Path, description = "The ISRC")), request_body = VoidBody,
    responses(
        (status = 200, description = "The void recording"),
        (status = 403, description = "Another registrant's", body = crate::error::ErrorBody),
        (status = 409, description = "Already void", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn void(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<VoidBody>,
) -> ApiResult<Response> {
    let isrc = parse_isrc(&code)?;
    let recording = ops::void(&state.store, &caller.acting(), isrc, &body.reason).await?;
    Ok(axum::Json(owner_view(&recording, false)).into_response())
}
