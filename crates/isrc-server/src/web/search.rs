//! The public search page (`/search`): published recordings by title, artist, version or
//! ISRC, a page at a time, as `GET /api/v1/search` answers.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::table::url_encode;
use super::{Nav, page, page_with_status};
use crate::api::published::PublicRecording;
use crate::api::search::{SearchQuery, results};
use crate::auth::Caller;
use crate::error::{ApiResult, Query};
use crate::state::AppState;

/// The search page, under the public rate limit.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/search", get(search_page))
        .layer(state.limits.public.layer())
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Nav,
    q: String,
    items: Vec<PublicRecording>,
    /// The next page's link (query string), when there is one.
    next: Option<String>,
    searched: bool,
    error: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct PageQuery {
    q: Option<String>,
    cursor: Option<String>,
}

async fn search_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Response> {
    let q = query.q.unwrap_or_default();
    let mut view = SearchPage {
        nav: Nav::for_caller(caller.as_ref()),
        q: q.clone(),
        items: Vec::new(),
        next: None,
        searched: false,
        error: None,
    };
    if q.trim().is_empty() {
        return Ok(page(&view));
    }
    let asked = SearchQuery {
        q: q.clone(),
        cursor: query.cursor,
        limit: Some(20),
    };
    match results(&state, &asked).await {
        Ok(found) => {
            view.searched = true;
            view.next = found.next.map(|cursor| {
                let encoded: String = url_encode(&q);
                format!("q={encoded}&cursor={cursor}")
            });
            view.items = found.items;
            Ok(page(&view))
        }
        Err(e) if e.status().is_client_error() => {
            let status = e.status();
            view.error = Some(e.message().to_string());
            Ok(page_with_status(status, &view))
        }
        Err(e) => Err(e),
    }
}
