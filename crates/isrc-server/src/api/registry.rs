//! What the registry's API modules share (`registrants`, `recordings`, `allocations`,
//! `export`, `published`, `releases`, `audit`): reading codes, the registrant a listing is
//! about, refusing unknown fields, and the cursor page parameters.
//!
//! Authorization: admins may act for every registrant; a registrant user only for its own
//! (allocate, read, publish, void, derive, export). The public lookup shows published recordings
//! only, without the registrant's identity or private fields (IFPI Bulletin 2006/02).

use axum::http::StatusCode;
use isrc::{Isrc, code::PrefixCode};
use isrc_registry::{Dir, PageRequest};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

/// Reads an ISRC from a path or body in any spelling (400 `invalid_isrc` otherwise).
pub fn parse_isrc(text: &str) -> ApiResult<Isrc> {
    text.parse::<Isrc>()
        .map_err(|e| ApiError::bad_request("invalid_isrc", format!("{text:?} is not an ISRC: {e}")))
}

/// Reads a prefix code (`CBXYZ`, `CB-XYZ`; 400 `invalid_prefix` otherwise).
pub fn parse_prefix(text: &str) -> ApiResult<PrefixCode> {
    text.parse::<PrefixCode>().map_err(|e| {
        ApiError::bad_request(
            "invalid_prefix",
            format!("{text:?} is not a prefix code (country + registrant code, e.g. CBXYZ): {e}"),
        )
    })
}

/// The registrant a listing or export is about: the one asked for, else a registrant user's
/// own; `None` (every registrant) for admins only.
pub(crate) fn listed_prefix(caller: &Caller, asked: Option<&str>) -> ApiResult<Option<PrefixCode>> {
    let prefix = match asked {
        Some(p) => Some(parse_prefix(p)?),
        None => caller.user.prefix,
    };
    match prefix {
        Some(p) => caller.require_registrant(p)?,
        None => caller.require_admin()?,
    }
    Ok(prefix)
}

/// Refuses a body with fields the API does not know (422 `invalid_json`), naming them.
pub(crate) fn refuse_unknown(
    unknown: &std::collections::BTreeMap<String, serde_json::Value>,
) -> ApiResult<()> {
    if unknown.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = unknown.keys().map(String::as_str).collect();
    // 422 like every other body that is JSON but not the expected shape.
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_json",
        format!(
            "unknown field{} {}: see /api/openapi.json for the fields",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ),
    ))
}

/// The page asked for by a list's `sort`, `dir`, `after` and `limit` parameters (400 for a
/// direction other than `asc` or `desc`; the list checks the column, the cursor and the limit).
pub(crate) fn page_request(
    sort: Option<String>,
    dir: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
) -> ApiResult<PageRequest> {
    let given = |t: Option<String>| t.filter(|t| !t.trim().is_empty());
    Ok(PageRequest {
        sort: given(sort),
        dir: given(dir).map(|d| d.parse::<Dir>()).transpose()?,
        after: given(after),
        limit,
    })
}

/// A page of a list: `items` (the list's objects) and `next`, the cursor of the following page
/// (give it as `after`), `null` on the last page.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ListPage {
    /// The rows of this page.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    /// The cursor of the next page, or null.
    pub next: Option<String>,
}
