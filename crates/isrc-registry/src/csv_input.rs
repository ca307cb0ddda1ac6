//! Recordings read from CSV (for `isrc allocate --from-csv`, `isrc import` and the web
//! portal's bulk allocation), with `file:line:column` in every error.
//!
//! Columns (header row required, names case-insensitive, any order): `title`, `artist`
//! (required), `version`, `duration` (M:SS or seconds), `type` (audio|video), `published`
//! (YYYY-MM-DD), `language`, `recording_year`, `iswc`, `notes`, `client`; for import also
//! `isrc` (required) and `status` (active|void).
//!
//! ```
//! use isrc_registry::csv_input::RecordingTable;
//! let csv = "title,artist,duration\nSong,Band,3:25\nOther,Band,3:7\n";
//! let table = RecordingTable::read("new.csv", csv.as_bytes(), false)?;
//! let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
//! assert_eq!(table.parse(0, &policy)?.meta.duration_ms, Some(205_000));
//! let error = table.parse(1, &policy).unwrap_err().to_string();
//! assert!(error.contains("new.csv:3:3"), "{error}");
//! # Ok::<(), isrc_registry::Error>(())
//! ```

use std::io::Read;

use isrc::{Isrc, Policy};

use crate::error::{Error, Result};
use crate::model::{ImportRecord, RecordingInput, Status};

const KNOWN: &[&str] = &[
    "isrc",
    "title",
    "artist",
    "version",
    "duration",
    "type",
    "published",
    "language",
    "recording_year",
    "iswc",
    "notes",
    "client",
    "status",
];

/// The field name of every error of this module (`invalid CSV: file.csv:3:2: ...`).
const FIELD: &str = "CSV";

fn fail(message: String) -> Error {
    Error::invalid(FIELD, message)
}

/// A CSV file read whole: headers, and each record with its line number.
pub struct RecordingTable {
    /// The file name, for messages.
    pub name: String,
    /// The header row as written.
    pub headers: csv::StringRecord,
    columns: Vec<Option<&'static str>>,
    /// Records with their 1-based line numbers.
    pub rows: Vec<(u64, csv::StringRecord)>,
}

/// One parsed record.
#[derive(Debug, Clone)]
pub struct ParsedRecording {
    /// The code, for imports.
    pub isrc: Option<Isrc>,
    /// The metadata.
    pub meta: RecordingInput,
    /// Active or void, for imports.
    pub status: Status,
}

fn normalize(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
}

