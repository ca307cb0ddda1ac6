//! The streaming reader: one pass of quick-xml events over a message, a stack of element
//! names, and the few values the rules need picked up on the way. No DTD is read: a
//! DOCTYPE is refused, so no entity can expand (billion laughs) and nothing external is
//! loaded (XXE).

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{At, Edition, ErnVersion, IsrcValue, Message, ReadError, Release, Resource};
use crate::formats::xml::{Lines, attribute_text, resolve};

/// Elements nested deeper than this are refused (a message is a few levels deep; a deep
/// nest is an attack or a broken file).
const MAX_DEPTH: usize = 256;

/// One open element: its local name, its 1-based index among its same-named siblings, and
/// how many children of each name it has had so far.
struct Open {
    name: String,
    index: u32,
    children: Vec<(String, u32)>,
}

/// What the element being read belongs to.
enum Inside {
    Nothing,
    Resource(Resource),
    Release(Release),
}

struct State {
    lines: Lines,
    /// The `ReleaseResourceReference` being read is a secondary resource.
    secondary: bool,
    stack: Vec<Open>,
    /// The text of the innermost element, and where it starts.
    value: String,
    value_at: usize,
    inside: Inside,
    /// Stack depth of the resource or release element being read.
    inside_depth: usize,
    /// Stack depth of the edition being read (4.3).
    edition_depth: Option<usize>,
    message: Message,
}

/// Reads one ERN message from `text` (UTF-8).
///
/// ```
/// let xml = br#"<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43">
///   <ResourceList><SoundRecording>
///     <ResourceReference>A1</ResourceReference>
///     <SoundRecordingEdition><ResourceId><ISRC>USRC17607839</ISRC></ResourceId></SoundRecordingEdition>
///     <DisplayTitleText>Yesterday</DisplayTitleText><Duration>PT3M25S</Duration>
///   </SoundRecording></ResourceList></ern:NewReleaseMessage>"#;
/// let message = isrc_check::formats::ern::read_message(xml).unwrap();
/// assert_eq!(message.version.label, "4.3");
/// let track = &message.resources[0];
/// assert_eq!((track.reference.as_str(), track.title.as_str()), ("A1", "Yesterday"));
/// assert_eq!(track.isrcs[0].value, "USRC17607839");
/// assert_eq!(track.isrcs[0].at.line, 4);
/// assert!(isrc_check::formats::ern::read_message(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>").is_err());
/// ```
pub fn read_message(text: &[u8]) -> Result<Message, ReadError> {
    let mut reader = Reader::from_reader(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = true;
    let mut state = State {
        lines: Lines::new(text),
        secondary: false,
        stack: Vec::new(),
        value: String::new(),
        value_at: 0,
        inside: Inside::Nothing,
        inside_depth: 0,
        edition_depth: None,
        message: Message {
            root: String::new(),
            version: ErnVersion {
                label: String::new(),
                family: super::Family::V43,
            },
            resources: Vec::new(),
            releases: Vec::new(),
        },
    };
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            let (line, column) = state.lines.at(reader.error_position() as usize);
            ReadError {
                line,
                column,
                message: format!("malformed XML: {e}"),
            }
        })?;
        let fail = |state: &State, offset: usize, message: String| {
            let (line, column) = state.lines.at(offset);
            ReadError {
                line,
                column,
                message,
            }
        };
        match event {
            Event::DocType(_) => {
                return Err(fail(
                    &state,
                    before,
                    "a DOCTYPE declaration is refused: DDEX messages need none, and a DTD \
                     could define expanding or external entities (XXE, billion laughs)"
                        .into(),
                ));
            }
            Event::Start(start) => {
                state
                    .start(&start, before)
                    .map_err(|m| fail(&state, before, m))?;
            }
            Event::End(_) => state.end(),
            Event::Text(t) => {
                let raw = std::str::from_utf8(&t)
                    .map_err(|_| fail(&state, before, "text that is not UTF-8".into()))?;
                state.push_text(raw, before);
            }
            Event::CData(t) => {
                let raw = std::str::from_utf8(&t)
                    .map_err(|_| fail(&state, before, "CDATA that is not UTF-8".into()))?;
                state.push_text(raw, before);
            }
            Event::GeneralRef(r) => {
                let resolved = resolve(&r).map_err(|m| fail(&state, before, m))?;
                state.push_text(&resolved, before);
            }
            Event::Eof => break,
            Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if let Some(open) = state.stack.last() {
        let end = text.len();
        return Err(fail_at(
            &state.lines,
            end,
            format!(
                "the document ends inside <{}>: the message was cut short",
                open.name
            ),
        ));
    }
    if state.message.root.is_empty() {
        return Err(fail_at(&state.lines, 0, "no root element".into()));
    }
    Ok(state.message)
}

