//! The industry's own exchange formats: DDEX ERN messages ([`ern`]) and DSR sales and usage
//! reports ([`dsr`]). Each is read into records the engine checks like any table (same
//! rule ids, duplicates, conflicts, `--annotate`), plus the rules of its own, listed here
//! with stable ids (docs/rules.md, "Rules of DDEX messages and reports").

pub mod dsr;
pub mod ern;
mod rules;
pub(crate) mod xml;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::{Listed, Location};

pub use self::dsr::{DsrFigures, DsrValue};
pub use self::rules::{MessageRule, MessageSeverity};

/// What the exchange formats added to a run: the findings of their own rules, the ERN
/// versions read, and the per-report figures of each DSR.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExchangeReport {
    /// ERN messages read.
    pub ern_messages: u64,
    /// ERN version (`4.3`, `3.8.2`...) -> messages of that version.
    pub ern_versions: BTreeMap<String, u64>,
    /// Rule id -> findings of that rule (ERN and DSR rules; the core's are in `by_rule`).
    pub by_rule: BTreeMap<&'static str, u64>,
    /// Findings with severity `error`.
    pub errors: u64,
    /// The findings, in input order.
    pub findings: Listed<MessageFinding>,
    /// One entry per DSR file read.
    pub dsr: Vec<DsrFigures>,
}

/// A finding of an ERN or DSR rule: which rule, where (file, line, column and the
/// XPath-like location of the element), and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageFinding {
    /// The rule's stable id (docs/rules.md).
    pub rule: &'static str,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// File, line and column.
    pub location: Location,
    /// Where in the message: `/NewReleaseMessage/ResourceList/SoundRecording[2]/...`, or the
    /// DSR record (`AS01 BlockId=B7`).
    pub path: String,
    /// The resource or release it is about (`ResourceReference`, `ReleaseReference`, or
    /// `DspResourceId`), when there is one.
    pub reference: Option<String>,
    /// The ISRC value concerned, as written.
    pub value: Option<String>,
    /// What, for a person.
    pub message: String,
}

impl ExchangeReport {
    /// Counts and keeps (up to `cap`) one finding.
    pub(crate) fn push(&mut self, finding: MessageFinding, cap: usize) {
        *self.by_rule.entry(finding.rule).or_default() += 1;
        if finding.severity == "error" {
            self.errors += 1;
        }
        self.findings.push(finding, cap);
    }
}

/// The exchange format an input is in, when it is one: told by `--format-in`, else by its
/// first bytes (an ERN namespace on the root element, a DSR `HEAD` record).
pub(crate) fn detect(head: &[u8]) -> Option<crate::InputFormat> {
    let text = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&head[..0], |i| &head[i..]);
    if text.starts_with(b"<") && ern::is_ern(head) {
        return Some(crate::InputFormat::Ern);
    }
    if dsr::is_dsr(text) {
        return Some(crate::InputFormat::Dsr);
    }
    None
}

/// What the exchange formats keep between inputs: the report so far and the codes seen in
/// earlier ERN messages.
#[derive(Default)]
pub(crate) struct Exchange {
    pub(crate) report: ExchangeReport,
    pub(crate) across: ern::Across,
    /// An ERN or DSR input was read.
    pub(crate) used: bool,
    /// The next input's rows are an ERN message's, in memory: the pipeline checks them on
    /// the calling thread.
    pub(crate) inline: bool,
}

impl Exchange {
    /// The report's part, when an ERN or DSR input was read.
    pub(crate) fn into_report(self) -> Option<ExchangeReport> {
        self.used.then_some(self.report)
    }
}

/// Appends one row of fields to a table chunk.
pub(crate) fn push_row<'a>(
    table: &mut crate::table::TableChunk,
    line: u64,
    fields: impl IntoIterator<Item = &'a str>,
) {
    let field_base = table.fields.len();
    let ends_start = table.ends.len();
    for f in fields {
        table.fields.extend_from_slice(f.as_bytes());
        table.ends.push(table.fields.len());
    }
    table.rows.push(crate::table::Row {
        line,
        raw: 0..0,
        field_base,
        ends: ends_start..table.ends.len(),
        unquoted: false,
    });
}
