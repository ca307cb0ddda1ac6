//! DDEX ERN messages and DSR reports made by the tests, in each version's own layout.

#![allow(dead_code)]

/// One sound recording of a generated message.
#[derive(Clone)]
pub struct Track {
    pub reference: &'static str,
    /// The ISRC as written; `None`: no ISRC element.
    pub isrc: Option<&'static str>,
    /// 4.3: a second (immersive) edition with this ISRC.
    pub immersive: Option<&'static str>,
    /// The immersive edition's comment says it is a mechanical up-mix.
    pub mechanical: bool,
    pub title: &'static str,
    pub artist: &'static str,
    pub duration: &'static str,
}

impl Track {
    pub fn new(reference: &'static str, isrc: Option<&'static str>, title: &'static str) -> Track {
        Track {
            reference,
            isrc,
            immersive: None,
            mechanical: false,
            title,
            artist: "The Band",
            duration: "PT3M25S",
        }
    }
}

/// One release: its ISRC (if any), whether it is a TrackRelease, and its tracks.
#[derive(Clone)]
pub struct Rel {
    pub reference: &'static str,
    pub isrc: Option<&'static str>,
    pub track_release: bool,
    pub tracks: Vec<&'static str>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

/// An ERN NewReleaseMessage of namespace version `ns` (`34`, `382`, `41`, `42`, `43`).
pub fn ern(ns: &str, tracks: &[Track], releases: &[Rel]) -> String {
    let major = &ns[..1];
    let minor: u32 = ns[1..2].parse().unwrap();
    let v3 = major == "3";
    let v43 = major == "4" && minor >= 3;
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<ern:NewReleaseMessage xmlns:ern=\"http://ddex.net/xml/ern/{ns}\" MessageSchemaVersionId=\"ern/{ns}\">\n"
    ));
    x.push_str("  <MessageHeader><MessageId>M1</MessageId></MessageHeader>\n");
    x.push_str("  <ResourceList>\n");
    for t in tracks {
        x.push_str("    <SoundRecording>\n");
        if v3 {
            x.push_str(
                "      <SoundRecordingType>MusicalWorkSoundRecording</SoundRecordingType>\n",
            );
            if let Some(isrc) = t.isrc {
                x.push_str(&format!("      <SoundRecordingId>\n        <ISRC>{isrc}</ISRC>\n      </SoundRecordingId>\n"));
            }
            x.push_str(&format!(
                "      <ResourceReference>{}</ResourceReference>\n",
                t.reference
            ));
            x.push_str(&format!(
                "      <ReferenceTitle><TitleText>{}</TitleText></ReferenceTitle>\n",
                esc(t.title)
            ));
            x.push_str(&format!("      <Duration>{}</Duration>\n", t.duration));
            x.push_str(&format!(
                "      <SoundRecordingDetailsByTerritory><TerritoryCode>Worldwide</TerritoryCode>\
                 <DisplayArtist><PartyName><FullName>{}</FullName></PartyName></DisplayArtist>\
                 </SoundRecordingDetailsByTerritory>\n",
                esc(t.artist)
            ));
        } else {
            x.push_str(&format!(
                "      <ResourceReference>{}</ResourceReference>\n",
                t.reference
            ));
            x.push_str("      <Type>MusicalWorkSoundRecording</Type>\n");
            if v43 {
                x.push_str(
                    "      <SoundRecordingEdition>\n        <Type>NonImmersiveEdition</Type>\n",
                );
                if let Some(isrc) = t.isrc {
                    x.push_str(&format!("        <ResourceId>\n          <ISRC>{isrc}</ISRC>\n        </ResourceId>\n"));
                }
                x.push_str("      </SoundRecordingEdition>\n");
                if let Some(isrc) = t.immersive {
                    x.push_str(
                        "      <SoundRecordingEdition>\n        <Type>ImmersiveEdition</Type>\n",
                    );
                    x.push_str(&format!(
                        "        <ResourceId><ISRC>{isrc}</ISRC></ResourceId>\n"
                    ));
                    if t.mechanical {
                        x.push_str("        <TechnicalDetails><EncodingDescription>Mechanical up-mix of the stereo edition</EncodingDescription></TechnicalDetails>\n");
                    }
                    x.push_str("      </SoundRecordingEdition>\n");
                }
            } else if let Some(isrc) = t.isrc {
                x.push_str(&format!(
                    "      <ResourceId>\n        <ISRC>{isrc}</ISRC>\n      </ResourceId>\n"
                ));
            }
            x.push_str(&format!(
                "      <DisplayTitleText>{}</DisplayTitleText>\n",
                esc(t.title)
            ));
            x.push_str(&format!(
                "      <DisplayArtistName>{}</DisplayArtistName>\n",
                esc(t.artist)
            ));
            x.push_str(&format!("      <Duration>{}</Duration>\n", t.duration));
        }
        x.push_str("    </SoundRecording>\n");
    }
    x.push_str("  </ResourceList>\n  <ReleaseList>\n");
    for r in releases {
        let element = if r.track_release && !v3 {
            "TrackRelease"
        } else {
            "Release"
        };
        x.push_str(&format!("    <{element}>\n"));
        x.push_str(&format!(
            "      <ReleaseReference>{}</ReleaseReference>\n",
            r.reference
        ));
        x.push_str("      <ReleaseId>");
        match r.isrc {
            Some(isrc) => x.push_str(&format!("<ISRC>{isrc}</ISRC>")),
            None => x.push_str("<ICPN>0602557012347</ICPN>"),
        }
        x.push_str("</ReleaseId>\n");
        if v3 {
            let kind = if r.track_release {
                "TrackRelease"
            } else {
                "Album"
            };
            x.push_str(&format!("      <ReleaseType>{kind}</ReleaseType>\n"));
            x.push_str("      <ReleaseResourceReferenceList>\n");
            for t in &r.tracks {
                x.push_str(&format!("        <ReleaseResourceReference ReleaseResourceType=\"PrimaryResource\">{t}</ReleaseResourceReference>\n"));
            }
            x.push_str("      </ReleaseResourceReferenceList>\n");
        } else if r.track_release {
            for t in &r.tracks {
                x.push_str(&format!(
                    "      <ReleaseResourceReference>{t}</ReleaseResourceReference>\n"
                ));
            }
        } else {
            x.push_str("      <ReleaseType>Album</ReleaseType>\n      <ResourceGroup>\n");
            for (i, t) in r.tracks.iter().enumerate() {
                x.push_str(&format!(
                    "        <ResourceGroupContentItem><SequenceNumber>{}</SequenceNumber><ReleaseResourceReference>{t}</ReleaseResourceReference></ResourceGroupContentItem>\n",
                    i + 1
                ));
            }
            x.push_str("      </ResourceGroup>\n");
        }
        x.push_str(&format!("    </{element}>\n"));
    }
    x.push_str("  </ReleaseList>\n</ern:NewReleaseMessage>\n");
    x
}

