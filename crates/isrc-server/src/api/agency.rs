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
    Ok(axum::Json(state.store.applications(status).await?).into_response())
}

/// How to approve.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApproveBody {
    /// The country prefix to issue the code under (default: the applicant's country; CB for
    /// Canada).
    pub country_prefix: Option<String>,
}

/// The outcome of a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decision {
    /// The application, as decided.
    #[schema(value_type = Object)]
    pub application: serde_json::Value,
    /// `sent` (the SMTP server took the mail), `kept` (no SMTP: in the outbox) or `failed`.
    pub mail: String,
    /// The registrant account made for the applicant (its e-mail address), if one was made.
    pub account: Option<String>,
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
    let decision =
        approve_application(&state, id, body.country_prefix.as_deref(), &caller.actor()).await?;
    Ok(axum::Json(decision).into_response())
}

/// Approves application `id` (the API and the back office): issues the code, makes the
/// applicant's registrant account with a generated password, and mails both with how to build
/// ISRCs. The caller has checked that `actor` is an admin.
pub async fn approve_application(
    state: &AppState,
    id: i64,
    country_prefix: Option<&str>,
    actor: &str,
) -> ApiResult<Decision> {
    let application = state.store.approve(id, country_prefix, actor).await?;
    let Some(prefix) = application.prefix else {
        return Err(ApiError::internal("approved application without a prefix"));
    };
    // The applicant's account: a generated password, sent in the same mail.
    let password = auth::random_secret()[..16].to_string();
    let hash = auth::hash_password(&password)?;
    let account = state
        .store
        .create_user(
            &NewUser {
                email: application.contact.clone(),
                password_hash: hash,
                role: Role::Registrant,
                prefix: Some(prefix),
            },
            actor,
        )
        .await;
    let (account, sign_in) = match account {
        Ok(user) => (
            Some(user.email.clone()),
            format!(
                "Sign in at {}/login as {} with the password {password} to allocate ISRCs\nin this registry.",
                state.config.public_url, user.email
            ),
        ),
        // The address already has an account (for another code, or an admin): no new one.
        Err(isrc_registry::Error::UserExists { .. }) => (
            None,
            format!(
                "Sign in at {}/login with your existing account.",
                state.config.public_url
            ),
        ),
        Err(e) => return Err(e.into()),
    };
    let body = approval_mail(&application, prefix, state.today().year(), &sign_in);
    let sent = state
        .mailer
        .send_with_secret(
            &application.contact,
            &format!("Your ISRC registrant code: {}", prefix.hyphenated()),
            &body,
            account.as_ref().map(|_| password.as_str()),
        )
        .await?;
    Ok(Decision {
        application: serde_json::to_value(&application).unwrap_or_default(),
        mail: delivery(&sent),
        account,
    })
}

/// The approval letter: the code and how to construct ISRCs from it.
pub fn approval_mail(
    application: &Application,
    prefix: isrc::PrefixCode,
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
    })
}
