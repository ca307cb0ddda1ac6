//! "New ISRC or keep the ISRC?": the rules of ISO 3901 / IFPI for a changed recording, with the
//! agencies' variants (isrc-rules.md section 5).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};

/// The kind of change that made a recording from another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// A different edit or duration (radio edit).
    Edit,
    /// A remix.
    Remix,
    /// A new recording of the same work.
    ReRecording,
    /// A version in another language.
    Language,
    /// A changed arrangement or orchestration.
    Arrangement,
    /// A live version.
    Live,
    /// Remastering.
    Remaster,
    /// A historical restoration with creative input.
    Restoration,
    /// A music video of the recording.
    Video,
    /// The same recording on a compilation.
    Compilation,
    /// The same recording on another carrier (CD, vinyl, digital).
    Carrier,
    /// The same recording in another bit rate or file format.
    Format,
    /// The recording licensed to another party.
    Licence,
    /// The recording sold to another owner.
    Sale,
}

impl Change {
    /// Every change kind, in documentation order.
    pub const ALL: [Change; 14] = [
        Change::Edit,
        Change::Remix,
        Change::ReRecording,
        Change::Language,
        Change::Arrangement,
        Change::Live,
        Change::Remaster,
        Change::Restoration,
        Change::Video,
        Change::Compilation,
        Change::Carrier,
        Change::Format,
        Change::Licence,
        Change::Sale,
    ];

    /// The name used on the command line and in the ledger (`re-recording`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Edit => "edit",
            Change::Remix => "remix",
            Change::ReRecording => "re-recording",
            Change::Language => "language",
            Change::Arrangement => "arrangement",
            Change::Live => "live",
            Change::Remaster => "remaster",
            Change::Restoration => "restoration",
            Change::Video => "video",
            Change::Compilation => "compilation",
            Change::Carrier => "carrier",
            Change::Format => "format",
            Change::Licence => "licence",
            Change::Sale => "sale",
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Change {
    type Err = Error;
    fn from_str(text: &str) -> Result<Change> {
        let t = text.trim().to_ascii_lowercase();
        let t = match t.as_str() {
            "rerecording" | "re_recording" => "re-recording",
            "license" => "licence",
            "remastering" => "remaster",
            other => other,
        }
        .to_string();
        Change::ALL
            .into_iter()
            .find(|c| c.as_str() == t)
            .ok_or_else(|| {
                let names: Vec<&str> = Change::ALL.iter().map(|c| c.as_str()).collect();
                Error::invalid(
                    "change",
                    format!(
                        "{text:?} is not a change kind; use one of {}",
                        names.join(", ")
                    ),
                )
            })
    }
}

/// Whose variant of the rules applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AgencyPolicy {
    /// The International ISRC Agency's general rules (ISO 3901, IFPI handbook).
    #[default]
    Ifpi,
    /// RIAA (United States).
    Riaa,
    /// PPL (United Kingdom).
    Ppl,
    /// SCPP (France).
    Scpp,
    /// SOPROQ (Quebec).
    Soproq,
}

impl AgencyPolicy {
    /// `ifpi`, `riaa`, `ppl`, `scpp` or `soproq`.
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyPolicy::Ifpi => "ifpi",
            AgencyPolicy::Riaa => "riaa",
            AgencyPolicy::Ppl => "ppl",
            AgencyPolicy::Scpp => "scpp",
            AgencyPolicy::Soproq => "soproq",
        }
    }

    fn name(self) -> &'static str {
        match self {
            AgencyPolicy::Ifpi => "IFPI",
            AgencyPolicy::Riaa => "RIAA",
            AgencyPolicy::Ppl => "PPL",
            AgencyPolicy::Scpp => "SCPP",
            AgencyPolicy::Soproq => "SOPROQ",
        }
    }

    /// The smallest duration change (ms) that makes an edit a new recording under this policy;
    /// `None` means any change of duration does (the general rule).
    pub fn edit_threshold_ms(self) -> Option<u64> {
        match self {
            // The numbers are the core's: RIAA's and PPL's rule is "the same recording".
            AgencyPolicy::Riaa | AgencyPolicy::Ppl => Some(isrc::recording::DURATION_TOLERANCE_MS),
            AgencyPolicy::Scpp => Some(isrc::recording::SCPP_EDIT_TOLERANCE_MS),
            AgencyPolicy::Ifpi | AgencyPolicy::Soproq => None,
        }
    }
}

impl FromStr for AgencyPolicy {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "ifpi" => Ok(AgencyPolicy::Ifpi),
            "riaa" => Ok(AgencyPolicy::Riaa),
            "ppl" => Ok(AgencyPolicy::Ppl),
            "scpp" => Ok(AgencyPolicy::Scpp),
            "soproq" => Ok(AgencyPolicy::Soproq),
            other => Err(Error::invalid(
                "policy",
                format!("{other:?}: use ifpi, riaa, ppl, scpp or soproq"),
            )),
        }
    }
}

/// The answer: a new ISRC or keep the parent's, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// True: the changed recording needs its own ISRC.
    pub new_isrc: bool,
    /// A stable rule id, e.g. `riaa.edit-10s`.
    pub rule: String,
    /// The rule in words, with its source.
    pub reason: String,
}

