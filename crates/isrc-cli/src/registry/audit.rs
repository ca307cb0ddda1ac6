//! `isrc audit`: the append-only audit log (who, when, what, before and after).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use isrc::{Isrc, code::PrefixCode};
use isrc_registry::AuditEvent;
use serde_json::Value;

use super::refuse;
use crate::context::GlobalArgs;

/// What the log is filtered on.
#[derive(Debug, Clone)]
pub enum Subject {
    /// One code's history.
    Isrc(Isrc),
    /// A registrant: its own events and those of every code under it.
    Prefix(PrefixCode),
    /// One registrant-code application (`application/N`).
    Application(i64),
}

/// Reads `CBXYZ2600001`, `CB-XYZ-26-00001`, `CBXYZ`, `CB-XYZ` or `application/7`.
fn parse_subject(text: &str) -> Result<Subject, String> {
    if let Some(id) = text.strip_prefix("application/") {
        return id
            .parse()
            .map(Subject::Application)
            .map_err(|_| format!("{text:?}: the application number is not a number"));
    }
    let letters = text.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    let parsed = match letters {
        ..=5 => super::parse_prefix(text).map(Subject::Prefix),
        12.. => super::parse_isrc(text).map(Subject::Isrc),
        _ => Err(format!("{text:?} has {letters} letters and digits")),
    };
    parsed
        .map_err(|e| format!("{e}; give a prefix (CBXYZ), an ISRC (CBXYZ2600001) or application/N"))
}

/// Output formats of `isrc audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// One line per event, with the fields that changed.
    Table,
    /// A JSON array; `before` and `after` are the stored states as JSON objects (or null).
    Json,
    /// CSV: id, at, actor, action, subject, before, after (the states as compact JSON text).
    Csv,
}

/// `isrc audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only the events about this ISRC, or about this prefix and every code under it
    /// (`application/N` for an application). Without it, the whole log.
    #[arg(value_name = "ISRC|PREFIX", value_parser = parse_subject)]
    pub subject: Option<Subject>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

pub fn run(global: &GlobalArgs, args: AuditArgs) -> Result<ExitCode> {
    super::run_with_store(global, |store, _| async move {
        let events = match &args.subject {
            None => store.audit_log(None).await,
            Some(Subject::Isrc(code)) => store.audit_log(Some(&code.to_string())).await,
            Some(Subject::Application(id)) => {
                store.audit_log(Some(&format!("application/{id}"))).await
            }
            Some(Subject::Prefix(prefix)) => match store.registrant(*prefix).await {
                Ok(_) => store.audit_log_for_prefix(*prefix).await,
                Err(e) => return refuse(e.into()),
            },
        };
        let events = match events {
            Ok(events) => events,
            Err(e) => return refuse(e.into()),
        };
        if let (Some(Subject::Isrc(code)), true) = (&args.subject, events.is_empty()) {
            // Say so rather than print nothing: a typo and an empty history look alike.
            return refuse(isrc_registry::Error::NotFound { isrc: *code }.into());
        }
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        match args.format {
            AuditFormat::Table => {
                for e in &events {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        e.id,
                        e.at,
                        e.actor,
                        e.action,
                        e.subject,
                        summary(e)
                    )?;
                }
            }
            AuditFormat::Json => {
                let array: Vec<EventOut<'_>> = events.iter().map(event_json).collect();
                serde_json::to_writer_pretty(&mut out, &array)?;
                writeln!(out)?;
            }
            AuditFormat::Csv => {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record(["id", "at", "actor", "action", "subject", "before", "after"])?;
                for e in &events {
                    w.write_record([
                        e.id.to_string().as_str(),
                        &e.at,
                        &e.actor,
                        &e.action,
                        &e.subject,
                        &state_text(&e.before),
                        &state_text(&e.after),
                    ])?;
                }
                w.flush()?;
            }
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })
}

/// The stored state as JSON (a state that is not JSON is kept as a string rather than lost).
fn state(text: &Option<String>) -> Value {
    match text {
        None => Value::Null,
        Some(t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())),
    }
}

/// One event as printed by `--format json`, in this key order.
#[derive(serde::Serialize)]
struct EventOut<'a> {
    id: i64,
    at: &'a str,
    actor: &'a str,
    action: &'a str,
    subject: &'a str,
    before: Value,
    after: Value,
}

/// A stored state as compact JSON with sorted keys, whichever database wrote it (PostgreSQL's
/// `json_build_object` spaces its output differently from SQLite and serde); empty when none.
fn state_text(text: &Option<String>) -> String {
    match state(text) {
        Value::Null => String::new(),
        value => value.to_string(),
    }
}

fn event_json(e: &AuditEvent) -> EventOut<'_> {
    EventOut {
        id: e.id,
        at: &e.at,
        actor: &e.actor,
        action: &e.action,
        subject: &e.subject,
        before: state(&e.before),
        after: state(&e.after),
    }
}

/// Flattens a state into `path = value` pairs (`meta.title`, `status`...), for comparing.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// What changed, in one line: `created`, or `status: active -> void; void_reason: ...`.
fn summary(e: &AuditEvent) -> String {
    let (before, after) = (state(&e.before), state(&e.after));
    if before.is_null() {
        return if after.is_null() { "" } else { "created" }.to_string();
    }
    let mut old = Vec::new();
    let mut new = Vec::new();
    flatten("", &before, &mut old);
    flatten("", &after, &mut new);
    let old: std::collections::BTreeMap<_, _> = old.into_iter().collect();
    let new: std::collections::BTreeMap<_, _> = new.into_iter().collect();
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| {
            let show = |v: Option<&String>| match v {
                Some(v) if v != "null" => v.clone(),
                _ => "-".to_string(),
            };
            format!("{k}: {} -> {}", show(old.get(k)), show(new.get(k)))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(before: Option<&str>, after: Option<&str>) -> AuditEvent {
        AuditEvent {
            id: 1,
            at: "2026-03-01T00:00:00.000Z".into(),
            actor: "t".into(),
            action: "void".into(),
            subject: "CBXYZ2600001".into(),
            before: before.map(String::from),
            after: after.map(String::from),
        }
    }

    #[test]
    fn summary_names_the_changed_fields_only() {
        let e = event(
            Some(r#"{"status":"active","void_reason":null,"meta":{"title":"A"}}"#),
            Some(r#"{"status":"void","void_reason":"typo","meta":{"title":"A"}}"#),
        );
        assert_eq!(
            summary(&e),
            "status: active -> void; void_reason: - -> typo"
        );
        assert_eq!(summary(&event(None, Some("{}"))), "created");
    }

    #[test]
    fn subjects_are_told_apart_by_length() {
        assert!(matches!(parse_subject("CB-XYZ"), Ok(Subject::Prefix(_))));
        assert!(matches!(
            parse_subject("cb-xyz-26-00001"),
            Ok(Subject::Isrc(_))
        ));
        assert!(matches!(
            parse_subject("application/3"),
            Ok(Subject::Application(3))
        ));
        assert!(parse_subject("application/x").is_err());
        assert!(parse_subject("C!").is_err());
    }
}
