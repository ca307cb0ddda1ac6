//! A release as a DDEX ERN 4.3 `NewReleaseMessage`: one `SoundRecording` (or `Video`) per
//! track with its ISRC in `SoundRecordingEdition/ResourceId`, one `Release` with the barcode as
//! its `ICPN` and the tracks in a `ResourceGroup`, the artists and the label in the
//! `PartyList`. A release's main and featured artists are `DisplayArtist`s (with their
//! `DisplayArtistRole`) of the release and of the tracks they are credited on; its other
//! contributors are `Contributor`s (with their `Role`) of those tracks' sound recordings, as
//! ERN 4.3 has no contributor on a `Release`.
//!
//! The DDEX XSD is not shipped with this crate (it could not be obtained where this was
//! written; see docs/registry.md): the message is checked for well-formedness with `xmllint`
//! and read back by `isrc check`'s ERN reader in the tests.

use crate::contributor::{Contributor, ContributorRole};
use crate::model::{ContentType, Recording};
use crate::release::Release;

/// The namespace of ERN 4.3.
pub const ERN_43_NAMESPACE: &str = "http://ddex.net/xml/ern/43";

/// Who sends the message and when: the header's parts that do not come from the release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErnHeader {
    /// `MessageId` (and `MessageThreadId`): unique per message.
    pub message_id: String,
    /// The sender's DDEX Party ID (`PADPIDA...`), when it has one.
    pub sender_dpid: Option<String>,
    /// The sender's name.
    pub sender_name: String,
    /// `MessageCreatedDateTime`, RFC 3339 in UTC.
    pub created: String,
}

/// Escapes text for XML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// An ISO 8601 duration (`PT3M25S`, `PT1H2M3.500S`) of `ms` milliseconds.
///
/// ```
/// assert_eq!(isrc_registry::iso_duration(205_000), "PT3M25S");
/// assert_eq!(isrc_registry::iso_duration(3_723_500), "PT1H2M3.500S");
/// ```
pub fn iso_duration(ms: u64) -> String {
    let secs = ms / 1000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    out.push_str(&format!("{m}M{s}"));
    if !ms.is_multiple_of(1000) {
        out.push_str(&format!(".{:03}", ms % 1000));
    }
    out.push('S');
    out
}

/// The `Year` of a ℗ line: its first four-digit number, when it has one.
fn p_line_year(p_line: &str) -> Option<&str> {
    let bytes = p_line.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let window = &bytes[i..i + 4];
        let alone = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit());
        (alone && window.iter().all(u8::is_ascii_digit)).then(|| &p_line[i..i + 4])
    })
}

/// Writes the main and featured artists among `credited` as `DisplayArtist`s numbered from 2,
/// after the one already written for `first` (as main artist), which is not repeated.
fn display_artists(
    line: &mut dyn FnMut(usize, &str),
    credited: &[&Contributor],
    first: &str,
    party: &dyn Fn(&str) -> String,
) {
    let mut sequence = 1;
    for c in credited.iter().filter(|c| c.role.is_display_artist()) {
        if c.role == ContributorRole::MainArtist && c.name == first {
            continue;
        }
        sequence += 1;
        line(3, &format!("<DisplayArtist SequenceNumber=\"{sequence}\">"));
        line(
            4,
            &format!(
                "<ArtistPartyReference>{}</ArtistPartyReference>",
                esc(&party(&c.name))
            ),
        );
        line(
            4,
            &format!("<DisplayArtistRole>{}</DisplayArtistRole>", c.role.as_str()),
        );
        line(3, "</DisplayArtist>");
    }
}

