//! Accounts that last: an account (an organisation) holding several prefixes, passwords that
//! must be changed, disabled accounts, password resets by a single-use expiring token, and API
//! tokens with scopes and an expiry.
//!
//! Every secret is stored as a hash made by the caller (the server), never as itself.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use isrc::code::PrefixCode;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::Store;
use crate::accounts::{
    ApiToken, TOKEN_COLUMNS, USER_COLUMNS, User, fetch_user, token_from_row, unix_now,
    user_from_row,
};
use crate::error::{Error, Result};
// `write_tx!` names `is_retryable` and `Duration` where it is used.
use crate::store::{audit, dec_i64, dec_str, is_retryable, load_registrant, now, write_tx};

/// What an API token may do. A token never does more than its owner may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Read: recordings, registrants, exports (every `GET`).
    Read,
    /// Allocate and change recordings (derive, void, publish) of the owner's prefixes.
    Allocate,
    /// The agency's actions (applications, users, outbox); only for an admin's tokens.
    Admin,
}

impl Scope {
    /// `read`, `allocate` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Allocate => "allocate",
            Scope::Admin => "admin",
        }
    }

    /// Reads a comma-separated list (`read,allocate`); duplicates are dropped, the order made
    /// canonical. An empty list is refused.
    ///
    /// ```
    /// use isrc_registry::Scope;
    /// assert_eq!(Scope::parse_list("allocate, read").unwrap(), vec![Scope::Read, Scope::Allocate]);
    /// assert!(Scope::parse_list("root").is_err());
    /// assert!(Scope::parse_list("").is_err());
    /// ```
    pub fn parse_list(text: &str) -> Result<Vec<Scope>> {
        let mut scopes: Vec<Scope> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<_>>()?;
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(Error::invalid(
                "scopes",
                "give at least one scope: read, allocate or admin",
            ));
        }
        Ok(scopes)
    }

    /// The stored form of a list: `read,allocate`.
    pub fn join(scopes: &[Scope]) -> String {
        let mut sorted = scopes.to_vec();
        sorted.sort();
        sorted.dedup();
        sorted
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = Error;
    fn from_str(text: &str) -> Result<Scope> {
        match text.trim().to_ascii_lowercase().as_str() {
            "read" => Ok(Scope::Read),
            "allocate" => Ok(Scope::Allocate),
            "admin" => Ok(Scope::Admin),
            other => Err(Error::invalid(
                "scopes",
                format!("{other:?} is not a scope; use read, allocate or admin"),
            )),
        }
    }
}

/// A password reset that worked: whose password it set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// The user, after the reset.
    pub user: User,
}

/// Fills `user.prefixes` from the `user_prefixes` table, the default prefix first.
pub(crate) async fn attach_prefixes(conn: &mut AnyConnection, user: &mut User) -> Result<()> {
    if user.prefix.is_none() {
        return Ok(());
    }
    let rows = sqlx::query("SELECT prefix FROM user_prefixes WHERE user_id = $1 ORDER BY prefix")
        .bind(user.id)
        .fetch_all(&mut *conn)
        .await?;
    for row in rows {
        let text = dec_str(&row, "prefix")?;
        let prefix: PrefixCode = text.parse().map_err(|_| {
            Error::invalid("database", format!("stored prefix {text:?} is not valid"))
        })?;
        if !user.prefixes.contains(&prefix) {
            user.prefixes.push(prefix);
        }
    }
    Ok(())
}

