//! The registrant portal: a registrant user's own recordings only. Listing and search, one
//! recording, allocation through the "new recording or a version?" question (with the derive
//! rules' explanation before anything is allocated), bulk allocation from CSV, void,
//! publish/unpublish, and export.
//!
//! Scoping: every handler takes the prefix from the signed-in user, never from the request; a
//! code under another prefix answers 404 exactly like an unknown one, so nothing about other
//! registrants' recordings leaks.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use isrc::code::PrefixCode;
use isrc_registry::csv_input::{RecordingTable, message_of};
use isrc_registry::ops::{self, DeriveOutcome, DeriveRequest, RecordingPatch};
use isrc_registry::{
    AgencyPolicy, AllocationRequest, ContentType, ListFilter, Recording, RecordingInput, Status,
    format_duration,
};
use serde::Deserialize;

use super::table::{Table, TableQuery, table};
use super::{Nav, page, page_with_status};
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Form, Path, Query};
use crate::state::AppState;

/// The portal's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(recordings))
        .route("/portal/recordings/{isrc}", get(show))
        .route("/portal/recordings/{isrc}/{action}", post(change))
        .route("/portal/allocate", get(allocate_page).post(allocate_submit))
        .route("/portal/bulk", get(bulk_page).post(bulk_submit))
        .route("/portal/prefix", post(choose_prefix))
}

/// The cookie holding the prefix an account with several chose to work under in the portal.
pub const PREFIX_COOKIE: &str = "isrc_prefix";

/// The registrant the caller acts for in the portal: the prefix chosen with the switcher (an
/// account may hold several), else the account's first (403 for admins and anyone without one).
pub(super) fn own_prefix(
    caller: &Caller,
    headers: &axum::http::HeaderMap,
) -> ApiResult<PrefixCode> {
    let default = caller.user.prefix.ok_or_else(|| {
        ApiError::forbidden(
            "the portal is for registrant users; agency admins use the back office (/agency)",
        )
    })?;
    Ok(auth::cookie_value(headers, PREFIX_COOKIE)
        .and_then(|text| text.parse::<PrefixCode>().ok())
        .filter(|p| caller.user.prefixes.contains(p))
        .unwrap_or(default))
}

#[derive(Debug, Deserialize)]
struct PrefixForm {
    csrf_token: Option<String>,
    #[serde(default)]
    prefix: String,
}

/// Switches the portal to another prefix of the account.
async fn choose_prefix(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PrefixForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    let prefix = crate::api::registry::parse_prefix(&form.prefix)?;
    caller.require_registrant(prefix)?;
    if caller.user.role != isrc_registry::Role::Registrant {
        return Err(ApiError::forbidden("the portal is for registrant users"));
    }
    let secure = if state.config.insecure_cookies {
        ""
    } else {
        "; Secure"
    };
    let cookie = format!("{PREFIX_COOKIE}={prefix}; Path=/; HttpOnly; SameSite=Lax{secure}");
    Ok((
        [(axum::http::header::SET_COOKIE, cookie)],
        Redirect::to("/portal"),
    )
        .into_response())
}

