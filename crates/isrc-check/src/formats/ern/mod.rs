//! DDEX ERN (Electronic Release Notification) messages, 3.4 to 3.8.x and 4.1 to 4.3, told
//! apart by the namespace of the root element (`http://ddex.net/xml/ern/43`).
//!
//! Where the ISRCs are:
//!
//! | version | sound recordings and videos | releases |
//! |---|---|---|
//! | 3.x | `SoundRecording/SoundRecordingId/ISRC`, `Video/VideoId/ISRC` | `Release/ReleaseId/ISRC` |
//! | 4.1, 4.2 | `SoundRecording/ResourceId/ISRC`, `Video/ResourceId/ISRC` | `Release` or `TrackRelease` `/ReleaseId/ISRC` |
//! | 4.3 | `SoundRecording/SoundRecordingEdition/ResourceId/ISRC`, `Video/VideoEdition/ResourceId/ISRC` | as 4.1 |
//!
//! Every path is looked for in every version (a 4.3 message with a 4.1 path still has its
//! code checked).

mod across;
mod reader;
mod rules;

pub(crate) use self::across::Across;
pub use self::reader::read_message;
pub(crate) use self::rules::message_findings;

/// What every ERN version's namespace URI holds (`http://ddex.net/xml/ern/43`; 4.1.1 is
/// `http://service.ddex.net/xml/ern/411`).
const NAMESPACE: &[u8] = b"ddex.net/xml/ern/";

/// The beginnings of the ERN namespace URIs read: DDEX's own, the `service.` host that
/// ERN 4.1.1 and the schema locations use, and either under `https`.
const NAMESPACES: [&str; 4] = [
    "http://ddex.net/xml/ern/",
    "http://service.ddex.net/xml/ern/",
    "https://ddex.net/xml/ern/",
    "https://service.ddex.net/xml/ern/",
];

/// Whether the start of a document names the ERN namespace.
pub(crate) fn is_ern(head: &[u8]) -> bool {
    memchr::memmem::find(head, NAMESPACE).is_some()
}

/// The version of an ERN message, from its namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErnVersion {
    /// As people write it: `3.8.2`, `4.1`, `4.3`.
    pub label: String,
    /// Which paths the codes are expected at.
    pub family: Family,
}

/// The three layouts of ERN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// 3.4 to 3.8.x: `SoundRecordingId/ISRC`.
    V3,
    /// 4.1 and 4.2: `ResourceId/ISRC`.
    V41,
    /// 4.3 and later: `SoundRecordingEdition/ResourceId/ISRC`.
    V43,
}

impl ErnVersion {
    /// The version a namespace URI names (`http://ddex.net/xml/ern/382` is 3.8.2), when it
    /// is an ERN namespace of a version this reader knows.
    ///
    /// ```
    /// use isrc_check::formats::ern::{ErnVersion, Family};
    /// let v = ErnVersion::from_namespace("http://ddex.net/xml/ern/382").unwrap();
    /// assert_eq!((v.label.as_str(), v.family), ("3.8.2", Family::V3));
    /// assert_eq!(ErnVersion::from_namespace("http://ddex.net/xml/ern/43").unwrap().family, Family::V43);
    /// let v = ErnVersion::from_namespace("http://service.ddex.net/xml/ern/411").unwrap();
    /// assert_eq!((v.label.as_str(), v.family), ("4.1.1", Family::V41));
    /// assert_eq!(ErnVersion::from_namespace("http://ddex.net/xml/ern/432").unwrap().label, "4.3.2");
    /// assert!(ErnVersion::from_namespace("http://ddex.net/xml/ern/2").is_none());
    /// assert!(ErnVersion::from_namespace("http://example.com/xml/ern/43").is_none());
    /// ```
    pub fn from_namespace(uri: &str) -> Option<ErnVersion> {
        let digits = NAMESPACES
            .iter()
            .find_map(|prefix| uri.strip_prefix(prefix))?
            .trim_end_matches('/');
        if digits.len() < 2 || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let b = digits.as_bytes();
        let (major, minor) = (b[0] - b'0', b[1] - b'0');
        let family = match (major, minor) {
            (3, 4..=8) => Family::V3,
            (4, 1 | 2) => Family::V41,
            (4, 3..=9) => Family::V43,
            _ => return None,
        };
        let label = digits
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(".");
        Some(ErnVersion { label, family })
    }
}

/// Where something is in a message: line and column, and the XPath-like location.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct At {
    /// Line, from 1.
    pub line: u64,
    /// Column in bytes, from 1.
    pub column: u64,
    /// `/NewReleaseMessage/ResourceList/SoundRecording[1]/...`.
    pub path: String,
}

/// An ISRC element's value, as written, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsrcValue {
    /// The text of the element, trimmed.
    pub value: String,
    /// Where its text starts.
    pub at: At,
    /// The edition (index into [`Resource::editions`]) it identifies, in 4.3.
    pub edition: Option<usize>,
}

/// One `SoundRecordingEdition` or `VideoEdition` (4.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edition {
    /// Its `Type` (`NonImmersiveEdition`, `ImmersiveEdition`).
    pub kind: String,
    /// Marked as mechanically derived from the other edition (an up- or down-mix, which
    /// keeps the ISRC): a `Comment` or `EncodingDescription` inside it mentioning "mechanical".
    pub mechanical: bool,
}

/// A `SoundRecording` or `Video` of the `ResourceList`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resource {
    /// `SoundRecording` or `Video`.
    pub element: &'static str,
    /// Its `ResourceReference` (`A1`).
    pub reference: String,
    /// `ReferenceTitle/TitleText` (3.x) or `DisplayTitleText` / `DisplayTitle/TitleText`.
    pub title: String,
    /// `DisplayArtistName`, or the first `DisplayArtist`'s `FullName`.
    pub artist: String,
    /// `Duration`, ISO 8601 (`PT3M25S`).
    pub duration: String,
    /// `SoundRecordingType`/`VideoType` (3.x) or `Type`.
    pub kind: String,
    /// Its editions (4.3).
    pub editions: Vec<Edition>,
    /// Its ISRCs.
    pub isrcs: Vec<IsrcValue>,
    /// Where the element starts.
    pub at: At,
}

/// A `Release` or `TrackRelease` of the `ReleaseList`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Release {
    /// `Release` or `TrackRelease`.
    pub element: &'static str,
    /// Its `ReleaseReference`.
    pub reference: String,
    /// Its `ReleaseType` (3.x `TrackRelease`, `Album`...).
    pub release_type: String,
    /// ISRCs in its `ReleaseId`.
    pub isrcs: Vec<IsrcValue>,
    /// Resources it refers to as primary (`ReleaseResourceReference`, unless
    /// `ReleaseResourceType="SecondaryResource"`).
    pub primary: Vec<String>,
    /// Resources it refers to as secondary.
    pub secondary: Vec<String>,
    /// Where the element starts.
    pub at: At,
}

/// What one ERN message says about its resources and releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The root element's local name (`NewReleaseMessage`).
    pub root: String,
    /// The version its namespace names.
    pub version: ErnVersion,
    /// The sound recordings and videos.
    pub resources: Vec<Resource>,
    /// The releases.
    pub releases: Vec<Release>,
}

/// Why a document is not a readable ERN message: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Line, from 1.
    pub line: u64,
    /// Column in bytes, from 1.
    pub column: u64,
    /// What, for a person.
    pub message: String,
}
