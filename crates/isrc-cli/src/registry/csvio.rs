//! Reading recordings from CSV (for `allocate --from-csv` and `import`), with file:line:column
//! in every error.
//!
//! Columns (header row required, names case-insensitive, any order): `title`, `artist`
//! (required), `version`, `duration` (M:SS or seconds), `type` (audio|video), `published`
//! (YYYY-MM-DD), `language`, `recording_year`, `iswc`, `notes`, `client`; for import also
//! `isrc` (required) and `status` (active|void).

use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use isrc::{Isrc, Policy};
use isrc_registry::{RecordingInput, Status};

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

/// A CSV file read whole: headers, and each record with its line number.
pub struct Table {
    /// The file name, for messages.
    pub name: String,
    /// The header row as written.
    pub headers: csv::StringRecord,
    columns: Vec<Option<&'static str>>,
    /// Records with their 1-based line numbers.
    pub rows: Vec<(u64, csv::StringRecord)>,
}

fn normalize(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
}

/// Reads and checks the structure of a CSV file (header names, equal field counts, UTF-8).
pub fn read(path: &Path, allow_isrc: bool) -> Result<Table> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(std::io::BufReader::new(file));
    let headers = reader.headers().map_err(|e| csv_error(&name, &e))?.clone();
    let mut columns = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let n = normalize(h);
        match KNOWN.iter().find(|k| **k == n) {
            Some(&"isrc") | Some(&"status") if !allow_isrc => bail!(
                "{name}:1:{}: column {h:?} is for `isrc import`; allocation hands out the codes itself",
                i + 1
            ),
            Some(k) => {
                if columns.contains(&Some(*k)) {
                    bail!("{name}:1:{}: column {h:?} appears twice", i + 1);
                }
                columns.push(Some(*k))
            }
            None => bail!(
                "{name}:1:{}: unknown column {h:?}; known columns: {}",
                i + 1,
                KNOWN
                    .iter()
                    .filter(|k| allow_isrc || !matches!(**k, "isrc" | "status"))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    for required in ["title", "artist"]
        .into_iter()
        .chain(allow_isrc.then_some("isrc"))
    {
        if !columns.contains(&Some(required)) {
            bail!("{name}:1: the header row has no {required:?} column");
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
        bail!("{name}: no records after the header row");
    }
    Ok(Table {
        name,
        headers,
        columns,
        rows,
    })
}

fn csv_error(name: &str, error: &csv::Error) -> anyhow::Error {
    let at = error
        .position()
        .map(|p| format!("{name}:{}", p.line()))
        .unwrap_or_else(|| name.to_string());
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => anyhow!(
            "{at}: broken CSV: this record has {len} fields, the header has {expected_len} (quote fields that contain commas)"
        ),
        csv::ErrorKind::Utf8 { .. } => {
            anyhow!("{at}: broken CSV: not valid UTF-8 (save the file as UTF-8)")
        }
        _ => anyhow!("{at}: broken CSV: {error}"),
    }
}

/// One parsed record.
pub struct Parsed {
    /// The code, for imports.
    pub isrc: Option<Isrc>,
    /// The metadata.
    pub meta: RecordingInput,
    /// Active or void, for imports.
    pub status: Status,
}

impl Table {
    /// Parses record `index`; errors name file:line:column.
    pub fn parse(&self, index: usize, policy: &Policy<'_>) -> Result<Parsed> {
        let (line, record) = &self.rows[index];
        let mut parsed = Parsed {
            isrc: None,
            meta: RecordingInput::default(),
            status: Status::Active,
        };
        for (i, (column, value)) in self.columns.iter().zip(record.iter()).enumerate() {
            let Some(column) = column else { continue };
            let at = || format!("{}:{line}:{}", self.name, i + 1);
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
                        bail!("{}: isrc {v:?} is not a valid ISRC: {why}", at());
                    };
                    parsed.isrc = Some(code);
                }
                "title" => m.title = v.to_string(),
                "artist" => m.artist = v.to_string(),
                "version" => m.version = v.to_string(),
                "duration" => {
                    m.duration_ms = match opt() {
                        Some(d) => Some(
                            isrc_registry::parse_duration(&d)
                                .map_err(|e| anyhow!("{}: {e}", at()))?,
                        ),
                        None => None,
                    }
                }
                "type" => m.content_type = v.parse().map_err(|e| anyhow!("{}: {e}", at()))?,
                "published" => {
                    m.published = match opt() {
                        Some(d) => Some(
                            isrc_registry::parse_date("published", &d)
                                .map_err(|e| anyhow!("{}: {e}", at()))?,
                        ),
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
                                    anyhow!(
                                        "{}: recording_year {y:?} is not a year (e.g. 2024)",
                                        at()
                                    )
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
                        other => bail!("{}: status {other:?}: use active or void", at()),
                    }
                }
                _ => {}
            }
        }
        parsed
            .meta
            .validate()
            .map_err(|e| anyhow!("{}:{line}: {e}", self.name))?;
        Ok(parsed)
    }

    /// `file.csv:LINE` of record `index`.
    pub fn label(&self, index: usize) -> String {
        format!("{}:{}", self.name, self.rows[index].0)
    }
}
