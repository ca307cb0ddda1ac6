//! Who is calling: argon2 passwords, session cookies, API tokens, roles and CSRF checks.
//!
//! A request is authenticated by the session cookie ([`SESSION_COOKIE`]) or by
//! `Authorization: Bearer <API token>`. Secrets (session ids, tokens) are random 256-bit values;
//! the ledger keeps only their SHA-256, so a copy of the database does not let anyone in.
//!
//! CSRF: a cookie-authenticated request that changes something must prove it comes from our own
//! pages: JSON API calls carry the session's token in the `X-CSRF-Token` header (checked by the
//! [`Caller`] extractor for every `/api/` path), form posts carry it in a hidden `csrf_token`
//! field (checked by the handler with [`Caller::check_csrf`]). Bearer-token calls need neither:
//! a browser never adds that header on its own.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use base64::Engine as _;
use isrc::code::PrefixCode;
use isrc_registry::{Role, Scope, User};
use rand::RngCore as _;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "isrc_session";

/// The header JSON API calls made with a session cookie carry the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Hashes a password with argon2id and a random salt (a PHC string to store).
///
/// ```
/// let hash = isrc_server::auth::hash_password("correct horse").unwrap();
/// assert!(hash.starts_with("$argon2id$"));
/// assert!(isrc_server::auth::verify_password("correct horse", &hash));
/// assert!(!isrc_server::auth::verify_password("wrong", &hash));
/// ```
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(ApiError::internal)
}

/// Whether `password` matches the stored PHC string (false for a malformed hash too).
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A new random secret: 32 bytes, base64url without padding (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 (hex) under which a session id or token is stored.
///
/// ```
/// let h = isrc_server::auth::secret_hash("abc");
/// assert_eq!(h.len(), 64);
/// assert_eq!(h, isrc_server::auth::secret_hash("abc"));
/// ```
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The password rule: at least [`MIN_PASSWORD_CHARS`] characters and hard to guess by the
/// zxcvbn strength estimator (score 3 of 4: "safely unguessable", about 10^8 guesses or more),
/// which catches repeated characters, keyboard runs, dictionary words and the account's own
/// address. As current guidance (NIST SP 800-63B) advises, there are no composition rules.
///
/// ```
/// use isrc_server::auth::check_password_strength;
/// assert!(check_password_strength("aaaaaaaaaaaaaaaa", &[]).is_err());
/// assert!(check_password_strength("short", &[]).is_err());
/// assert!(check_password_strength("tulip-orbit-canvas-quarry", &[]).is_ok());
/// ```
pub fn check_password_strength(password: &str, user_inputs: &[&str]) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_request(
            "weak_password",
            format!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > 1024 {
        return Err(ApiError::bad_request(
            "invalid",
            "a password is at most 1024 bytes",
        ));
    }
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) < 3 {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| format!(" ({w})")))
            .unwrap_or_default();
        return Err(ApiError::bad_request(
            "weak_password",
            format!(
                "this password is too easy to guess{hint}; use a few unrelated words or a password manager's password"
            ),
        ));
    }
    Ok(())
}

/// A generated password: 20 random characters (about 120 bits), handed over once.
pub fn generated_password() -> String {
    random_secret()[..20].to_string()
}

/// The passwords of accounts made at approval: [`generated_password`], hashed with argon2id.
#[derive(Debug, Clone, Copy, Default)]
pub struct GeneratedPasswords;

impl isrc_registry::ops::Passwords for GeneratedPasswords {
    fn generate(&self) -> isrc_registry::Result<isrc_registry::ops::NewPassword> {
        let plain = generated_password();
        let hash = hash_password(&plain).map_err(|e| isrc_registry::Error::Service {
            what: "password hashing".into(),
            message: e.message().to_string(),
        })?;
        Ok(isrc_registry::ops::NewPassword { plain, hash })
    }
}

/// How the caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A session cookie; the session's CSRF token.
    Session {
        /// The hash of the session id.
        id_hash: String,
        /// The token form posts and JSON calls of this session must carry.
        csrf_token: String,
    },
    /// An API token (by id) and what it may do.
    Token {
        /// The token's id.
        id: i64,
        /// Its scopes.
        scopes: Vec<Scope>,
    },
}

