//! `POST /api/v1/check`: a catalogue file in, the `isrc check` JSON report (or the annotated
//! CSV) out.

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
        (status = 413, description = "Body too large", body = crate::error::ErrorBody),
        (status = 422, description = "The file cannot be read as a catalogue", body = crate::error::ErrorBody),
    ))]
pub async fn check(
    State(state): State<AppState>,
    Query(query): Query<CheckQuery>,
    request: Request,
) -> ApiResult<Response> {
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
    // The checker uses the rayon pool and blocking reads: keep it off the async threads.
    tokio::task::spawn_blocking(move || {
        let policy = Policy::new(today).with_prefixes(&prefixes);
        let mut checker = Checker::new(policy, Options::default());
        let reader = std::io::Cursor::new(data);
        if annotate {
            let mut writer = AnnotateWriter::new(Vec::new());
            let sink: &mut dyn RecordSink = &mut writer;
            checker
                .check_reader(&name, reader, Some(sink))
                .map_err(unreadable)?;
            let csv = writer.into_inner().map_err(ApiError::internal)?;
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
        } else {
            checker
                .check_reader(&name, reader, None)
                .map_err(unreadable)?;
            Ok(axum::Json(checker.finish()).into_response())
        }
    })
    .await
    .map_err(ApiError::internal)?
}

fn unreadable(error: isrc_check::CheckError) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "unreadable_catalogue",
        error.to_string(),
    )
}
