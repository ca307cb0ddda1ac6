//! The public pages: the validator (home page), the catalogue check, the registrant-code
//! application form and the lookup of published recordings. None of them shows a
//! registrant's name or contact (IFPI Bulletin 2006/02).

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use isrc_check::{AnnotateWriter, Checker, Options, Summary};
use isrc_registry::{NewApplication, RegistrantKind};
use serde::Deserialize;

use super::forms::{self, FormToken};
use super::{Nav, page, page_with_status};
use crate::api::published::{PublicRecording, public_recording};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Form, Query};
use crate::state::AppState;

// ----- validator (the home page) -----

/// One finding of a code, for the validator's table.
#[derive(Debug)]
pub struct FindingRow {
    rule: &'static str,
    severity: String,
    message: String,
    fix: String,
}

/// One row of the validator's table.
#[derive(Debug)]
pub struct ReportRow {
    input: String,
    isrc: String,
    valid: bool,
    findings: Vec<FindingRow>,
    fix: String,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    nav: Nav,
    form_token: String,
    codes: String,
    rows: Vec<ReportRow>,
    truncated: bool,
}

#[derive(Debug, Deserialize)]
pub(super) struct IndexQuery {
    codes: Option<String>,
    csrf_token: Option<String>,
}

/// Most lines the validator page checks at once (the API takes more).
const PAGE_MAX_CODES: usize = 5_000;

/// The validator: any number of codes, one per line, each with its verdict, findings (rule
/// id, severity, message) and fix. `GET /?codes=...` makes links; the page's form posts, as a
/// long list does not fit in a URL.
pub(super) async fn index(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Query(query): Query<IndexQuery>,
) -> Response {
    validator(
        &state,
        caller.as_ref(),
        &headers,
        query.codes.unwrap_or_default(),
    )
}

/// The validator's form post.
pub(super) async fn index_submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Form(form): Form<IndexQuery>,
) -> ApiResult<Response> {
    forms::check(caller.as_ref(), &headers, form.csrf_token.as_deref())?;
    Ok(validator(
        &state,
        caller.as_ref(),
        &headers,
        form.codes.unwrap_or_default(),
    ))
}

fn validator(
    state: &AppState,
    caller: Option<&Caller>,
    headers: &HeaderMap,
    codes: String,
) -> Response {
    let token = FormToken::issue(state, caller, headers);
    let policy = state.policy();
    let lines: Vec<&str> = codes.lines().filter(|l| !l.trim().is_empty()).collect();
    let rows = lines
        .iter()
        .take(PAGE_MAX_CODES)
        .map(|line| {
            let report = isrc::check(line, &policy);
            ReportRow {
                input: line.to_string(),
                isrc: report.isrc.map(|i| i.to_string()).unwrap_or_default(),
                valid: report.is_valid(),
                findings: report
                    .findings
                    .iter()
                    .map(|f| FindingRow {
                        rule: f.rule.id(),
                        severity: f.severity.to_string(),
                        message: f.message.clone(),
                        fix: f.fix.map(|i| i.to_string()).unwrap_or_default(),
                    })
                    .collect(),
                fix: report.fix().map(|i| i.to_string()).unwrap_or_default(),
            }
        })
        .collect();
    token.attach(page(&IndexPage {
        nav: Nav::for_caller(caller),
        form_token: token.value.clone(),
        truncated: lines.len() > PAGE_MAX_CODES,
        codes,
        rows,
    }))
}

// ----- catalogue check -----

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    nav: Nav,
    form_token: String,
    error: Option<String>,
    report: Option<CheckReport>,
}

/// What the check page shows of a run.
struct CheckReport {
    file: String,
    summary: Summary,
    /// `data:` URL of the annotated CSV, when small enough to embed in the page.
    annotated_href: Option<String>,
    annotated_name: String,
}

/// Largest annotated CSV embedded in the report page as a download link; bigger ones are
/// downloaded with the form's second button.
const MAX_EMBEDDED_CSV: usize = 2 * 1024 * 1024;

pub(super) async fn check_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
) -> Response {
    let token = FormToken::issue(&state, caller.as_ref(), &headers);
    token.attach(page(&CheckPage {
        nav: Nav::for_caller(caller.as_ref()),
        form_token: token.value.clone(),
        error: None,
        report: None,
    }))
}

