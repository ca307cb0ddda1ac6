//! Recordings: voiding a code, and showing it in the public lookup or not.

use isrc::Isrc;

use super::Actor;
use crate::error::{Error, Result};
use crate::model::{Recording, Status};
use crate::store::Store;

/// Voids a code allocated in error: it stays in the ledger and is never reissued.
///
/// Rules, the same from the API, the portal and `isrc void`:
/// - the actor must act for the code's registrant ([`Error::Forbidden`]);
/// - a reason is required (it is kept in the ledger and the audit log), surrounding blanks
///   trimmed;
/// - a void code is not shown in the public lookup: when it was published, it is unpublished
///   (audit entry `recording.unpublish` after the `void` one); a code that was not published
///   gets no unpublish entry.
///
/// Returns the void recording.
pub async fn void(store: &Store, actor: &Actor, isrc: Isrc, reason: &str) -> Result<Recording> {
    actor.require(isrc.prefix())?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::Invalid {
            field: "reason".into(),
            message: "say why the code is void (it was allocated in error because...)".into(),
        });
    }
    let recording = store.void(isrc, reason, actor.name()).await?;
    if store.is_public(isrc).await? {
        store.set_public(isrc, false, actor.name()).await?;
    }
    Ok(recording)
}

/// Shows (`public = true`) or hides a recording in the public lookup; its registrant chooses.
///
/// Rules: the actor must act for the code's registrant; a void code cannot be published
/// ([`Error::AlreadyVoid`]), since voiding unpublishes; hiding is always allowed. Every call
/// writes one audit entry (`recording.publish` or `recording.unpublish`).
///
/// Returns the recording.
pub async fn set_public(
    store: &Store,
    actor: &Actor,
    isrc: Isrc,
    public: bool,
) -> Result<Recording> {
    actor.require(isrc.prefix())?;
    let recording = store.recording(isrc).await?;
    if public && recording.status == Status::Void {
        return Err(Error::AlreadyVoid { isrc });
    }
    store.set_public(isrc, public, actor.name()).await?;
    Ok(recording)
}
