//! People and machines that use a server in front of the ledger: user accounts (agency admins and
//! registrant users), sessions, API tokens, the mail outbox, and which recordings a registrant
//! shows in the public lookup.
//!
//! The ledger stores only what it is given: password hashes (the server hashes with argon2) and
//! hashes of session ids and API tokens, never the secrets themselves.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use isrc::{Isrc, code::PrefixCode};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::Store;
use crate::error::{Error, Result};
// `write_tx!` names `is_retryable` and `Duration` where it is used.
use crate::store::{
    audit, dec_i64, dec_opt_i64, dec_opt_str, dec_str, fetch_recording, is_retryable,
    load_registrant, now, write_tx,
};
use std::time::Duration;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The ISRC agency: approves applications, manages registrants, reads every record.
    Admin,
    /// A user of one registrant: allocates and manages that registrant's codes only.
    Registrant,
}

impl Role {
    /// `admin` or `registrant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Registrant => "registrant",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "registrant" => Ok(Role::Registrant),
            other => Err(Error::invalid(
                "role",
                format!("{other:?} is not a role; use admin or registrant"),
            )),
        }
    }
}

/// A user account (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Sequence number.
    pub id: i64,
    /// E-mail address, lower-cased; the sign-in name.
    pub email: String,
    /// Admin or registrant user.
    pub role: Role,
    /// The registrant a registrant user acts for by default: its first prefix (`None` for
    /// admins).
    pub prefix: Option<PrefixCode>,
    /// Every prefix the account (an organisation) holds and may act under, the default first;
    /// empty for admins.
    pub prefixes: Vec<PrefixCode>,
    /// When the account was created (UTC, RFC 3339).
    pub created_at: String,
    /// The password was generated or set by an admin: the user must choose a new one before
    /// doing anything else.
    pub must_change_password: bool,
    /// The account is disabled: it cannot sign in, its sessions and tokens have ended.
    pub disabled: bool,
}

/// A user to create with [`Store::create_user`].
#[derive(Debug, Clone)]
pub struct NewUser {
    /// E-mail address (compared case-insensitively).
    pub email: String,
    /// The password hash (an argon2 PHC string made by the caller).
    pub password_hash: String,
    /// Admin or registrant user.
    pub role: Role,
    /// The registrant, for a registrant user; must be `None` for an admin.
    pub prefix: Option<PrefixCode>,
}

/// A live session found by [`Store::session`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who is signed in.
    pub user: User,
    /// The token every form post of this session must carry.
    pub csrf_token: String,
    /// When the session ends (Unix seconds).
    pub expires_at: i64,
}

/// An API token's record (the token itself is shown once, when made, and only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Sequence number.
    pub id: i64,
    /// A name chosen by its owner ("CI upload", "label system").
    pub name: String,
    /// The owner.
    pub user_id: i64,
    /// When it was made (UTC, RFC 3339).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// What it may do.
    pub scopes: Vec<crate::users::Scope>,
    /// When it stops working (Unix seconds); `None` for never.
    pub expires_at: Option<i64>,
}

/// One message of the mail outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMail {
    /// Sequence number.
    pub id: i64,
    /// The address it is for.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was queued (UTC, RFC 3339).
    pub created_at: String,
    /// When an SMTP server accepted it; `None` while it is only in the outbox.
    pub sent_at: Option<String>,
    /// Why the last delivery attempt failed.
    pub error: Option<String>,
}

pub(crate) const USER_COLUMNS: &str =
    "id, email, role, prefix, created_at, must_change_password, disabled_at";
pub(crate) const TOKEN_COLUMNS: &str =
    "id, name, user_id, created_at, revoked_at, scopes, expires_at";

