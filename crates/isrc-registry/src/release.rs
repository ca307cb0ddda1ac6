//! Releases (issue 15): an album, EP or single, identified by its UPC/EAN barcode, with the
//! registrant's ISRCs in track order, exported per distributor profile and as a DDEX ERN 4.3
//! `NewReleaseMessage` ([`crate::ern_message`]).

use isrc::Isrc;
use isrc::code::PrefixCode;
use serde::Serialize;

use crate::contributor::Contributor;
use crate::error::{Error, Result};
use crate::export::ExportProfile;
use crate::model::Recording;

/// A release's barcode: a UPC-A (12 digits) or an EAN-13 (13 digits), check digit verified.
/// Both are GTINs; [`Upc::gtin`] writes either with 13 digits (a UPC-A with a leading 0), which
/// is how the ledger tells two spellings of one barcode apart from two barcodes.
///
/// ```
/// use isrc_registry::Upc;
/// let upc: Upc = "036000291452".parse().unwrap();
/// assert_eq!(upc.gtin(), "0036000291452");
/// assert_eq!(upc.to_string(), "036000291452");
/// assert_eq!("0036000291452".parse::<Upc>().unwrap(), upc);
/// assert!("036000291453".parse::<Upc>().unwrap_err().to_string().contains("check digit"));
/// assert!("4006381333931".parse::<Upc>().is_ok());
/// ```
#[derive(Debug, Clone, Eq)]
pub struct Upc {
    digits: String,
}

impl PartialEq for Upc {
    fn eq(&self, other: &Upc) -> bool {
        self.gtin() == other.gtin()
    }
}

impl Upc {
    /// The 13-digit GTIN (EAN-13) of this barcode.
    pub fn gtin(&self) -> String {
        format!("{:0>13}", self.digits)
    }

    /// The digits as given (12 for a UPC-A, 13 for an EAN-13).
    pub fn as_str(&self) -> &str {
        &self.digits
    }
}

impl std::fmt::Display for Upc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.digits)
    }
}

impl Serialize for Upc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.digits)
    }
}

/// The GS1 check digit of `body` (the digits before it): weights 3 and 1 from the right.
fn gtin_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl std::str::FromStr for Upc {
    type Err = Error;

    fn from_str(text: &str) -> Result<Upc> {
        let digits: String = text
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 12 | 13) {
            return Err(Error::invalid(
                "upc",
                format!(
                    "{text:?} is not a UPC or EAN: give the 12 digits of a UPC-A or the 13 of an EAN-13, such as 036000291452"
                ),
            ));
        }
        let bytes = digits.as_bytes();
        let (body, last) = bytes.split_at(bytes.len() - 1);
        let want = gtin_check_digit(body);
        if last[0] - b'0' != want {
            return Err(Error::invalid(
                "upc",
                format!(
                    "{text:?}: the check digit is {}, but the other digits give {want}; look for a mistyped digit",
                    last[0] as char
                ),
            ));
        }
        Ok(Upc { digits })
    }
}

/// What a release is made of, as a caller gives it (to add one, or to replace one by an edit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseInput {
    /// Its barcode.
    pub upc: Upc,
    /// The release title.
    pub title: String,
    /// The release's display artist; empty means the first track's artist.
    pub artist: String,
    /// The record label.
    pub label: String,
    /// The ℗ line (`2026 Les Disques XYZ`), without the ℗ sign.
    pub p_line: String,
    /// The release date.
    #[serde(serialize_with = "crate::model::serialize_date")]
    pub release_date: Option<isrc::policy::Date>,
    /// The tracks, in order: ISRCs of the release's registrant, each once.
    pub tracks: Vec<Isrc>,
    /// Who made it, in which role, on the whole release or on one track.
    pub contributors: Vec<Contributor>,
}

/// At most this many tracks on a release.
pub const MAX_RELEASE_TRACKS: usize = 999;

