//! The registry's use cases, one function per use case, each deciding its rules once: the JSON
//! API, the web pages and the `isrc` command line are thin callers of these functions, so
//! the three cannot differ (a test per rule calls each through all three front ends).
//!
//! A front end authenticates the caller, reads its own input shape (JSON, form, options) into
//! the types of this crate, calls one operation and presents the outcome (a status code, a
//! page, a line on stdout). Everything else is decided here: validation beyond parsing, who
//! may act for which registrant ([`Actor`]), audit entries, what a change implies (voiding
//! unpublishes), and the notices sent (the [`Mailer`] trait, which the server implements).
//!
//! | Use case | Operation |
//! |---|---|
//! | add a registrant | [`add_registrant`] |
//! | allocate one code or a batch (all or nothing) | [`allocate`] |
//! | new ISRC or keep it, and allocate the derived one | [`derive()`] |
//! | correct a recording's metadata (with history) | [`edit`] |
//! | search before assigning: is it already in the ledger? | [`same_recording`] |
//! | void a code | [`void`] |
//! | publish or unpublish in the public lookup | [`set_public`] |
//! | apply for a registrant code | [`apply`] |
//! | approve an application (code, account, mail) | [`approve_application`] |
//! | reject an application (mail) | [`reject_application`] |
//! | import codes assigned elsewhere | [`import`] |
//! | add, edit, show and list releases | [`add_release`], [`edit_release`], [`release()`], [`releases`] |

mod allocation;
mod applications;
mod edits;
mod recordings;
mod registrants;
mod releases;

pub use allocation::{DeriveOutcome, DeriveRequest, RecordingPatch, allocate, derive};
pub use applications::{
    AccountStatus, ApprovalChoice, ApprovalOutcome, Delivery, Mail, Mailer, NewPassword, Passwords,
    RejectionOutcome, apply, approval_mail, approve_application, reject_application,
};
pub use edits::{Clearable, edit, edit_clearing, same_recording};
pub use recordings::{set_public, void};
pub use registrants::{add_registrant, import};
pub use releases::{ReleaseFormat, add_release, edit_release, export_release, release, releases};

use isrc::code::PrefixCode;

use crate::error::{Error, Result};

/// Who performs an operation: the name written in the audit log, and the registrants it may
/// act for.
///
/// The rule, decided here once: an agency admin (and the operator of the command line, who
/// holds the database file) acts for every registrant; a registrant user acts for the
/// prefixes its account holds, and for nothing else.
///
/// ```
/// use isrc_registry::ops::Actor;
/// let cbxyz = "CBXYZ".parse().unwrap();
/// let other = "CBAAA".parse().unwrap();
/// let ana = Actor::registrant("user:ana@xyz.example", vec![cbxyz]);
/// assert!(ana.may_act_for(cbxyz));
/// assert!(!ana.may_act_for(other));
/// assert_eq!(ana.require(other).unwrap_err().code(), "forbidden");
/// assert!(Actor::agency("cli").may_act_for(other));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    name: String,
    /// `None`: every registrant (the agency); `Some`: these prefixes only.
    prefixes: Option<Vec<PrefixCode>>,
}

impl Actor {
    /// The agency (an admin, or the command line's operator): acts for every registrant.
    pub fn agency(name: impl Into<String>) -> Actor {
        Actor {
            name: name.into(),
            prefixes: None,
        }
    }

    /// Someone who acts for no registrant (an applicant filing an application).
    pub fn anyone(name: impl Into<String>) -> Actor {
        Actor::registrant(name, vec![])
    }

    /// A registrant user: acts for `prefixes` only.
    pub fn registrant(name: impl Into<String>, prefixes: Vec<PrefixCode>) -> Actor {
        Actor {
            name: name.into(),
            prefixes: Some(prefixes),
        }
    }

    /// The name written in the audit log.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this is the agency (acts for every registrant).
    pub fn is_agency(&self) -> bool {
        self.prefixes.is_none()
    }

    /// Whether the actor may act for the registrant `prefix`.
    pub fn may_act_for(&self, prefix: PrefixCode) -> bool {
        self.prefixes.as_ref().is_none_or(|p| p.contains(&prefix))
    }

    /// Refuses ([`Error::Forbidden`]) an actor who may not act for `prefix`.
    pub fn require(&self, prefix: PrefixCode) -> Result<()> {
        if self.may_act_for(prefix) {
            return Ok(());
        }
        let held: Vec<String> = self
            .prefixes
            .iter()
            .flatten()
            .map(|p| p.to_string())
            .collect();
        Err(Error::Forbidden {
            message: format!(
                "you act for {}, not for {prefix}",
                if held.is_empty() {
                    "no registrant".to_string()
                } else {
                    held.join(", ")
                }
            ),
        })
    }

    /// Refuses ([`Error::Forbidden`]) anyone but the agency.
    pub fn require_agency(&self) -> Result<()> {
        if self.is_agency() {
            Ok(())
        } else {
            Err(Error::Forbidden {
                message: "only the agency's admins may do this".into(),
            })
        }
    }
}
