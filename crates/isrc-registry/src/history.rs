//! What an audit entry changed: the fields its before and after differ in, as people read them
//! (the recording page's history, `isrc edit`'s answer).

use serde_json::{Map, Value};

use crate::model::{AuditEvent, Recording, format_duration};

/// One field an entry changed, with its value before and after as text (`—` for none).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    /// The field, in words (`title`, `duration`, `recording year`...).
    pub field: String,
    /// Its value before.
    pub before: String,
    /// Its value after.
    pub after: String,
}

fn text(key: &str, value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) if s.is_empty() => "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if key == "duration_ms" => n
            .as_u64()
            .map(format_duration)
            .unwrap_or_else(|| n.to_string()),
        Some(other) => other.to_string(),
    }
}

fn diff(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<FieldChange> {
    after
        .iter()
        .filter(|(k, v)| before.get(*k).unwrap_or(&Value::Null) != *v)
        .map(|(k, v)| FieldChange {
            field: if k == "duration_ms" {
                "duration".into()
            } else {
                k.replace('_', " ")
            },
            before: text(k, before.get(k)),
            after: text(k, Some(v)),
        })
        .collect()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl AuditEvent {
    /// The fields this entry changed (an edit, a void), from its before and after; empty when
    /// it has not both.
    ///
    /// ```
    /// let event = isrc_registry::AuditEvent {
    ///     id: 1, at: "2026-12-03T10:00:00.000Z".into(), actor: "ana".into(),
    ///     action: "recording.edit".into(), subject: "CBXYZ2600001".into(),
    ///     before: Some(r#"{"title":"Premiere","duration_ms":205000}"#.into()),
    ///     after: Some(r#"{"title":"Première","duration_ms":205000}"#.into()),
    /// };
    /// let changes = event.changes();
    /// assert_eq!(changes.len(), 1);
    /// assert_eq!((changes[0].before.as_str(), changes[0].after.as_str()), ("Premiere", "Première"));
    /// ```
    pub fn changes(&self) -> Vec<FieldChange> {
        let parse = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
                .map(object)
        };
        match (parse(&self.before), parse(&self.after)) {
            (Some(before), Some(after)) => diff(&before, &after),
            _ => Vec::new(),
        }
    }
}

/// The fields `after` differs from `before` in.
pub fn recording_changes(before: &Recording, after: &Recording) -> Vec<FieldChange> {
    let map = |r: &Recording| object(serde_json::to_value(r).unwrap_or_default());
    diff(&map(before), &map(after))
}
