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
    edit_clearing(store, actor, isrc, patch, &[]).await
}

/// A field of a recording that an edit may empty (`isrc edit --clear FIELD`, JSON `null` in
/// `PATCH /api/v1/recordings/{isrc}`, an emptied box on the edit page). The title and the
/// main artist are never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clearable {
    /// The version title: emptied, it is no other version (unlike a new one, which needs
    /// `derive`), but it must not then be the same recording as another of the registrant.
    Version,
    /// The duration.
    Duration,
    /// The date of first publication.
    Published,
    /// The language of the performance.
    Language,
    /// The year of recording.
    RecordingYear,
    /// The ISWC.
    Iswc,
    /// The notes.
    Notes,
}

impl Clearable {
    /// Every clearable field, as written.
    pub const NAMES: [&'static str; 7] = [
        "version",
        "duration",
        "published",
        "language",
        "recording_year",
        "iswc",
        "notes",
    ];

    /// Reads a field name (`recording-year` and `recording_year` alike).
    ///
    /// ```
    /// use isrc_registry::ops::Clearable;
    /// assert_eq!(Clearable::parse("recording-year").unwrap(), Clearable::RecordingYear);
    /// assert!(Clearable::parse("title").unwrap_err().to_string().contains("never empty"));
    /// ```
    pub fn parse(name: &str) -> Result<Clearable> {
        Ok(match name.trim().replace('-', "_").as_str() {
            "version" => Clearable::Version,
            "duration" | "duration_ms" => Clearable::Duration,
            "published" => Clearable::Published,
            "language" => Clearable::Language,
            "recording_year" => Clearable::RecordingYear,
            "iswc" => Clearable::Iswc,
            "notes" => Clearable::Notes,
            "title" | "artist" => {
                return Err(Error::invalid(
                    "clear",
                    format!(
                        "the {name} of a recording is never empty; give the corrected {name} instead"
                    ),
                ));
            }
            other => {
                return Err(Error::invalid(
                    "clear",
                    format!(
                        "{other:?} cannot be cleared; these can: {}",
                        Clearable::NAMES.join(", ")
                    ),
                ));
            }
        })
    }

    fn apply(self, r: &mut crate::model::RecordingInput) {
        match self {
            Clearable::Version => r.version.clear(),
            Clearable::Duration => r.duration_ms = None,
            Clearable::Published => r.published = None,
            Clearable::Language => r.language = None,
            Clearable::RecordingYear => r.recording_year = None,
            Clearable::Iswc => r.iswc = None,
            Clearable::Notes => r.notes = None,
        }
    }

    /// Whether `patch` gives a value for this field too.
    fn given_in(self, patch: &RecordingPatch) -> bool {
        match self {
            Clearable::Version => patch.version.is_some(),
            Clearable::Duration => patch.duration_ms.is_some(),
            Clearable::Published => patch.published.is_some(),
            Clearable::Language => patch.language.is_some(),
            Clearable::RecordingYear => patch.recording_year.is_some(),
            Clearable::Iswc => patch.iswc.is_some(),
            Clearable::Notes => patch.notes.is_some(),
        }
    }
}

/// [`edit`] that also empties the fields `clear` names (each shown in the history as its
/// value before and `—` after). A field both given and cleared is refused.
pub async fn edit_clearing(
    store: &Store,
    actor: &Actor,
    isrc: Isrc,
    patch: &RecordingPatch,
    clear: &[Clearable],
) -> Result<Recording> {
    actor.require(isrc.prefix())?;
    if let Some(both) = clear.iter().find(|c| c.given_in(patch)) {
        return Err(Error::invalid(
            "clear",
            format!("{both:?} is both given a value and cleared; do one or the other"),
        ));
    }
    let before = store.recording(isrc).await?;
    if before.status == Status::Void {
        return Err(Error::AlreadyVoid { isrc });
    }
    let mut after = patch.apply(before.meta.clone());
    for field in clear {
        field.apply(&mut after);
    }
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
    let version_cleared = after.version.is_empty() && clear.contains(&Clearable::Version);
    if fold(&old.version) != fold(&after.version) && !version_cleared {
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