/// Decides whether a change needs a new ISRC. For [`Change::Edit`], `durations_ms` is
/// `(parent, new)` and is required.
///
/// ```
/// use isrc_registry::{decide, AgencyPolicy, Change};
/// let d = decide(Change::Edit, AgencyPolicy::Riaa, Some((200_000, 193_000)))?;
/// assert!(!d.new_isrc); // 7 s shorter: within RIAA's 10 s
/// let d = decide(Change::Edit, AgencyPolicy::Scpp, Some((200_000, 193_000)))?;
/// assert!(d.new_isrc); // more than SCPP's 5 s
/// assert!(!decide(Change::Remaster, AgencyPolicy::Soproq, None)?.new_isrc);
/// assert!(decide(Change::Remaster, AgencyPolicy::Ppl, None)?.new_isrc);
/// # Ok::<(), isrc_registry::Error>(())
/// ```
pub fn decide(
    change: Change,
    policy: AgencyPolicy,
    durations_ms: Option<(u64, u64)>,
) -> Result<Decision> {
    let agency = policy.name();
    let new = |rule: &str, reason: String| Decision {
        new_isrc: true,
        rule: format!("{}.{rule}", policy.as_str()),
        reason,
    };
    let keep = |rule: &str, reason: String| Decision {
        new_isrc: false,
        rule: format!("{}.{rule}", policy.as_str()),
        reason,
    };
    let general = "ISO 3901 / IFPI ISRC Handbook (isrc-rules.md section 5)";
    Ok(match change {
        Change::Edit => {
            let (parent, child) = durations_ms.ok_or_else(|| {
                Error::invalid(
                    "duration",
                    "an edit is judged by its duration: give the new duration (--duration M:SS) and make sure the parent recording has one",
                )
            })?;
            let diff = parent.abs_diff(child);
            let shown = format!("{:.1} s", diff as f64 / 1000.0);
            match policy.edit_threshold_ms() {
                Some(limit) if diff > limit => new(
                    &format!("edit-{}s", limit / 1000),
                    format!(
                        "{agency}: an edit whose duration differs by more than {} s is a new recording (it differs by {shown}); {general}",
                        limit / 1000
                    ),
                ),
                Some(limit) => keep(
                    &format!("edit-{}s", limit / 1000),
                    format!(
                        "{agency}: an edit whose duration differs by {} s or less keeps the ISRC (it differs by {shown})",
                        limit / 1000
                    ),
                ),
                None if diff > 0 => new(
                    "edit",
                    format!(
                        "{agency}: a different edit or duration (radio edit) is new artistic input and needs a new ISRC (it differs by {shown}); {general}"
                    ),
                ),
                None => keep(
                    "edit",
                    format!(
                        "{agency}: the duration is the same, so this is the same recording; {general}"
                    ),
                ),
            }
        }
        Change::Remix
        | Change::ReRecording
        | Change::Language
        | Change::Arrangement
        | Change::Live
        | Change::Restoration
        | Change::Video => {
            let what = match change {
                Change::Remix => "a remix",
                Change::ReRecording => "a re-recording",
                Change::Language => "a version in another language",
                Change::Arrangement => "a changed arrangement or orchestration",
                Change::Live => "a live version",
                Change::Restoration => "a historical restoration with creative input",
                _ => "a music video (even with the same audio)",
            };
            let rule = if change == Change::Video {
                "video"
            } else {
                "new-artistic-input"
            };
            new(
                rule,
                format!("{agency}: {what} is a new recording and needs its own ISRC; {general}"),
            )
        }
        Change::Remaster => match policy {
            AgencyPolicy::Riaa | AgencyPolicy::Ppl => new(
                "remaster",
                format!("{agency}: a remastered recording (full restoration) gets a new ISRC"),
            ),
            AgencyPolicy::Soproq | AgencyPolicy::Scpp => keep(
                "remaster",
                format!("{agency}: remastering does not change the recording; it keeps its ISRC"),
            ),
            AgencyPolicy::Ifpi => keep(
                "remaster",
                format!(
                    "IFPI: remastering without new artistic input keeps the ISRC (RIAA and PPL differ: use --policy riaa|ppl); {general}"
                ),
            ),
        },
        Change::Compilation | Change::Carrier | Change::Format | Change::Licence | Change::Sale => {
            let what = match change {
                Change::Compilation => "the same recording on a compilation",
                Change::Carrier => "the same recording on another carrier (CD, vinyl, digital)",
                Change::Format => "the same recording in another bit rate or file format",
                Change::Licence => "the same recording licensed to another party",
                _ => "the same recording sold to another owner",
            };
            keep(
                "same-recording",
                format!("{agency}: {what} keeps its ISRC for life; {general}"),
            )
        }
    })
}

/// The metadata a new version derived from `parent` by `change` starts from: the parent's,
/// with the parent and change recorded, and a music video for [`Change::Video`]. The date of
/// first publication is not inherited: a 2026 remix of a 2019 song was not published in 2019,
/// so the caller gives the new version's own date or leaves it empty.
///
/// ```
/// use isrc_registry::{Change, ContentType, Recording, RecordingInput, Status, derived_meta};
///
/// let parent = Recording {
///     isrc: "CBXYZ1900001".parse().unwrap(),
///     meta: RecordingInput {
///         title: "Song".into(),
///         artist: "Band".into(),
///         published: Some("2019-05-01".parse().unwrap()),
///         ..Default::default()
///     },
///     status: Status::Active,
///     void_reason: None,
///     origin: "allocated".into(),
///     created_at: "2019-05-01T00:00:00Z".into(),
/// };
/// let remix = derived_meta(&parent, Change::Remix);
/// assert_eq!(remix.title, "Song");
/// assert_eq!(remix.published, None);
/// assert_eq!(remix.parent, Some(parent.isrc));
/// assert_eq!(derived_meta(&parent, Change::Video).content_type, ContentType::Video);
/// ```
pub fn derived_meta(parent: &crate::Recording, change: Change) -> crate::RecordingInput {
    let mut meta = parent.meta.clone();
    meta.published = None;
    meta.parent = Some(parent.isrc);
    meta.change = Some(change.as_str().to_string());
    if change == Change::Video {
        meta.content_type = crate::ContentType::Video;
    }
    meta
}
