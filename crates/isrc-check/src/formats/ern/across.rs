//! Across all the messages of a run: one ISRC given a different title, or durations more
//! than the same-recording tolerance apart (10 s, [`isrc::recording`]), in two messages.

use std::collections::HashMap;

use isrc::Policy;
use isrc::recording::{DURATION_TOLERANCE_MS, DurationUnit, fold_hash, parse_duration_ms};

use super::Message;
use crate::formats::{MessageFinding, MessageRule};
use crate::report::Location;

/// The first sighting of each ISRC: its folded title, its duration and where it was.
#[derive(Default)]
pub(crate) struct Across {
    seen: HashMap<u64, Seen>,
    files: Vec<String>,
    messages: u32,
}

struct Seen {
    message: u32,
    file: u32,
    line: u64,
    title_hash: u64,
    title: Box<str>,
    duration_ms: Option<u64>,
}

impl Across {
    /// Notes the codes of one more message; returns what disagrees with earlier messages.
    pub(crate) fn see(
        &mut self,
        message: &Message,
        file: &str,
        policy: &Policy<'_>,
    ) -> Vec<MessageFinding> {
        self.messages += 1;
        let number = self.messages;
        let file_index = match self.files.last() {
            Some(last) if last == file => self.files.len() as u32 - 1,
            _ => {
                self.files.push(file.to_owned());
                self.files.len() as u32 - 1
            }
        };
        let mut found = Vec::new();
        for resource in &message.resources {
            let title_hash = fold_hash(&resource.title);
            let duration_ms = parse_duration_ms(&resource.duration, DurationUnit::Seconds);
            for value in &resource.isrcs {
                let Some(code) = isrc::check::verdict(&value.value, policy).isrc else {
                    continue;
                };
                let key = code.to_u64();
                let Some(seen) = self.seen.get(&key) else {
                    self.seen.insert(
                        key,
                        Seen {
                            message: number,
                            file: file_index,
                            line: value.at.line,
                            title_hash,
                            title: resource.title.as_str().into(),
                            duration_ms,
                        },
                    );
                    continue;
                };
                if seen.message == number {
                    continue;
                }
                let earlier = format!("{} line {}", self.files[seen.file as usize], seen.line);
                let mut push = |rule: MessageRule, text: String| {
                    found.push(MessageFinding {
                        rule: rule.id(),
                        severity: rule.severity().as_str(),
                        location: Location {
                            file: file.to_owned(),
                            line: value.at.line,
                            column: value.at.column,
                        },
                        path: value.at.path.clone(),
                        reference: (!resource.reference.is_empty())
                            .then(|| resource.reference.clone()),
                        value: Some(value.value.clone()),
                        message: text,
                    });
                };
                if !resource.title.is_empty()
                    && !seen.title.is_empty()
                    && seen.title_hash != title_hash
                {
                    push(
                        MessageRule::ErnTitleMismatch,
                        format!(
                            "{code} is titled {:?} here and {:?} in {earlier}: one ISRC, one \
                             recording, one title",
                            resource.title, seen.title
                        ),
                    );
                }
                if let (Some(a), Some(b)) = (duration_ms, seen.duration_ms)
                    && a.abs_diff(b) > DURATION_TOLERANCE_MS
                {
                    push(
                        MessageRule::ErnDurationMismatch,
                        format!(
                            "{code} lasts {} here and {} in {earlier}: more than {} s apart, \
                             so not the same recording",
                            seconds(a),
                            seconds(b),
                            DURATION_TOLERANCE_MS / 1000
                        ),
                    );
                }
            }
        }
        found
    }
}

fn seconds(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}
