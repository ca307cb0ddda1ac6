//! CSRF tokens for every form.
//!
//! Signed-in users' forms carry their session's token (checked with
//! [`Caller::check_csrf`]). The public forms (sign-in, application, catalogue check) have no
//! session to bind to, so they use a double-submit token: a random value in the cookie
//! [`FORM_COOKIE`] (`HttpOnly`, `SameSite=Strict`) and the same value in the hidden field. A
//! page on another site can make a browser post a form, but it can neither read nor set our
//! cookie, so it cannot send a matching pair.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::state::AppState;

/// The cookie holding the token of the public forms.
pub const FORM_COOKIE: &str = "isrc_form";

/// The token a page puts in its forms' hidden `csrf_token` field, and the cookie to set with
/// it when it is new.
#[derive(Debug, Clone)]
pub struct FormToken {
    /// The value for the hidden field.
    pub value: String,
    set_cookie: Option<String>,
}

impl FormToken {
    /// The session's token for a signed-in caller; otherwise the browser's form cookie, or a
    /// new one.
    pub fn issue(state: &AppState, caller: Option<&Caller>, headers: &HeaderMap) -> FormToken {
        if let Some(token) = caller.and_then(|c| c.csrf_token()) {
            return FormToken {
                value: token.to_string(),
                set_cookie: None,
            };
        }
        if let Some(existing) = auth::cookie_value(headers, FORM_COOKIE).filter(|v| plausible(v)) {
            return FormToken {
                value: existing.to_string(),
                set_cookie: None,
            };
        }
        let value = auth::random_secret();
        let secure = if state.config.insecure_cookies {
            ""
        } else {
            "; Secure"
        };
        let cookie = format!("{FORM_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}");
        FormToken {
            value,
            set_cookie: Some(cookie),
        }
    }

    /// Adds the `Set-Cookie` header when the token is new.
    pub fn attach(&self, mut response: Response) -> Response {
        if let Some(cookie) = &self.set_cookie
            && let Ok(value) = HeaderValue::from_str(cookie)
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }
}

/// Secrets made by [`auth::random_secret`] are 43 base64url characters.
fn plausible(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks a public form's token against the form cookie (403 `csrf` when missing or wrong).
pub fn check_anonymous(headers: &HeaderMap, submitted: Option<&str>) -> Result<(), ApiError> {
    let cookie = auth::cookie_value(headers, FORM_COOKIE);
    match (cookie, submitted) {
        // Compare digests: the time taken says nothing about the secret.
        (Some(c), Some(s)) if plausible(c) && auth::secret_hash(c) == auth::secret_hash(s) => {
            Ok(())
        }
        _ => Err(refusal()),
    }
}

/// Checks a form's token: the session's for a signed-in caller, else the form cookie's.
pub fn check(
    caller: Option<&Caller>,
    headers: &HeaderMap,
    submitted: Option<&str>,
) -> Result<(), ApiError> {
    match caller {
        Some(caller) if caller.csrf_token().is_some() => caller.check_csrf(submitted),
        _ => check_anonymous(headers, submitted),
    }
}

fn refusal() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf",
        "the form lacks its CSRF token (cookies must be on for this site; reload the page and try again)",
    )
}
