//! The columns of the exports: one definition for `isrc export` and the server's
//! `/api/v1/export`, so that a distributor gets the same file from either.

use crate::model::{ListingEntry, Recording, format_duration};

/// Which recordings an export holds and in which columns.
///
/// ```
/// use isrc_registry::ExportProfile;
///
/// assert_eq!(ExportProfile::Repertoire.columns()[0], "isrc");
/// assert!(ExportProfile::Distributor.includes_void());
/// assert!(!ExportProfile::Repertoire.includes_void());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportProfile {
    /// The IFPI reference metadata of every code, void ones included (with their status), for
    /// distributors.
    Distributor,
    /// A collecting society's repertoire declaration: active codes only.
    Repertoire,
}

impl ExportProfile {
    /// The column names, in order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ExportProfile::Distributor => &DISTRIBUTOR_COLUMNS,
            ExportProfile::Repertoire => &REPERTOIRE_COLUMNS,
        }
    }

    /// Whether void codes are exported (with their status).
    pub fn includes_void(self) -> bool {
        matches!(self, ExportProfile::Distributor)
    }

    /// A recording's values, in the order of [`ExportProfile::columns`]. Missing values are
    /// empty strings; durations are [`format_duration`]'s `m:ss[.mmm]` and whole seconds
    /// (rounded half up).
    pub fn row(self, r: &Recording) -> Vec<String> {
        let m = &r.meta;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let published = m.published.map(|d| d.to_string()).unwrap_or_default();
        match self {
            ExportProfile::Distributor => vec![
                r.isrc.to_string(),
                m.artist.clone(),
                m.title.clone(),
                m.version.clone(),
                m.duration_ms.map(format_duration).unwrap_or_default(),
                seconds(m.duration_ms),
                m.content_type.to_string(),
                published,
                text(&m.client),
                m.parent.map(|p| p.to_string()).unwrap_or_default(),
                text(&m.change),
                r.status.as_str().to_string(),
            ],
            ExportProfile::Repertoire => vec![
                r.isrc.to_string(),
                m.title.clone(),
                m.version.clone(),
                m.artist.clone(),
                seconds(m.duration_ms),
                m.recording_year.map(|y| y.to_string()).unwrap_or_default(),
                published,
                text(&m.language),
                text(&m.iswc),
                m.content_type.to_string(),
            ],
        }
    }
}

const DISTRIBUTOR_COLUMNS: [&str; 12] = [
    "isrc",
    "artist",
    "title",
    "version",
    "duration",
    "duration_seconds",
    "type",
    "published",
    "client",
    "parent",
    "change",
    "status",
];

const REPERTOIRE_COLUMNS: [&str; 10] = [
    "isrc",
    "title",
    "version",
    "artist",
    "duration_seconds",
    "recording_year",
    "published",
    "language",
    "iswc",
    "type",
];

/// The columns of the agency listings (ISO 3901: code, name, contact, address).
pub const LISTING_COLUMNS: [&str; 6] =
    ["prefix", "name", "contact", "address", "kind", "issued_at"];

/// A listing entry's values, in the order of [`LISTING_COLUMNS`].
pub fn listing_row(e: &ListingEntry) -> Vec<String> {
    vec![
        e.prefix.to_string(),
        e.name.clone(),
        e.contact.clone(),
        e.address.clone(),
        e.kind.to_string(),
        e.issued_at.clone(),
    ]
}

/// The columns holding a whole number, or nothing: `duration_seconds` and `recording_year`.
pub const NUMERIC_COLUMNS: [&str; 2] = ["duration_seconds", "recording_year"];