/// The upload: the report, or (button `action=csv`) the annotated CSV as a download.
pub(super) async fn check_submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let mut multipart = multipart?;
    let mut token = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut want_csv = false;
    while let Some(field) = multipart.next_field().await? {
        match field.name() {
            Some("csrf_token") => token = Some(field.text().await?),
            Some("action") => want_csv = field.text().await? == "csv",
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_string();
                file = Some((name, field.bytes().await?.to_vec()));
            }
            _ => {}
        }
    }
    forms::check(caller.as_ref(), &headers, token.as_deref())?;
    let nav = Nav::for_caller(caller.as_ref());
    let form_token = token.unwrap_or_default();
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(page_with_status(
            StatusCode::BAD_REQUEST,
            &CheckPage {
                nav,
                form_token,
                error: Some("choose a file to check (CSV, TSV, JSON Lines, xlsx, a list of codes, or any of these gzipped)".into()),
                report: None,
            },
        ));
    };
    let name = sanitize_file_name(&name);
    let prefixes = state.prefixes.clone();
    let today = state.today();
    let run_name = name.clone();
    // Without signing in, the page has the API's caps on unpacked bytes and records.
    let caps = crate::api::check::Caps::for_caller(&state.config.limits, caller.is_none());
    // The checker reads and checks on its own threads: keep it off the async ones.
    let outcome = tokio::task::spawn_blocking(move || {
        let policy = isrc::Policy::new(today).with_prefixes(&prefixes);
        let mut annotated = AnnotateWriter::new(Vec::new());
        let mut checker = Checker::new(policy, Options::default());
        let result = crate::api::check::check_capped(
            &mut checker,
            &run_name,
            bytes.into(),
            caps,
            Some(&mut annotated),
        );
        let summary = checker.finish();
        let csv = annotated.into_inner().unwrap_or_default();
        result
            .and_then(|()| crate::api::check::records_within(summary.records, caps))
            .map(|()| (summary, csv))
    })
    .await
    .map_err(ApiError::internal)?;
    let (summary, csv) = match outcome {
        Ok(done) => done,
        Err(e) => {
            return Ok(page_with_status(
                e.status(),
                &CheckPage {
                    nav,
                    form_token,
                    error: Some(e.message().to_string()),
                    report: None,
                },
            ));
        }
    };
    let annotated_name = annotated_file_name(&name);
    if want_csv {
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{annotated_name}\""),
                ),
            ],
            csv,
        )
            .into_response());
    }
    // A data: URL needs no state on the server, so the link works whichever instance of a
    // multi-server deployment rendered the page.
    let annotated_href = (csv.len() <= MAX_EMBEDDED_CSV).then(|| {
        format!(
            "data:text/csv;charset=utf-8;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&csv)
        )
    });
    Ok(page(&CheckPage {
        nav,
        form_token,
        error: None,
        report: Some(CheckReport {
            file: name,
            summary,
            annotated_href,
            annotated_name,
        }),
    }))
}

/// The upload's name without a path and with only safe characters (it appears in a header).
fn sanitize_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(100)
        .collect();
    if clean.is_empty() {
        "upload.csv".into()
    } else {
        clean
    }
}

fn annotated_file_name(name: &str) -> String {
    let stem = name
        .trim_end_matches(".gz")
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(name);
    format!("{stem}.annotated.csv")
}

// ----- registrant-code application -----

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    nav: Nav,
    form_token: String,
    form: ApplyForm,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "applied.html")]
struct AppliedPage {
    nav: Nav,
    id: i64,
    contact: String,
}

/// The application form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ApplyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    kind: String,
    csrf_token: Option<String>,
}

pub(super) async fn apply_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
) -> Response {
    let token = FormToken::issue(&state, caller.as_ref(), &headers);
    token.attach(page(&ApplyPage {
        nav: Nav::for_caller(caller.as_ref()),
        form_token: token.value.clone(),
        form: ApplyForm::default(),
        error: None,
    }))
}

/// Files the application (the same checks as the API), then thanks with its number.
pub(super) async fn apply_submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Form(form): Form<ApplyForm>,
) -> ApiResult<Response> {
    forms::check(caller.as_ref(), &headers, form.csrf_token.as_deref())?;
    let nav = Nav::for_caller(caller.as_ref());
    match file_application(&state, &form).await {
        Ok(application) => Ok(page(&AppliedPage {
            nav,
            id: application.id,
            contact: application.contact,
        })),
        Err(e) if e.status().is_client_error() => Ok(page_with_status(
            e.status(),
            &ApplyPage {
                nav,
                form_token: form.csrf_token.clone().unwrap_or_default(),
                error: Some(super::for_pages(e.message())),
                form,
            },
        )),
        Err(e) => Err(e),
    }
}

async fn file_application(
    state: &AppState,
    form: &ApplyForm,
) -> ApiResult<isrc_registry::Application> {
    let kind = if form.kind.trim().is_empty() {
        RegistrantKind::Own
    } else {
        form.kind.parse::<RegistrantKind>()?
    };
    let new = NewApplication {
        name: form.name.clone(),
        contact: form.contact.clone(),
        address: form.address.clone(),
        country: form.country.clone(),
        kind,
    };
    Ok(isrc_registry::ops::apply(
        &state.store,
        &isrc_registry::ops::Actor::anyone("web"),
        &new,
    )
    .await?)
}

// ----- public lookup -----

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    nav: Nav,
    codes: String,
    rows: Vec<LookupRow>,
}

/// One code looked up: what its registrant chose to publish, or nothing.
struct LookupRow {
    input: String,
    isrc: String,
    found: Option<PublicRecording>,
    note: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct LookupQuery {
    codes: Option<String>,
}

/// Most codes looked up at once.
const LOOKUP_MAX: usize = 100;

/// The lookup: for each code, the published recording, or "nothing published" (an unknown
/// code and an unpublished one get the same answer, so the page does not reveal what the
/// registry holds privately).
pub(super) async fn lookup(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(query): Query<LookupQuery>,
) -> ApiResult<Response> {
    let codes = query.codes.unwrap_or_default();
    let policy = state.policy();
    let mut rows = Vec::new();
    for line in codes
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(LOOKUP_MAX)
    {
        let report = isrc::check(line, &policy);
        let Some(code) = report.isrc.filter(|_| report.is_valid()) else {
            rows.push(LookupRow {
                input: line.to_string(),
                isrc: String::new(),
                found: None,
                note: "not a valid ISRC (see the validator for why)".into(),
            });
            continue;
        };
        // The API's public view: never who registered the code.
        let found = public_recording(&state, code).await?;
        rows.push(LookupRow {
            input: line.to_string(),
            isrc: code.to_string(),
            note: if found.is_some() {
                String::new()
            } else {
                "no recording published under this code in this registry".into()
            },
            found,
        });
    }
    Ok(page(&LookupPage {
        nav: Nav::for_caller(caller.as_ref()),
        codes,
        rows,
    }))
}
