//! The portal's release pages: `/portal/releases` (the registrant's releases a page at a time,
//! and the form to add one) and `/portal/releases/{upc}` (its tracks, exports, edit form and
//! history). The rules are [`isrc_registry::ops`]'s, as in the API and `isrc release`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use isrc_registry::ops;
use isrc_registry::{Release, ReleaseInput, Upc, format_duration};
use serde::Deserialize;

use super::edit::{HistoryRow, history_rows};
use super::portal::own_prefix;
use super::table::{Table, TableQuery, table};
use super::{Nav, page, page_with_status};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Form, Path, Query};
use crate::state::AppState;

/// The release pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/releases", get(list_page).post(add_submit))
        .route("/portal/releases/{upc}", get(show_page).post(edit_submit))
}

/// A release form, as typed.
#[derive(Debug, Default, Deserialize)]
struct ReleaseForm {
    csrf_token: Option<String>,
    #[serde(default)]
    upc: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    artist: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    p_line: String,
    #[serde(default)]
    release_date: String,
    /// One ISRC a line (or separated by commas or spaces), in track order.
    #[serde(default)]
    tracks: String,
}

impl ReleaseForm {
    fn of(r: &ReleaseInput) -> ReleaseForm {
        ReleaseForm {
            csrf_token: None,
            upc: r.upc.to_string(),
            title: r.title.clone(),
            artist: r.artist.clone(),
            label: r.label.clone(),
            p_line: r.p_line.clone(),
            release_date: r.release_date.map(|d| d.to_string()).unwrap_or_default(),
            tracks: r
                .tracks
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The release the form gives: every box as typed (an empty box empties the field).
    fn input(&self, upc: Upc) -> ApiResult<ReleaseInput> {
        let date = self.release_date.trim();
        Ok(ReleaseInput {
            upc,
            title: self.title.trim().to_string(),
            artist: self.artist.trim().to_string(),
            label: self.label.trim().to_string(),
            p_line: self.p_line.trim().to_string(),
            release_date: (!date.is_empty())
                .then(|| isrc_registry::parse_date("release date", date))
                .transpose()?,
            tracks: self
                .tracks
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .map(|t| {
                    t.parse().map_err(|e| {
                        ApiError::bad_request("invalid", format!("track {t:?} is not an ISRC: {e}"))
                    })
                })
                .collect::<ApiResult<_>>()?,
            // The form has no contributor boxes yet: an edit keeps them (see edit below).
            contributors: vec![],
        })
    }
}

/// One release of the list.
struct ListRow {
    upc: String,
    title: String,
    artist: String,
    date: String,
    tracks: usize,
}

#[derive(Template)]
#[template(path = "portal/releases.html")]
struct ListPage {
    nav: Nav,
    prefix: String,
    rows: Vec<ListRow>,
    /// The sortable headers and the paging links.
    table: Table,
    form: ReleaseForm,
    error: Option<String>,
}

/// Releases one page lists unless `limit` says otherwise.
const PAGE_ROWS: u32 = 50;

/// The list's headers and the store's sort column each stands for.
const COLUMNS: &[(&str, Option<&str>)] = &[
    ("UPC / EAN", Some("upc")),
    ("Title", Some("title")),
    ("Artist", Some("artist")),
    ("Release date", Some("date")),
    ("Tracks", None),
];

async fn list_view(
    state: &AppState,
    caller: &Caller,
    prefix: isrc::code::PrefixCode,
    query: &TableQuery,
    form: ReleaseForm,
    error: Option<String>,
) -> ApiResult<ListPage> {
    let request = query.request(PAGE_ROWS)?;
    let page = ops::releases(&state.store, &caller.acting(), Some(prefix), &request).await?;
    let table = table(
        "/portal/releases",
        &[],
        COLUMNS,
        "upc",
        &request,
        page.next.as_deref(),
    );
    Ok(ListPage {
        nav: Nav::for_caller(Some(caller)),
        prefix: prefix.to_string(),
        rows: page
            .items
            .iter()
            .map(|r| ListRow {
                upc: r.input.upc.to_string(),
                title: r.input.title.clone(),
                artist: r.input.artist.clone(),
                date: r
                    .input
                    .release_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                tracks: r.input.tracks.len(),
            })
            .collect(),
        table,
        form,
        error,
    })
}

async fn list_page(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Query(query): Query<TableQuery>,
) -> ApiResult<Response> {
    let prefix = own_prefix(&caller, &headers)?;
    let view = list_view(
        &state,
        &caller,
        prefix,
        &query,
        ReleaseForm::default(),
        None,
    )
    .await?;
    Ok(page(&view))
}

async fn add_submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Form(form): Form<ReleaseForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    let prefix = own_prefix(&caller, &headers)?;
    let outcome = async {
        let upc: Upc = form.upc.parse()?;
        let input = form.input(upc)?;
        Ok::<_, ApiError>(ops::add_release(&state.store, &caller.acting(), prefix, &input).await?)
    }
    .await;
    match outcome {
        Ok(release) => Ok(Redirect::to(&format!(
            "/portal/releases/{}?notice=added",
            release.input.upc
        ))
        .into_response()),
        Err(e) if e.status().is_client_error() => {
            let status = e.status();
            let view = list_view(
                &state,
                &caller,
                prefix,
                &TableQuery::default(),
                form,
                Some(e.message().to_string()),
            )
            .await?;
            Ok(page_with_status(status, &view))
        }
        Err(e) => Err(e),
    }
}

/// One track of a release, as its page shows it.
struct TrackRow {
    isrc: String,
    title: String,
    version: String,
    artist: String,
    duration: String,
}

#[derive(Template)]
#[template(path = "portal/release.html")]
struct ShowPage {
    nav: Nav,
    release: Release,
    upc: String,
    tracks: Vec<TrackRow>,
    history: Vec<HistoryRow>,
    form: ReleaseForm,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShowQuery {
    notice: Option<String>,
}

async fn show_view(
    state: &AppState,
    caller: &Caller,
    release: Release,
    form: Option<ReleaseForm>,
    notice: Option<String>,
    error: Option<String>,
) -> ApiResult<ShowPage> {
    let recordings = state.store.release_recordings(&release).await?;
    let history = state
        .store
        .audit_log(Some(&format!("release:{}", release.input.upc)))
        .await?;
    Ok(ShowPage {
        nav: Nav::for_caller(Some(caller)),
        upc: release.input.upc.to_string(),
        tracks: recordings
            .iter()
            .map(|r| TrackRow {
                isrc: r.isrc.to_string(),
                title: r.meta.title.clone(),
                version: r.meta.version.clone(),
                artist: r.meta.artist.clone(),
                duration: r.meta.duration_ms.map(format_duration).unwrap_or_default(),
            })
            .collect(),
        history: history_rows(history),
        form: form.unwrap_or_else(|| ReleaseForm::of(&release.input)),
        release,
        notice: notice.filter(|n| n == "added" || n == "edited"),
        error,
    })
}

/// The caller's release (its registrant must be the portal's current prefix).
async fn own_release(
    state: &AppState,
    caller: &Caller,
    headers: &axum::http::HeaderMap,
    code: &str,
) -> ApiResult<Release> {
    let prefix = own_prefix(caller, headers)?;
    let upc: Upc = code.parse()?;
    let release = ops::release(&state.store, &caller.acting(), &upc).await?;
    if release.prefix != prefix {
        return Err(ApiError::forbidden(format!(
            "release {upc} is {}'s; switch to that prefix on the recordings page",
            release.prefix
        )));
    }
    Ok(release)
}

async fn show_page(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<ShowQuery>,
) -> ApiResult<Response> {
    let release = own_release(&state, &caller, &headers, &code).await?;
    let view = show_view(&state, &caller, release, None, query.notice, None).await?;
    Ok(page(&view))
}

async fn edit_submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Path(code): Path<String>,
    Form(form): Form<ReleaseForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    let release = own_release(&state, &caller, &headers, &code).await?;
    let upc = release.input.upc.clone();
    let outcome = async {
        let mut input = form.input(upc.clone())?;
        input.contributors = release.input.contributors.clone();
        Ok::<_, ApiError>(ops::edit_release(&state.store, &caller.acting(), &upc, &input).await?)
    }
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/portal/releases/{upc}?notice=edited")).into_response()),
        Err(e) if e.status().is_client_error() => {
            let status = e.status();
            let view = show_view(
                &state,
                &caller,
                release,
                Some(form),
                None,
                Some(e.message().to_string()),
            )
            .await?;
            Ok(page_with_status(status, &view))
        }
        Err(e) => Err(e),
    }
}
