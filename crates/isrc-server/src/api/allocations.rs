//! Allocation (idempotent with `Idempotency-Key`) and derive ("new ISRC or keep it?").

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use isrc::code::PrefixCode;
use isrc_registry::ops::{self, DeriveRequest};
use isrc_registry::{AgencyPolicy, AllocationRequest, RecordingInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::recordings::RecordingFields;
use super::registry::*;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::state::AppState;

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
