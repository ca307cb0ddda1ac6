//! JSON Lines records: the value at a key path, and the record checked.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::value::RawValue;

use crate::layout::JsonFields;
use crate::source::MAX_LINE;
use isrc::recording::{fold_hash, fold_hash_parts, parse_seconds as parse_duration};

use super::against::Fields;
use super::index::Meta;
use super::verdicts::Tally;

pub(super) fn check_json(
    tally: &mut Tally<'_, '_>,
    bytes: &[u8],
    line: u64,
    fields: &JsonFields,
    overlong: Option<u64>,
) {
    if let Some(total) = overlong {
        tally.missing(
            line,
            MAX_LINE as u64 + 1,
            format!("the line is {total} bytes long; only its first {MAX_LINE} bytes were read"),
        );
        return;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            tally.invalid_utf8(
                bytes,
                e.valid_up_to(),
                line,
                e.valid_up_to() as u64 + 1,
                "invalid UTF-8: JSON text must be UTF-8".into(),
            );
            tally.check(b"", line, e.valid_up_to() as u64 + 1);
            return;
        }
    };
    match json_lookup(text, &fields.isrc) {
        Err(e) => tally.missing(line, e.column() as u64, format!("not a JSON object: {e}")),
        Ok(None) => tally.missing(
            line,
            1,
            format!(
                "missing value: no {:?} in this object",
                fields.isrc.join(".")
            ),
        ),
        Ok(Some((raw, offset))) => {
            let value = json_text(raw);
            tally.check(value.as_bytes(), line, offset as u64 + 1);
            if fields.title.is_some()
                || fields.artist.is_some()
                || fields.version.is_some()
                || fields.duration.is_some()
            {
                let get = |p: &Option<Vec<String>>| -> Option<String> {
                    p.as_ref()
                        .and_then(|p| json_lookup(text, p).ok().flatten())
                        .map(|(raw, _)| json_text(raw).into_owned())
                };
                let title = get(&fields.title);
                let artist = get(&fields.artist);
                let title_artist = (title.is_some() || artist.is_some()).then(|| {
                    fold_hash_parts(&[
                        title.as_deref().unwrap_or(""),
                        artist.as_deref().unwrap_or(""),
                    ])
                });
                let duration = fields.duration.as_ref().and_then(|(p, unit)| {
                    json_lookup(text, p)
                        .ok()
                        .flatten()
                        .and_then(|(raw, _)| parse_duration(&json_text(raw), *unit))
                });
                let version = get(&fields.version);
                if tally.compare {
                    tally.res.compared.push(Fields::of(
                        title.as_deref().map(str::as_bytes),
                        artist.as_deref().map(str::as_bytes),
                        version.as_deref().map(str::as_bytes),
                        duration,
                    ));
                }
                tally.res.metas.push(Meta::new(
                    title_artist,
                    version.as_ref().map(|v| fold_hash(v)),
                    duration,
                ));
                let recording = match (&title, &artist) {
                    (Some(t), Some(a)) if !t.is_empty() && !a.is_empty() => {
                        fold_hash_parts(&[t, a, version.as_deref().unwrap_or("")]).max(1)
                    }
                    _ => 0,
                };
                tally.res.recordings.push(recording);
            }
            return;
        }
    }
    if fields.title.is_some()
        || fields.artist.is_some()
        || fields.version.is_some()
        || fields.duration.is_some()
    {
        tally.res.metas.push(Meta::default());
        tally.res.recordings.push(0);
        if tally.compare {
            tally.res.compared.push(Fields::default());
        }
    }
}

/// The text of a JSON value: a string's contents, or the value as written.
pub(super) fn json_text(raw: &RawValue) -> Cow<'_, str> {
    let s = raw.get();
    if s.starts_with('"') {
        if !s.contains('\\') && s.len() >= 2 {
            return Cow::Borrowed(&s[1..s.len() - 1]);
        }
        if let Ok(v) = serde_json::from_str::<String>(s) {
            return Cow::Owned(v);
        }
    }
    if s == "null" {
        return Cow::Borrowed("");
    }
    Cow::Borrowed(s)
}

/// Follows a key path; returns the raw value and its byte offset in `line`.
pub(super) fn json_lookup<'a>(
    line: &'a str,
    path: &[String],
) -> Result<Option<(&'a RawValue, usize)>, serde_json::Error> {
    let mut current: &'a RawValue = serde_json::from_str(line)?;
    if !current.get().starts_with('{') {
        return Err(serde::de::Error::custom("the line is not a JSON object"));
    }
    for key in path {
        let s = current.get();
        let next = if s.starts_with('{') {
            let map: HashMap<String, &'a RawValue> = serde_json::from_str(s)?;
            map.get(key.as_str()).copied()
        } else if s.starts_with('[') {
            let list: Vec<&'a RawValue> = serde_json::from_str(s)?;
            key.parse::<usize>().ok().and_then(|i| list.get(i).copied())
        } else {
            None
        };
        match next {
            Some(v) => current = v,
            None => return Ok(None),
        }
    }
    let offset = current.get().as_ptr() as usize - line.as_ptr() as usize;
    Ok(Some((current, offset)))
}
