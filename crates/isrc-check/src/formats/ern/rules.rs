//! The rules one message shows by itself: a primary resource without an ISRC, an ISRC on a
//! release, one ISRC on two resources or on both editions of one, an ISRC not in the
//! compact form.

use std::collections::HashMap;

use isrc::{Isrc, Policy};

use super::{IsrcValue, Message};
use crate::formats::{MessageFinding, MessageRule};
use crate::report::Location;

/// The findings of `message` (read from `file`), in document order.
pub(crate) fn message_findings(
    message: &Message,
    file: &str,
    policy: &Policy<'_>,
) -> Vec<MessageFinding> {
    let mut found = Vec::new();
    let finding = |rule: MessageRule,
                   line: u64,
                   column: u64,
                   path: &str,
                   reference: &str,
                   value: Option<&str>,
                   message: String| MessageFinding {
        rule: rule.id(),
        severity: rule.severity().as_str(),
        location: Location {
            file: file.to_owned(),
            line,
            column,
        },
        path: path.to_owned(),
        reference: (!reference.is_empty()).then(|| reference.to_owned()),
        value: value.map(str::to_owned),
        message,
    };
    let code = |v: &IsrcValue| -> Option<Isrc> { isrc::check::verdict(&v.value, policy).isrc };
    let primary: std::collections::HashSet<&str> = message
        .releases
        .iter()
        .flat_map(|r| r.primary.iter().map(String::as_str))
        .collect();
    let secondary: std::collections::HashSet<&str> = message
        .releases
        .iter()
        .flat_map(|r| r.secondary.iter().map(String::as_str))
        .collect();
    let mut first_reference: HashMap<Isrc, &str> = HashMap::new();
    for resource in &message.resources {
        let reference = resource.reference.as_str();
        let is_secondary = secondary.contains(reference) && !primary.contains(reference);
        if resource.isrcs.is_empty() && !is_secondary {
            found.push(finding(
                MessageRule::ErnMissingIsrc,
                resource.at.line,
                resource.at.column,
                &resource.at.path,
                reference,
                None,
                format!(
                    "{} {} (\"{}\") is a primary resource without an ISRC: the receiving \
                     service cannot tell it from other recordings",
                    resource.element,
                    if reference.is_empty() {
                        "without a ResourceReference"
                    } else {
                        reference
                    },
                    resource.title
                ),
            ));
        }
        let mut by_edition: Vec<(Isrc, Option<usize>)> = Vec::new();
        for value in &resource.isrcs {
            let at = &value.at;
            let Some(isrc) = code(value) else { continue };
            if isrc.to_string() != value.value {
                found.push(finding(
                    MessageRule::ErnIsrcNotCompact,
                    at.line,
                    at.column,
                    &at.path,
                    reference,
                    Some(&value.value),
                    format!(
                        "{:?} is written with hyphens, spaces, lower case or a label; DDEX \
                         wants the compact form {isrc}",
                        value.value
                    ),
                ));
            }
            match first_reference.get(&isrc) {
                Some(first) if *first != reference => found.push(finding(
                    MessageRule::ErnIsrcReused,
                    at.line,
                    at.column,
                    &at.path,
                    reference,
                    Some(&value.value),
                    format!(
                        "{isrc} is also the ISRC of resource {first} in this message: one code \
                         on two resources merges them at the receiving service"
                    ),
                )),
                Some(_) => {}
                None => {
                    first_reference.insert(isrc, reference);
                }
            }
            if let Some(&(_, other)) = by_edition
                .iter()
                .find(|(c, e)| *c == isrc && *e != value.edition)
            {
                let marked = [other, value.edition]
                    .into_iter()
                    .flatten()
                    .any(|e| resource.editions.get(e).is_some_and(|e| e.mechanical));
                if !marked {
                    let kind = |e: Option<usize>| {
                        e.and_then(|e| resource.editions.get(e))
                            .map_or(String::new(), |e| e.kind.clone())
                    };
                    found.push(finding(
                        MessageRule::ErnEditionIsrcShared,
                        at.line,
                        at.column,
                        &at.path,
                        reference,
                        Some(&value.value),
                        format!(
                            "{isrc} identifies both editions of {reference} ({} and {}): an \
                             immersive and a stereo edition need their own ISRCs unless one is \
                             a mechanical up- or down-mix of the other (say so in the \
                             edition's Comment)",
                            or_unnamed(&kind(other)),
                            or_unnamed(&kind(value.edition))
                        ),
                    ));
                }
            }
            by_edition.push((isrc, value.edition));
        }
    }
    let is_track = |reference: &String| message.resources.iter().any(|r| &r.reference == reference);
    for release in &message.releases {
        let Some(value) = release.isrcs.first() else {
            continue;
        };
        let at = &value.at;
        let mut tracks: Vec<&String> = release.primary.iter().filter(|r| is_track(r)).collect();
        tracks.sort();
        tracks.dedup();
        let track_release =
            release.element == "TrackRelease" || release.release_type == "TrackRelease";
        if track_release {
            found.push(finding(
                MessageRule::ErnTrackReleaseIsrc,
                at.line,
                at.column,
                &at.path,
                &release.reference,
                Some(&value.value),
                format!(
                    "the TrackRelease {} carries ISRC {:?} as its ReleaseId: an ISRC identifies \
                     the recording (give it on the SoundRecording), not the release; identify \
                     the release by a GRid, ICPN or ProprietaryId",
                    release.reference, value.value
                ),
            ));
        } else if tracks.len() > 1 {
            found.push(finding(
                MessageRule::ErnMultiTrackReleaseIsrc,
                at.line,
                at.column,
                &at.path,
                &release.reference,
                Some(&value.value),
                format!(
                    "release {} of {} tracks carries ISRC {:?} as its ReleaseId: an ISRC \
                     identifies one recording, never a release of several",
                    release.reference,
                    tracks.len(),
                    value.value
                ),
            ));
        }
    }
    found.sort_by_key(|f| (f.location.line, f.location.column));
    found
}

fn or_unnamed(kind: &str) -> &str {
    if kind.is_empty() {
        "an edition of no Type"
    } else {
        kind
    }
}