impl RecordingTable {
    /// Reads and checks the structure of a CSV input named `name` (header names, equal field
    /// counts, UTF-8). `allow_isrc` admits the `isrc` and `status` columns (imports).
    pub fn read(name: &str, input: impl Read, allow_isrc: bool) -> Result<RecordingTable> {
        let name = name.to_string();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(std::io::BufReader::new(input));
        let headers = reader.headers().map_err(|e| csv_error(&name, &e))?.clone();
        let mut columns = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let n = normalize(h);
            match KNOWN.iter().find(|k| **k == n) {
                Some(&"isrc") | Some(&"status") if !allow_isrc => {
                    return Err(fail(format!(
                        "{name}:1:{}: column {h:?} is for `isrc import`; allocation hands out the codes itself",
                        i + 1
                    )));
                }
                Some(k) => {
                    if columns.contains(&Some(*k)) {
                        return Err(fail(format!(
                            "{name}:1:{}: column {h:?} appears twice",
                            i + 1
                        )));
                    }
                    columns.push(Some(*k))
                }
                None => {
                    return Err(fail(format!(
                        "{name}:1:{}: unknown column {h:?}; known columns: {}",
                        i + 1,
                        KNOWN
                            .iter()
                            .filter(|k| allow_isrc || !matches!(**k, "isrc" | "status"))
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
        for required in ["title", "artist"]
            .into_iter()
            .chain(allow_isrc.then_some("isrc"))
        {
            if !columns.contains(&Some(required)) {
                return Err(fail(format!(
                    "{name}:1: the header row has no {required:?} column"
                )));
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(&name, &e))?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            rows.push((line, record));
        }
        if rows.is_empty() {
            return Err(fail(format!("{name}: no records after the header row")));
        }
        Ok(RecordingTable {
            name,
            headers,
            columns,
            rows,
        })
    }

    /// Parses record `index`; errors name file:line:column.
    pub fn parse(&self, index: usize, policy: &Policy<'_>) -> Result<ParsedRecording> {
        let (line, record) = &self.rows[index];
        let mut parsed = ParsedRecording {
            isrc: None,
            meta: RecordingInput::default(),
            status: Status::Active,
        };
        for (i, (column, value)) in self.columns.iter().zip(record.iter()).enumerate() {
            let Some(column) = column else { continue };
            let at = || format!("{}:{line}:{}", self.name, i + 1);
            let located = |e: Error| fail(format!("{}: {}", at(), message_of(e)));
            let v = value.trim();
            let opt = || (!v.is_empty()).then(|| v.to_string());
            let m = &mut parsed.meta;
            match *column {
                "isrc" => {
                    let report = isrc::check(v, policy);
                    let Some(code) = report.isrc.filter(|_| report.is_valid()) else {
                        let why = report
                            .findings
                            .iter()
                            .map(|f| f.message.clone())
                            .collect::<Vec<_>>()
                            .join("; ");
                        return Err(fail(format!(
                            "{}: isrc {v:?} is not a valid ISRC: {why}",
                            at()
                        )));
                    };
                    parsed.isrc = Some(code);
                }
                "title" => m.title = v.to_string(),
                "artist" => m.artist = v.to_string(),
                "version" => m.version = v.to_string(),
                "duration" => {
                    m.duration_ms = match opt() {
                        Some(d) => Some(crate::model::parse_duration(&d).map_err(located)?),
                        None => None,
                    }
                }
                "type" => m.content_type = v.parse().map_err(located)?,
                "published" => {
                    m.published = match opt() {
                        Some(d) => {
                            Some(crate::model::parse_date("published", &d).map_err(located)?)
                        }
                        None => None,
                    }
                }
                "language" => m.language = opt(),
                "recording_year" => {
                    m.recording_year = match opt() {
                        Some(y) => Some(
                            y.parse()
                                .ok()
                                .filter(|y| (1850..=2999).contains(y))
                                .ok_or_else(|| {
                                    fail(format!(
                                        "{}: recording_year {y:?} is not a year (e.g. 2024)",
                                        at()
                                    ))
                                })?,
                        ),
                        None => None,
                    }
                }
                "iswc" => m.iswc = opt(),
                "notes" => m.notes = opt(),
                "client" => m.client = opt(),
                "status" => {
                    parsed.status = match v.to_ascii_lowercase().as_str() {
                        "" | "active" => Status::Active,
                        "void" => Status::Void,
                        other => {
                            return Err(fail(format!(
                                "{}: status {other:?}: use active or void",
                                at()
                            )));
                        }
                    }
                }
                _ => {}
            }
        }
        parsed
            .meta
            .validate()
            .map_err(|e| fail(format!("{}:{line}: {e}", self.name)))?;
        Ok(parsed)
    }

    /// Every record as a code to import (for `isrc import` and the server's imports alike):
    /// the first record that cannot be read, or has no code, is the error.
    pub fn import_records(&self, policy: &Policy<'_>) -> Result<Vec<ImportRecord>> {
        (0..self.rows.len())
            .map(|i| {
                let parsed = self.parse(i, policy)?;
                let Some(isrc) = parsed.isrc else {
                    return Err(Error::Invalid {
                        field: FIELD.into(),
                        message: format!("{}: the isrc field is empty", self.label(i)),
                    });
                };
                Ok(ImportRecord {
                    isrc,
                    meta: parsed.meta,
                    status: parsed.status,
                    label: self.label(i),
                })
            })
            .collect()
    }

    /// `file.csv:LINE` of record `index`.
    pub fn label(&self, index: usize) -> String {
        format!("{}:{}", self.name, self.rows[index].0)
    }
}

/// The message of an error without the `invalid FIELD:` head, for errors that get a location
/// in front instead; other errors as displayed.
pub fn message_of(error: Error) -> String {
    match error {
        Error::Invalid { field, message } if field == FIELD => message,
        other => other.to_string(),
    }
}

fn csv_error(name: &str, error: &csv::Error) -> Error {
    let at = error
        .position()
        .map(|p| format!("{name}:{}", p.line()))
        .unwrap_or_else(|| name.to_string());
    fail(match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "{at}: broken CSV: this record has {len} fields, the header has {expected_len} (quote fields that contain commas)"
        ),
        csv::ErrorKind::Utf8 { .. } => {
            format!("{at}: broken CSV: not valid UTF-8 (save the file as UTF-8)")
        }
        _ => format!("{at}: broken CSV: {error}"),
    })
}