impl ReleaseInput {
    /// Checks what needs no database: a title, text without control characters and at most
    /// 1000 bytes, one to [`MAX_RELEASE_TRACKS`] tracks, no ISRC twice.
    pub fn validate(&self) -> Result<()> {
        if self.title.trim().is_empty() {
            return Err(Error::invalid("title", "the release title is empty"));
        }
        for (field, value) in [
            ("title", &self.title),
            ("artist", &self.artist),
            ("label", &self.label),
            ("p_line", &self.p_line),
        ] {
            if value.len() > 1000 {
                return Err(Error::invalid(field, "longer than 1000 bytes"));
            }
            crate::text::refuse_control_characters(field, value)?;
        }
        if self.tracks.is_empty() {
            return Err(Error::invalid(
                "tracks",
                "a release lists at least one ISRC (its tracks, in order)",
            ));
        }
        if self.tracks.len() > MAX_RELEASE_TRACKS {
            return Err(Error::invalid(
                "tracks",
                format!("at most {MAX_RELEASE_TRACKS} tracks"),
            ));
        }
        for (i, isrc) in self.tracks.iter().enumerate() {
            if let Some(first) = self.tracks[..i].iter().position(|t| t == isrc) {
                return Err(Error::invalid(
                    "tracks",
                    format!(
                        "{isrc} is track {} and track {}: a recording is on a release once",
                        first + 1,
                        i + 1
                    ),
                ));
            }
        }
        crate::contributor::validate_contributors(&self.contributors, self.tracks.len())
    }

    /// The contributors credited on track `position` (1-based): those of the whole release,
    /// then that track's own.
    pub fn track_contributors(&self, position: u32) -> impl Iterator<Item = &Contributor> {
        let whole = self.contributors.iter().filter(|c| c.track.is_none());
        let own = self
            .contributors
            .iter()
            .filter(move |c| c.track == Some(position));
        whole.chain(own)
    }
}

/// A release in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    /// The registrant it belongs to.
    pub prefix: PrefixCode,
    /// What it is made of.
    #[serde(flatten)]
    pub input: ReleaseInput,
    /// When it was added (UTC, RFC 3339).
    pub created_at: String,
    /// When it was last edited.
    pub updated_at: String,
}

/// One page of releases ([`crate::page`]).
pub type ReleasePage = crate::page::Page<Release>;

/// The release columns that come before a profile's columns in a release export.
/// `contributors` lists those credited on the row's track (the whole release's, then the
/// track's own) as `Name:Role` separated by `; `.
pub const RELEASE_EXPORT_COLUMNS: [&str; 7] = [
    "upc",
    "release_title",
    "label",
    "p_line",
    "release_date",
    "contributors",
    "track",
];

/// A release export in a distributor profile: the header (the release's columns, then the
/// profile's) and one row per track, in track order, each the [`ExportProfile::row`] of its
/// recording. `recordings` are the tracks' recordings, in track order.
pub fn release_rows(
    profile: ExportProfile,
    release: &Release,
    recordings: &[Recording],
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let mut header: Vec<&'static str> = RELEASE_EXPORT_COLUMNS.to_vec();
    header.extend_from_slice(profile.columns());
    let r = &release.input;
    let rows = recordings
        .iter()
        .enumerate()
        .map(|(i, recording)| {
            let mut row = vec![
                r.upc.to_string(),
                r.title.clone(),
                r.label.clone(),
                r.p_line.clone(),
                r.release_date.map(|d| d.to_string()).unwrap_or_default(),
                r.track_contributors(i as u32 + 1)
                    .map(|c| format!("{}:{}", c.name, c.role))
                    .collect::<Vec<_>>()
                    .join("; "),
                (i + 1).to_string(),
            ];
            row.extend(profile.row(recording));
            row
        })
        .collect();
    (header, rows)
}

/// A release export as CSV bytes (the csv crate's defaults, as `isrc export`), each cell made
/// safe for spreadsheets by [`csv_row`](crate::csv_row).
pub fn release_csv(
    profile: ExportProfile,
    release: &Release,
    recordings: &[Recording],
) -> Result<Vec<u8>> {
    let (header, rows) = release_rows(profile, release, recordings);
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| Error::invalid("export", e.to_string());
    out.write_record(&header).map_err(csv_error)?;
    for row in rows {
        out.write_record(crate::text::csv_row(row))
            .map_err(csv_error)?;
    }
    out.into_inner()
        .map_err(|e| Error::invalid("export", e.to_string()))
}
