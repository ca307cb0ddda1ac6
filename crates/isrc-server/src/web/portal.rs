//! The registrant portal: a registrant user's own recordings only. Listing and search, one
//! recording, bulk allocation from CSV, void, publish/unpublish, and export; allocating one
//! recording ("a new recording or a version?") is in [`super::allocate`].
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
use isrc_registry::ops;
use isrc_registry::{AllocationRequest, ListFilter, Recording, Status, format_duration};
use serde::Deserialize;

use super::allocate;
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
        .route("/portal/bulk", get(bulk_page).post(bulk_submit))
        .route("/portal/prefix", post(choose_prefix))
        .merge(allocate::routes())
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
pub(super) struct Row {
    pub(super) isrc: String,
    pub(super) artist: String,
    pub(super) title: String,
    pub(super) version: String,
    pub(super) duration: String,
    pub(super) content_type: String,
    pub(super) void: bool,
    pub(super) public: bool,
    pub(super) parent: String,
}

/// The row of one recording (`public`: shown in the public lookup).
pub(super) fn row(r: &Recording, public: bool) -> Row {
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
