//! The back office's audit log page (`/agency/audit`): every entry of the append-only log,
//! newest first, sortable and paged, narrowed to one subject (`?subject=USRC17607839`) or one
//! registrant (`?prefix=CBXYZ`), as `GET /api/v1/audit` answers.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use isrc::code::PrefixCode;
use isrc_registry::{AuditEvent, AuditFilter, Dir};
use serde::Deserialize;

use super::table::{Table, TableQuery, table};
use super::{Nav, page};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Query};
use crate::state::AppState;

/// The audit page's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/agency/audit", get(audit_page))
}

#[derive(Template)]
#[template(path = "agency/audit.html")]
struct AuditPage {
    nav: Nav,
    subject: String,
    prefix: String,
    events: Vec<AuditEvent>,
    table: Table,
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    subject: Option<String>,
    prefix: Option<String>,
    #[serde(flatten)]
    table: TableQuery,
}

/// Entries one page lists unless `limit` says otherwise.
const AUDIT_ROWS: u32 = 100;

/// The log's headers and the sort column each stands for.
const COLUMNS: &[(&str, Option<&str>)] = &[
    ("#", Some("id")),
    ("When", Some("at")),
    ("Who", Some("actor")),
    ("What", Some("action")),
    ("Subject", Some("subject")),
    ("Before", None),
    ("After", None),
];

async fn audit_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let subject = query.subject.unwrap_or_default().trim().to_string();
    let prefix_text = query.prefix.unwrap_or_default().trim().to_ascii_uppercase();
    let prefix = match prefix_text.as_str() {
        "" => None,
        text => Some(
            text.parse::<PrefixCode>()
                .map_err(|e| ApiError::bad_request("invalid", format!("prefix {text:?}: {e}")))?,
        ),
    };
    let mut request = query.table.request(AUDIT_ROWS)?;
    // Newest first unless the viewer sorts otherwise (a cursor carries its own order).
    if request.dir.is_none() && request.after.is_none() {
        request.dir = Some(Dir::Desc);
    }
    let filter = AuditFilter {
        subject: (!subject.is_empty()).then(|| subject.clone()),
        prefix,
    };
    let list = state.store.audit_page(&filter, &request).await?;
    let keep = [
        ("subject", subject.as_str()),
        ("prefix", prefix_text.as_str()),
    ];
    let table = table(
        "/agency/audit",
        &keep,
        COLUMNS,
        "id",
        &request,
        list.next.as_deref(),
    );
    Ok(page(&AuditPage {
        nav: Nav::for_caller(Some(&caller)),
        subject,
        prefix: prefix_text,
        events: list.items,
        table,
    }))
}
