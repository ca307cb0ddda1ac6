//! The portal's allocation: "a new recording or a version?" asked first, the derive rules'
//! decision explained in a preview before anything is allocated, then the confirmation, which
//! allocates once per idempotency key (a reloaded confirmation shows the same code).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use isrc::code::PrefixCode;
use isrc_registry::ops::{self, DeriveOutcome, DeriveRequest, RecordingPatch};
use isrc_registry::{
    AgencyPolicy, AllocationRequest, ContentType, ListFilter, RecordingInput, format_duration,
};
use serde::Deserialize;

use super::portal::{Row, own_prefix, own_recording, row};
use super::{Nav, page_with_status};
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Form, Query};
use crate::state::AppState;

/// The allocation's routes: the form (`GET`) and its preview and confirmation (`POST`).
pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/portal/allocate", get(allocate_page).post(allocate_submit))
}

/// Recordings the allocation form offers as a parent (a derived version's original).
const PARENT_CHOICES: u64 = 500;

/// The allocation form's fields, carried from the question to the confirmation.
#[derive(Debug, Default, Deserialize, Clone)]
struct AllocateForm {
    csrf_token: Option<String>,
    /// `preview` (explain) or `confirm` (allocate).
    #[serde(default)]
    step: String,
    /// `new` (a new recording) or `version` (of an existing one).
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    change: String,
    #[serde(default)]
    policy: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    artist: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    duration: String,
    #[serde(default)]
    content_type: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    iswc: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    client: String,
    #[serde(default)]
    force: String,
    /// Made at the preview, so that a confirmation sent twice allocates once.
    #[serde(default)]
    idempotency_key: String,
}

#[derive(Template)]
#[template(path = "portal/allocate.html")]
struct AllocatePage {
    nav: Nav,
    prefix: String,
    form: AllocateForm,
    changes: Vec<(&'static str, &'static str)>,
    policies: Vec<(&'static str, &'static str)>,
    own: Vec<Row>,
    error: Option<String>,
    /// The ISRC the recording already has, when it is in the ledger.
    existing: Option<String>,
    plan: Option<Plan>,
}