/// A DSR flat file: `HEAD`, header rows naming the usage columns, then one block per
/// resource `(block, dsp_id, isrc, title, [(usages, revenue)])`.
/// One DSR resource: block id, DspResourceId, ISRC cell, title, and its usage lines
/// (usages, revenue).
pub type DsrResource<'a> = (&'a str, &'a str, &'a str, &'a str, &'a [(u64, f64)]);

pub fn dsr(resources: &[DsrResource<'_>]) -> String {
    let mut x = String::new();
    x.push_str("HEAD\tdsrf/4.0\tBasicAudioProfile\t1.2\tMSG-1\t2026-11-30\n");
    x.push_str("#AS01\tBlockId\tResourceReference\tDspResourceId\tISRC\tTitle\tSubTitle\tDisplayArtistName\tDisplayArtistPartyId\tDuration\tResourceType\n");
    x.push_str("#SU02\tBlockId\tSalesTransactionId\tUseType\tCommercialModel\tTerritory\tNumberOfUsages\tNetRevenue\tCurrency\n");
    for (i, (block, dsp, isrc, title, uses)) in resources.iter().enumerate() {
        x.push_str(&format!(
            "AS01\t{block}\tR{i}\t{dsp}\t{isrc}\t{title}\t\tThe Band\t\tPT3M25S\tSoundRecording\n"
        ));
        for (j, (usages, revenue)) in uses.iter().enumerate() {
            x.push_str(&format!(
                "SU02\t{block}\tT{i}-{j}\tOnDemandStream\tSubscriptionModel\tGB\t{usages}\t{revenue}\tGBP\n"
            ));
        }
    }
    x.push_str("FOOT\t1\n");
    x
}
