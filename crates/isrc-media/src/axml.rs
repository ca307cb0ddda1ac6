//! ISRCs in the BWF `axml` chunk, as EBU Tech 3352 carries them: an EBUCore
//! `identifier` element with `formatLabel="ISRC"` whose `dc:identifier` reads `ISRC:CODE`.
//!
//! The XML is edited in place as text: only the identifier's text (or one inserted element)
//! changes, every other byte of the document is kept.
//!
//! ```
//! let code: isrc::Isrc = "GBAAA2600001".parse().unwrap();
//! let xml = isrc_media::axml::set_isrc(None, code)?;
//! assert!(xml.contains("<dc:identifier>ISRC:GBAAA2600001</dc:identifier>"));
//! let found = isrc_media::axml::isrcs(&xml);
//! assert_eq!(found[0].value, "GBAAA2600001");
//! # Ok::<(), isrc_media::axml::AxmlError>(())
//! ```

use std::ops::Range;

use isrc::Isrc;

/// The namespace of Dublin Core elements.
pub const DC_NAMESPACE: &str = "http://purl.org/dc/elements/1.1/";

/// One ISRC found in the XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxmlIsrc {
    /// The code as written, without the `ISRC:` label and surrounding spaces.
    pub value: String,
    /// Byte range of the `dc:identifier` element's text in the document.
    pub span: Range<usize>,
}

/// The `axml` chunk holds XML this module does not edit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AxmlError(String);

#[derive(Debug)]
struct Tag<'a> {
    start: usize,
    end: usize,
    prefix: &'a str,
    local: &'a str,
    closing: bool,
    self_closing: bool,
    attrs: &'a str,
}

/// Splits the document into its element tags, skipping comments, CDATA, processing
/// instructions and declarations. Never panics; stops at the first unterminated tag.
fn tags(xml: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(offset) = xml[at..].find('<') {
        let start = at + offset;
        let rest = &xml[start..];
        let skip_to = |end: &str| rest.find(end).map(|i| start + i + end.len());
        let next = if rest.starts_with("<!--") {
            skip_to("-->")
        } else if rest.starts_with("<![CDATA[") {
            skip_to("]]>")
        } else if rest.starts_with("<?") {
            skip_to("?>")
        } else if rest.starts_with("<!") {
            skip_to(">")
        } else {
            match rest.find('>') {
                None => None,
                Some(close) => {
                    let end = start + close + 1;
                    let inner = &xml[start + 1..end - 1];
                    let closing = inner.starts_with('/');
                    let inner = inner.trim_start_matches('/');
                    let self_closing = inner.ends_with('/');
                    let inner = inner.trim_end_matches('/');
                    let name_len = inner
                        .find(|c: char| c.is_whitespace())
                        .unwrap_or(inner.len());
                    let (name, attrs) = inner.split_at(name_len);
                    let (prefix, local) = match name.split_once(':') {
                        Some((p, l)) => (p, l),
                        None => ("", name),
                    };
                    out.push(Tag {
                        start,
                        end,
                        prefix,
                        local,
                        closing,
                        self_closing,
                        attrs,
                    });
                    Some(end)
                }
            }
        };
        match next {
            Some(next) => at = next,
            None => break,
        }
    }
    out
}

fn attr_is(attrs: &str, name: &str, value: &str) -> bool {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || rest[..i].ends_with(|c: char| c.is_whitespace());
        let after = rest[i + name.len()..].trim_start();
        if before_ok && let Some(after) = after.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'')
                && let Some(end) = after[1..].find(quote)
            {
                return after[1..1 + end].trim().eq_ignore_ascii_case(value);
            }
        }
        rest = &rest[i + name.len()..];
    }
    false
}

/// Every ISRC in the document: `dc:identifier` elements inside an identifier whose
/// `formatLabel` is `ISRC`, and any `dc:identifier` whose text starts with `ISRC:`.
pub fn isrcs(xml: &str) -> Vec<AxmlIsrc> {
    let tags = tags(xml);
    let mut found = Vec::new();
    // Depth of open ISRC identifier elements (non-dc `identifier` with formatLabel="ISRC").
    let mut isrc_depth = 0usize;
    let mut other_depth = 0usize;
    for (i, tag) in tags.iter().enumerate() {
        if tag.local != "identifier" {
            continue;
        }
        if tag.prefix == "dc" {
            if tag.closing || tag.self_closing {
                continue;
            }
            let Some(close) = tags
                .get(i + 1)
                .filter(|t| t.closing && t.local == "identifier")
            else {
                continue;
            };
            let span = tag.end..close.start;
            let text = &xml[span.clone()];
            let trimmed = text.trim();
            let labelled = trimmed
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("isrc:"));
            if labelled || isrc_depth > 0 {
                let value = if labelled { &trimmed[5..] } else { trimmed };
                found.push(AxmlIsrc {
                    value: value.trim().to_string(),
                    span,
                });
            }
        } else if tag.closing {
            if other_depth > 0 {
                other_depth -= 1;
            } else {
                isrc_depth = isrc_depth.saturating_sub(1);
            }
        } else if !tag.self_closing {
            if attr_is(tag.attrs, "formatLabel", "ISRC") {
                isrc_depth += 1;
            } else if isrc_depth > 0 {
                other_depth += 1;
            }
        }
    }
    found
}