/// Ends every session of the user and revokes every live API token (a password change, a
/// reset, a disabled account).
pub(crate) async fn end_sessions_and_tokens(conn: &mut AnyConnection, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// The user with this e-mail address (compared case-insensitively), if any.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let email = email.trim().to_lowercase();
        let mut conn = self.inner.pool.acquire().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => {
                let mut user = user_from_row(&row)?;
                attach_prefixes(&mut conn, &mut user).await?;
                Ok(Some(user))
            }
            None => Ok(None),
        }
    }

    /// Lets a registrant account act under one more prefix (a second registrant code of the
    /// same organisation). Adding a prefix the account holds is harmless; an admin account
    /// holds none ([`Error::Invalid`]).
    pub async fn add_user_prefix(
        &self,
        user_id: i64,
        prefix: PrefixCode,
        actor: &str,
    ) -> Result<User> {
        write_tx!(self, false, |conn| async {
            let user = fetch_user(conn, user_id).await?;
            if user.role != crate::Role::Registrant {
                return Err(Error::invalid(
                    "prefix",
                    format!(
                        "{} is an admin account, which acts for the agency and holds no prefix",
                        user.email
                    ),
                ));
            }
            load_registrant(conn, prefix).await?;
            if user.prefixes.contains(&prefix) {
                return Ok::<_, Error>(());
            }
            sqlx::query(
                "INSERT INTO user_prefixes (user_id, prefix, added_at) VALUES ($1, $2, $3)",
            )
            .bind(user_id)
            .bind(prefix.as_str())
            .bind(now())
            .execute(&mut *conn)
            .await?;
            let after = serde_json::json!({"prefix": prefix.to_string()}).to_string();
            audit(
                conn,
                actor,
                "user.prefix.add",
                &format!("user/{user_id}"),
                None,
                Some(after),
            )
            .await?;
            Ok(())
        })?;
        self.user(user_id).await
    }

    /// Marks (or clears) that the user must choose a new password at the next sign-in.
    pub async fn set_must_change_password(&self, user_id: i64, must: bool) -> Result<()> {
        write_tx!(self, false, |conn| async {
            fetch_user(conn, user_id).await?;
            sqlx::query("UPDATE users SET must_change_password = $1 WHERE id = $2")
                .bind(i64::from(must))
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            Ok::<_, Error>(())
        })
    }

    /// An admin's reset: a new password hash (generated, handed over once) that the user must
    /// change at the next sign-in; every session and API token of the user ends.
    pub async fn admin_reset_password(
        &self,
        user_id: i64,
        password_hash: &str,
        actor: &str,
    ) -> Result<User> {
        write_tx!(self, false, |conn| async {
            fetch_user(conn, user_id).await?;
            sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = 1 WHERE id = $2",
            )
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
            end_sessions_and_tokens(conn, user_id).await?;
            audit(
                conn,
                actor,
                "user.password.reset",
                &format!("user/{user_id}"),
                None,
                None,
            )
            .await?;
            Ok::<_, Error>(())
        })?;
        self.user(user_id).await
    }

    /// Disables (`true`) or enables (`false`) an account. Disabling ends every session and
    /// revokes every API token; enabling gives none back.
    pub async fn set_disabled(&self, user_id: i64, disabled: bool, actor: &str) -> Result<User> {
        write_tx!(self, false, |conn| async {
            fetch_user(conn, user_id).await?;
            if disabled {
                sqlx::query(
                    "UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2",
                )
                .bind(now())
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
                end_sessions_and_tokens(conn, user_id).await?;
            } else {
                sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut *conn)
                    .await?;
            }
            let action = if disabled {
                "user.disable"
            } else {
                "user.enable"
            };
            audit(conn, actor, action, &format!("user/{user_id}"), None, None).await?;
            Ok::<_, Error>(())
        })?;
        self.user(user_id).await
    }

    /// Records a password-reset token (by its hash) for the user, valid until `expires_at`
    /// (Unix seconds). Earlier unused tokens of the user stop working: only the newest mail
    /// counts.
    pub async fn create_password_reset(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<()> {
        let at = now();
        write_tx!(self, false, |conn| async {
            fetch_user(conn, user_id).await?;
            sqlx::query(
                "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
            )
            .bind(at.as_str())
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(at.as_str())
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
            audit(
                conn,
                "public",
                "user.password.reset_requested",
                &format!("user/{user_id}"),
                None,
                None,
            )
            .await?;
            Ok::<_, Error>(())
        })
    }

    /// Uses a password-reset token: when it is known, unused, not expired and its account is
    /// not disabled, sets the new password hash, marks the token used, ends every session and
    /// revokes every API token of the account. Otherwise [`Error::Invalid`] (field `token`),
    /// the same answer whatever the reason.
    pub async fn use_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> Result<PasswordReset> {
        let at = now();
        let user_id = write_tx!(self, false, |conn| async {
            let row = sqlx::query(
                "SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND u.disabled_at IS NULL",
            )
            .bind(token_hash)
            .bind(unix_now())
            .fetch_optional(&mut *conn)
            .await?;
            let Some(row) = row else {
                return Err(Error::invalid(
                    "token",
                    "this reset link is unknown, used or expired: ask for a new one",
                ));
            };
            let user_id = dec_i64(&row, "user_id")?;
            sqlx::query("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2")
                .bind(at.as_str())
                .bind(token_hash)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = 0 WHERE id = $2",
            )
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
            end_sessions_and_tokens(conn, user_id).await?;
            audit(
                conn,
                "public",
                "user.password.reset_used",
                &format!("user/{user_id}"),
                None,
                None,
            )
            .await?;
            Ok::<_, Error>(user_id)
        })?;
        Ok(PasswordReset {
            user: self.user(user_id).await?,
        })
    }

    /// Records an API token by the hash of its secret, with what it may do and when it stops
    /// working (Unix seconds, `None` for never).
    pub async fn create_scoped_api_token(
        &self,
        token_hash: &str,
        name: &str,
        user_id: i64,
        scopes: &[Scope],
        expires_at: Option<i64>,
        actor: &str,
    ) -> Result<ApiToken> {
        let name = name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(Error::invalid(
                "name",
                "give the token a name of 1 to 200 characters (what uses it)",
            ));
        }
        crate::text::refuse_control_characters("name", name)?;
        if scopes.is_empty() {
            return Err(Error::invalid(
                "scopes",
                "give at least one scope: read, allocate or admin",
            ));
        }
        let scope_text = Scope::join(scopes);
        let created_at = now();
        let id = write_tx!(self, false, |conn| async {
            let user = fetch_user(conn, user_id).await?;
            if scopes.contains(&Scope::Admin) && user.role != crate::Role::Admin {
                return Err(Error::invalid(
                    "scopes",
                    "only an admin's token may have the admin scope",
                ));
            }
            let id: i64 = sqlx::query(
                "INSERT INTO api_tokens (token_hash, name, user_id, created_at, scopes, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(token_hash)
            .bind(name)
            .bind(user_id)
            .bind(created_at.as_str())
            .bind(scope_text.as_str())
            .bind(expires_at)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            let after = serde_json::json!({"name": name, "user_id": user_id, "scopes": scope_text, "expires_at": expires_at}).to_string();
            audit(
                conn,
                actor,
                "token.create",
                &format!("token/{id}"),
                None,
                Some(after),
            )
            .await?;
            Ok::<_, Error>(id)
        })?;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(&self.inner.pool)
            .await?;
        token_from_row(&row)
    }
}
