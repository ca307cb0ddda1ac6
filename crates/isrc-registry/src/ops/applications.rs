//! The agency's decisions: applying for a registrant code, approving (the code, the
//! applicant's account, the mail) and rejecting (the mail).

use std::future::Future;

use isrc::code::PrefixCode;

use super::Actor;
use crate::accounts::{NewUser, Role};
use crate::error::{Error, Result};
use crate::model::{Application, NewApplication};
use crate::store::Store;

/// What happened to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// No SMTP server is configured: the message waits in the outbox.
    Kept,
    /// The SMTP server accepted it.
    Sent,
    /// The SMTP server refused it or could not be reached (the reason is in the outbox too).
    Failed(String),
}

impl Delivery {
    /// `kept`, `sent` or `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Delivery::Kept => "kept",
            Delivery::Sent => "sent",
            Delivery::Failed(_) => "failed",
        }
    }
}

/// One message to send.
#[derive(Debug, Clone, Copy)]
pub struct Mail<'a> {
    /// The recipient's address.
    pub to: &'a str,
    /// The subject line.
    pub subject: &'a str,
    /// The plain-text body.
    pub body: &'a str,
    /// A secret the body carries (a generated password): the copy kept for admins must not
    /// hold it.
    pub secret: Option<&'a str>,
}

/// Sends the notices of the agency's decisions. The server implements it (the ledger's
/// outbox, and SMTP when configured); `isrc agency` uses the server's.
pub trait Mailer: Sync {
    /// Keeps the message in the outbox (without its secret) and sends it when it can. A
    /// failed delivery is an outcome ([`Delivery::Failed`]), not an error: the decision has
    /// been made and stays made.
    fn send(&self, mail: Mail<'_>) -> impl Future<Output = Result<Delivery>> + Send;
}

/// A generated password, and the hash the ledger keeps of it.
#[derive(Debug, Clone)]
pub struct NewPassword {
    /// The password, handed over once.
    pub plain: String,
    /// Its hash (a PHC string) for the ledger.
    pub hash: String,
}

/// Makes the password of an account created at approval. The server implements it (argon2).
pub trait Passwords: Sync {
    /// A new random password and its hash.
    fn generate(&self) -> Result<NewPassword>;
}

/// Files an application for a registrant code.
///
/// Rules, the same from the API, the public page and `isrc agency apply`: name, contact and
/// address are required; the name is at most 300 bytes and the address at most 1000; the
/// contact must be an e-mail address (it becomes the sign-in name of the account made at
/// approval) and is stored lower-cased; the country is a two-letter ISO 3166 code. Anyone may
/// apply (the actor is only named in the audit log).
pub async fn apply(store: &Store, actor: &Actor, new: &NewApplication) -> Result<Application> {
    for (field, value, max) in [("name", &new.name, 300), ("address", &new.address, 1000)] {
        if value.len() > max {
            return Err(Error::Invalid {
                field: field.into(),
                message: format!("the {field} is longer than {max} bytes"),
            });
        }
    }
    store.apply(new, actor.name()).await
}

/// What the agency chose at approval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApprovalChoice {
    /// The country prefix (default: the applicant's country; CB for Canada).
    pub country_prefix: Option<String>,
    /// The registrant code (`XYZ` or `CBXYZ`; default: the next free one).
    pub code: Option<String>,
}

/// Whether approval made an account or extended one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// A new registrant account, with a generated password to change at the first sign-in.
    Created,
    /// The applicant's existing registrant account now holds this prefix too.
    Extended,
}

impl AccountStatus {
    /// `created` or `extended`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Created => "created",
            AccountStatus::Extended => "extended",
        }
    }
}

/// What an approval did.
#[derive(Debug, Clone)]
pub struct ApprovalOutcome {
    /// The application, as approved (with its prefix).
    pub application: Application,
    /// The prefix issued.
    pub prefix: PrefixCode,
    /// The account that holds the prefix (its e-mail address).
    pub account: String,
    /// Made or extended.
    pub account_status: AccountStatus,
    /// What happened to the applicant's mail.
    pub mail: Delivery,
    /// The generated password of a new account when the mail did not leave (no SMTP, or it
    /// failed), to hand over another way; `None` when it was mailed or no account was made.
    pub password: Option<String>,
}

