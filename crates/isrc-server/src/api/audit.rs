//! The audit log in the API, a page at a time: who did what, when, to which recording,
//! registrant, release or application, with the state before and after.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use isrc_registry::AuditFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use super::registry::{ListPage, listed_prefix, page_request, parse_isrc};
use crate::auth::Caller;
use crate::error::{ApiResult, Query};
use crate::state::AppState;

/// Which audit entries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only the entries of this registrant: the prefix itself and every code under it
    /// (default: a registrant user's own; admins may leave it out for the whole log).
    pub prefix: Option<String>,
    /// Only the entries about this recording (an ISRC, any spelling).
    pub isrc: Option<String>,
    /// Sort by `id` (default: oldest first), `at`, `actor`, `action` or `subject`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc` (newest first with the default sort).
    pub dir: Option<String>,
    /// The opaque cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Rows per page, 1 to 1000 (default 100).
    pub limit: Option<u32>,
}

/// The audit log a page at a time (`{"items": [...], "next": CURSOR or null}`): each entry's
/// `id`, `at` (UTC), `actor`, `action`, `subject` and the JSON `before` and `after`. Admins see
/// every entry; a registrant user those of its own prefix.
#[utoipa::path(get, path = "/api/v1/audit", tag = "registry", params(AuditQuery),
    responses(
        (status = 200, description = "items (audit entries) and next", body = ListPage),
        (status = 400, description = "A bad ISRC, prefix, sort column, direction, limit or cursor", body = crate::error::ErrorBody),
        (status = 403, description = "Another registrant's prefix or recording", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Response> {
    let prefix = listed_prefix(&caller, query.prefix.as_deref())?;
    let isrc = query.isrc.as_deref().map(parse_isrc).transpose()?;
    if let Some(isrc) = isrc {
        caller.require_registrant(isrc.prefix())?;
    }
    let filter = AuditFilter {
        subject: isrc.map(|i| i.to_string()),
        prefix,
    };
    let request = page_request(query.sort, query.dir, query.after, query.limit)?;
    let page = state.store.audit_page(&filter, &request).await?;
    Ok(axum::Json(page).into_response())
}
