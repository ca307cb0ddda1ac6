//! The public search (`GET /api/v1/search`): published recordings by title, artist, version
//! or ISRC, a page at a time ([`isrc_registry::Store::search_published`]).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::published::PublicRecording;
use super::registry::parse_isrc;
use crate::error::{ApiResult, Query};
use crate::state::AppState;

/// A search.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words that the title, artist, version or ISRC contain (letters and digits compared;
    /// case, spaces and punctuation ignored), at most 8.
    pub q: String,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Recordings per page, 1 to 100 (default 20).
    pub limit: Option<u32>,
}

/// One page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    /// Published recordings, in code order.
    pub items: Vec<PublicRecording>,
    /// The cursor of the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Searches the published recordings of this registry (codes not published are never found).
#[utoipa::path(get, path = "/api/v1/search", tag = "public", params(SearchQuery),
    responses(
        (status = 200, description = "A page of published recordings", body = SearchResults),
        (status = 400, description = "No word to search for, or a bad cursor", body = crate::error::ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Response> {
    Ok(axum::Json(results(&state, &query).await?).into_response())
}

/// The page a query asks for (the web search page shows the same).
pub async fn results(state: &AppState, query: &SearchQuery) -> ApiResult<SearchResults> {
    let after = query
        .cursor
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(parse_isrc)
        .transpose()?;
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let page = state.store.search_published(&query.q, after, limit).await?;
    Ok(SearchResults {
        items: page.items.into_iter().map(PublicRecording::of).collect(),
        next: page.next.map(|n| n.to_string()),
    })
}
