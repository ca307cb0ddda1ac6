//! Correcting a recording's metadata: never its ISRC, never into another recording.

use isrc::Isrc;
use isrc::recording::{durations_match, fold};

use super::{Actor, RecordingPatch};
use crate::error::{Error, Result};
use crate::model::{Recording, RegistrantKind, Status};
use crate::store::Store;

/// Corrects the metadata of a recording (title, version, artist, duration, dates, ISWC,
/// language, notes, client): the fields `patch` gives replace the stored ones.
///
/// Rules, the same from the API (`PATCH /api/v1/recordings/{isrc}`), the portal's recording
/// page and `isrc edit`:
/// - the actor must act for the code's registrant ([`Error::Forbidden`]);
/// - the ISRC never changes, and a void code keeps the metadata it was voided with
///   ([`Error::AlreadyVoid`]);
/// - an edit that makes another recording is refused with a pointer to `derive`
///   ([`Error::NeedsDerive`]): a duration that moves by more than 10 s (the tolerance of
///   [`isrc::recording::durations_match`]), a version that is another version once folded
///   (`radio edit` may become `Radio Edit`, not `Live`), or audio turned into video;
/// - a client is given under an ISRC Manager prefix only;
/// - the edited recording must not then be the same recording as another of the registrant
///   ([`Error::Duplicate`]), and the edit must change something ([`Error::Invalid`]);
/// - every edit is one audit entry, `recording.edit`, with the recording before and after.
///
/// Returns the edited recording.
pub async fn edit(
    store: &Store,
    actor: &Actor,
    isrc: Isrc,
    patch: &RecordingPatch,
) -> Result<Recording> {
    actor.require(isrc.prefix())?;
    let before = store.recording(isrc).await?;
    if before.status == Status::Void {
        return Err(Error::AlreadyVoid { isrc });
    }
    let after = patch.apply(before.meta.clone());
    let old = &before.meta;
    let needs_derive = |why: String, change: &str| Error::NeedsDerive {
        isrc,
        why,
        change: change.into(),
    };
    if let (Some(was), Some(now)) = (old.duration_ms, after.duration_ms)
        && !durations_match(Some(was), Some(now))
    {
        return Err(needs_derive(
            format!(
                "the duration would move from {} to {}, more than 10 s",
                crate::format_duration(was),
                crate::format_duration(now)
            ),
            "edit",
        ));
    }
    if fold(&old.version) != fold(&after.version) {
        return Err(needs_derive(
            format!(
                "the version would change from {:?} to {:?}",
                old.version, after.version
            ),
            "KIND (remix, live, edit, remaster...)",
        ));
    }
    if old.content_type != after.content_type {
        return Err(needs_derive(
            format!(
                "the content type would change from {} to {}",
                old.content_type, after.content_type
            ),
            "video",
        ));
    }
    if after.client != old.client && after.client.is_some() {
        let registrant = store.registrant(isrc.prefix()).await?;
        if registrant.kind != RegistrantKind::Manager {
            return Err(Error::invalid(
                "client",
                format!(
                    "{} is for the registrant's own recordings; a client can only be given under an ISRC Manager prefix",
                    isrc.prefix()
                ),
            ));
        }
    }
    store.edit_recording(isrc, &after, actor.name()).await
}

/// Searches before assigning: the registrant's recording that `meta` is already (same folded
/// title, artist and version, same type, duration within 10 s), if any. [`allocate`](super::allocate)
/// refuses such a recording ([`Error::Duplicate`]) unless the caller confirms it is another one
/// (`force`); a front end asks this first to answer "this recording already has ISRC X".
///
/// The actor must act for `prefix`.
pub async fn same_recording(
    store: &Store,
    actor: &Actor,
    prefix: isrc::code::PrefixCode,
    meta: &crate::model::RecordingInput,
) -> Result<Option<Isrc>> {
    actor.require(prefix)?;
    store.same_recording(prefix, meta).await
}