/// One of the caller's recordings; 404 for a code of another registrant, as for an unknown one.
pub(super) async fn own_recording(
    state: &AppState,
    prefix: PrefixCode,
    code: &str,
) -> ApiResult<Recording> {
    let not_found =
        || ApiError::not_found(format!("no recording {code:?} under your prefix {prefix}"));
    let report = isrc::check(code, &state.policy());
    let isrc = report.isrc.ok_or_else(not_found)?;
    if isrc.prefix() != prefix {
        return Err(not_found());
    }
    match state.store.recording(isrc).await {
        Ok(r) => Ok(r),
        Err(isrc_registry::Error::NotFound { .. }) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// A recording as the portal lists it.
struct Row {
    isrc: String,
    artist: String,
    title: String,
    version: String,
    duration: String,
    content_type: String,
    void: bool,
    public: bool,
    parent: String,
}

fn row(r: &Recording, public: bool) -> Row {
    Row {
        isrc: r.isrc.to_string(),
        artist: r.meta.artist.clone(),
        title: r.meta.title.clone(),
        version: r.meta.version.clone(),
        duration: r.meta.duration_ms.map(format_duration).unwrap_or_default(),
        content_type: r.meta.content_type.to_string(),
        void: r.status == Status::Void,
        public,
        parent: r.meta.parent.map(|p| p.to_string()).unwrap_or_default(),
    }
}

// ----- list and search -----

#[derive(Template)]
#[template(path = "portal/recordings.html")]
struct RecordingsPage {
    nav: Nav,
    prefix: String,
    q: String,
    all: bool,
    rows: Vec<Row>,
    table: Table,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    q: Option<String>,
    all: Option<String>,
    #[serde(flatten)]
    table: TableQuery,
}

/// Recordings one page lists unless `limit` says otherwise (search narrows; export has them
/// all).
const PAGE_ROWS: u32 = 100;

/// Recordings the allocation form offers as a parent (a derived version's original).
const PARENT_CHOICES: u64 = 500;

/// The list's headers and the sort column each stands for.
const COLUMNS: &[(&str, Option<&str>)] = &[
    ("ISRC", Some("isrc")),
    ("Artist", Some("artist")),
    ("Title", Some("title")),
    ("Version", Some("version")),
    ("Duration", Some("duration")),
    ("Type", Some("type")),
    ("Public", None),
    ("Parent", None),
];

async fn recordings(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Query(query): Query<ListQuery>,
) -> ApiResult<Response> {
    let prefix = own_prefix(&caller, &headers)?;
    let q = query.q.unwrap_or_default();
    let all = query.all.is_some_and(|v| !v.is_empty());
    let filter = ListFilter {
        prefix: Some(prefix),
        year: None,
        include_void: all,
        search: (!q.trim().is_empty()).then(|| q.trim().to_string()),
        limit: None,
    };
    let request = query.table.request(PAGE_ROWS)?;
    let list = state.store.recording_page(&filter, &request).await?;
    let public = state.store.public_isrcs(Some(prefix)).await?;
    let keep = [("q", q.trim()), ("all", if all { "1" } else { "" })];
    let table = table(
        "/portal",
        &keep,
        COLUMNS,
        "isrc",
        &request,
        list.next.as_deref(),
    );
    Ok(page(&RecordingsPage {
        nav: Nav::for_caller(Some(&caller)),
        prefix: prefix.to_string(),
        q,
        all,
        rows: list
            .items
            .iter()
            .map(|r| row(r, public.contains(&r.isrc)))
            .collect(),
        table,
    }))
}

// ----- one recording -----

#[derive(Template)]
#[template(path = "portal/show.html")]
struct ShowPage {
    nav: Nav,
    r: Row,
    hyphenated: String,
    fields: Vec<(&'static str, String)>,
    void_reason: String,
    change: String,
    history: Vec<super::edit::HistoryRow>,
    notice: String,
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    notice: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<ShowQuery>,
) -> ApiResult<Response> {
    let prefix = own_prefix(&caller, &headers)?;
    let r = own_recording(&state, prefix, &code).await?;
    let public = state.store.is_public(r.isrc).await?;
    let history =
        super::edit::history_rows(state.store.audit_log(Some(&r.isrc.to_string())).await?);
    let m = &r.meta;
    let fields = [
        ("Published", m.published.map(|d| d.to_string())),
        ("Language", m.language.clone()),
        ("Recording year", m.recording_year.map(|y| y.to_string())),
        ("ISWC", m.iswc.clone()),
        ("Client", m.client.clone()),
        ("Notes", m.notes.clone()),
        ("Origin", Some(format!("{} {}", r.origin, r.created_at))),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let notice = match query.notice.as_deref() {
        Some("allocated") => "Allocated.".to_string(),
        Some("edited") => {
            "Corrected: the history below shows the values before and after.".to_string()
        }
        Some("voided") => "Voided: the code stays in the ledger and is never reissued.".to_string(),
        Some("published") => {
            "Published: the public lookup shows this recording (never who registered it)."
                .to_string()
        }
        Some("unpublished") => "Unpublished: the public lookup no longer shows it.".to_string(),
        _ => String::new(),
    };
    Ok(page(&ShowPage {
        nav: Nav::for_caller(Some(&caller)),
        hyphenated: r.isrc.hyphenated().to_string(),
        fields,
        void_reason: r.void_reason.clone().unwrap_or_default(),
        change: m.change.clone().unwrap_or_default(),
        history,
        notice,
        r: row(&r, public),
    }))
}

/// A change to one recording from its page: `void` (with a reason) or `publish` (`public`
/// is `1` to show it in the public lookup, else hide it).
#[derive(Debug, Deserialize)]
struct ChangeForm {
    csrf_token: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    public: String,
}

/// `POST /portal/recordings/{isrc}/void` and `.../publish`: the registry's operation, then
/// back to the recording's page with a notice.
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Path((code, action)): Path<(String, String)>,
    Form(form): Form<ChangeForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    let prefix = own_prefix(&caller, &headers)?;
    let r = own_recording(&state, prefix, &code).await?;
    let actor = caller.acting();
    let notice = match action.as_str() {
        "void" => {
            ops::void(&state.store, &actor, r.isrc, &form.reason).await?;
            "voided"
        }
        "publish" => {
            let public = form.public == "1";
            ops::set_public(&state.store, &actor, r.isrc, public).await?;
            if public { "published" } else { "unpublished" }
        }
        _ => {
            return Err(ApiError::not_found(format!(
                "no page /portal/recordings/{code}/{action}"
            )));
        }
    };
    Ok(Redirect::to(&format!("/portal/recordings/{}?notice={notice}", r.isrc)).into_response())
}

// ----- allocation: new recording or a version? -----

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

// ----- bulk allocation from CSV -----

#[derive(Template)]
#[template(path = "portal/bulk.html")]
struct BulkPage {
    nav: Nav,
    prefix: String,
    errors: Vec<String>,
    allocated: Vec<(String, String, String)>,
}

async fn bulk_page(caller: Caller, headers: axum::http::HeaderMap) -> ApiResult<Response> {
    let prefix = own_prefix(&caller, &headers)?;
    Ok(page(&BulkPage {
        nav: Nav::for_caller(Some(&caller)),
        prefix: prefix.to_string(),
        errors: vec![],
        allocated: vec![],
    }))
}

/// All or nothing: every row is read and checked first; one allocation transaction follows.
async fn bulk_submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let (token, file) = super::import::upload(multipart).await?;
    caller.check_csrf(token.as_deref())?;
    let prefix = own_prefix(&caller, &headers)?;
    let nav = Nav::for_caller(Some(&caller));
    let refuse = |errors: Vec<String>| {
        page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &BulkPage {
                nav: nav.clone(),
                prefix: prefix.to_string(),
                errors,
                allocated: vec![],
            },
        )
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(refuse(vec!["choose a CSV file".into()]));
    };
    let table = match RecordingTable::read(&name, &bytes[..], false) {
        Ok(t) => t,
        Err(e) => return Ok(refuse(vec![message_of(e)])),
    };
    let policy = state.policy();
    let mut recordings = Vec::new();
    let mut labels = Vec::new();
    let mut errors = Vec::new();
    for i in 0..table.rows.len() {
        match table.parse(i, &policy) {
            Ok(parsed) => recordings.push(parsed.meta),
            Err(e) => errors.push(message_of(e)),
        }
        labels.push(table.label(i));
    }
    if !errors.is_empty() {
        return Ok(refuse(errors));
    }
    let titles: Vec<(String, String)> = recordings
        .iter()
        .map(|r| (r.artist.clone(), r.title.clone()))
        .collect();
    let request = AllocationRequest {
        prefix,
        year: state.today().year(),
        recordings,
        force: false,
        actor: caller.actor(),
        idempotency_key: None,
        labels,
    };
    let year = request.year;
    let allocation = ops::allocate(&state.store, &caller.acting(), request, year).await;
    if let Err(isrc_registry::Error::BatchConflicts { problems }) = allocation {
        return Ok(refuse(problems));
    }
    match allocation {
        Ok(a) => Ok(page(&BulkPage {
            nav: nav.clone(),
            prefix: prefix.to_string(),
            errors: vec![],
            allocated: a
                .isrcs
                .iter()
                .zip(titles)
                .map(|(code, (artist, title))| (code.to_string(), artist, title))
                .collect(),
        })),
        Err(e) if e.is_caller_error() => Ok(refuse(vec![e.to_string()])),
        Err(e) => Err(e.into()),
    }
}
