//! Agency API: registrant-code applications (public), the queue, approval (issues the code,
//! makes the applicant's account, mails both) and rejection with a reason.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use isrc_registry::ops::{self, Actor};
use isrc_registry::{ApplicationStatus, NewApplication, RegistrantKind, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::state::AppState;

/// An application for a registrant code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationBody {
    /// The applicant's (company's or person's) name.
    pub name: String,
    /// The applicant's e-mail address: the decision is sent there, and it becomes the sign-in
    /// name of the registrant account.
    pub contact: String,
    /// Postal address.
    pub address: String,
    /// Country of residence (ISO 3166 alpha-2, e.g. CA).
    pub country: String,
    /// `own` (default: codes for one's own recordings) or `manager` (an ISRC Manager).
    pub kind: Option<String>,
}

/// What an applicant is told.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationReceipt {
    /// The application number.
    pub id: i64,
    /// `pending`.
    pub status: String,
}

/// Applies for a registrant code (no sign-in; rate-limited per client address).
#[utoipa::path(post, path = "/api/v1/applications", tag = "agency", request_body = ApplicationBody,
    responses(
        (status = 201, description = "Received; the decision is mailed to the contact", body = ApplicationReceipt),
        (status = 400, description = "A field is missing or malformed", body = crate::error::ErrorBody),
        (status = 429, description = "Too many applications from this address", body = crate::error::ErrorBody),
    ))]
pub async fn apply(
    State(state): State<AppState>,
    Json(body): Json<ApplicationBody>,
) -> ApiResult<Response> {
    let kind = match &body.kind {
        Some(k) => k.parse::<RegistrantKind>()?,
        None => RegistrantKind::Own,
    };
    let new = NewApplication {
        name: body.name,
        contact: body.contact,
        address: body.address,
        country: body.country,
        kind,
    };
    let application = ops::apply(&state.store, &Actor::anyone("public"), &new).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ApplicationReceipt {
            id: application.id,
            status: application.status.as_str().to_string(),
        }),
    )
        .into_response())
}

/// Which applications to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ApplicationQuery {
    /// `pending`, `approved` or `rejected` (default: all).
    pub status: Option<String>,
}

/// The applications queue (admins only).
#[utoipa::path(get, path = "/api/v1/applications", tag = "agency", params(ApplicationQuery),
    responses(
        (status = 200, description = "Applications, oldest first"),
        (status = 403, description = "Not an admin", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn applications(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ApplicationQuery>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let status = match &query.status {
        Some(s) => Some(s.parse::<ApplicationStatus>()?),
        None => None,
    };
    let admins = admin_addresses(&state).await?;
    let list: Vec<serde_json::Value> = state
        .store
        .applications(status)
        .await?
        .iter()
        .map(|a| {
            let mut value = serde_json::to_value(a).unwrap_or_default();
            value["admin_address"] = admins.contains(&a.contact.to_lowercase()).into();
            value
        })
        .collect();
    Ok(axum::Json(list).into_response())
}

/// The addresses of the agency's admin accounts (lower-cased): an application from one is
/// flagged.
pub async fn admin_addresses(state: &AppState) -> ApiResult<std::collections::HashSet<String>> {
    Ok(state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Admin)
        .map(|u| u.email)
        .collect())
}

/// How to approve.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// The country prefix to issue the code under (default: the applicant's country; CB for
    /// Canada).
    pub country_prefix: Option<String>,
    /// The registrant code the agency chose: three characters (`XYZ`) or the whole prefix
    /// (`CBXYZ`); default: the next free one in sequence (see `GET .../proposal`).
    pub code: Option<String>,
}

/// The outcome of a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decision {
    /// The application, as decided.
    #[schema(value_type = Object)]
    pub application: serde_json::Value,
    /// `sent` (the SMTP server took the mail), `kept` (no SMTP: in the outbox) or `failed`.
    pub mail: String,
    /// The registrant account that holds the new prefix (its e-mail address): made for the
    /// applicant, or their existing account, which now holds this prefix too.
    pub account: Option<String>,
    /// `created` (a new account), `extended` (an existing account got this prefix too) or
    /// absent (a rejection).
    pub account_status: Option<String>,
    /// The generated password of a new account when the mail did not leave (no SMTP, or it
    /// failed): shown only in this answer, never kept, to pass on safely. The user must
    /// change it at the first sign-in.
    pub password: Option<String>,
}

