//! Row decoders: stored rows back into the model's types.

use isrc::{Isrc, PrefixCode};
use sqlx::Row;
use sqlx::any::AnyRow;

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

pub(super) fn parse_prefix_stored(text: &str) -> Result<PrefixCode> {
    text.parse().map_err(|_| corrupt("prefix", text))
}

pub(crate) fn recording_from_row(row: &AnyRow) -> Result<Recording> {
    let isrc_text = dec_str(row, "isrc")?;
    let isrc = Isrc::parse_strict(&isrc_text).map_err(|_| corrupt("ISRC", &isrc_text))?;
    let content_type = dec_str(row, "content_type")?
        .parse()
        .map_err(|_| corrupt("content type", "?"))?;
    let published = match dec_opt_str(row, "published")? {
        Some(p) => Some(p.parse().map_err(|_| corrupt("date", &p))?),
        None => None,
    };
    let parent = match dec_opt_str(row, "parent")? {
        Some(p) => Some(Isrc::parse_strict(&p).map_err(|_| corrupt("ISRC", &p))?),
        None => None,
    };
    Ok(Recording {
        isrc,
        meta: RecordingInput {
            artist: dec_str(row, "artist")?,
            title: dec_str(row, "title")?,
            version: dec_str(row, "version")?,
            duration_ms: dec_opt_i64(row, "duration_ms")?.map(|d| d as u64),
            content_type,
            published,
            language: dec_opt_str(row, "language")?,
            recording_year: dec_opt_i64(row, "recording_year")?.map(|y| y as u16),
            iswc: dec_opt_str(row, "iswc")?,
            notes: dec_opt_str(row, "notes")?,
            client: dec_opt_str(row, "client")?,
            parent,
            change: dec_opt_str(row, "change_kind")?,
        },
        status: if dec_str(row, "status")? == "void" {
            Status::Void
        } else {
            Status::Active
        },
        void_reason: dec_opt_str(row, "void_reason")?,
        origin: dec_str(row, "origin")?,
        created_at: dec_str(row, "created_at")?,
    })
}

pub(super) fn audit_event_from_row(row: &AnyRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: dec_i64(row, "id")?,
        at: dec_str(row, "at")?,
        actor: dec_str(row, "actor")?,
        action: dec_str(row, "action")?,
        subject: dec_str(row, "subject")?,
        before: dec_opt_str(row, "before")?,
        after: dec_opt_str(row, "after")?,
    })
}

pub(super) fn registrant_from_row(row: &AnyRow) -> Result<Registrant> {
    let ranges_text = dec_str(row, "ranges")?;
    Ok(Registrant {
        prefix: parse_prefix_stored(&dec_str(row, "prefix")?)?,
        name: dec_str(row, "name")?,
        contact: dec_str(row, "contact")?,
        kind: dec_str(row, "kind")?
            .parse()
            .map_err(|_| corrupt("kind", "?"))?,
        ranges: parse_ranges(&ranges_text).map_err(|_| corrupt("range", &ranges_text))?,
        created_at: dec_str(row, "created_at")?,
    })
}

pub(super) fn application_from_row(row: &AnyRow) -> Result<Application> {
    Ok(Application {
        id: dec_i64(row, "id")?,
        name: dec_str(row, "name")?,
        contact: dec_str(row, "contact")?,
        address: dec_str(row, "address")?,
        country: dec_str(row, "country")?,
        kind: dec_str(row, "kind")?
            .parse()
            .map_err(|_| corrupt("kind", "?"))?,
        status: ApplicationStatus::parse(&dec_str(row, "status")?),
        prefix: match dec_opt_str(row, "prefix")? {
            Some(p) => Some(parse_prefix_stored(&p)?),
            None => None,
        },
        reason: dec_opt_str(row, "reason")?,
        created_at: dec_str(row, "created_at")?,
        decided_at: dec_opt_str(row, "decided_at")?,
    })
}