fn fail_at(lines: &Lines, offset: usize, message: String) -> ReadError {
    let (line, column) = lines.at(offset);
    ReadError {
        line,
        column,
        message,
    }
}

fn local(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(p) => &name[p + 1..],
        None => name,
    }
}

impl State {
    fn at(&self, offset: usize) -> At {
        let (line, column) = self.lines.at(offset);
        At {
            line,
            column,
            path: self.path(),
        }
    }

    fn path(&self) -> String {
        let mut path = String::new();
        for open in &self.stack {
            path.push('/');
            path.push_str(&open.name);
            if open.index > 1
                || matches!(
                    open.name.as_str(),
                    "SoundRecording"
                        | "Video"
                        | "Release"
                        | "TrackRelease"
                        | "SoundRecordingEdition"
                        | "VideoEdition"
                )
            {
                path.push_str(&format!("[{}]", open.index));
            }
        }
        path
    }

    fn push_text(&mut self, raw: &str, offset: usize) {
        if self.value.is_empty() {
            let lead = raw.len() - raw.trim_start().len();
            if lead == raw.len() {
                return;
            }
            self.value_at = offset + lead;
        }
        self.value.push_str(raw);
    }

    fn start(&mut self, start: &BytesStart<'_>, offset: usize) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("elements nested more than {MAX_DEPTH} deep"));
        }
        let name = String::from_utf8(local(start.name().as_ref()).to_vec())
            .map_err(|_| "an element name that is not UTF-8".to_owned())?;
        if self.stack.is_empty() {
            self.root(start, &name)?;
        }
        let index = match self.stack.last_mut() {
            Some(parent) => match parent.children.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    parent.children.push((name.clone(), 1));
                    1
                }
            },
            None => 1,
        };
        let parent = self.stack.last().map(|o| o.name.as_str());
        let opens_resource = matches!(&self.inside, Inside::Nothing)
            && parent == Some("ResourceList")
            && matches!(name.as_str(), "SoundRecording" | "Video");
        let opens_release = matches!(&self.inside, Inside::Nothing)
            && parent == Some("ReleaseList")
            && matches!(name.as_str(), "Release" | "TrackRelease");
        self.stack.push(Open {
            name,
            index,
            children: Vec::new(),
        });
        self.value.clear();
        let depth = self.stack.len() - 1;
        if opens_resource {
            let element = if self.stack[depth].name == "Video" {
                "Video"
            } else {
                "SoundRecording"
            };
            self.inside = Inside::Resource(Resource {
                element,
                at: self.at(offset),
                ..Resource::default()
            });
            self.inside_depth = depth;
        } else if opens_release {
            let element = if self.stack[depth].name == "TrackRelease" {
                "TrackRelease"
            } else {
                "Release"
            };
            self.inside = Inside::Release(Release {
                element,
                at: self.at(offset),
                ..Release::default()
            });
            self.inside_depth = depth;
        } else if let Inside::Resource(resource) = &mut self.inside
            && depth == self.inside_depth + 1
            && matches!(
                self.stack[depth].name.as_str(),
                "SoundRecordingEdition" | "VideoEdition"
            )
        {
            resource.editions.push(Edition::default());
            self.edition_depth = Some(depth);
        } else if let Inside::Release(release) = &mut self.inside
            && self.stack[depth].name == "ReleaseResourceReference"
        {
            // The kind is an attribute; the reference, the text, is taken at the end.
            let secondary = start.attributes().flatten().any(|a| {
                local(a.key.as_ref()) == b"ReleaseResourceType"
                    && attribute_text(&a.value).is_ok_and(|v| v.trim() == "SecondaryResource")
            });
            let _ = release;
            self.secondary = secondary;
        }
        Ok(())
    }

    /// The root element: its name, and the version its namespace names.
    fn root(&mut self, start: &BytesStart<'_>, name: &str) -> Result<(), String> {
        let mut namespaces = Vec::new();
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| format!("malformed attribute: {e}"))?;
            let key = attribute.key.as_ref();
            if key == b"xmlns" || key.starts_with(b"xmlns:") {
                namespaces.push(attribute_text(&attribute.value)?);
            }
        }
        let version = namespaces
            .iter()
            .find_map(|ns| ErnVersion::from_namespace(ns.trim()));
        match version {
            Some(version) => {
                self.message.root = name.to_owned();
                self.message.version = version;
                Ok(())
            }
            None => Err(format!(
                "not a DDEX ERN message of a known version: the root element <{name}> declares \
                 {}; expected http://ddex.net/xml/ern/34 to 38x or 41 to 43",
                if namespaces.is_empty() {
                    "no namespace".to_owned()
                } else {
                    namespaces.join(", ")
                }
            )),
        }
    }

    fn end(&mut self) {
        let depth = self.stack.len() - 1;
        let value = std::mem::take(&mut self.value);
        let value_at = self.value_at;
        if !matches!(self.inside, Inside::Nothing) && depth > self.inside_depth {
            let trimmed = value.trim().to_owned();
            let isrc = if self.stack[depth].name == "ISRC" && !trimmed.is_empty() {
                Some(IsrcValue {
                    value: trimmed.clone(),
                    at: self.at(value_at),
                    edition: None,
                })
            } else {
                None
            };
            let rel: Vec<&str> = self.stack[self.inside_depth + 1..]
                .iter()
                .map(|o| o.name.as_str())
                .collect();
            let edition_depth = self.edition_depth;
            let secondary = self.secondary;
            match &mut self.inside {
                Inside::Resource(r) => {
                    take_resource_value(r, &rel, trimmed, isrc, edition_depth.is_some());
                }
                Inside::Release(r) => take_release_value(r, &rel, trimmed, isrc, secondary),
                Inside::Nothing => {}
            }
            if self.edition_depth == Some(depth) {
                self.edition_depth = None;
            }
        }
        if depth == self.inside_depth && !matches!(self.inside, Inside::Nothing) {
            match std::mem::replace(&mut self.inside, Inside::Nothing) {
                Inside::Resource(r) => self.message.resources.push(r),
                Inside::Release(r) => self.message.releases.push(r),
                Inside::Nothing => {}
            }
        }
        self.stack.pop();
    }
}