/// Approves an application: issues the registrant code, adds the registrant, makes the
/// applicant's registrant account, and mails the applicant the code and how to build ISRCs
/// from it (admins only).
#[utoipa::path(post, path = "/api/v1/applications/{id}/approve", tag = "agency",
    params(("id" = i64, Path, description = "Application number")), request_body = ApproveBody,
    responses(
        (status = 200, description = "Approved", body = Decision),
        (status = 404, description = "No such application", body = crate::error::ErrorBody),
        (status = 409, description = "Already decided", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let body = body?;
    // The body is optional: empty means the defaults.
    let body: ApproveBody = if body.iter().all(u8::is_ascii_whitespace) {
        ApproveBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request("invalid_json", format!("approval body: {e}")))?
    };
    let choice = ApprovalChoice {
        country_prefix: body.country_prefix,
        code: body.code,
    };
    let decision = approve_application(&state, &caller, id, &choice).await?;
    Ok(axum::Json(decision).into_response())
}

/// The code an approval would issue now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Proposal {
    /// The next free prefix under the country prefix (nothing is reserved).
    pub prefix: String,
    /// The contact address belongs to an agency admin: the application is flagged and cannot
    /// be approved as it is.
    pub admin_address: bool,
    /// The contact address has a registrant account already: approval adds the prefix to it.
    pub existing_account: bool,
}

/// Which country prefix to propose under.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProposalQuery {
    /// The country prefix (default: the applicant's country; CB for Canada).
    pub country_prefix: Option<String>,
}

/// The registrant code an approval would issue now, for the agency to confirm or change
/// (admins only).
#[utoipa::path(get, path = "/api/v1/applications/{id}/proposal", tag = "agency",
    params(("id" = i64, Path, description = "Application number"), ProposalQuery),
    responses(
        (status = 200, description = "The proposal", body = Proposal),
        (status = 404, description = "No such application", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn proposal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(query): Query<ProposalQuery>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let application = state.store.application(id).await?;
    let prefix = state
        .store
        .proposed_prefix(id, query.country_prefix.as_deref())
        .await?;
    let holder = state.store.user_by_email(&application.contact).await?;
    Ok(axum::Json(Proposal {
        prefix: prefix.to_string(),
        admin_address: holder.as_ref().is_some_and(|u| u.role == Role::Admin),
        existing_account: holder.as_ref().is_some_and(|u| u.role == Role::Registrant),
    })
    .into_response())
}

pub use isrc_registry::ops::ApprovalChoice;

/// Approves application `id` for the API and the back office: the registry's one approval
/// ([`isrc_registry::ops::approve_application`]: the code, the applicant's account, the mail),
/// told as a [`Decision`].
pub async fn approve_application(
    state: &AppState,
    caller: &Caller,
    id: i64,
    choice: &ApprovalChoice,
) -> ApiResult<Decision> {
    let outcome = ops::approve_application(
        &state.store,
        &caller.acting(),
        &state.mailer,
        &auth::GeneratedPasswords,
        id,
        choice,
        &format!("{}/login", state.config.public_url),
        state.today().year(),
    )
    .await?;
    Ok(Decision {
        application: serde_json::to_value(&outcome.application).unwrap_or_default(),
        mail: outcome.mail.as_str().into(),
        account: Some(outcome.account),
        account_status: Some(outcome.account_status.as_str().into()),
        password: outcome.password,
    })
}

/// Why an application is rejected.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// The reason, sent to the applicant.
    pub reason: String,
}

/// Rejects an application with a reason, mailed to the applicant (admins only).
#[utoipa::path(post, path = "/api/v1/applications/{id}/reject", tag = "agency",
    params(("id" = i64, Path, description = "Application number")), request_body = RejectBody,
    responses(
        (status = 200, description = "Rejected", body = Decision),
        (status = 409, description = "Already decided", body = crate::error::ErrorBody),
    ),
    security(("session" = []), ("token" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<RejectBody>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    Ok(axum::Json(reject_application(&state, &caller, id, &body.reason).await?).into_response())
}

/// Rejects application `id` with a reason mailed to the applicant, for the API and the back
/// office ([`isrc_registry::ops::reject_application`]).
pub async fn reject_application(
    state: &AppState,
    caller: &Caller,
    id: i64,
    reason: &str,
) -> ApiResult<Decision> {
    let outcome =
        ops::reject_application(&state.store, &caller.acting(), &state.mailer, id, reason).await?;
    Ok(Decision {
        application: serde_json::to_value(&outcome.application).unwrap_or_default(),
        mail: outcome.mail.as_str().into(),
        account: None,
        account_status: None,
        password: None,
    })
}
