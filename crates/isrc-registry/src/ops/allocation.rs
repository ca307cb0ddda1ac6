//! Allocation: one code or a batch, and the "new ISRC or keep it?" derivation.

use isrc::Isrc;

use super::Actor;
use crate::derive::{AgencyPolicy, Change, Decision, decide, derived_meta};
use crate::error::{Error, Result};
use crate::model::{Allocation, AllocationRequest, ContentType, Recording, RecordingInput, Status};
use crate::store::Store;

/// Allocates the next free code(s) of a registrant: one recording, or a batch in one
/// transaction (all or nothing).
///
/// Rules, the same from the API, the portal (form and CSV upload) and `isrc allocate`:
/// - the actor must act for `request.prefix` ([`Error::Forbidden`]); the audit log names the
///   actor (`request.actor` is replaced by [`Actor::name`]);
/// - a year of recording after `current_year` (the year it is now) is refused: a recording
///   cannot be made in the future;
/// - a recording matching one in the ledger (or earlier in the batch) is refused unless
///   `force`; when several recordings of a batch conflict, the refusal lists them all
///   ([`Error::BatchConflicts`]) instead of naming the first only;
/// - allocating under a year before `current_year` (a deliberate backdating) is recorded in
///   the audit log (`allocation.backdated`, with the codes).
pub async fn allocate(
    store: &Store,
    actor: &Actor,
    mut request: AllocationRequest,
    current_year: u16,
) -> Result<Allocation> {
    actor.require(request.prefix)?;
    request.actor = actor.name().to_string();
    for (i, recording) in request.recordings.iter().enumerate() {
        if let Some(year) = recording.recording_year
            && year > current_year
        {
            let at = request
                .labels
                .get(i)
                .map(|l| format!("{l}: "))
                .unwrap_or_default();
            return Err(Error::Invalid {
                field: format!("{at}recording year"),
                message: format!(
                    "{year} is after the current year ({current_year}): a recording cannot be made in the future"
                ),
            });
        }
    }
    let allocation = match store.allocate(&request).await {
        Ok(a) => a,
        Err(e) if e.is_caller_error() && request.recordings.len() > 1 => {
            // Allocation stops at the first duplicate: name them all.
            let problems = store.batch_conflicts(&request).await?;
            if problems.len() > 1 {
                return Err(Error::BatchConflicts { problems });
            }
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    if request.year < current_year && !allocation.replayed {
        let details = serde_json::json!({
            "year": request.year,
            "current_year": current_year,
            "isrcs": allocation.isrcs.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        })
        .to_string();
        store
            .audit_note(
                actor.name(),
                "allocation.backdated",
                request.prefix.as_str(),
                Some(details),
            )
            .await?;
    }
    Ok(allocation)
}

/// The fields a caller gives for a recording; those left `None` keep the base's value (empty
/// for a new recording, the parent's for a derived one).
///
/// ```
/// use isrc_registry::RecordingInput;
/// use isrc_registry::ops::RecordingPatch;
/// let patch = RecordingPatch { version: Some("Radio Edit".into()), ..Default::default() };
/// let base = RecordingInput { title: "Song".into(), artist: "Band".into(), ..Default::default() };
/// let r = patch.apply(base);
/// assert_eq!((r.title.as_str(), r.version.as_str()), ("Song", "Radio Edit"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordingPatch {
    /// Track title.
    pub title: Option<String>,
    /// Main artist.
    pub artist: Option<String>,
    /// Version title.
    pub version: Option<String>,
    /// Duration in milliseconds.
    pub duration_ms: Option<u64>,
    /// Audio or video.
    pub content_type: Option<ContentType>,
    /// Date of first publication.
    pub published: Option<isrc::policy::Date>,
    /// Language of the performance.
    pub language: Option<String>,
    /// Year of recording.
    pub recording_year: Option<u16>,
    /// ISWC of the work.
    pub iswc: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// The client, under an ISRC Manager prefix.
    pub client: Option<String>,
}

impl RecordingPatch {
    /// `base` with the given fields replaced.
    pub fn apply(&self, mut base: RecordingInput) -> RecordingInput {
        let r = &mut base;
        for (slot, value) in [
            (&mut r.title, &self.title),
            (&mut r.artist, &self.artist),
            (&mut r.version, &self.version),
        ] {
            if let Some(v) = value {
                slot.clone_from(v);
            }
        }
        if self.duration_ms.is_some() {
            r.duration_ms = self.duration_ms;
        }
        if let Some(t) = self.content_type {
            r.content_type = t;
        }
        if self.published.is_some() {
            r.published = self.published;
        }
        if self.recording_year.is_some() {
            r.recording_year = self.recording_year;
        }
        for (slot, value) in [
            (&mut r.language, &self.language),
            (&mut r.iswc, &self.iswc),
            (&mut r.notes, &self.notes),
            (&mut r.client, &self.client),
        ] {
            if value.is_some() {
                slot.clone_from(value);
            }
        }
        base
    }
}

/// A changed recording to judge (and, with `allocate`, to allocate).
#[derive(Debug, Clone)]
pub struct DeriveRequest {
    /// The parent recording.
    pub parent: Isrc,
    /// What changed.
    pub change: Change,
    /// Whose rules.
    pub policy: AgencyPolicy,
    /// The new recording's fields over the parent's metadata (see [`derived_meta`]).
    pub patch: RecordingPatch,
    /// Allocate the new code when one is needed.
    pub allocate: bool,
    /// Allocate even when a matching recording is in the ledger.
    pub force: bool,
    /// The year of reference to allocate under.
    pub year: u16,
    /// Makes the allocation idempotent.
    pub idempotency_key: Option<String>,
}

/// What [`derive()`] decided and did.
#[derive(Debug, Clone)]
pub struct DeriveOutcome {
    /// The parent recording.
    pub parent: Recording,
    /// The decision of the agency's rules.
    pub decision: Decision,
    /// The new recording as it is (or would be) stored.
    pub meta: RecordingInput,
    /// The allocation, when one was asked for and a new ISRC is needed.
    pub allocation: Option<Allocation>,
}

/// New ISRC or keep it? Judges a change to a recording by the agency's rules and, when asked
/// and a new ISRC is needed, allocates it linked to its parent (through [`allocate`], so its
/// rules hold too).
///
/// Rules, the same from the API, the portal's "version of an existing recording" and
/// `isrc derive`:
/// - the actor must act for the parent's registrant;
/// - an edit is judged by its duration: the parent must have one in the ledger and the new
///   duration must be given (it is not assumed to be the parent's);
/// - the new recording's metadata is the parent's ([`derived_meta`]: without the date of first
///   publication, with the parent and the change) with the given fields over it;
/// - nothing is allocated when the rules keep the ISRC; a void parent cannot have a new
///   recording allocated from it ([`Error::AlreadyVoid`]).
pub async fn derive(
    store: &Store,
    actor: &Actor,
    request: DeriveRequest,
    current_year: u16,
) -> Result<DeriveOutcome> {
    actor.require(request.parent.prefix())?;
    let parent = store.recording(request.parent).await?;
    let meta = request.patch.apply(derived_meta(&parent, request.change));
    let durations = match (request.change, parent.meta.duration_ms) {
        (Change::Edit, None) => {
            return Err(Error::Invalid {
                field: "duration".into(),
                message: format!(
                    "{} has no duration in the ledger, so an edit cannot be judged",
                    parent.isrc
                ),
            });
        }
        (Change::Edit, Some(p)) => match request.patch.duration_ms {
            Some(c) => Some((p, c)),
            None => {
                return Err(Error::Invalid {
                    field: "duration".into(),
                    message: "an edit is judged by its duration: give the new recording's duration (M:SS)".into(),
                });
            }
        },
        _ => None,
    };
    let decision = decide(request.change, request.policy, durations)?;
    let mut outcome = DeriveOutcome {
        parent,
        decision,
        meta,
        allocation: None,
    };
    if !(request.allocate && outcome.decision.new_isrc) {
        return Ok(outcome);
    }
    if outcome.parent.status == Status::Void {
        return Err(Error::AlreadyVoid {
            isrc: outcome.parent.isrc,
        });
    }
    let allocation_request = AllocationRequest {
        prefix: outcome.parent.isrc.prefix(),
        year: request.year,
        recordings: vec![outcome.meta.clone()],
        force: request.force,
        actor: actor.name().to_string(),
        idempotency_key: request.idempotency_key,
        labels: vec![],
    };
    outcome.allocation = Some(allocate(store, actor, allocation_request, current_year).await?);
    Ok(outcome)
}
