//! Row decoders: stored rows back into the model's types. Each table's columns are read by a
//! `sqlx::FromRow` struct of plain values; the conversion into the model checks what the
//! database cannot (codes, dates, kinds) and calls a value it cannot read corrupt.

use isrc::{Isrc, code::PrefixCode};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::*;
use crate::error::{Error, Result};

pub(crate) fn dec_i64(row: &AnyRow, col: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}

pub(crate) fn dec_opt_i64(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

pub(crate) fn dec_str(row: &AnyRow, col: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(col)?)
}

pub(crate) fn dec_opt_str(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

pub(super) fn corrupt(what: &str, value: &str) -> Error {
    Error::Database(sqlx::Error::Decode(
        format!("the ledger holds an unreadable {what}: {value:?}").into(),
    ))
}

fn parse_prefix_stored(text: &str) -> Result<PrefixCode> {
    text.parse().map_err(|_| corrupt("prefix", text))
}

/// A `recordings` row as stored.
#[derive(FromRow)]
struct RecordingRow {
    isrc: String,
    artist: String,
    title: String,
    version: String,
    duration_ms: Option<i64>,
    content_type: String,
    published: Option<String>,
    language: Option<String>,
    recording_year: Option<i64>,
    iswc: Option<String>,
    notes: Option<String>,
    client: Option<String>,
    parent: Option<String>,
    change_kind: Option<String>,
    status: String,
    void_reason: Option<String>,
    origin: String,
    created_at: String,
}

fn parse_isrc_stored(text: &str) -> Result<Isrc> {
    Isrc::parse_strict(text).map_err(|_| corrupt("ISRC", text))
}

pub(crate) fn recording_from_row(row: &AnyRow) -> Result<Recording> {
    let r = RecordingRow::from_row(row)?;
    Ok(Recording {
        isrc: parse_isrc_stored(&r.isrc)?,
        meta: RecordingInput {
            artist: r.artist,
            title: r.title,
            version: r.version,
            duration_ms: r.duration_ms.map(|d| d as u64),
            content_type: r
                .content_type
                .parse()
                .map_err(|_| corrupt("content type", &r.content_type))?,
            published: match r.published {
                Some(p) => Some(p.parse().map_err(|_| corrupt("date", &p))?),
                None => None,
            },
            language: r.language,
            recording_year: r.recording_year.map(|y| y as u16),
            iswc: r.iswc,
            notes: r.notes,
            client: r.client,
            parent: r.parent.as_deref().map(parse_isrc_stored).transpose()?,
            change: r.change_kind,
        },
        status: if r.status == "void" {
            Status::Void
        } else {
            Status::Active
        },
        void_reason: r.void_reason,
        origin: r.origin,
        created_at: r.created_at,
    })
}

/// An `audit` row as stored.
#[derive(FromRow)]
struct AuditRow {
    id: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
}

pub(super) fn audit_event_from_row(row: &AnyRow) -> Result<AuditEvent> {
    let r = AuditRow::from_row(row)?;
    Ok(AuditEvent {
        id: r.id,
        at: r.at,
        actor: r.actor,
        action: r.action,
        subject: r.subject,
        before: r.before,
        after: r.after,
    })
}

/// A `registrants` row as stored.
#[derive(FromRow)]
struct RegistrantRow {
    prefix: String,
    name: String,
    contact: String,
    kind: String,
    ranges: String,
    created_at: String,
}

fn parse_kind_stored(text: &str) -> Result<RegistrantKind> {
    text.parse().map_err(|_| corrupt("kind", text))
}

pub(super) fn registrant_from_row(row: &AnyRow) -> Result<Registrant> {
    let r = RegistrantRow::from_row(row)?;
    Ok(Registrant {
        prefix: parse_prefix_stored(&r.prefix)?,
        name: r.name,
        contact: r.contact,
        kind: parse_kind_stored(&r.kind)?,
        ranges: parse_ranges(&r.ranges).map_err(|_| corrupt("range", &r.ranges))?,
        created_at: r.created_at,
    })
}

/// An `applications` row as stored.
#[derive(FromRow)]
struct ApplicationRow {
    id: i64,
    name: String,
    contact: String,
    address: String,
    country: String,
    kind: String,
    status: String,
    prefix: Option<String>,
    reason: Option<String>,
    created_at: String,
    decided_at: Option<String>,
}

pub(super) fn application_from_row(row: &AnyRow) -> Result<Application> {
    let r = ApplicationRow::from_row(row)?;
    Ok(Application {
        id: r.id,
        name: r.name,
        contact: r.contact,
        address: r.address,
        country: r.country,
        kind: parse_kind_stored(&r.kind)?,
        status: ApplicationStatus::parse(&r.status),
        prefix: r.prefix.as_deref().map(parse_prefix_stored).transpose()?,
        reason: r.reason,
        created_at: r.created_at,
        decided_at: r.decided_at,
    })
}

/// An `agency_codes` row as stored.
#[derive(FromRow)]
struct ListingRow {
    prefix: String,
    name: String,
    contact: String,
    address: String,
    kind: String,
    issued_at: String,
}

pub(super) fn listing_entry_from_row(row: &AnyRow) -> Result<ListingEntry> {
    let r = ListingRow::from_row(row)?;
    Ok(ListingEntry {
        prefix: parse_prefix_stored(&r.prefix)?,
        name: r.name,
        contact: r.contact,
        address: r.address,
        kind: parse_kind_stored(&r.kind)?,
        issued_at: r.issued_at,
    })
}