/// The authenticated caller. As an extractor it answers 401 when there are no valid
/// credentials, and 403 for a cookie-authenticated `/api/` call that changes something without
/// the `X-CSRF-Token` header. Use `Option<Caller>` where signing in is optional.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user.
    pub user: User,
    /// Cookie or token.
    pub credential: Credential,
}

impl Caller {
    /// Whether the caller acts as an agency admin: an admin's session, or an admin's token
    /// with the `admin` scope.
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
            && match &self.credential {
                Credential::Session { .. } => true,
                Credential::Token { scopes, .. } => scopes.contains(&Scope::Admin),
            }
    }

    /// Refuses (403) anyone but an agency admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else if self.user.role == Role::Admin {
            Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "scope",
                "this API token lacks the admin scope",
            ))
        } else {
            Err(ApiError::forbidden("only the agency's admins may do this"))
        }
    }

    /// Refuses (403) a caller that is not signed in with a session: API tokens cannot make or
    /// revoke tokens, nor change passwords, so a leaked token cannot keep itself alive.
    pub fn require_session(&self) -> Result<(), ApiError> {
        match self.credential {
            Credential::Session { .. } => Ok(()),
            Credential::Token { .. } => Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "session_required",
                "sign in with your password to do this: an API token cannot make or revoke tokens",
            )),
        }
    }

    /// Refuses (403) a caller who may not act for the registrant `prefix`: admins may act for
    /// any, registrant users for their own only (the rule of [`isrc_registry::ops::Actor`]).
    pub fn require_registrant(&self, prefix: PrefixCode) -> Result<(), ApiError> {
        Ok(self.acting().require(prefix)?)
    }

    /// Whether the caller may act for the registrant `prefix`: admins for any, registrant
    /// users for every prefix their account holds.
    pub fn may_act_for(&self, prefix: PrefixCode) -> bool {
        self.acting().may_act_for(prefix)
    }

    /// The caller as the registry's operations see it: the agency for an admin, else a
    /// registrant user acting for the prefixes of its account.
    pub fn acting(&self) -> isrc_registry::ops::Actor {
        if self.is_admin() {
            isrc_registry::ops::Actor::agency(self.actor())
        } else {
            isrc_registry::ops::Actor::registrant(self.actor(), self.user.prefixes.clone())
        }
    }

    /// The session's CSRF token, for the hidden field of forms (`None` for token callers).
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf_token, .. } => Some(csrf_token),
            Credential::Token { .. } => None,
        }
    }

    /// Checks the `csrf_token` field of a form post against the session's (403 `csrf` when it
    /// is missing or wrong). Token callers pass.
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), ApiError> {
        match &self.credential {
            Credential::Token { .. } => Ok(()),
            Credential::Session { csrf_token, .. } => {
                if submitted.is_some_and(|s| constant_time_eq(s.as_bytes(), csrf_token.as_bytes()))
                {
                    Ok(())
                } else {
                    Err(csrf_refusal())
                }
            }
        }
    }

    /// Who acts, for the audit log (`user:ana@label.example`).
    pub fn actor(&self) -> String {
        format!("user:{}", self.user.email)
    }
}

/// What a session whose password must be changed may still do: see who it is, change the
/// password, sign out.
fn allowed_before_password_change(parts: &Parts) -> bool {
    let path = parts.uri.path();
    matches!(
        (&parts.method, path),
        (&Method::GET | &Method::HEAD, "/api/v1/session")
            | (&Method::DELETE, "/api/v1/session")
            | (&Method::PUT, "/api/v1/session/password")
            | (_, "/account")
            | (_, "/logout")
    ) || path.starts_with("/static/")
}

/// 403 `password_change_required`.
pub fn password_change_required() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::FORBIDDEN,
        "password_change_required",
        "choose a new password first (the account page, /account, or PUT /api/v1/session/password): the one you were given was generated or reset",
    )
}

fn csrf_refusal() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::FORBIDDEN,
        "csrf",
        "the request lacks this session's CSRF token (reload the page and try again)",
    )
}

