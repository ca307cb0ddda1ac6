//! Correcting a recording from the portal (`/portal/recordings/{isrc}/edit`), and the history
//! of a recording as its page shows it: each audit entry with what it changed, before and
//! after. The rules are [`isrc_registry::ops::edit`]'s.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use isrc_registry::ops::{self, RecordingPatch};
use isrc_registry::{AuditEvent, Recording, format_duration};
use serde::Deserialize;

use super::portal::{own_prefix, own_recording};
use super::{Nav, page, page_with_status};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Form, Path};
use crate::state::AppState;

/// The edit page, and the script that shows timestamps in the viewer's time zone.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/portal/recordings/{isrc}/edit",
            get(edit_page).post(edit_submit),
        )
        .route("/static/local-time.js", get(local_time_script))
}

const LOCAL_TIME: &str = include_str!("../../static/local-time.js");

async fn local_time_script() -> Response {
    super::static_file("text/javascript; charset=utf-8", LOCAL_TIME)
}

/// The fields of the edit form, as typed.
#[derive(Debug, Default, Deserialize)]
struct EditForm {
    csrf_token: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    artist: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    duration: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    recording_year: String,
    #[serde(default)]
    iswc: String,
    #[serde(default)]
    notes: String,
    /// `1` when the form carries every box (the edit page's does): an emptied box then
    /// empties its field, instead of keeping the stored value.
    #[serde(default)]
    full: String,
}

impl EditForm {
    /// The form filled with the recording's values.
    fn of(r: &Recording) -> EditForm {
        let m = &r.meta;
        EditForm {
            csrf_token: None,
            title: m.title.clone(),
            artist: m.artist.clone(),
            version: m.version.clone(),
            duration: m.duration_ms.map(format_duration).unwrap_or_default(),
            published: m.published.map(|d| d.to_string()).unwrap_or_default(),
            language: m.language.clone().unwrap_or_default(),
            recording_year: m.recording_year.map(|y| y.to_string()).unwrap_or_default(),
            iswc: m.iswc.clone().unwrap_or_default(),
            notes: m.notes.clone().unwrap_or_default(),
            full: String::new(),
        }
    }

    /// The fields whose box was emptied, on a form that carries every box.
    fn clears(&self) -> Vec<ops::Clearable> {
        use ops::Clearable::*;
        if self.full != "1" {
            return Vec::new();
        }
        [
            (Version, &self.version),
            (Duration, &self.duration),
            (Published, &self.published),
            (Language, &self.language),
            (RecordingYear, &self.recording_year),
            (Iswc, &self.iswc),
            (Notes, &self.notes),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(c, _)| c)
        .collect()
    }

    /// The fields read; an empty box keeps the stored value (a title and an artist are never
    /// empty; the version is given as typed, so that it can be corrected to empty).
    fn patch(&self) -> ApiResult<RecordingPatch> {
        let opt = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
        let year = match opt(&self.recording_year) {
            Some(y) => Some(y.parse::<u16>().map_err(|_| {
                ApiError::bad_request("invalid", format!("recording year {y:?}: give four digits"))
            })?),
            None => None,
        };
        Ok(RecordingPatch {
            title: opt(&self.title),
            artist: opt(&self.artist),
            version: Some(self.version.trim().to_string()),
            duration_ms: opt(&self.duration)
                .map(|d| isrc_registry::parse_duration(&d))
                .transpose()?,
            published: opt(&self.published)
                .map(|d| isrc_registry::parse_date("published", &d))
                .transpose()?,
            language: opt(&self.language),
            recording_year: year,
            iswc: opt(&self.iswc),
            notes: opt(&self.notes),
            ..Default::default()
        })
    }
}

#[derive(Template)]
#[template(path = "portal/edit.html")]
struct EditPage {
    nav: Nav,
    isrc: String,
    form: EditForm,
    error: Option<String>,
    /// Set when the edit makes another recording: where to make it instead.
    derive: bool,
}

async fn edit_page(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let prefix = own_prefix(&caller, &headers)?;
    let r = own_recording(&state, prefix, &code).await?;
    Ok(page(&EditPage {
        nav: Nav::for_caller(Some(&caller)),
        isrc: r.isrc.to_string(),
        form: EditForm::of(&r),
        error: None,
        derive: false,
    }))
}

async fn edit_submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Path(code): Path<String>,
    Form(form): Form<EditForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    let prefix = own_prefix(&caller, &headers)?;
    let r = own_recording(&state, prefix, &code).await?;
    let clear = form.clears();
    let outcome = match form.patch() {
        Ok(mut patch) => {
            if clear.contains(&ops::Clearable::Version) {
                patch.version = None;
            }
            ops::edit_clearing(&state.store, &caller.acting(), r.isrc, &patch, &clear)
                .await
                .map_err(ApiError::from)
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(
            Redirect::to(&format!("/portal/recordings/{}?notice=edited", r.isrc)).into_response(),
        ),
        Err(e) if e.status().is_client_error() => Ok(page_with_status(
            e.status(),
            &EditPage {
                nav: Nav::for_caller(Some(&caller)),
                isrc: r.isrc.to_string(),
                derive: e.code() == "needs_derive",
                error: Some(e.message().to_string()),
                form,
            },
        )),
        Err(e) => Err(e),
    }
}

/// One entry of a recording's history, as its page shows it.
pub struct HistoryRow {
    /// When (UTC, RFC 3339; the page shows it in the viewer's time zone).
    pub at: String,
    /// What (`allocate`, `recording.edit`, `void`...).
    pub action: String,
    /// Who.
    pub actor: String,
    /// For an edit or a void: each field that changed, with its value before and after.
    pub changes: Vec<(String, String, String)>,
}

/// The history of a recording, oldest first, with what each entry changed.
pub fn history_rows(events: Vec<AuditEvent>) -> Vec<HistoryRow> {
    events
        .into_iter()
        .map(|e| HistoryRow {
            changes: e
                .changes()
                .into_iter()
                .map(|c| (c.field, c.before, c.after))
                .collect(),
            at: e.at,
            action: e.action,
            actor: e.actor,
        })
        .collect()
}
