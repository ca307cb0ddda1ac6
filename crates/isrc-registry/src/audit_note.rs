//! Entries of the audit log for events that are not a change of the ledger's rows, such as an
//! allocation deliberately made under a past year of reference.

use std::time::Duration;

use sqlx::AnyConnection;

use crate::Store;
use crate::error::{Error, Result};
// `write_tx!` names `AnyConnection`, `is_retryable` and `Duration` where it is used.
use crate::store::{audit, is_retryable, write_tx};

impl Store {
    /// Appends an entry to the audit log: who, what (`allocation.backdated`), about what (a
    /// prefix, an ISRC) and the details as JSON text.
    pub async fn audit_note(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        details: Option<String>,
    ) -> Result<()> {
        write_tx!(self, false, |conn| async {
            audit(conn, actor, action, subject, None, details.clone()).await?;
            Ok::<_, Error>(())
        })
    }
}