/// Compares secrets in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Finds the caller, if any: `Ok(None)` without credentials, 401 for wrong ones.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Caller>, ApiError> {
    if let Some(token) = bearer_token(&parts.headers) {
        let found = state.store.api_token_user(&secret_hash(token)).await?;
        let Some((user, token)) = found else {
            return Err(ApiError::unauthorized(
                "the API token is unknown, revoked or expired",
            ));
        };
        let reads = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let allowed = if reads {
            token.scopes.contains(&Scope::Read)
        } else {
            token.scopes.contains(&Scope::Allocate) || token.scopes.contains(&Scope::Admin)
        };
        if !allowed {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "scope",
                if reads {
                    "this API token lacks the read scope"
                } else {
                    "this API token lacks the allocate scope (or admin, for the agency's actions)"
                },
            ));
        }
        return Ok(Some(Caller {
            user,
            credential: Credential::Token {
                id: token.id,
                scopes: token.scopes,
            },
        }));
    }
    let Some(session_id) = cookie_value(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let id_hash = secret_hash(session_id);
    let Some(session) = state
        .store
        .session(&id_hash, isrc_registry::unix_now())
        .await?
    else {
        // An ended session is the same as none: pages show the sign-in link.
        return Ok(None);
    };
    let caller = Caller {
        user: session.user,
        credential: Credential::Session {
            id_hash,
            csrf_token: session.csrf_token,
        },
    };
    let changes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if changes && parts.uri.path().starts_with("/api/") {
        let header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        caller.check_csrf(header)?;
    }
    if caller.user.must_change_password && !allowed_before_password_change(parts) {
        return Err(password_change_required());
    }
    Ok(Some(caller))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authenticate(parts, state).await?.ok_or_else(|| {
            ApiError::unauthorized("sign in first, or send Authorization: Bearer <API token>")
        })
    }
}

impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, ApiError> {
        authenticate(parts, state).await
    }
}

/// A session just started.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The `Set-Cookie` header value.
    pub cookie: String,
    /// Who is signed in, with the session's credential.
    pub caller: Caller,
}

/// Starts a session for `user`: records it and returns the cookie and the caller.
pub async fn start_session(state: &AppState, user: &User) -> Result<NewSession, ApiError> {
    let session_id = random_secret();
    let csrf_token = random_secret();
    let id_hash = secret_hash(&session_id);
    let ttl = state.config.limits.session_ttl.as_secs();
    let expires_at = isrc_registry::unix_now() + ttl as i64;
    state
        .store
        .create_session(&id_hash, user.id, &csrf_token, expires_at)
        .await?;
    Ok(NewSession {
        cookie: session_cookie(state, &session_id, ttl),
        caller: Caller {
            user: user.clone(),
            credential: Credential::Session {
                id_hash,
                csrf_token,
            },
        },
    })
}

/// The `Set-Cookie` value for a session id (`max_age` 0 clears it).
pub fn session_cookie(state: &AppState, session_id: &str, max_age: u64) -> String {
    // Lax, not Strict: following a link to the site from a mail keeps the user signed in, and
    // Lax still withholds the cookie from cross-site form posts.
    let secure = if state.config.insecure_cookies {
        ""
    } else {
        "; Secure"
    };
    format!(
        "{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    )
}

/// Checks an e-mail address and password; the user when they match. Wrong address and wrong
/// password get the same answer, so the answer does not tell which addresses have accounts.
pub async fn sign_in(state: &AppState, email: &str, password: &str) -> Result<User, ApiError> {
    let found = state.store.user_with_password(email).await?;
    let refused = || ApiError::unauthorized("wrong e-mail address or password");
    match found {
        Some((user, hash)) => {
            let password = password.to_string();
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
                .await
                .map_err(ApiError::internal)?;
            if !ok {
                Err(refused())
            } else if user.disabled {
                Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "account_disabled",
                    "this account is disabled; ask the agency to enable it",
                ))
            } else {
                Ok(user)
            }
        }
        None => {
            // Spend the same time as a real check.
            let password = password.to_string();
            let _ = tokio::task::spawn_blocking(move || hash_password(&password)).await;
            Err(refused())
        }
    }
}