/// The EBUCore identifier element for `code`, with the Tech 3352 labels.
fn identifier_element(prefix: &str, code: Isrc) -> String {
    let p = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}:")
    };
    format!(
        "<{p}identifier typeLabel=\"GUID\" typeDefinition=\"Globally Unique Identifier\" \
         formatLabel=\"ISRC\" formatDefinition=\"International Standard Recording Code\" \
         formatLink=\"http://www.ebu.ch/metadata/cs/ebu_IdentifierTypeCodeCS.xml#3.7\" \
         xmlns:dc=\"{DC_NAMESPACE}\"><dc:identifier>ISRC:{code}</dc:identifier></{p}identifier>"
    )
}

/// Returns the document with `code` as its ISRC.
///
/// - `None` or a blank document: a new minimal EBUCore document.
/// - ISRC identifiers present: their text becomes `ISRC:CODE`; nothing else changes.
/// - Otherwise an identifier element is inserted just before `</coreMetadata>`.
///
/// Fails on XML without a `coreMetadata` element (it is not EBUCore).
pub fn set_isrc(xml: Option<&str>, code: Isrc) -> Result<String, AxmlError> {
    let xml = match xml {
        Some(text) if !text.trim().is_empty() => text,
        _ => {
            return Ok(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <ebucore:ebuCoreMain xmlns:dc=\"{DC_NAMESPACE}\" \
                 xmlns:ebucore=\"urn:ebu:metadata-schema:ebuCore_2014\">\
                 <ebucore:coreMetadata>{}</ebucore:coreMetadata></ebucore:ebuCoreMain>\n",
                identifier_element("ebucore", code)
            ));
        }
    };
    let found = isrcs(xml);
    if !found.is_empty() {
        let mut out = String::with_capacity(xml.len() + 16);
        let mut at = 0;
        for isrc in &found {
            out.push_str(&xml[at..isrc.span.start]);
            out.push_str(&format!("ISRC:{code}"));
            at = isrc.span.end;
        }
        out.push_str(&xml[at..]);
        return Ok(out);
    }
    let tags = tags(xml);
    let Some(core_end) = tags.iter().find(|t| t.closing && t.local == "coreMetadata") else {
        return Err(AxmlError(String::from(
            "the axml chunk holds XML without an EBUCore coreMetadata element; not editing it",
        )));
    };
    let mut out = String::with_capacity(xml.len() + 400);
    out.push_str(&xml[..core_end.start]);
    out.push_str(&identifier_element(core_end.prefix, code));
    out.push_str(&xml[core_end.start..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TECH_3352: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ebucore:ebuCoreMain xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:ebucore="urn:ebu:metadata-schema:ebuCore_2012">
 <ebucore:coreMetadata>
  <ebucore:identifier typeLabel="GUID" typeDefinition="Globally Unique Identifier" formatLabel="ISRC" formatDefinition="International Standard Recording Code" formatLink="http://www.ebu.ch/metadata/cs/ebu_IdentifierTypeCodeCS.xml#3.7">
   <dc:identifier>ISRC:GBAAA2600001</dc:identifier>
  </ebucore:identifier>
  <ebucore:identifier formatLabel="UMID"><dc:identifier>0x060A2B34</dc:identifier></ebucore:identifier>
 </ebucore:coreMetadata>
</ebucore:ebuCoreMain>"#;

    #[test]
    fn reads_the_tech_3352_example() {
        let found = isrcs(TECH_3352);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value, "GBAAA2600001");
    }

    #[test]
    fn replaces_only_the_text() {
        let code: Isrc = "CBYZ92200001".parse().unwrap();
        let out = set_isrc(Some(TECH_3352), code).unwrap();
        assert_eq!(out, TECH_3352.replace("GBAAA2600001", "CBYZ92200001"));
    }

    #[test]
    fn inserts_into_core_metadata() {
        let code: Isrc = "CBYZ92200001".parse().unwrap();
        let xml = "<ebuCoreMain><coreMetadata><title/></coreMetadata></ebuCoreMain>";
        let out = set_isrc(Some(xml), code).unwrap();
        assert_eq!(isrcs(&out)[0].value, "CBYZ92200001");
        assert!(out.starts_with("<ebuCoreMain><coreMetadata><title/><identifier "));
        assert!(set_isrc(Some("<other/>"), code).is_err());
    }

    #[test]
    fn odd_xml_does_not_panic() {
        for xml in [
            "<",
            "<dc:identifier>",
            "<a formatLabel=\"ISRC",
            "<!--",
            "</x></y>",
            "<:>",
        ] {
            let _ = isrcs(xml);
        }
    }
}
