//! Agency API: registrant-code applications (public), the queue, approval (issues the code,
//! makes the applicant's account, mails both) and rejection with a reason.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use isrc_registry::{
    Application, ApplicationStatus, NewApplication, NewUser, RegistrantKind, Role,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::mail::Delivery;
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
    let contact = isrc_registry::normalize_email(&body.contact)?;
    let kind = match &body.kind {
        Some(k) => k.parse::<RegistrantKind>()?,
        None => RegistrantKind::Own,
    };
    for (field, value, max) in [("name", &body.name, 300), ("address", &body.address, 1000)] {
        if value.len() > max {
            return Err(ApiError::bad_request(
                "invalid",
                format!("the {field} is longer than {max} bytes"),
            ));
        }
    }
    let application = state
        .store
        .apply(
            &NewApplication {
                name: body.name,
                contact,
                address: body.address,
                country: body.country,
                kind,
            },
            "public",
        )
        .await?;
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

fn delivery(d: &Delivery) -> String {
    match d {
        Delivery::Sent => "sent".into(),
        Delivery::Kept => "kept".into(),
        Delivery::Failed(_) => "failed".into(),
    }
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
    let decision = approve_application(&state, id, &choice, &caller.actor()).await?;
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

/// What the agency chose at approval.
#[derive(Debug, Clone, Default)]
pub struct ApprovalChoice {
    /// The country prefix (default: the applicant's country; CB for Canada).
    pub country_prefix: Option<String>,
    /// The registrant code (default: the next free one).
    pub code: Option<String>,
}

/// Approves application `id`: the one approval path of the API, the back office and
/// `isrc agency approve`. Issues the code (the agency's choice or the next free one), gives it
/// to the applicant's account (a new one with a generated password that must be changed at the
/// first sign-in, or the existing account of that address, which then holds several
/// prefixes), and mails the applicant the code and how to build ISRCs. An application whose
/// contact is an agency admin's address is refused (409 `admin_address`): an admin account
/// cannot act for a registrant. The caller has checked that `actor` is an admin.
pub async fn approve_application(
    state: &AppState,
    id: i64,
    choice: &ApprovalChoice,
    actor: &str,
) -> ApiResult<Decision> {
    let pending = state.store.application(id).await?;
    let holder = state.store.user_by_email(&pending.contact).await?;
    if holder.as_ref().is_some_and(|u| u.role == Role::Admin) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "admin_address",
            format!(
                "the contact {} is an agency admin's address, and an admin account cannot act for a registrant: reject the application or ask the applicant for another address",
                pending.contact
            ),
        ));
    }
    let application = state
        .store
        .approve_with_code(
            id,
            choice.country_prefix.as_deref(),
            choice.code.as_deref(),
            actor,
        )
        .await?;
    let Some(prefix) = application.prefix else {
        return Err(ApiError::internal("approved application without a prefix"));
    };
    let login = format!("{}/login", state.config.public_url);
    let (account, status, password, sign_in) = match holder {
        Some(user) => {
            let user = state.store.add_user_prefix(user.id, prefix, actor).await?;
            let held: Vec<String> = user.prefixes.iter().map(|p| p.to_string()).collect();
            let text = format!(
                "Your account {} now holds this prefix too ({}): sign in at {login} as usual\nand choose {prefix} where you allocate.",
                user.email,
                held.join(", ")
            );
            (user.email, "extended", None, text)
        }
        None => {
            let password = auth::generated_password();
            let user = state
                .store
                .create_user(
                    &NewUser {
                        email: application.contact.clone(),
                        password_hash: auth::hash_password(&password)?,
                        role: Role::Registrant,
                        prefix: Some(prefix),
                    },
                    actor,
                )
                .await?;
            state.store.set_must_change_password(user.id, true).await?;
            let text = format!(
                "Sign in at {login} as {} with the password {password} to allocate ISRCs\nin this registry; you will be asked to choose your own password first.",
                user.email
            );
            (user.email, "created", Some(password), text)
        }
    };
    let body = approval_mail(&application, prefix, state.today().year(), &sign_in);
    let sent = state
        .mailer
        .send_with_secret(
            &application.contact,
            &format!("Your ISRC registrant code: {}", prefix.hyphenated()),
            &body,
            password.as_deref(),
        )
        .await?;
    Ok(Decision {
        application: serde_json::to_value(&application).unwrap_or_default(),
        mail: delivery(&sent),
        account: Some(account),
        account_status: Some(status.to_string()),
        password: password.filter(|_| sent != Delivery::Sent),
    })
}

/// The approval letter: the code and how to construct ISRCs from it.
pub fn approval_mail(
    application: &Application,
    prefix: isrc::code::PrefixCode,
    year: u16,
    sign_in: &str,
) -> String {
    let hyphenated = prefix.hyphenated().to_string();
    let yy = format!("{:02}", year % 100);
    format!(
        "Dear {name},

your application #{id} for an ISRC registrant code is approved.

Your registrant code (prefix) is: {hyphenated}   (written without hyphens: {prefix})

How to construct your ISRCs (ISO 3901)
An ISRC has 12 characters, written ISRC CC-XXX-YY-NNNNN:
  CC-XXX  your prefix {hyphenated}: country code {country} and registrant code {registrant};
          the same in every ISRC you assign
  YY      the last two digits of the year in which you assign the code ({year} -> {yy});
          not the year of recording
  NNNNN   a five-digit designation code you choose, 00001 to 99999, never used twice
          within the same year
The first ISRC you assign in {year} could be ISRC {hyphenated}-{yy}-00001 ({prefix}{yy}00001).

Rules: one recording gets one ISRC and keeps it; a new version (edit, remix, live, remaster...)
may need its own code; a code is never reissued, even when it was assigned in error. Keep a
register of every code with the recording's title, artist, version and duration.

{sign_in}

-- the ISRC agency
",
        name = application.name,
        id = application.id,
        country = prefix.country(),
        registrant = &prefix.as_str()[2..],
    )
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
    Ok(
        axum::Json(reject_application(&state, id, &body.reason, &caller.actor()).await?)
            .into_response(),
    )
}

/// Rejects application `id` with a reason and mails the applicant (the API and the back
/// office). The caller has checked that `actor` is an admin.
pub async fn reject_application(
    state: &AppState,
    id: i64,
    reason: &str,
    actor: &str,
) -> ApiResult<Decision> {
    if reason.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid",
            "give the reason for the rejection",
        ));
    }
    let application = state.store.reject(id, reason.trim(), actor).await?;
    let text = format!(
        "Dear {},\n\nyour application #{} for an ISRC registrant code was not approved:\n\n    {}\n\nYou may apply again with the missing information.\n\n-- the ISRC agency\n",
        application.name,
        application.id,
        reason.trim()
    );
    let sent = state
        .mailer
        .send(
            &application.contact,
            "Your ISRC registrant code application",
            &text,
        )
        .await?;
    Ok(Decision {
        application: serde_json::to_value(&application).unwrap_or_default(),
        mail: delivery(&sent),
        account: None,
        account_status: None,
        password: None,
    })
}
