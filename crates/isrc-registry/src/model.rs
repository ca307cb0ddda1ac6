//! The values the ledger holds, and parsers for their text forms (durations, ranges, dates).

use std::fmt;
use std::str::FromStr;

use isrc::{Isrc, code::PrefixCode};
use serde::Serialize;

use crate::error::{Error, Result};

/// Whether a registrant assigns codes to its own recordings or, as an ISRC Manager, for clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrantKind {
    /// Assigns codes to its own recordings.
    Own,
    /// An ISRC Manager assigning codes for clients; each code records the client.
    Manager,
}

impl RegistrantKind {
    /// `own` or `manager`.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrantKind::Own => "own",
            RegistrantKind::Manager => "manager",
        }
    }
}

impl fmt::Display for RegistrantKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegistrantKind {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "own" => Ok(RegistrantKind::Own),
            "manager" => Ok(RegistrantKind::Manager),
            other => Err(Error::invalid(
                "kind",
                format!("{other:?} is not a registrant kind; use own or manager"),
            )),
        }
    }
}

/// Sound recording or music video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ContentType {
    /// A sound recording.
    #[default]
    Audio,
    /// A music video (it gets its own ISRC even with the same audio).
    Video,
}

impl ContentType {
    /// `audio` or `video`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Audio => "audio",
            ContentType::Video => "video",
        }
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContentType {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "audio" | "sound" | "sound recording" | "" => Ok(ContentType::Audio),
            "video" | "music video" => Ok(ContentType::Video),
            other => Err(Error::invalid(
                "type",
                format!("{other:?} is not a content type; use audio or video"),
            )),
        }
    }
}

/// Active, or void (allocated in error; the code is kept and never reissued).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// In use.
    Active,
    /// Void: allocated in error, never reissued.
    Void,
}

impl Status {
    /// `active` or `void`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Void => "void",
        }
    }
}

/// An inclusive range of designation codes, `00001-99999`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DesignationRange {
    /// First designation in the range.
    pub start: u32,
    /// Last designation in the range (inclusive).
    pub end: u32,
}

impl DesignationRange {
    /// The default range, `00001-99999`: agencies recommend starting at 00001 each year.
    pub const DEFAULT: DesignationRange = DesignationRange {
        start: 1,
        end: 99_999,
    };

    /// How many designations the range holds.
    pub fn len(&self) -> u32 {
        self.end - self.start + 1
    }

    /// Always false: a range holds at least one designation.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for DesignationRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}-{:05}", self.start, self.end)
    }
}

/// Reads `00001-99999` or a comma-separated list of such ranges, in increasing, non-overlapping
/// order.
///
/// ```
/// let ranges = isrc_registry::parse_ranges("00001-49999, 60000-69999")?;
/// assert_eq!(ranges.len(), 2);
/// assert!(isrc_registry::parse_ranges("5-2").is_err());
/// # Ok::<(), isrc_registry::Error>(())
/// ```
pub fn parse_ranges(text: &str) -> Result<Vec<DesignationRange>> {
    let mut ranges: Vec<DesignationRange> = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let bad = |why: &str| {
            Error::invalid(
                "range",
                format!(
                    "{part:?}: {why}; expected START-END with 0 <= START <= END <= 99999, e.g. 00001-99999"
                ),
            )
        };
        let (a, b) = part.split_once('-').ok_or_else(|| bad("no '-'"))?;
        let num = |s: &str| -> Result<u32> {
            let s = s.trim();
            if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("not a number of at most 5 digits"));
            }
            s.parse().map_err(|_| bad("not a number"))
        };
        let range = DesignationRange {
            start: num(a)?,
            end: num(b)?,
        };
        if range.start > range.end {
            return Err(bad("start is after end"));
        }
        if let Some(last) = ranges.last()
            && range.start <= last.end
        {
            return Err(bad(
                "ranges must be in increasing order and must not overlap",
            ));
        }
        ranges.push(range);
    }
    Ok(ranges)
}