/// Writes `release` (with its tracks' `recordings`, in track order) as an ERN 4.3
/// `NewReleaseMessage`, UTF-8, indented.
pub fn ern_message(header: &ErnHeader, release: &Release, recordings: &[Recording]) -> String {
    let r = &release.input;
    let artist = if r.artist.trim().is_empty() {
        recordings
            .first()
            .map(|t| t.meta.artist.clone())
            .unwrap_or_default()
    } else {
        r.artist.clone()
    };
    // Parties: each distinct artist once, then each contributor not among them, then the label.
    let mut artists: Vec<String> = vec![artist.clone()];
    for name in recordings
        .iter()
        .map(|t| &t.meta.artist)
        .chain(r.contributors.iter().map(|c| &c.name))
    {
        if !artists.contains(name) {
            artists.push(name.clone());
        }
    }
    let party = |name: &str| {
        format!(
            "P{}",
            artists.iter().position(|a| a == name).unwrap_or(0) + 1
        )
    };
    let mut x = String::new();
    let mut line = |depth: usize, text: &str| {
        x.push_str(&"  ".repeat(depth));
        x.push_str(text);
        x.push('\n');
    };
    let el = |name: &str, text: &str| format!("<{name}>{}</{name}>", esc(text));
    line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    line(
        0,
        &format!(
            "<ern:NewReleaseMessage xmlns:ern=\"{ERN_43_NAMESPACE}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{ERN_43_NAMESPACE} http://service.ddex.net/xml/ern/43/release-notification.xsd\" ReleaseProfileVersionId=\"Audio\" LanguageAndScriptCode=\"en\" AvsVersionId=\"4\">"
        ),
    );
    line(1, "<MessageHeader>");
    line(2, &el("MessageThreadId", &header.message_id));
    line(2, &el("MessageId", &header.message_id));
    line(2, "<MessageSender>");
    if let Some(dpid) = &header.sender_dpid {
        line(3, &el("PartyId", dpid));
    }
    line(
        3,
        &format!(
            "<PartyName>{}</PartyName>",
            el("FullName", &header.sender_name)
        ),
    );
    line(2, "</MessageSender>");
    line(2, &el("MessageCreatedDateTime", &header.created));
    line(2, &el("MessageControlType", "LiveMessage"));
    line(1, "</MessageHeader>");

    line(1, "<PartyList>");
    for (i, name) in artists.iter().enumerate() {
        line(2, "<Party>");
        line(3, &el("PartyReference", &format!("P{}", i + 1)));
        line(
            3,
            &format!("<PartyName>{}</PartyName>", el("FullName", name)),
        );
        line(2, "</Party>");
    }
    if !r.label.is_empty() {
        line(2, "<Party>");
        line(3, &el("PartyReference", "PLabel"));
        line(
            3,
            &format!("<PartyName>{}</PartyName>", el("FullName", &r.label)),
        );
        line(2, "</Party>");
    }
    line(1, "</PartyList>");

    let p_line = |depth: usize, line: &mut dyn FnMut(usize, &str)| {
        if r.p_line.is_empty() {
            return;
        }
        line(depth, "<PLine>");
        if let Some(year) = p_line_year(&r.p_line) {
            line(depth + 1, &el("Year", year));
        }
        line(depth + 1, &el("PLineText", &format!("℗ {}", r.p_line)));
        line(depth, "</PLine>");
    };
    line(1, "<ResourceList>");
    for (i, t) in recordings.iter().enumerate() {
        let m = &t.meta;
        let (element, edition, kind) = match m.content_type {
            ContentType::Audio => (
                "SoundRecording",
                "SoundRecordingEdition",
                "MusicalWorkSoundRecording",
            ),
            ContentType::Video => ("Video", "VideoEdition", "LongFormMusicalWorkVideoContent"),
        };
        line(2, &format!("<{element}>"));
        line(3, &el("ResourceReference", &format!("A{}", i + 1)));
        line(3, &el("Type", kind));
        line(3, &format!("<{edition}>"));
        line(
            4,
            &format!(
                "<ResourceId>{}</ResourceId>",
                el("ISRC", &t.isrc.to_string())
            ),
        );
        p_line(4, &mut line);
        line(3, &format!("</{edition}>"));
        line(3, &el("DisplayTitleText", &m.title));
        let subtitle = if m.version.is_empty() {
            String::new()
        } else {
            el("SubTitle", &m.version)
        };
        line(
            3,
            &format!(
                "<DisplayTitle>{}{subtitle}</DisplayTitle>",
                el("TitleText", &m.title)
            ),
        );
        line(3, &el("DisplayArtistName", &m.artist));
        line(3, "<DisplayArtist SequenceNumber=\"1\">");
        line(4, &el("ArtistPartyReference", &party(&m.artist)));
        line(4, &el("DisplayArtistRole", "MainArtist"));
        line(3, "</DisplayArtist>");
        let credited: Vec<&Contributor> = r.track_contributors(i as u32 + 1).collect();
        display_artists(&mut line, &credited, &m.artist, &party);
        let mut sequence = 0;
        for c in credited.iter().filter(|c| !c.role.is_display_artist()) {
            sequence += 1;
            line(3, &format!("<Contributor SequenceNumber=\"{sequence}\">"));
            line(4, &el("ContributorPartyReference", &party(&c.name)));
            line(4, &el("Role", c.role.as_str()));
            line(3, "</Contributor>");
        }
        if let Some(ms) = m.duration_ms {
            line(3, &el("Duration", &iso_duration(ms)));
        }
        if let Some(language) = &m.language {
            line(3, &el("LanguageOfPerformance", language));
        }
        line(2, &format!("</{element}>"));
    }
    line(1, "</ResourceList>");

    line(1, "<ReleaseList>");
    line(2, "<Release>");
    line(3, &el("ReleaseReference", "R0"));
    let kind = match recordings.len() {
        1..=3 => "Single",
        4..=6 => "EP",
        _ => "Album",
    };
    line(3, &el("ReleaseType", kind));
    line(
        3,
        &format!("<ReleaseId>{}</ReleaseId>", el("ICPN", &r.upc.gtin())),
    );
    line(3, &el("DisplayTitleText", &r.title));
    line(
        3,
        &format!("<DisplayTitle>{}</DisplayTitle>", el("TitleText", &r.title)),
    );
    line(3, &el("DisplayArtistName", &artist));
    line(3, "<DisplayArtist SequenceNumber=\"1\">");
    line(4, &el("ArtistPartyReference", "P1"));
    line(4, &el("DisplayArtistRole", "MainArtist"));
    line(3, "</DisplayArtist>");
    let whole: Vec<&Contributor> = r
        .contributors
        .iter()
        .filter(|c| c.track.is_none())
        .collect();
    display_artists(&mut line, &whole, &artist, &party);
    if !r.label.is_empty() {
        line(3, &el("ReleaseLabelReference", "PLabel"));
    }
    p_line(3, &mut line);
    if let Some(date) = r.release_date {
        line(3, &el("ReleaseDate", &date.to_string()));
    }
    line(3, "<ResourceGroup>");
    for i in 0..recordings.len() {
        line(4, "<ResourceGroupContentItem>");
        line(5, &el("SequenceNumber", &(i + 1).to_string()));
        line(5, &el("ReleaseResourceReference", &format!("A{}", i + 1)));
        line(4, "</ResourceGroupContentItem>");
    }
    line(3, "</ResourceGroup>");
    line(2, "</Release>");
    line(1, "</ReleaseList>");
    line(0, "</ern:NewReleaseMessage>");
    x
}

impl ErnHeader {
    /// A header for a message sent now by `sender_name`, its id made of the barcode and the
    /// time (`isrc-0036000291452-1764844800123`).
    pub fn now(sender_name: &str, gtin: &str) -> ErnHeader {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let created = crate::store::now();
        ErnHeader {
            message_id: format!("isrc-{gtin}-{ms}"),
            sender_dpid: None,
            sender_name: sender_name.to_string(),
            // Whole seconds: `2026-12-04T18:00:00Z`.
            created: format!("{}Z", created.get(..19).unwrap_or(&created)),
        }
    }
}