/// A row as a JSON object keyed by `columns`: the [`NUMERIC_COLUMNS`] as numbers (`null` when
/// empty), everything else as the same text as in the CSV, so that a program reading the JSON
/// need not parse numbers out of strings while the CSV stays as it is.
///
/// ```
/// use isrc_registry::{ExportProfile, json_row};
///
/// let columns = ExportProfile::Repertoire.columns();
/// let mut row = vec![String::new(); columns.len()];
/// row[0] = "CBXYZ2600001".into();
/// row[4] = "186".into(); // duration_seconds; recording_year stays empty
/// let object = json_row(columns, row);
/// assert_eq!(object["isrc"], "CBXYZ2600001");
/// assert_eq!(object["duration_seconds"], 186);
/// assert!(object["recording_year"].is_null());
/// assert_eq!(object["language"], "");
/// ```
pub fn json_row(columns: &[&str], row: Vec<String>) -> serde_json::Map<String, serde_json::Value> {
    columns
        .iter()
        .zip(row)
        .map(|(&column, value)| {
            let json = if !NUMERIC_COLUMNS.contains(&column) {
                serde_json::Value::String(value)
            } else if value.is_empty() {
                serde_json::Value::Null
            } else {
                // The rows are built from integers, so the fallback to text never shows; it
                // keeps a value rather than dropping it should a column ever change.
                value
                    .parse::<u64>()
                    .map_or(serde_json::Value::String(value), serde_json::Value::from)
            };
            (column.to_string(), json)
        })
        .collect()
}

/// Whole seconds, rounded half up; empty when there is no duration.
fn seconds(ms: Option<u64>) -> String {
    ms.map(|m| ((m + 500) / 1000).to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An active recording "Song" by "Band" of 3:05.5, with `recording_year`.
    fn song(recording_year: Option<u16>) -> Recording {
        Recording {
            isrc: "CBXYZ2600001".parse().unwrap(),
            meta: crate::RecordingInput {
                title: "Song".into(),
                artist: "Band".into(),
                duration_ms: Some(185_500),
                recording_year,
                ..Default::default()
            },
            status: crate::Status::Active,
            void_reason: None,
            origin: "allocated".into(),
            created_at: "2026-11-22T00:00:00Z".into(),
        }
    }

    #[test]
    fn rows_match_their_columns() {
        let recording = song(None);
        for profile in [ExportProfile::Distributor, ExportProfile::Repertoire] {
            let row = profile.row(&recording);
            assert_eq!(row.len(), profile.columns().len());
            let value =
                |name: &str| &row[profile.columns().iter().position(|c| *c == name).unwrap()];
            assert_eq!(value("isrc"), "CBXYZ2600001");
            assert_eq!(value("title"), "Song");
            assert_eq!(value("artist"), "Band");
            assert_eq!(value("duration_seconds"), "186");
        }
        assert_eq!(ExportProfile::Distributor.row(&recording)[4], "3:05.500");
    }

    /// The README's table of each profile lists exactly its columns, in order.
    #[test]
    fn the_readme_documents_every_column() {
        let readme = include_str!("../README.md");
        for (heading, columns) in [
            ("### `distributor`", ExportProfile::Distributor.columns()),
            ("### `repertoire`", ExportProfile::Repertoire.columns()),
            ("### `agency-listing`", &LISTING_COLUMNS[..]),
        ] {
            let start = readme.find(heading).expect(heading);
            let documented: Vec<&str> = readme[start..]
                .lines()
                .skip(1)
                .skip_while(|l| !l.starts_with('|'))
                .take_while(|l| l.starts_with('|'))
                .skip(2)
                .filter_map(|l| l.split('|').nth(1))
                .map(|cell| cell.trim().trim_matches('`'))
                .collect();
            assert_eq!(documented, columns, "{heading}");
        }
    }

    #[test]
    fn json_rows_hold_numbers_where_the_csv_holds_digits() {
        let mut recording = song(Some(2019));
        for profile in [ExportProfile::Distributor, ExportProfile::Repertoire] {
            let object = json_row(profile.columns(), profile.row(&recording));
            assert_eq!(object.len(), profile.columns().len());
            assert_eq!(object["duration_seconds"], 186);
            assert_eq!(object["isrc"], "CBXYZ2600001");
            assert_eq!(object["published"], "");
        }
        let repertoire = ExportProfile::Repertoire;
        assert_eq!(
            json_row(repertoire.columns(), repertoire.row(&recording))["recording_year"],
            2019
        );
        recording.meta.duration_ms = None;
        recording.meta.recording_year = None;
        let object = json_row(repertoire.columns(), repertoire.row(&recording));
        assert!(object["duration_seconds"].is_null());
        assert!(object["recording_year"].is_null());
        // Every numeric column is a column of some profile, so none is misspelt.
        for column in NUMERIC_COLUMNS {
            assert!(
                [ExportProfile::Distributor, ExportProfile::Repertoire]
                    .iter()
                    .any(|p| p.columns().contains(&column))
            );
        }
    }
}