pub(crate) fn ranges_to_string(ranges: &[DesignationRange]) -> String {
    ranges
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads a duration: `3:25`, `1:02:03`, `205` (seconds), with optional fractions (`3:25.5`).
/// Returns milliseconds.
///
/// ```
/// assert_eq!(isrc_registry::parse_duration("3:25")?, 205_000);
/// assert_eq!(isrc_registry::parse_duration("1:00:00.5")?, 3_600_500);
/// assert_eq!(isrc_registry::parse_duration("PT3M25S")?, 205_000);
/// assert!(isrc_registry::parse_duration("3:75").is_err());
/// assert!(isrc_registry::parse_duration("3:7").is_err());
/// # Ok::<(), isrc_registry::Error>(())
/// ```
pub fn parse_duration(text: &str) -> Result<u64> {
    let t = text.trim();
    let bad = || {
        Error::invalid(
            "duration",
            format!(
                "{text:?} is not a duration; write M:SS or H:MM:SS (for example 3:25), or seconds"
            ),
        )
    };
    if t.is_empty() {
        return Err(bad());
    }
    // ISO 8601 (`PT3M25S`), as `isrc check` reads it.
    if t.starts_with("PT") || t.starts_with("pt") {
        return isrc::recording::parse_duration_ms(t, isrc::recording::DurationUnit::Seconds)
            .ok_or_else(bad);
    }
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() > 3 {
        return Err(bad());
    }
    let (whole_secs_part, frac_ms) = {
        let last = parts[parts.len() - 1];
        match last.split_once('.') {
            Some((s, f)) => {
                if f.is_empty() || f.len() > 3 || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let ms: u64 = format!("{f:0<3}").parse().map_err(|_| bad())?;
                (s, ms)
            }
            None => (last, 0),
        }
    };
    let num = |s: &str| -> Result<u64> {
        if s.is_empty() || s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let secs = num(whole_secs_part)?;
    // In M:SS and H:MM:SS, seconds and minutes after a colon have two digits ("3:7" is a typo).
    if parts.len() > 1 && whole_secs_part.len() != 2 {
        return Err(bad());
    }
    if parts.len() == 3 && parts[1].len() != 2 {
        return Err(bad());
    }
    let total = match parts.len() {
        1 => secs,
        2 => {
            if secs >= 60 {
                return Err(bad());
            }
            num(parts[0])? * 60 + secs
        }
        _ => {
            let m = num(parts[1])?;
            if secs >= 60 || m >= 60 {
                return Err(bad());
            }
            num(parts[0])? * 3600 + m * 60 + secs
        }
    };
    let ms = total * 1000 + frac_ms;
    if ms == 0 {
        return Err(Error::invalid(
            "duration",
            format!("{text:?}: a recording lasts more than 0 s"),
        ));
    }
    Ok(ms)
}

/// Formats milliseconds as `M:SS` (or `H:MM:SS`), with `.mmm` when not whole seconds.
pub fn format_duration(ms: u64) -> String {
    let secs = ms / 1000;
    let frac = ms % 1000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let mut out = if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    };
    if frac != 0 {
        out.push_str(&format!(".{frac:03}"));
    }
    out
}

/// Reads a `YYYY-MM-DD` date (date of first publication and the like).
pub fn parse_date(field: &str, text: &str) -> Result<isrc::policy::Date> {
    text.trim().parse::<isrc::policy::Date>().map_err(|_| {
        Error::invalid(
            field,
            format!("{text:?} is not a date; write YYYY-MM-DD, for example 2026-03-01"),
        )
    })
}

/// A registrant: the holder of a prefix code (country code + registrant code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registrant {
    /// The prefix code, e.g. `CBXYZ`.
    pub prefix: PrefixCode,
    /// The registrant's name.
    pub name: String,
    /// Contact (e-mail, phone...), may be empty.
    pub contact: String,
    /// Own recordings or ISRC Manager.
    pub kind: RegistrantKind,
    /// Allowed designation ranges.
    pub ranges: Vec<DesignationRange>,
    /// When it was added (UTC, RFC 3339).
    pub created_at: String,
}

/// What [`Store::add_registrant`](crate::Store::add_registrant) needs.
#[derive(Debug, Clone)]
pub struct NewRegistrant {
    /// The prefix code.
    pub prefix: PrefixCode,
    /// The name.
    pub name: String,
    /// Contact, may be empty.
    pub contact: String,
    /// Kind.
    pub kind: RegistrantKind,
    /// Ranges; empty means `00001-99999`.
    pub ranges: Vec<DesignationRange>,
}

