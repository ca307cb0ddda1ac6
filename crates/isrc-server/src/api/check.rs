//! `POST /api/v1/check`: a catalogue file in, the `isrc check` JSON report (or the annotated
//! CSV) out.

use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use isrc::Policy;
use isrc_check::{AnnotateWriter, Checker, Options, RecordSink};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult, Query};
use crate::state::AppState;

/// How to read the file and what to answer.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CheckQuery {
    /// The file name, for format detection from its extension (`catalogue.csv`,
    /// `list.jsonl.gz`); a multipart upload's file name is used when present.
    pub name: Option<String>,
    /// `json` (default): the summary report; `csv`: the file with annotation columns
    /// (isrc_normalized, isrc_valid, isrc_findings, isrc_fix, duplicate_of).
    pub output: Option<String>,
}

/// Checks a catalogue file (raw body, or multipart with a `file` field): every record, duplicates,
/// conflicts, systemic errors by registrant. Formats: plain lists, CSV/TSV, JSON Lines, xlsx,
/// gzip of these.
#[utoipa::path(post, path = "/api/v1/check", tag = "public", params(CheckQuery),
    request_body(content = String, description = "The file (raw) or multipart/form-data with a `file` field",
        content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "The `isrc check` JSON summary, or text/csv with output=csv"),
        (status = 413, description = "Body too large (anonymous callers have a smaller cap; for check also: unpacks to too many bytes or records)", body = crate::error::ErrorBody),
        (status = 503, description = "Busy: the bytes in flight of large requests are at the server's budget; retry after Retry-After seconds", body = crate::error::ErrorBody),
        (status = 422, description = "The file cannot be read as a catalogue", body = crate::error::ErrorBody),
    ))]
pub async fn check(
    State(state): State<AppState>,
    Query(query): Query<CheckQuery>,
    request: Request,
) -> ApiResult<Response> {
    let anonymous = request
        .extensions()
        .get::<crate::budget::Anonymous>()
        .is_some();
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    let (name, data) = if is_multipart {
        let mut multipart = Multipart::from_request(request, &state).await?;
        let mut found = None;
        while let Some(field) = multipart.next_field().await? {
            if field.name() == Some("file") {
                let name = field.file_name().map(str::to_string);
                found = Some((name, field.bytes().await?));
                break;
            }
        }
        let (name, data) = found.ok_or_else(|| {
            ApiError::bad_request("invalid_multipart", "the upload has no `file` field")
        })?;
        (query.name.clone().or(name), data)
    } else {
        let data = Bytes::from_request(request, &state).await?;
        (query.name.clone(), data)
    };
    let name = name.unwrap_or_else(|| "upload".into());
    let annotate = match query.output.as_deref().unwrap_or("json") {
        "json" => false,
        "csv" => true,
        other => {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("output {other:?}: use json or csv"),
            ));
        }
    };
    let prefixes = state.prefixes.clone();
    let today = state.today();
    let caps = Caps::for_caller(&state.config.limits, anonymous);
    // The checker reads blocking and is CPU-bound: the low-priority workers run it.
    state
        .workers
        .run(move || {
            let policy = Policy::new(today).with_prefixes(&prefixes);
            let mut checker = Checker::new(policy, Options::default());
            if annotate {
                let mut writer = AnnotateWriter::new(Vec::new());
                let sink: &mut dyn RecordSink = &mut writer;
                check_capped(&mut checker, &name, data, caps, Some(sink))?;
                records_within(checker.finish().records, caps)?;
                let csv = writer.into_inner().map_err(ApiError::internal)?;
                Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
            } else {
                check_capped(&mut checker, &name, data, caps, None)?;
                let summary = checker.finish();
                records_within(summary.records, caps)?;
                Ok(axum::Json(summary).into_response())
            }
        })
        .await?
}

/// The caps of an anonymous check: bytes after decompression, and lines (records).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caps {
    bytes: u64,
    records: u64,
}

impl Caps {
    /// The server's caps for an anonymous caller; none for a signed-in one.
    pub(crate) fn for_caller(limits: &crate::config::Limits, anonymous: bool) -> Option<Caps> {
        anonymous.then_some(Caps {
            bytes: limits.check_decompressed_bytes,
            records: limits.check_records,
        })
    }
}

/// Checks `data` as the input `name` within `caps` (the API and the check page alike): 413
/// when the upload unpacks past the byte cap or holds more lines than the record cap, 422 when
/// it cannot be read.
pub(crate) fn check_capped(
    checker: &mut Checker<'_>,
    name: &str,
    data: Bytes,
    caps: Option<Caps>,
    sink: Option<&mut dyn RecordSink>,
) -> ApiResult<()> {
    let hit = Arc::new(Mutex::new(None));
    let reader = capped_reader(data, caps, hit.clone())?;
    checker.check_reader(name, reader, sink).map_err(|error| {
        match *hit.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(cap) => over_cap(cap, caps),
            None => unreadable(error),
        }
    })
}

