//! The agency's back office (admins only): the applications queue with approval (issues the
//! code, makes the applicant's account, mails both) and rejection with a reason, the registrant
//! directory, the two listings (by code, by name), user accounts, and the mail outbox.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use isrc_registry::ops;
use isrc_registry::{
    Application, ApplicationStatus, ListingEntry, ListingOrder, NewUser, OutboxMail, Registrant,
    Role, User,
};
use serde::Deserialize;

use super::table::{Table, TableQuery, table};
use super::{Nav, page};
use crate::api::agency::{
    ApprovalChoice, admin_addresses, approve_application, reject_application,
};
use crate::api::registrants::NewRegistrantBody;
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
        .route("/agency/registrants", get(registrants).post(add_registrant))
        .route("/agency/listing", get(listing))
        .route("/agency/users", get(users).post(add_user))
        .route("/agency/users/{id}/{action}", post(user_action))
        .route("/agency/outbox", get(outbox))
}

// ----- applications -----

#[derive(Template)]
#[template(path = "agency/applications.html")]
struct ApplicationsPage {
    nav: Nav,
    pending: Vec<PendingView>,
    decided: Vec<Application>,
    notice: String,
    password: Option<(String, String)>,
}

/// A pending application with the code an approval would issue and its flags.
struct PendingView {
    application: Application,
    proposed: String,
    admin_address: bool,
}

/// The page after a decision says what happened by message id (`?notice=approved&id=5`), never
/// by text taken from the address: a link cannot put words into the agency's banner.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeQuery {
    notice: Option<String>,
    id: Option<i64>,
    mail: Option<String>,
}

async fn applications(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<NoticeQuery>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let notice = notice_text(&state, &query).await?;
    applications_page(&state, &caller, notice, None).await
}

async fn applications_page(
    state: &AppState,
    caller: &Caller,
    notice: String,
    password: Option<(String, String)>,
) -> ApiResult<Response> {
    let all = state.store.applications(None).await?;
    let admins = admin_addresses(state).await?;
    let (pending, mut decided): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|a| a.status == ApplicationStatus::Pending);
    decided.reverse();
    let mut views = Vec::with_capacity(pending.len());
    for application in pending {
        let proposed = match state.store.proposed_prefix(application.id, None).await {
            Ok(p) => p.to_string(),
            // No country prefix in use for this country: the admin types one.
            Err(e) if e.is_caller_error() => String::new(),
            Err(e) => return Err(e.into()),
        };
        views.push(PendingView {
            admin_address: admins.contains(&application.contact.to_lowercase()),
            application,
            proposed,
        });
    }
    Ok(page(&ApplicationsPage {
        nav: Nav::for_caller(Some(caller)),
        pending: views,
        decided,
        notice,
        password,
    }))
}

/// The banner text for a message id, built from the ledger.
async fn notice_text(state: &AppState, query: &NoticeQuery) -> ApiResult<String> {
    let (Some(notice), Some(id)) = (query.notice.as_deref(), query.id) else {
        return Ok(String::new());
    };
    let Ok(application) = state.store.application(id).await else {
        return Ok(String::new());
    };
    let mail = mail_note(query.mail.as_deref().unwrap_or_default());
    Ok(match (notice, application.prefix) {
        ("approved", Some(prefix)) => format!(
            "Application {id} approved: registrant code {prefix} issued to the account {}; {mail}.",
            application.contact
        ),
        ("rejected", _) => format!("Application {id} rejected; {mail}."),
        _ => String::new(),
    })
}

#[derive(Debug, Deserialize)]
struct ApproveForm {
    csrf_token: Option<String>,
    #[serde(default)]
    country_prefix: String,
    #[serde(default)]
    code: String,
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
    let given = |text: &str| Some(text.trim().to_string()).filter(|c| !c.is_empty());
    let choice = ApprovalChoice {
        country_prefix: given(&form.country_prefix),
        code: given(&form.code),
    };
    let decision = approve_application(&state, &caller, id, &choice).await?;
    let query = NoticeQuery {
        notice: Some("approved".into()),
        id: Some(id),
        mail: Some(decision.mail.clone()),
    };
    if let (Some(password), Some(account)) = (decision.password, decision.account) {
        // The mail did not leave: the admin sees the generated password once, here.
        let notice = notice_text(&state, &query).await?;
        return applications_page(&state, &caller, notice, Some((account, password))).await;
    }
    Ok(Redirect::to(&format!(
        "/agency/applications?notice=approved&id={id}&mail={}",
        decision.mail
    ))
    .into_response())
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
    let decision = reject_application(&state, &caller, id, &form.reason).await?;
    Ok(Redirect::to(&format!(
        "/agency/applications?notice=rejected&id={id}&mail={}",
        decision.mail
    ))
    .into_response())
}