pub(crate) fn user_from_row(row: &AnyRow) -> Result<User> {
    let role_text = dec_str(row, "role")?;
    let prefix = match dec_opt_str(row, "prefix")? {
        Some(p) => Some(p.parse().map_err(|_| corrupt("prefix", &p))?),
        None => None,
    };
    Ok(User {
        id: dec_i64(row, "id")?,
        email: dec_str(row, "email")?,
        role: role_text.parse().map_err(|_| corrupt("role", &role_text))?,
        prefix,
        prefixes: prefix.into_iter().collect(),
        created_at: dec_str(row, "created_at")?,
        must_change_password: dec_i64(row, "must_change_password")? != 0,
        disabled: dec_opt_str(row, "disabled_at")?.is_some(),
    })
}

pub(crate) fn token_from_row(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: dec_i64(row, "id")?,
        name: dec_str(row, "name")?,
        user_id: dec_i64(row, "user_id")?,
        created_at: dec_str(row, "created_at")?,
        revoked_at: dec_opt_str(row, "revoked_at")?,
        scopes: crate::users::Scope::parse_list(&dec_str(row, "scopes")?)?,
        expires_at: dec_opt_i64(row, "expires_at")?,
    })
}

fn mail_from_row(row: &AnyRow) -> Result<OutboxMail> {
    Ok(OutboxMail {
        id: dec_i64(row, "id")?,
        recipient: dec_str(row, "recipient")?,
        subject: dec_str(row, "subject")?,
        body: dec_str(row, "body")?,
        created_at: dec_str(row, "created_at")?,
        sent_at: dec_opt_str(row, "sent_at")?,
        error: dec_opt_str(row, "error")?,
    })
}

fn corrupt(what: &str, value: &str) -> Error {
    Error::invalid("database", format!("stored {what} {value:?} is not valid"))
}

/// Checks the shape of an e-mail address (something@domain, no spaces or control characters) and
/// returns it trimmed and lower-cased.
///
/// ```
/// assert_eq!(isrc_registry::normalize_email(" Ana@Label.Example ").unwrap(), "ana@label.example");
/// assert!(isrc_registry::normalize_email("not an address").is_err());
/// ```
pub fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    };
    if !valid || email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            "email",
            format!("{email:?} is not an e-mail address (name@domain.example)"),
        ));
    }
    Ok(email)
}

pub(crate) async fn fetch_user(conn: &mut AnyConnection, id: i64) -> Result<User> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::UserNotFound {
            who: format!("#{id}"),
        })?;
    let mut user = user_from_row(&row)?;
    crate::users::attach_prefixes(conn, &mut user).await?;
    Ok(user)
}

impl Store {
    // ----- users -----

    /// Creates a user account.
    ///
    /// Refused with [`Error::UserExists`] when the address is taken, [`Error::UnknownPrefix`] when
    /// a registrant user's registrant is not in the ledger, [`Error::Invalid`] for a malformed
    /// address or an admin with a prefix.
    pub async fn create_user(&self, new: &NewUser, actor: &str) -> Result<User> {
        let email = normalize_email(&new.email)?;
        match (new.role, new.prefix) {
            (Role::Admin, Some(_)) => {
                return Err(Error::invalid(
                    "prefix",
                    "an admin acts for the agency, not for one registrant: give no prefix",
                ));
            }
            (Role::Registrant, None) => {
                return Err(Error::invalid(
                    "prefix",
                    "a registrant user needs the prefix of the registrant it acts for",
                ));
            }
            _ => {}
        }
        let created_at = now();
        let id = write_tx!(self, false, |conn| async {
            if let Some(prefix) = new.prefix {
                load_registrant(conn, prefix).await?;
            }
            let taken = sqlx::query("SELECT id FROM users WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(&mut *conn)
                .await?;
            if taken.is_some() {
                return Err(Error::UserExists {
                    email: email.clone(),
                });
            }
            let id: i64 = sqlx::query(
                "INSERT INTO users (email, password_hash, role, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(email.as_str())
            .bind(new.password_hash.as_str())
            .bind(new.role.as_str())
            .bind(new.prefix.map(|p| p.as_str().to_string()))
            .bind(created_at.as_str())
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            if let Some(prefix) = new.prefix {
                sqlx::query(
                    "INSERT INTO user_prefixes (user_id, prefix, added_at) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(prefix.as_str())
                .bind(created_at.as_str())
                .execute(&mut *conn)
                .await?;
            }
            let after = serde_json::json!({"email": email, "role": new.role, "prefix": new.prefix.map(|p| p.to_string())}).to_string();
            audit(
                conn,
                actor,
                "user.create",
                &format!("user/{id}"),
                None,
                Some(after),
            )
            .await?;
            Ok::<_, Error>(id)
        })?;
        self.user(id).await
    }

    /// The user with this id.
    pub async fn user(&self, id: i64) -> Result<User> {
        let mut conn = self.inner.pool.acquire().await?;
        fetch_user(&mut conn, id).await
    }

    /// The user with this e-mail address and its password hash, for signing in; `None` when
    /// there is none.
    pub async fn user_with_password(&self, email: &str) -> Result<Option<(User, String)>> {
        let email = email.trim().to_lowercase();
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1");
        let mut conn = self.inner.pool.acquire().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => {
                let mut user = user_from_row(&row)?;
                crate::users::attach_prefixes(&mut conn, &mut user).await?;
                Ok(Some((user, dec_str(&row, "password_hash")?)))
            }
            None => Ok(None),
        }
    }

    /// Every user, by id.
    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        let mut conn = self.inner.pool.acquire().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut user = user_from_row(row)?;
            crate::users::attach_prefixes(&mut conn, &mut user).await?;
            users.push(user);
        }
        Ok(users)
    }

