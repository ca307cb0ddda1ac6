//! Registry API: registrants, recordings (list, search, show, publish, void, derive),
//! allocations (idempotent with `Idempotency-Key`), export, and the public lookup.
//!
//! Authorization: admins may act for every registrant; a registrant user only for its own
//! (allocate, read, publish, void, derive, export). The public lookup shows published recordings
//! only, without the registrant's identity or private fields (IFPI Bulletin 2006/02).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use isrc::{Isrc, code::PrefixCode};
use isrc_registry::ops::{self, DeriveRequest, RecordingPatch};
use isrc_registry::{
    AgencyPolicy, AllocationRequest, ContentType, DesignationRange, ExportProfile, ListFilter,
    NewRegistrant, Recording, RecordingInput, RegistrantKind, json_row,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::state::AppState;

/// Reads an ISRC from a path or body in any spelling (400 `invalid_isrc` otherwise).
pub fn parse_isrc(text: &str) -> ApiResult<Isrc> {
    text.parse::<Isrc>()
        .map_err(|e| ApiError::bad_request("invalid_isrc", format!("{text:?} is not an ISRC: {e}")))
}

/// Reads a prefix code (`CBXYZ`, `CB-XYZ`; 400 `invalid_prefix` otherwise).
pub fn parse_prefix(text: &str) -> ApiResult<PrefixCode> {
    text.parse::<PrefixCode>().map_err(|e| {
        ApiError::bad_request(
            "invalid_prefix",
            format!("{text:?} is not a prefix code (country + registrant code, e.g. CBXYZ): {e}"),
        )
    })
}

// ----- registrants -----

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

/// Registrants: all of them for admins, one's own for a registrant user.
#[utoipa::path(get, path = "/api/v1/registrants", tag = "registry",
    responses((status = 200, description = "Registrants: prefix, name, contact, kind, ranges, created_at")),
    security(("session" = []), ("token" = [])))]
pub async fn registrants(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let mut all = state.store.registrants().await?;
    all.retain(|r| caller.may_act_for(r.prefix));
    Ok(axum::Json(all).into_response())
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

// ----- recordings -----

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
    fn is_empty(&self) -> bool {
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
    fn apply(&self, base: RecordingInput, what: &str) -> ApiResult<RecordingInput> {
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

/// Which recordings to list.
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
    /// At most this many (default 1000).
    pub limit: Option<u64>,
}

/// Recordings, in code order; search by title, artist or ISRC with `q`.
#[utoipa::path(get, path = "/api/v1/recordings", tag = "registry", params(RecordingQuery),
    responses(
        (status = 200, description = "Recordings with their metadata and `public` flag"),
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
        limit: Some(query.limit.unwrap_or(1000).min(100_000)),
    };
    let list = state.store.recordings(&filter).await?;
    let public = state.store.public_isrcs(prefix).await?;
    let out: Vec<_> = list
        .iter()
        .map(|r| owner_view(r, public.contains(&r.isrc)))
        .collect();
    Ok(axum::Json(out).into_response())
}

/// The registrant a listing or export is about: the one asked for, else a registrant user's
/// own; `None` (every registrant) for admins only.
fn listed_prefix(caller: &Caller, asked: Option<&str>) -> ApiResult<Option<PrefixCode>> {
    let prefix = match asked {
        Some(p) => Some(parse_prefix(p)?),
        None => caller.user.prefix,
    };
    match prefix {
        Some(p) => caller.require_registrant(p)?,
        None => caller.require_admin()?,
    }
    Ok(prefix)
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

// ----- allocation -----

/// An allocation request: the fields of `isrc allocate` for one recording, or `recordings` for
/// a batch (one transaction: all or nothing).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AllocateBody {
    /// The registrant's prefix (default: the registrant user's own).
    pub prefix: Option<String>,
    /// Allocate even when a matching recording is in the ledger.
    #[serde(default)]
    pub force: bool,
    /// A batch of recordings; when absent, the single recording's fields are at the top level.
    #[serde(default)]
    pub recordings: Vec<BatchRecording>,
    /// The single recording.
    #[serde(flatten)]
    pub single: RecordingFields,
    /// Fields nobody knows (refused: a misspelt field is not silently ignored).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: std::collections::BTreeMap<String, serde_json::Value>,
}

/// One recording of a batch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchRecording {
    /// Its metadata.
    #[serde(flatten)]
    pub fields: RecordingFields,
    /// Fields nobody knows (refused).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: std::collections::BTreeMap<String, serde_json::Value>,
}