// ----- directory and listings -----

#[derive(Template)]
#[template(path = "agency/registrants.html")]
struct RegistrantsPage {
    nav: Nav,
    /// Registrants in the ledger.
    count: u64,
    registrants: Vec<Registrant>,
    table: Table,
}

/// Registrants one page of the directory lists unless `limit` says otherwise.
const DIRECTORY_ROWS: u32 = 100;

/// The directory's headers and the sort column each stands for.
const DIRECTORY_COLUMNS: &[(&str, Option<&str>)] = &[
    ("Prefix", Some("prefix")),
    ("Name", Some("name")),
    ("Contact", Some("contact")),
    ("Kind", Some("kind")),
    ("Ranges", None),
    ("Since", Some("created")),
];

async fn registrants(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<TableQuery>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let request = query.request(DIRECTORY_ROWS)?;
    let list = state.store.registrant_page(None, &request).await?;
    let table = table(
        "/agency/registrants",
        &[],
        DIRECTORY_COLUMNS,
        "prefix",
        &request,
        list.next.as_deref(),
    );
    Ok(page(&RegistrantsPage {
        nav: Nav::for_caller(Some(&caller)),
        count: state.store.registrant_count().await?,
        registrants: list.items,
        table,
    }))
}

/// The back office's form for a new registrant (the API's `NewRegistrantBody`).
#[derive(Debug, Deserialize)]
struct NewRegistrantForm {
    csrf_token: Option<String>,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    ranges: String,
}

/// `POST /agency/registrants`: the same rule as `isrc registrant add` and the API's.
async fn add_registrant(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<NewRegistrantForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    caller.require_admin()?;
    let given = |text: String| (!text.trim().is_empty()).then_some(text);
    let body = NewRegistrantBody {
        prefix: form.prefix,
        name: form.name,
        contact: form.contact,
        kind: given(form.kind),
        ranges: given(form.ranges),
    };
    ops::add_registrant(&state.store, &caller.acting(), body.parse()?).await?;
    Ok(Redirect::to("/agency/registrants").into_response())
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
    let password = auth::generated_password();
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
    state.store.set_must_change_password(user.id, true).await?;
    users_page(&state, &caller, Some((user.email, password))).await
}

#[derive(Debug, Deserialize)]
struct UserActionForm {
    csrf_token: Option<String>,
    #[serde(default)]
    prefix: String,
}

/// `POST /agency/users/{id}/reset` (a new generated password, shown once, to be changed at
/// the next sign-in), `.../disable`, `.../enable` and `.../prefixes` (one more prefix).
async fn user_action(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<UserActionForm>,
) -> ApiResult<Response> {
    caller.check_csrf(form.csrf_token.as_deref())?;
    match action.as_str() {
        "reset" => {
            let (user, password) =
                crate::api::recovery::admin_reset_password(&state, &caller, id).await?;
            return users_page(&state, &caller, Some((user.email, password))).await;
        }
        "disable" | "enable" => {
            let disabled = action == "disable";
            crate::api::recovery::set_disabled(&state, &caller, id, disabled).await?;
        }
        "prefixes" => {
            caller.require_admin()?;
            let prefix = crate::api::registry::parse_prefix(&form.prefix)?;
            state
                .store
                .add_user_prefix(id, prefix, &caller.actor())
                .await?;
        }
        _ => {
            return Err(crate::error::ApiError::not_found(format!(
                "no page /agency/users/{id}/{action}"
            )));
        }
    }
    Ok(Redirect::to("/agency/users").into_response())
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