    /// How many admin accounts exist (a server creates the first one on its first start).
    pub async fn admin_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .fetch_one(&self.inner.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Replaces a user's password hash (the user chose it: no change is required any more),
    /// ends all of the user's sessions and revokes the user's API tokens.
    pub async fn set_password(&self, user_id: i64, password_hash: &str, actor: &str) -> Result<()> {
        write_tx!(self, false, |conn| async {
            fetch_user(conn, user_id).await?;
            sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = 0 WHERE id = $2",
            )
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
            crate::users::end_sessions_and_tokens(conn, user_id).await?;
            audit(
                conn,
                actor,
                "user.password",
                &format!("user/{user_id}"),
                None,
                None,
            )
            .await?;
            Ok::<_, Error>(())
        })
    }

    // ----- sessions -----

    /// Records a session: the hash of its id, its user, its CSRF token and when it ends (Unix
    /// seconds).
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<()> {
        let created_at = now();
        write_tx!(self, false, |conn| async {
            // Sign-in is a good moment to forget sessions that have ended.
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(unix_now())
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(created_at.as_str())
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
            Ok::<_, Error>(())
        })
    }

    /// The live session with this id hash at `now` (Unix seconds), or `None` when it is unknown
    /// or has ended.
    pub async fn session(&self, id_hash: &str, now: i64) -> Result<Option<Session>> {
        let mut conn = self.inner.pool.acquire().await?;
        let row = sqlx::query(
            "SELECT u.id, u.email, u.role, u.prefix, u.created_at, u.must_change_password, u.disabled_at, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some(row) => {
                let mut user = user_from_row(&row)?;
                crate::users::attach_prefixes(&mut conn, &mut user).await?;
                Ok(Some(Session {
                    user,
                    csrf_token: dec_str(&row, "csrf_token")?,
                    expires_at: dec_i64(&row, "expires_at")?,
                }))
            }
            None => Ok(None),
        }
    }

    /// Ends a session (signing out). Unknown ids are ignored.
    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        write_tx!(self, false, |conn| async {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(&mut *conn)
                .await?;
            Ok::<_, Error>(())
        })
    }

    // ----- API tokens -----

    /// Records an API token by the hash of its secret, with the scopes tokens had before
    /// scopes existed (read and allocate) and no expiry; see [`Store::create_scoped_api_token`].
    pub async fn create_api_token(
        &self,
        token_hash: &str,
        name: &str,
        user_id: i64,
        actor: &str,
    ) -> Result<ApiToken> {
        use crate::users::Scope;
        self.create_scoped_api_token(
            token_hash,
            name,
            user_id,
            &[Scope::Read, Scope::Allocate],
            None,
            actor,
        )
        .await
    }

    /// The owner and record of the live token with this hash: not revoked, not expired, its
    /// owner not disabled.
    ///
    /// One statement (every API call with a token asks this first): the token, its owner and
    /// the owner's extra prefixes (one row each, `LEFT JOIN`), rather than three round trips.
    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<(User, ApiToken)>> {
        const SQL: &str = "SELECT t.id, t.name, t.user_id, t.created_at, t.revoked_at, t.scopes, t.expires_at, \
             u.email AS u_email, u.role AS u_role, u.prefix AS u_prefix, u.created_at AS u_created_at, \
             u.must_change_password AS u_must_change_password, u.disabled_at AS u_disabled_at, p.prefix AS p_prefix \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             LEFT JOIN user_prefixes p ON p.user_id = u.id AND u.prefix IS NOT NULL \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
             ORDER BY p.prefix";
        let rows = sqlx::query(SQL)
            .bind(token_hash)
            .bind(unix_now())
            .fetch_all(&self.inner.pool)
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let token = token_from_row(first)?;
        let role_text = dec_str(first, "u_role")?;
        let prefix: Option<PrefixCode> = match dec_opt_str(first, "u_prefix")? {
            Some(p) => Some(p.parse().map_err(|_| corrupt("prefix", &p))?),
            None => None,
        };
        let mut user = User {
            id: token.user_id,
            email: dec_str(first, "u_email")?,
            role: role_text.parse().map_err(|_| corrupt("role", &role_text))?,
            prefix,
            prefixes: prefix.into_iter().collect(),
            created_at: dec_str(first, "u_created_at")?,
            must_change_password: dec_i64(first, "u_must_change_password")? != 0,
            disabled: dec_opt_str(first, "u_disabled_at")?.is_some(),
        };
        if user.disabled {
            return Ok(None);
        }
        // The same order as `users::attach_prefixes`: the default prefix, then the others.
        for row in &rows {
            if let Some(text) = dec_opt_str(row, "p_prefix")? {
                let extra: PrefixCode = text.parse().map_err(|_| corrupt("prefix", &text))?;
                if !user.prefixes.contains(&extra) {
                    user.prefixes.push(extra);
                }
            }
        }
        Ok(Some((user, token)))
    }

    /// A user's tokens, revoked ones included, by id.
    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(&self.inner.pool)
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes token `id` of user `user_id` ([`Error::TokenNotFound`] when the user has no such
    /// token: one user cannot revoke another's). Revoking twice is harmless.
    pub async fn revoke_api_token(&self, id: i64, user_id: i64, actor: &str) -> Result<ApiToken> {
        let at = now();
        write_tx!(self, false, |conn| async {
            let done = sqlx::query(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3",
            )
            .bind(at.as_str())
            .bind(id)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                return Err(Error::TokenNotFound { id });
            }
            audit(
                conn,
                actor,
                "token.revoke",
                &format!("token/{id}"),
                None,
                None,
            )
            .await?;
            Ok::<_, Error>(())
        })?;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(&self.inner.pool)
            .await?;
        token_from_row(&row)
    }

    // ----- mail outbox -----

    /// Puts a message in the outbox (every message is kept there; [`Store::mark_mail`] records
    /// whether an SMTP server took it).
    pub async fn queue_mail(
        &self,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Result<OutboxMail> {
        let created_at = now();
        let id = write_tx!(self, false, |conn| async {
            let id: i64 = sqlx::query(
                "INSERT INTO outbox (recipient, subject, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(recipient)
            .bind(subject)
            .bind(body)
            .bind(created_at.as_str())
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            Ok::<_, Error>(id)
        })?;
        self.mail(id).await
    }

    /// Records the outcome of a delivery attempt: `Ok(())` when the SMTP server accepted the
    /// message, else why not. With `delivered_body`, a message the server accepted keeps that
    /// text instead of its own: a secret it carried (a generated password) is then only in the
    /// recipient's mailbox, not in the outbox admins read.
    pub async fn mark_mail(
        &self,
        id: i64,
        outcome: std::result::Result<(), String>,
        delivered_body: Option<&str>,
    ) -> Result<()> {
        let at = now();
        write_tx!(self, false, |conn| async {
            let query = match (&outcome, delivered_body) {
                (Ok(()), Some(body)) => sqlx::query(
                    "UPDATE outbox SET sent_at = $1, error = NULL, body = $2 WHERE id = $3",
                )
                .bind(at.as_str())
                .bind(body)
                .bind(id),
                (Ok(()), None) => {
                    sqlx::query("UPDATE outbox SET sent_at = $1, error = NULL WHERE id = $2")
                        .bind(at.as_str())
                        .bind(id)
                }
                (Err(error), _) => sqlx::query("UPDATE outbox SET error = $1 WHERE id = $2")
                    .bind(error.as_str())
                    .bind(id),
            };
            query.execute(&mut *conn).await?;
            Ok::<_, Error>(())
        })
    }

    /// One message of the outbox.
    pub async fn mail(&self, id: i64) -> Result<OutboxMail> {
        let row = sqlx::query(
            "SELECT id, recipient, subject, body, created_at, sent_at, error FROM outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or_else(|| Error::invalid("id", format!("no message #{id} in the outbox")))?;
        mail_from_row(&row)
    }

    /// The newest `limit` messages of the outbox, newest first.
    pub async fn outbox(&self, limit: u32) -> Result<Vec<OutboxMail>> {
        let rows = sqlx::query(
            "SELECT id, recipient, subject, body, created_at, sent_at, error FROM outbox ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter().map(mail_from_row).collect()
    }

    // ----- public lookup -----

    /// Shows (`true`) or hides (`false`) a recording in the public lookup. New recordings are
    /// hidden until their registrant publishes them.
    pub async fn set_public(&self, isrc: Isrc, public: bool, actor: &str) -> Result<()> {
        let at = now();
        let code = isrc.to_string();
        write_tx!(self, false, |conn| async {
            let recording = fetch_recording(conn, isrc).await?;
            sqlx::query("DELETE FROM publications WHERE isrc = $1")
                .bind(code.as_str())
                .execute(&mut *conn)
                .await?;
            if public {
                sqlx::query("INSERT INTO publications (isrc, published_at) VALUES ($1, $2)")
                    .bind(code.as_str())
                    .bind(at.as_str())
                    .execute(&mut *conn)
                    .await?;
            }
            let shown = if public { Some(&recording) } else { None };
            let row = isrc.to_u64() as i64;
            crate::store::index_publication(conn, self.inner.backend, row, shown).await?;
            let action = if public {
                "recording.publish"
            } else {
                "recording.unpublish"
            };
            audit(conn, actor, action, &code, None, None).await?;
            Ok::<_, Error>(())
        })
    }

    /// Whether the recording is shown in the public lookup.
    pub async fn is_public(&self, isrc: Isrc) -> Result<bool> {
        let row = sqlx::query("SELECT isrc FROM publications WHERE isrc = $1")
            .bind(isrc.to_string())
            .fetch_optional(&self.inner.pool)
            .await?;
        Ok(row.is_some())
    }

    /// The published ISRCs, all or under one prefix.
    pub async fn public_isrcs(&self, prefix: Option<PrefixCode>) -> Result<HashSet<Isrc>> {
        let rows = match prefix {
            Some(p) => {
                sqlx::query("SELECT isrc FROM publications WHERE isrc LIKE $1")
                    .bind(format!("{}%", p.as_str()))
                    .fetch_all(&self.inner.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT isrc FROM publications")
                    .fetch_all(&self.inner.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|row| {
                let text = dec_str(row, "isrc")?;
                Isrc::parse_strict(&text).map_err(|_| corrupt("ISRC", &text))
            })
            .collect()
    }
}

/// The current time in Unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