/// Picks a resource's value at `rel` (the path below the resource element).
fn take_resource_value(
    r: &mut Resource,
    rel: &[&str],
    text: String,
    isrc: Option<IsrcValue>,
    in_edition: bool,
) {
    match rel {
        ["SoundRecordingId" | "VideoId" | "ResourceId", "ISRC"] => {
            r.isrcs.extend(isrc);
        }
        [
            "SoundRecordingEdition" | "VideoEdition",
            "ResourceId",
            "ISRC",
        ] => {
            if let Some(mut isrc) = isrc {
                isrc.edition = r.editions.len().checked_sub(1);
                r.isrcs.push(isrc);
            }
        }
        ["SoundRecordingEdition" | "VideoEdition", "Type"] if in_edition => {
            if let Some(edition) = r.editions.last_mut() {
                edition.kind = text;
            }
        }
        [
            "SoundRecordingEdition" | "VideoEdition",
            ..,
            "Comment" | "EncodingDescription",
        ] if in_edition && text.to_ascii_lowercase().contains("mechanical") => {
            if let Some(edition) = r.editions.last_mut() {
                edition.mechanical = true;
            }
        }
        ["ResourceReference"] => r.reference = text,
        ["ReferenceTitle", "TitleText"] | ["DisplayTitleText"] | ["DisplayTitle", "TitleText"]
            if r.title.is_empty() =>
        {
            r.title = text;
        }
        [
            "SoundRecordingDetailsByTerritory" | "VideoDetailsByTerritory",
            "Title",
            "TitleText",
        ] if r.title.is_empty() => r.title = text,
        ["DisplayArtistName"]
        | [
            "SoundRecordingDetailsByTerritory" | "VideoDetailsByTerritory",
            "DisplayArtistName",
        ]
        | [.., "DisplayArtist", "PartyName", "FullName"]
            if r.artist.is_empty() =>
        {
            r.artist = text;
        }
        ["Duration"] => r.duration = text,
        ["SoundRecordingType" | "VideoType" | "Type"] => r.kind = text,
        _ => {}
    }
}

/// Picks a release's value at `rel`.
fn take_release_value(
    r: &mut Release,
    rel: &[&str],
    text: String,
    isrc: Option<IsrcValue>,
    secondary: bool,
) {
    match rel {
        ["ReleaseId", "ISRC"] => r.isrcs.extend(isrc),
        ["ReleaseReference"] => r.reference = text,
        ["ReleaseType"] => r.release_type = text,
        [.., "ReleaseResourceReference"] if !text.is_empty() => {
            if secondary {
                r.secondary.push(text);
            } else {
                r.primary.push(text);
            }
        }
        _ => {}
    }
}
