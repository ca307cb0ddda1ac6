//! The rules of DDEX messages and reports, beyond the core's: stable ids, severities and
//! where each comes from (docs/rules.md lists them with their sources).

/// How serious a [`MessageRule`]'s finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageSeverity {
    /// The message carries a wrong or missing code: counts as an error (exit status 1).
    Error,
    /// Worth a look; not an error.
    Warning,
}

impl MessageSeverity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageSeverity::Error => "error",
            MessageSeverity::Warning => "warning",
        }
    }
}

/// A rule of DDEX ERN messages or DSR reports. Ids are stable.
///
/// ```
/// use isrc_check::formats::MessageRule;
/// assert_eq!(MessageRule::ErnMissingIsrc.id(), "ern_missing_isrc");
/// assert_eq!(MessageRule::ALL.len(), 10);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageRule {
    /// A primary SoundRecording or Video without an ISRC.
    ErnMissingIsrc,
    /// A TrackRelease (or a 3.x Release of type TrackRelease) carrying an ISRC as its
    /// ReleaseId.
    ErnTrackReleaseIsrc,
    /// A Release of several tracks carrying an ISRC as its ReleaseId.
    ErnMultiTrackReleaseIsrc,
    /// The same ISRC on two ResourceReferences of one message.
    ErnIsrcReused,
    /// The same ISRC on both editions of a SoundRecording or Video (4.3), not marked as a
    /// mechanical derivation.
    ErnEditionIsrcShared,
    /// An ISRC written with hyphens, spaces, lower case or the label: DDEX wants the
    /// compact form.
    ErnIsrcNotCompact,
    /// Across the messages given: the same ISRC with a different title.
    ErnTitleMismatch,
    /// Across the messages given: the same ISRC with durations more than 10 s apart.
    ErnDurationMismatch,
    /// DSR: one DspResourceId reported with several ISRCs.
    DsrResourceSeveralIsrcs,
    /// DSR: one ISRC reported under several DspResourceIds.
    DsrIsrcSeveralResources,
}

impl MessageRule {
    /// Every rule, in the order of docs/rules.md.
    pub const ALL: [MessageRule; 10] = [
        MessageRule::ErnMissingIsrc,
        MessageRule::ErnTrackReleaseIsrc,
        MessageRule::ErnMultiTrackReleaseIsrc,
        MessageRule::ErnIsrcReused,
        MessageRule::ErnEditionIsrcShared,
        MessageRule::ErnIsrcNotCompact,
        MessageRule::ErnTitleMismatch,
        MessageRule::ErnDurationMismatch,
        MessageRule::DsrResourceSeveralIsrcs,
        MessageRule::DsrIsrcSeveralResources,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            MessageRule::ErnMissingIsrc => "ern_missing_isrc",
            MessageRule::ErnTrackReleaseIsrc => "ern_track_release_isrc",
            MessageRule::ErnMultiTrackReleaseIsrc => "ern_multi_track_release_isrc",
            MessageRule::ErnIsrcReused => "ern_isrc_reused",
            MessageRule::ErnEditionIsrcShared => "ern_edition_isrc_shared",
            MessageRule::ErnIsrcNotCompact => "ern_isrc_not_compact",
            MessageRule::ErnTitleMismatch => "ern_title_mismatch",
            MessageRule::ErnDurationMismatch => "ern_duration_mismatch",
            MessageRule::DsrResourceSeveralIsrcs => "dsr_resource_several_isrcs",
            MessageRule::DsrIsrcSeveralResources => "dsr_isrc_several_resources",
        }
    }

    /// How serious its findings are.
    pub fn severity(self) -> MessageSeverity {
        match self {
            MessageRule::ErnTrackReleaseIsrc
            | MessageRule::ErnTitleMismatch
            | MessageRule::ErnDurationMismatch
            | MessageRule::DsrIsrcSeveralResources => MessageSeverity::Warning,
            _ => MessageSeverity::Error,
        }
    }
}
