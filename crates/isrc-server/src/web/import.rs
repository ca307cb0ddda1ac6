//! `/portal/import`: the portal's upload of codes allocated elsewhere (the API's
//! `POST /api/v1/imports` and `isrc import`, one rule).

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::{Nav, page, page_with_status};
use crate::api::imports::import_csv;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// The import page's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/portal/import", get(import_page).post(import_submit))
}

#[derive(Template)]
#[template(path = "portal/import.html")]
struct ImportPage {
    nav: Nav,
    error: Option<String>,
}

async fn import_page(caller: Caller) -> ApiResult<Response> {
    Ok(page(&ImportPage {
        nav: Nav::for_caller(Some(&caller)),
        error: None,
    }))
}

/// A form upload's CSRF token and file (name without its folders, bytes).
pub(super) async fn upload(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(Option<String>, Option<(String, Vec<u8>)>)> {
    let mut multipart = multipart?;
    let (mut token, mut file) = (None, None);
    while let Some(field) = multipart.next_field().await? {
        match field.name() {
            Some("csrf_token") => token = Some(field.text().await?),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv");
                let name = name.rsplit(['/', '\\']).next().unwrap_or("upload.csv");
                let name = name.to_string();
                file = Some((name, field.bytes().await?.to_vec()));
            }
            _ => {}
        }
    }
    Ok((token, file))
}

/// All or nothing, as `isrc import`: a refusal shows why on the page (422).
async fn import_submit(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let (token, file) = upload(multipart).await?;
    caller.check_csrf(token.as_deref())?;
    let refuse = |error: String| {
        let nav = Nav::for_caller(Some(&caller));
        let error = Some(error);
        page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &ImportPage { nav, error })
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(refuse("choose a CSV file".into()));
    };
    match import_csv(&state, &caller, &name, &bytes, None).await {
        Ok(n) => Ok(Redirect::to(&format!("/portal?notice=imported+{n}")).into_response()),
        Err(e) => Ok(refuse(e.message().to_string())),
    }
}