/// A workbook's records are rows, not lines: counted once the sheet is read (its unpacked
/// size, checked before, bounds the work).
pub(crate) fn records_within(records: u64, caps: Option<Caps>) -> ApiResult<()> {
    match caps {
        Some(caps) if records > caps.records => Err(over_cap(Cap::Records, Some(caps))),
        _ => Ok(()),
    }
}

/// Which cap a request ran into.
#[derive(Debug, Clone, Copy)]
enum Cap {
    Bytes,
    Records,
}

fn over_cap(cap: Cap, caps: Option<Caps>) -> ApiError {
    let caps = caps.unwrap_or(Caps {
        bytes: 0,
        records: 0,
    });
    let (code, message) = match cap {
        Cap::Bytes => (
            "decompressed_too_large",
            format!(
                "the catalogue unpacks to more than {} bytes, the most an anonymous check may read; split it, or send an API token",
                caps.bytes
            ),
        ),
        Cap::Records => (
            "too_many_records",
            format!(
                "the catalogue holds more than {} records (lines), the most an anonymous check may read; split it, or send an API token",
                caps.records
            ),
        ),
    };
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, code, message)
}

/// The body as the checker will read it: gzip layers undone here (so that the caps count the
/// unpacked bytes, however many layers), then the caps, when there are any. A zip (xlsx) is
/// measured here, before the checker unpacks it whole in memory.
fn capped_reader(
    data: Bytes,
    caps: Option<Caps>,
    hit: Arc<Mutex<Option<Cap>>>,
) -> ApiResult<Box<dyn Read + Send>> {
    let Some(caps) = caps else {
        return Ok(Box::new(std::io::Cursor::new(data)));
    };
    let mut reader: Box<dyn BufRead + Send> = Box::new(std::io::Cursor::new(data));
    for _ in 0..4 {
        if !reader
            .fill_buf()
            .map_err(unreadable_io)?
            .starts_with(&[0x1f, 0x8b])
        {
            break;
        }
        let inner = flate2::read::MultiGzDecoder::new(reader);
        reader = Box::new(BufReader::new(Capped {
            inner,
            bytes_left: caps.bytes,
            lines_left: u64::MAX,
            hit: hit.clone(),
        }));
    }
    if reader
        .fill_buf()
        .map_err(unreadable_io)?
        .starts_with(b"PK\x03\x04")
    {
        let mut zip = Vec::new();
        reader.read_to_end(&mut zip).map_err(|e| {
            match *hit.lock().unwrap_or_else(|e| e.into_inner()) {
                Some(cap) => over_cap(cap, Some(caps)),
                None => unreadable_io(e),
            }
        })?;
        check_zip_size(&zip, caps.bytes)?;
        return Ok(Box::new(std::io::Cursor::new(zip)));
    }
    Ok(Box::new(Capped {
        inner: reader,
        bytes_left: caps.bytes,
        // One more line than records: the header row.
        lines_left: caps.records.saturating_add(1),
        hit,
    }))
}

/// Refuses a zip (xlsx) that unpacks to more than `cap` bytes: first by the sizes its central
/// directory declares, then, since those can lie, by unpacking every entry (into nothing)
/// through a reader that stops one byte past what the entry declared or the cap leaves.
fn check_zip_size(zip: &[u8], cap: u64) -> ApiResult<()> {
    let too_large = || {
        over_cap(
            Cap::Bytes,
            Some(Caps {
                bytes: cap,
                records: 0,
            }),
        )
    };
    let unreadable_zip = |e: &dyn std::fmt::Display| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_catalogue",
            format!("not a readable xlsx workbook: {e}"),
        )
    };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|e| unreadable_zip(&e))?;
    let mut declared = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| unreadable_zip(&e))?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > cap {
        return Err(too_large());
    }
    let mut left = cap;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| unreadable_zip(&e))?;
        let size = entry.size();
        let mut limited = entry.take(size.min(left) + 1);
        let unpacked =
            std::io::copy(&mut limited, &mut std::io::sink()).map_err(|e| unreadable_zip(&e))?;
        if unpacked > size {
            return Err(too_large());
        }
        left = left.checked_sub(unpacked).ok_or_else(too_large)?;
    }
    Ok(())
}

/// A reader that fails once it has given more bytes or lines than allowed, and says which.
struct Capped<R> {
    inner: R,
    bytes_left: u64,
    lines_left: u64,
    hit: Arc<Mutex<Option<Cap>>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let over = if n as u64 > self.bytes_left {
            Some(Cap::Bytes)
        } else {
            let lines = buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            match self.lines_left.checked_sub(lines) {
                Some(left) => {
                    self.lines_left = left;
                    None
                }
                None => Some(Cap::Records),
            }
        };
        if let Some(cap) = over {
            let mut hit = self.hit.lock().unwrap_or_else(|e| e.into_inner());
            hit.get_or_insert(cap);
            return Err(std::io::Error::other("over the anonymous check's cap"));
        }
        self.bytes_left -= n as u64;
        Ok(n)
    }
}

fn unreadable_io(error: std::io::Error) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "unreadable_catalogue",
        format!("cannot read the upload (corrupt gzip data?): {error}"),
    )
}

fn unreadable(error: isrc_check::CheckError) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "unreadable_catalogue",
        error.to_string(),
    )
}
