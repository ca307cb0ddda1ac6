//! The agency's back office (admins only): the applications queue with approval (issues the
//! code, makes the applicant's account, mails both) and rejection with a reason, the registrant
//! directory, the two listings (by code, by name), user accounts, and the mail outbox.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use isrc_registry::{
    Application, ApplicationStatus, ListingEntry, ListingOrder, NewUser, OutboxMail, Registrant,
    Role, User,
};
use serde::Deserialize;

use super::{Nav, page};
use crate::api::agency::{approve_application, reject_application};
use crate::auth::{self, Caller};
use crate::error::{ApiResult, Form, Path, Query};
use crate::state::AppState;

/// The back office's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/agency",
            get(|| async { Redirect::to("/agency/applications") }),
        )
        .route("/agency/applications", get(applications))
        .route("/agency/applications/{id}/approve", post(approve))
        .route("/agency/applications/{id}/reject", post(reject))
        .route("/agency/registrants", get(registrants))
        .route("/agency/listing", get(listing))
        .route("/agency/users", get(users).post(add_user))
        .route("/agency/outbox", get(outbox))
}

// ----- applications -----

#[derive(Template)]
#[template(path = "agency/applications.html")]
struct ApplicationsPage {
    nav: Nav,
    pending: Vec<Application>,
    decided: Vec<Application>,
    notice: String,
}

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn applications(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<NoticeQuery>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let all = state.store.applications(None).await?;
    let (pending, mut decided): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|a| a.status == ApplicationStatus::Pending);
    decided.reverse();
    Ok(page(&ApplicationsPage {
        nav: Nav::for_caller(Some(&caller)),
        pending,
        decided,
        notice: query.notice.unwrap_or_default(),
    }))
}

#[derive(Debug, Deserialize)]
struct ApproveForm {
    csrf_token: Option<String>,
    #[serde(default)]
    country_prefix: String,
}

fn mail_note(mail: &str) -> &'static str {
    match mail {
        "sent" => "the mail was sent",
        "kept" => "no SMTP server is configured: the mail is in the outbox",
        _ => "the mail could not be sent (see the outbox)",
    }
}

async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<ApproveForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    caller.require_admin()?;
    let country = Some(form.country_prefix.trim()).filter(|c| !c.is_empty());
    let decision = approve_application(&state, id, country, &caller.actor()).await?;
    let prefix = decision.application["prefix"].as_str().unwrap_or("?");
    let notice = format!(
        "Application {id} approved: registrant code {prefix} issued{}; {}.",
        decision
            .account
            .as_ref()
            .map(|a| format!(", account {a} made"))
            .unwrap_or_default(),
        mail_note(&decision.mail)
    );
    Ok(Redirect::to(&notice_url("/agency/applications", &notice)).into_response())
}

#[derive(Debug, Deserialize)]
struct RejectForm {
    csrf_token: Option<String>,
    #[serde(default)]
    reason: String,
}

async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<RejectForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    caller.require_admin()?;
    let decision = reject_application(&state, id, &form.reason, &caller.actor()).await?;
    let notice = format!("Application {id} rejected; {}.", mail_note(&decision.mail));
    Ok(Redirect::to(&notice_url("/agency/applications", &notice)).into_response())
}

/// `path?notice=...`, percent-encoded: the page after a post-redirect-get says what happened.
fn notice_url(path: &str, notice: &str) -> String {
    let encoded: String = notice
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{path}?notice={encoded}")
}

// ----- directory and listings -----

#[derive(Template)]
#[template(path = "agency/registrants.html")]
struct RegistrantsPage {
    nav: Nav,
    registrants: Vec<Registrant>,
}

async fn registrants(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require_admin()?;
    Ok(page(&RegistrantsPage {
        nav: Nav::for_caller(Some(&caller)),
        registrants: state.store.registrants().await?,
    }))
}

#[derive(Template)]
#[template(path = "agency/listing.html")]
struct ListingPage {
    nav: Nav,
    by_name: bool,
    entries: Vec<ListingEntry>,
}

#[derive(Debug, Deserialize)]
struct ListingQuery {
    order: Option<String>,
}

async fn listing(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListingQuery>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let by_name = query.order.as_deref() == Some("name");
    let order = if by_name {
        ListingOrder::ByName
    } else {
        ListingOrder::ByCode
    };
    Ok(page(&ListingPage {
        nav: Nav::for_caller(Some(&caller)),
        by_name,
        entries: state.store.listing(order).await?,
    }))
}

// ----- accounts -----

#[derive(Template)]
#[template(path = "agency/users.html")]
struct UsersPage {
    nav: Nav,
    users: Vec<User>,
    prefixes: Vec<String>,
    made: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    caller: &Caller,
    made: Option<(String, String)>,
) -> ApiResult<Response> {
    Ok(page(&UsersPage {
        nav: Nav::for_caller(Some(caller)),
        users: state.store.users().await?,
        prefixes: state
            .store
            .registrants()
            .await?
            .iter()
            .map(|r| r.prefix.to_string())
            .collect(),
        made,
    }))
}

async fn users(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require_admin()?;
    users_page(&state, &caller, None).await
}

#[derive(Debug, Deserialize)]
struct NewUserForm {
    csrf_token: Option<String>,
    #[serde(default)]
    email: String,
    #[serde(default)]
    prefix: String,
}

/// Makes a registrant user with a generated password, shown once on the answer page (the
/// admin passes it on; approvals mail it to the applicant themselves).
async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<NewUserForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    caller.require_admin()?;
    let prefix = crate::api::registry::parse_prefix(&form.prefix)?;
    // The registrant must exist (404 otherwise).
    state.store.registrant(prefix).await?;
    let password = auth::random_secret()[..16].to_string();
    let user = state
        .store
        .create_user(
            &NewUser {
                email: form.email.clone(),
                password_hash: auth::hash_password(&password)?,
                role: Role::Registrant,
                prefix: Some(prefix),
            },
            &caller.actor(),
        )
        .await?;
    users_page(&state, &caller, Some((user.email, password))).await
}

// ----- outbox -----

#[derive(Template)]
#[template(path = "agency/outbox.html")]
struct OutboxPage {
    nav: Nav,
    mails: Vec<OutboxMail>,
    smtp: bool,
}

/// Messages shown on the outbox page.
const OUTBOX_LIMIT: u32 = 200;

async fn outbox(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require_admin()?;
    Ok(page(&OutboxPage {
        nav: Nav::for_caller(Some(&caller)),
        mails: state.store.outbox(OUTBOX_LIMIT).await?,
        smtp: state.config.smtp.is_some(),
    }))
}