/// The metadata of one recording to allocate a code for (the IFPI reference metadata and more).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordingInput {
    /// Main artist.
    pub artist: String,
    /// Track title.
    pub title: String,
    /// Version title (`Radio Edit`...), may be empty.
    pub version: String,
    /// Duration in milliseconds.
    pub duration_ms: Option<u64>,
    /// Sound recording or music video.
    pub content_type: ContentType,
    /// Date of first publication (P-date).
    #[serde(serialize_with = "serialize_date")]
    pub published: Option<isrc::policy::Date>,
    /// Language of the performance (free text, e.g. `fr`).
    pub language: Option<String>,
    /// Year of recording.
    pub recording_year: Option<u16>,
    /// ISWC of the underlying work.
    pub iswc: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// The client, for ISRC Manager registrants (required there, refused otherwise).
    pub client: Option<String>,
    /// The parent recording this one was derived from.
    pub parent: Option<Isrc>,
    /// The change kind that made this one from its parent (`edit`, `remix`...).
    pub change: Option<String>,
}

/// The longest duration a recording may have: 24 hours (longer values are typing slips, such
/// as seconds given as milliseconds, and overflow the exports' columns).
pub const MAX_DURATION_MS: u64 = 24 * 3_600_000;

impl RecordingInput {
    /// Checks the fields that need checking (title and artist present, text lengths).
    pub fn validate(&self) -> Result<()> {
        if self.title.trim().is_empty() {
            return Err(Error::invalid("title", "the title is empty"));
        }
        if self.artist.trim().is_empty() {
            return Err(Error::invalid("artist", "the main artist is empty"));
        }
        for (field, value) in [
            ("title", &self.title),
            ("artist", &self.artist),
            ("version", &self.version),
        ] {
            if value.len() > 1000 {
                return Err(Error::invalid(field, "longer than 1000 bytes"));
            }
            crate::text::refuse_control_characters(field, value)?;
        }
        for (field, value) in [
            ("language", &self.language),
            ("iswc", &self.iswc),
            ("client", &self.client),
            ("change", &self.change),
        ] {
            if let Some(value) = value {
                crate::text::refuse_control_characters(field, value)?;
            }
        }
        if let Some(notes) = &self.notes {
            crate::text::refuse_control_characters_but_newlines("notes", notes)?;
        }
        if let Some(ms) = self.duration_ms
            && ms > MAX_DURATION_MS
        {
            return Err(Error::invalid(
                "duration",
                format!(
                    "{ms} ms is longer than {} hours; give the duration in milliseconds",
                    MAX_DURATION_MS / 3_600_000
                ),
            ));
        }
        if let Some(iswc) = &self.iswc
            && !iswc.trim().is_empty()
            && !isrc::other_id::is_iswc(iswc)
        {
            return Err(Error::invalid(
                "iswc",
                format!(
                    "{iswc:?} is not an ISWC: expected T, nine digits and a check digit, such as T-034.524.680-1"
                ),
            ));
        }
        if let Some(y) = self.recording_year
            && !(1850..=2999).contains(&y)
        {
            return Err(Error::invalid(
                "recording year",
                format!("{y} is not a plausible year"),
            ));
        }
        Ok(())
    }
}

/// One recording in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recording {
    /// Its ISRC.
    pub isrc: Isrc,
    /// Its metadata.
    #[serde(flatten)]
    pub meta: RecordingInput,
    /// Active or void.
    pub status: Status,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// `allocated` here or `imported`.
    pub origin: String,
    /// When it entered the ledger (UTC, RFC 3339).
    pub created_at: String,
}

/// A batch (or single) allocation request.
#[derive(Debug, Clone)]
pub struct AllocationRequest {
    /// The registrant's prefix.
    pub prefix: PrefixCode,
    /// The full year of reference (the current year), e.g. 2026.
    pub year: u16,
    /// The recordings, in order; one code each.
    pub recordings: Vec<RecordingInput>,
    /// Allocate even when a recording matches one in the ledger.
    pub force: bool,
    /// Who asks (for the audit log).
    pub actor: String,
    /// A key that makes the request idempotent: repeating it returns the first answer.
    pub idempotency_key: Option<String>,
    /// A label per recording for error messages (`file.csv:12`), or empty.
    pub labels: Vec<String>,
}

/// The answer to an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    /// The codes, in the order of the request.
    pub isrcs: Vec<Isrc>,
    /// How many designations of the ranges are taken for the year, after this allocation.
    pub used: u32,
    /// How many the ranges hold.
    pub capacity: u32,
    /// True when this answer was replayed for a repeated idempotency key.
    pub replayed: bool,
}