/// What the preview explains.
struct Plan {
    /// A new ISRC will be allocated.
    new_isrc: bool,
    /// The rule applied (`ifpi.edit`), empty for a new recording.
    rule: String,
    /// Why.
    reason: String,
    /// The parent's code, for a version.
    parent: String,
    /// The recording to allocate, as it will be stored.
    summary: Vec<(&'static str, String)>,
}

const CHANGE_LABELS: [(&str, &str); 14] = [
    (
        "edit",
        "a different edit or duration (radio edit, extended mix)",
    ),
    ("remix", "a remix"),
    ("re-recording", "a new recording of the same work"),
    ("language", "sung in another language"),
    ("arrangement", "a changed arrangement or orchestration"),
    ("live", "a live version"),
    ("remaster", "remastered"),
    (
        "restoration",
        "a historical restoration with creative input",
    ),
    ("video", "a music video of it"),
    ("compilation", "the same recording on a compilation"),
    (
        "carrier",
        "the same recording on another carrier (CD, vinyl, digital)",
    ),
    (
        "format",
        "the same recording in another file format or bit rate",
    ),
    ("licence", "the same recording licensed to another party"),
    ("sale", "the same recording sold to another owner"),
];

const POLICY_LABELS: [(&str, &str); 5] = [
    ("ifpi", "IFPI / ISO 3901 (general rules)"),
    ("riaa", "RIAA (United States)"),
    ("ppl", "PPL (United Kingdom)"),
    ("scpp", "SCPP (France)"),
    ("soproq", "SOPROQ (Quebec)"),
];

#[derive(Debug, Deserialize)]
struct AllocateQuery {
    parent: Option<String>,
}

async fn allocate_page(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Query(query): Query<AllocateQuery>,
) -> ApiResult<Response> {
    let prefix = own_prefix(&caller, &headers)?;
    let mut form = AllocateForm::default();
    if let Some(parent) = query.parent {
        let r = own_recording(&state, prefix, &parent).await?;
        form.kind = "version".into();
        form.parent = r.isrc.to_string();
    } else {
        form.kind = "new".into();
    }
    allocate_form(&state, &caller, prefix, form, None, None, StatusCode::OK).await
}

async fn allocate_form(
    state: &AppState,
    caller: &Caller,
    prefix: PrefixCode,
    form: AllocateForm,
    error: Option<&ApiError>,
    plan: Option<Plan>,
    status: StatusCode,
) -> ApiResult<Response> {
    let mut own = state
        .store
        .recordings(&ListFilter {
            prefix: Some(prefix),
            limit: Some(PARENT_CHOICES),
            ..ListFilter::default()
        })
        .await?;
    // The chosen parent stays selectable even when it is past the first page of the list.
    if !form.parent.is_empty()
        && !own.iter().any(|r| r.isrc.to_string() == form.parent)
        && let Ok(parent) = own_recording(state, prefix, &form.parent).await
    {
        own.insert(0, parent);
    }
    Ok(page_with_status(
        status,
        &AllocatePage {
            nav: Nav::for_caller(Some(caller)),
            prefix: prefix.to_string(),
            form,
            changes: CHANGE_LABELS.to_vec(),
            policies: POLICY_LABELS.to_vec(),
            own: own.iter().map(|r| row(r, false)).collect(),
            existing: error.and_then(|e| e.existing()).map(str::to_string),
            error: error.map(|e| super::for_pages(e.message())),
            plan,
        },
    ))
}

fn opt(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The fields the form gives (empty ones are not given), read.
fn patch(form: &AllocateForm) -> ApiResult<RecordingPatch> {
    Ok(RecordingPatch {
        title: opt(&form.title),
        artist: opt(&form.artist),
        version: opt(&form.version),
        duration_ms: opt(&form.duration)
            .map(|d| isrc_registry::parse_duration(&d))
            .transpose()?,
        content_type: opt(&form.content_type)
            .map(|t| t.parse::<ContentType>())
            .transpose()?,
        published: opt(&form.published)
            .map(|d| isrc_registry::parse_date("published", &d))
            .transpose()?,
        language: opt(&form.language),
        recording_year: None,
        iswc: opt(&form.iswc),
        notes: opt(&form.notes),
        client: opt(&form.client),
    })
}

/// Works out what the form asks for: the recording to allocate and, for a version, the
/// decision of the derive rules ([`ops::derive`], allocating only when `allocate`).
async fn plan(
    state: &AppState,
    caller: &Caller,
    prefix: PrefixCode,
    form: &AllocateForm,
    allocate: bool,
) -> ApiResult<Planned> {
    match form.kind.as_str() {
        "new" => {
            let meta = patch(form)?.apply(RecordingInput::default());
            meta.validate()?;
            // Search before assigning: the preview already says which code it has (the
            // confirmation is checked by the allocation itself, which replays a repeated key).
            if !allocate
                && form.force != "1"
                && let Some(existing) =
                    ops::same_recording(&state.store, &caller.acting(), prefix, &meta).await?
            {
                return Err(isrc_registry::Error::Duplicate {
                    existing,
                    where_: String::new(),
                }
                .into());
            }
            Ok(Planned::New(Box::new(meta)))
        }
        "version" => {
            if form.parent.trim().is_empty() {
                return Err(ApiError::bad_request(
                    "invalid",
                    "choose the existing recording this one is a version of",
                ));
            }
            let parent = own_recording(state, prefix, form.parent.trim()).await?;
            let request = DeriveRequest {
                parent: parent.isrc,
                change: form.change.parse()?,
                policy: if form.policy.trim().is_empty() {
                    AgencyPolicy::Ifpi
                } else {
                    form.policy.parse()?
                },
                patch: patch(form)?,
                allocate,
                force: form.force == "1",
                year: state.today().year(),
                idempotency_key: web_key(caller, form),
            };
            let year = request.year;
            let outcome = ops::derive(&state.store, &caller.acting(), request, year).await?;
            outcome.meta.validate()?;
            Ok(Planned::Version(Box::new(outcome)))
        }
        _ => Err(ApiError::bad_request(
            "invalid",
            "say whether this is a new recording or a version of an existing one",
        )),
    }
}

/// What the form asks for.
enum Planned {
    /// A new recording, to allocate.
    New(Box<RecordingInput>),
    /// A version of a recording: the decision, and the allocation when it was made.
    Version(Box<DeriveOutcome>),
}

/// The portal's idempotency key: made at the preview, scoped by the account.
fn web_key(caller: &Caller, form: &AllocateForm) -> Option<String> {
    opt(&form.idempotency_key).map(|k| format!("web:{}:{k}", caller.user.id))
}

fn summary(meta: &RecordingInput) -> Vec<(&'static str, String)> {
    [
        ("Artist", Some(meta.artist.clone())),
        ("Title", Some(meta.title.clone())),
        ("Version", opt(&meta.version)),
        ("Duration", meta.duration_ms.map(format_duration)),
        ("Type", Some(meta.content_type.to_string())),
        ("Published", meta.published.map(|d| d.to_string())),
        ("Language", meta.language.clone()),
        ("ISWC", meta.iswc.clone()),
        ("Client", meta.client.clone()),
        ("Notes", meta.notes.clone()),
        ("Change", meta.change.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect()
}

async fn allocate_submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Form(mut form): Form<AllocateForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    let prefix = own_prefix(&caller, &headers)?;
    let confirm = form.step == "confirm";
    let planned = match plan(&state, &caller, prefix, &form, confirm).await {
        Ok(p) => p,
        Err(e) if e.status().is_client_error() => {
            let status = e.status();
            return allocate_form(&state, &caller, prefix, form, Some(&e), None, status).await;
        }
        Err(e) => return Err(e),
    };
    let (meta, new_isrc, rule, reason, parent, allocated) = match planned {
        Planned::New(meta) => (
            *meta,
            true,
            String::new(),
            "A new recording gets its own ISRC: the next free designation under your prefix for this year.".to_string(),
            String::new(),
            None,
        ),
        Planned::Version(outcome) => {
            let DeriveOutcome {
                parent,
                decision,
                meta,
                allocation,
            } = *outcome;
            (
                meta,
                decision.new_isrc,
                decision.rule,
                decision.reason,
                parent.isrc.to_string(),
                allocation,
            )
        }
    };
    if let Some(a) = allocated {
        return Ok(allocated_page(&a));
    }
    if !confirm || !new_isrc {
        if form.idempotency_key.is_empty() {
            form.idempotency_key = auth::random_secret();
        }
        let plan = Plan {
            new_isrc,
            rule,
            reason,
            parent,
            summary: summary(&meta),
        };
        return allocate_form(
            &state,
            &caller,
            prefix,
            form,
            None,
            Some(plan),
            StatusCode::OK,
        )
        .await;
    }
    let request = AllocationRequest {
        prefix,
        year: state.today().year(),
        recordings: vec![meta],
        force: form.force == "1",
        actor: caller.actor(),
        idempotency_key: web_key(&caller, &form),
        labels: vec![],
    };
    let year = request.year;
    match ops::allocate(&state.store, &caller.acting(), request, year).await {
        Ok(a) => Ok(allocated_page(&a)),
        Err(e) if e.is_caller_error() => {
            let e = ApiError::from(e);
            let status = e.status();
            allocate_form(&state, &caller, prefix, form, Some(&e), None, status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Where a confirmed allocation leads: the new recording's page.
fn allocated_page(allocation: &isrc_registry::Allocation) -> Response {
    Redirect::to(&format!(
        "/portal/recordings/{}?notice=allocated",
        allocation.isrcs[0]
    ))
    .into_response()
}