/// Approves application `id`: the one approval path of the API, the back office and
/// `isrc agency approve`.
///
/// Rules: only the agency approves; an application whose contact is an agency admin's
/// address is refused ([`Error::AdminAddress`]: an admin account cannot act for a
/// registrant); the code is the agency's choice or the next free one (see
/// [`Store::approve_with_code`]); the applicant's account gets the prefix (a new registrant
/// account with a generated password that must be changed at the first sign-in, or the
/// existing account of that address, which then holds several prefixes); the applicant is
/// mailed the code, how to build ISRCs from it ([`approval_mail`], `year` for the example
/// code) and how to sign in at `sign_in_url`.
#[allow(clippy::too_many_arguments)]
pub async fn approve_application(
    store: &Store,
    actor: &Actor,
    mailer: &impl Mailer,
    passwords: &impl Passwords,
    id: i64,
    choice: &ApprovalChoice,
    sign_in_url: &str,
    year: u16,
) -> Result<ApprovalOutcome> {
    actor.require_agency()?;
    let pending = store.application(id).await?;
    let holder = store.user_by_email(&pending.contact).await?;
    if holder.as_ref().is_some_and(|u| u.role == Role::Admin) {
        return Err(Error::AdminAddress {
            contact: pending.contact,
        });
    }
    let application = store
        .approve_with_code(
            id,
            choice.country_prefix.as_deref(),
            choice.code.as_deref(),
            actor.name(),
        )
        .await?;
    let Some(prefix) = application.prefix else {
        return Err(Error::Service {
            what: "approval".into(),
            message: format!("application #{id} was approved without a prefix"),
        });
    };
    let (account, account_status, password, sign_in) = match holder {
        Some(user) => {
            let user = store.add_user_prefix(user.id, prefix, actor.name()).await?;
            let held: Vec<String> = user.prefixes.iter().map(|p| p.to_string()).collect();
            let text = format!(
                "Your account {} now holds this prefix too ({}): sign in at {sign_in_url} as usual\nand choose {prefix} where you allocate.",
                user.email,
                held.join(", ")
            );
            (user.email, AccountStatus::Extended, None, text)
        }
        None => {
            let password = passwords.generate()?;
            let user = store
                .create_user(
                    &NewUser {
                        email: application.contact.clone(),
                        password_hash: password.hash,
                        role: Role::Registrant,
                        prefix: Some(prefix),
                    },
                    actor.name(),
                )
                .await?;
            store.set_must_change_password(user.id, true).await?;
            let text = format!(
                "Sign in at {sign_in_url} as {} with the password {} to allocate ISRCs\nin this registry; you will be asked to choose your own password first.",
                user.email, password.plain
            );
            (
                user.email,
                AccountStatus::Created,
                Some(password.plain),
                text,
            )
        }
    };
    let body = approval_mail(&application, prefix, year, &sign_in);
    let subject = format!("Your ISRC registrant code: {}", prefix.hyphenated());
    let mail = mailer
        .send(Mail {
            to: &application.contact,
            subject: &subject,
            body: &body,
            secret: password.as_deref(),
        })
        .await?;
    Ok(ApprovalOutcome {
        password: password.filter(|_| mail != Delivery::Sent),
        application,
        prefix,
        account,
        account_status,
        mail,
    })
}

/// The approval letter: the code and how to construct ISRCs from it.
pub fn approval_mail(
    application: &Application,
    prefix: PrefixCode,
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

/// What a rejection did.
#[derive(Debug, Clone)]
pub struct RejectionOutcome {
    /// The application, as rejected.
    pub application: Application,
    /// What happened to the applicant's mail.
    pub mail: Delivery,
}

/// Rejects application `id` with a reason and mails it to the applicant: the one rejection
/// path of the API, the back office and `isrc agency reject`.
///
/// Rules: only the agency rejects; a reason is required (surrounding blanks trimmed); an
/// application already decided is refused ([`Error::ApplicationDecided`]).
pub async fn reject_application(
    store: &Store,
    actor: &Actor,
    mailer: &impl Mailer,
    id: i64,
    reason: &str,
) -> Result<RejectionOutcome> {
    actor.require_agency()?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::Invalid {
            field: "reason".into(),
            message: "give the reason for the rejection (the applicant reads it)".into(),
        });
    }
    let application = store.reject(id, reason, actor.name()).await?;
    let body = format!(
        "Dear {},\n\nyour application #{} for an ISRC registrant code was not approved:\n\n    {}\n\nYou may apply again with the missing information.\n\n-- the ISRC agency\n",
        application.name, application.id, reason
    );
    let mail = mailer
        .send(Mail {
            to: &application.contact,
            subject: "Your ISRC registrant code application",
            body: &body,
            secret: None,
        })
        .await?;
    Ok(RejectionOutcome { application, mail })
}