/// The codes allocated.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationResponse {
    /// The new codes, in the order of the request.
    pub isrcs: Vec<String>,
    /// Designations used this year after the allocation.
    pub used: u32,
    /// Designations the ranges hold.
    pub capacity: u32,
    /// True when this answer repeats an earlier request with the same `Idempotency-Key`.
    pub replayed: bool,
    /// A warning when 90 % of the range is used.
    pub warning: Option<String>,
}

fn idempotency_key(headers: &HeaderMap, prefix: PrefixCode) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().map_err(|_| {
        ApiError::bad_request(
            "invalid_idempotency_key",
            "the Idempotency-Key header is not ASCII text",
        )
    })?;
    if key.trim().is_empty() || key.len() > 200 {
        return Err(ApiError::bad_request(
            "invalid_idempotency_key",
            "the Idempotency-Key header must hold 1 to 200 characters",
        ));
    }
    // Scoped by prefix: one registrant's keys never meet another's.
    Ok(Some(format!("api:{prefix}:{}", key.trim())))
}

/// Allocates the next ISRC(s) of a registrant. Send `Idempotency-Key: <unique>` so that a retry
/// of the same request returns the same codes instead of allocating again.
#[utoipa::path(post, path = "/api/v1/allocations", tag = "registry", request_body = AllocateBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Allocated", body = AllocationResponse),
        (status = 200, description = "Replayed for a repeated Idempotency-Key", body = AllocationResponse),
        (status = 403, description = "Another registrant's prefix", body = crate::error::ErrorBody),
        (status = 409, description = "Duplicate recording, exhausted range, key reused for another request", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn allocate(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(body): Json<AllocateBody>,
) -> ApiResult<Response> {
    let prefix = match (&body.prefix, caller.user.prefix) {
        (Some(p), _) => parse_prefix(p)?,
        (None, Some(own)) => own,
        (None, None) => {
            return Err(ApiError::bad_request(
                "invalid",
                "give the registrant's prefix",
            ));
        }
    };
    refuse_unknown(&body.unknown)?;
    let recordings = if body.recordings.is_empty() {
        vec![body.single.apply(RecordingInput::default(), "recording")?]
    } else {
        if !body.single.is_empty() {
            return Err(ApiError::bad_request(
                "invalid",
                "give either `recordings` or one recording's fields, not both",
            ));
        }
        if body.recordings.len() > 10_000 {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_many_recordings",
                "at most 10000 recordings per request",
            ));
        }
        body.recordings
            .iter()
            .enumerate()
            .map(|(i, r)| {
                refuse_unknown(&r.unknown).map_err(|e| {
                    ApiError::new(
                        e.status(),
                        "invalid_json",
                        format!("recordings[{i}]: {}", e.message()),
                    )
                })?;
                r.fields
                    .apply(RecordingInput::default(), &format!("recordings[{i}]"))
            })
            .collect::<ApiResult<_>>()?
    };
    let year = state.today().year();
    let labels = (0..recordings.len())
        .map(|i| format!("recordings[{i}]"))
        .collect();
    let request = AllocationRequest {
        prefix,
        year,
        recordings,
        force: body.force,
        actor: caller.actor(),
        idempotency_key: idempotency_key(&headers, prefix)?,
        labels,
    };
    let allocation = ops::allocate(&state.store, &caller.acting(), request, year).await?;
    let status = if allocation.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let response = AllocationResponse {
        isrcs: allocation.isrcs.iter().map(|i| i.to_string()).collect(),
        used: allocation.used,
        capacity: allocation.capacity,
        replayed: allocation.replayed,
        warning: allocation.usage_warning(prefix, year),
    };
    Ok((status, axum::Json(response)).into_response())
}