impl Allocation {
    /// A warning when 90% or more of the range is used, else `None`.
    pub fn usage_warning(&self, prefix: PrefixCode, year: u16) -> Option<String> {
        if u64::from(self.used) * 10 >= u64::from(self.capacity) * 9 {
            Some(format!(
                "{} of {} designations of {prefix} are used for {year} ({}%); apply to your ISRC agency for another prefix before the range runs out",
                self.used,
                self.capacity,
                u64::from(self.used) * 100 / u64::from(self.capacity.max(1))
            ))
        } else {
            None
        }
    }
}

/// A code brought into the ledger from elsewhere.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    /// The ISRC.
    pub isrc: Isrc,
    /// Metadata.
    pub meta: RecordingInput,
    /// Void already?
    pub status: Status,
    /// Where it came from (`file.csv:3`), for messages.
    pub label: String,
}

/// Which recordings to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this prefix.
    pub prefix: Option<PrefixCode>,
    /// Only this full year of reference.
    pub year: Option<u16>,
    /// Include void recordings.
    pub include_void: bool,
    /// Text that title, artist or ISRC contains (case-insensitive).
    pub search: Option<String>,
    /// At most this many.
    pub limit: Option<u64>,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// Sequence number.
    pub id: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What (`allocate`, `void`, `import`, `registrant.add`, `application.approve`...).
    pub action: String,
    /// The ISRC, prefix or application concerned.
    pub subject: String,
    /// JSON of the state before, if any.
    pub before: Option<String>,
    /// JSON of the state after, if any.
    pub after: Option<String>,
}

/// A registrant-code application's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplicationStatus {
    /// Waiting for the agency.
    Pending,
    /// A code was issued.
    Approved,
    /// Refused, with a reason.
    Rejected,
}

impl ApplicationStatus {
    /// `pending`, `approved` or `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Rejected => "rejected",
        }
    }

    pub(crate) fn parse(text: &str) -> ApplicationStatus {
        match text {
            "approved" => ApplicationStatus::Approved,
            "rejected" => ApplicationStatus::Rejected,
            _ => ApplicationStatus::Pending,
        }
    }
}

impl FromStr for ApplicationStatus {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "pending" | "approved" | "rejected" => Ok(ApplicationStatus::parse(text)),
            other => Err(Error::invalid(
                "status",
                format!("{other:?}: use pending, approved or rejected"),
            )),
        }
    }
}

/// An application for a registrant code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    /// Its number.
    pub id: i64,
    /// Applicant (master owner) name.
    pub name: String,
    /// Contact (e-mail).
    pub contact: String,
    /// Postal address.
    pub address: String,
    /// ISO 3166 country of residence, e.g. `CA`.
    pub country: String,
    /// Own recordings or ISRC Manager.
    pub kind: RegistrantKind,
    /// Pending, approved or rejected.
    pub status: ApplicationStatus,
    /// The issued prefix code, once approved.
    pub prefix: Option<PrefixCode>,
    /// The rejection reason.
    pub reason: Option<String>,
    /// When it was filed.
    pub created_at: String,
    /// When it was decided.
    pub decided_at: Option<String>,
}

/// What an applicant sends.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// Name.
    pub name: String,
    /// Contact.
    pub contact: String,
    /// Address.
    pub address: String,
    /// Country of residence (ISO 3166 alpha-2).
    pub country: String,
    /// Kind.
    pub kind: RegistrantKind,
}

/// One line of the agency listings (ISO 3901: code, name, contact, address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListingEntry {
    /// The issued prefix code.
    pub prefix: PrefixCode,
    /// Registrant name.
    pub name: String,
    /// Contact.
    pub contact: String,
    /// Address.
    pub address: String,
    /// Own or manager.
    pub kind: RegistrantKind,
    /// When it was issued.
    pub issued_at: String,
}

/// The order of an agency listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingOrder {
    /// By prefix code.
    ByCode,
    /// By registrant name.
    ByName,
}

pub(crate) fn serialize_date<S: serde::Serializer>(
    date: &Option<isrc::policy::Date>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match date {
        Some(d) => serializer.collect_str(d),
        None => serializer.serialize_none(),
    }
}