// ----- derive -----

/// A changed recording: what changed, and (to allocate) its metadata.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeriveBody {
    /// What changed: edit, remix, re-recording, language, arrangement, live, remaster,
    /// restoration, video, compilation, carrier, format, licence, sale.
    pub change: String,
    /// Whose rules: ifpi (default), riaa, ppl, scpp or soproq.
    pub policy: Option<String>,
    /// When a new ISRC is needed, allocate it (linked to its parent).
    #[serde(default)]
    pub allocate: bool,
    /// Allocate even when a matching recording is in the ledger.
    #[serde(default)]
    pub force: bool,
    /// The new recording's metadata (defaults: the parent's, without the date of first
    /// publication, which a new version has of its own); `duration` is required for edits.
    #[serde(flatten)]
    pub meta: RecordingFields,
    /// Fields nobody knows (refused).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: std::collections::BTreeMap<String, serde_json::Value>,
}

/// Refuses a body with fields the API does not know (422 `invalid_json`), naming them.
pub(crate) fn refuse_unknown(
    unknown: &std::collections::BTreeMap<String, serde_json::Value>,
) -> ApiResult<()> {
    if unknown.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = unknown.keys().map(String::as_str).collect();
    // 422 like every other body that is JSON but not the expected shape.
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_json",
        format!(
            "unknown field{} {}: see /api/openapi.json for the fields",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ),
    ))
}

/// The decision, and the new code when one was allocated.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeriveResponse {
    /// True: the changed recording needs its own ISRC.
    pub new_isrc: bool,
    /// The rule applied (`ifpi.edit`...).
    pub rule: String,
    /// The rule in words, with its source.
    pub reason: String,
    /// The code to use: the parent's when no new one is needed, the new one when allocated.
    pub isrc: Option<String>,
    /// The parent's code.
    pub parent: String,
}

/// New ISRC or keep it? Judges a change to a recording by the agency's rules, and allocates
/// the new code (linked to its parent) when asked.
#[utoipa::path(post, path = "/api/v1/recordings/{isrc}/derive", tag = "registry",
    params(("isrc" = String, Path, description = "The parent recording")), request_body = DeriveBody,
    responses(
        (status = 200, description = "The decision (no allocation)", body = DeriveResponse),
        (status = 201, description = "A new code was allocated", body = DeriveResponse),
        (status = 403, description = "Another registrant's", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn derive(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(code): Path<String>,
    Json(body): Json<DeriveBody>,
) -> ApiResult<Response> {
    refuse_unknown(&body.unknown)?;
    let parent = parse_isrc(&code)?;
    let request = DeriveRequest {
        parent,
        change: body.change.parse()?,
        policy: match &body.policy {
            Some(p) => p.parse()?,
            None => AgencyPolicy::default(),
        },
        patch: body.meta.patch()?,
        allocate: body.allocate,
        force: body.force,
        year: state.today().year(),
        idempotency_key: idempotency_key(&headers, parent.prefix())?,
    };
    let year = request.year;
    let outcome = ops::derive(&state.store, &caller.acting(), request, year).await?;
    let decision = outcome.decision;
    let response = DeriveResponse {
        new_isrc: decision.new_isrc,
        rule: decision.rule,
        reason: decision.reason,
        isrc: match &outcome.allocation {
            Some(a) => a.isrcs.first().map(|i| i.to_string()),
            None => (!decision.new_isrc).then(|| parent.to_string()),
        },
        parent: parent.to_string(),
    };
    let status = if outcome.allocation.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(response)).into_response())
}

// ----- export -----

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

// ----- public lookup -----

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
