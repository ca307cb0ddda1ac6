//! `serde` support: an [`Isrc`] is its compact string in human-readable formats and its
//! [`Isrc::to_u64`] number in binary ones; a [`Report`] serializes to the documented JSON shape
//! of `isrc validate --json`.

use core::fmt;

use serde::de::{self, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::check::Report;
use crate::code::{Isrc, PrefixCode};
use crate::error::Span;
use crate::prefix::PrefixEntry;
use crate::rule::{Finding, Rule, Severity};

impl Serialize for Isrc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serializer.serialize_u64(self.to_u64())
        }
    }
}

struct IsrcVisitor;

impl Visitor<'_> for IsrcVisitor {
    type Value = Isrc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ISRC such as \"CBYZ92200001\", or its u64 encoding")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Isrc, E> {
        text.parse().map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Isrc, E> {
        Isrc::from_u64(value).ok_or_else(|| E::custom("number out of range for an ISRC"))
    }
}

impl<'de> Deserialize<'de> for Isrc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Isrc, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(IsrcVisitor)
        } else {
            deserializer.deserialize_u64(IsrcVisitor)
        }
    }
}

impl Serialize for PrefixCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PrefixCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PrefixCode, D::Error> {
        let text = <alloc::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        let text = <alloc::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse()
            .map_err(|_| de::Error::custom(alloc::format!("unknown rule id {text:?}")))
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for Span {
    /// `[start, end]`, byte offsets.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(2))?;
        seq.serialize_element(&self.start)?;
        seq.serialize_element(&self.end)?;
        seq.end()
    }
}

impl Serialize for Finding {
    /// `{"rule", "severity", "message", "span": [start, end], "fix"}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Finding", 5)?;
        s.serialize_field("rule", &self.rule)?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("span", &self.span)?;
        s.serialize_field("fix", &self.fix)?;
        s.end()
    }
}

struct PrefixInfo<'a>(&'a PrefixEntry);

impl Serialize for PrefixInfo<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("agency", self.0.agency())?;
        map.serialize_entry("territory", self.0.territory())?;
        map.serialize_entry("status", self.0.status().as_str())?;
        let introduced = self.0.introduced().map(|d| {
            let mut b = [0u8; 7];
            let digit = |v: u16| b'0' + (v % 10) as u8;
            b[0] = digit(d.year / 1000);
            b[1] = digit(d.year / 100);
            b[2] = digit(d.year / 10);
            b[3] = digit(d.year);
            b[4] = b'-';
            b[5] = digit(u16::from(d.month) / 10);
            b[6] = digit(u16::from(d.month));
            b
        });
        map.serialize_entry("introduced", &introduced.as_ref().map(|b| ascii(b)))?;
        map.end()
    }
}

/// ASCII bytes made by this crate (code characters, digits, hyphens) as text.
fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or("")
}

impl Serialize for Report<'_> {
    /// The shape of `isrc validate --json`:
    /// `{"input", "valid", "isrc", "display", "country", "registrant", "year", "designation",
    /// "prefix": {"agency", "territory", "status", "introduced"}, "findings": [...]}`, with
    /// `null` for what cannot be formed.
    ///
    /// ```
    /// let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
    /// let json = serde_json::to_value(isrc_code::check("USRC17607839", &policy)).unwrap();
    /// assert_eq!(json["display"], "ISRC US-RC1-76-07839");
    /// assert_eq!(json["prefix"]["agency"], "RIAA");
    /// assert_eq!(json["findings"][0]["rule"], "legacy_year");
    /// ```
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The code's forms are made in stack buffers and written as plain strings: going
        // through `Display` (`collect_str`) costs a formatter and an escaping writer per form,
        // which was most of a lookup's serialization time in `isrc serve`.
        let code = self.isrc;
        let compact = code.map(Isrc::to_bytes);
        let labelled = code.map(|c| crate::code::hyphenate(c, true));
        let mut s = serializer.serialize_struct("Report", 10)?;
        s.serialize_field("input", self.input)?;
        s.serialize_field("valid", &self.is_valid())?;
        s.serialize_field("isrc", &compact.as_ref().map(|b| ascii(b)))?;
        s.serialize_field("display", &labelled.as_ref().map(|(b, n)| ascii(&b[..*n])))?;
        s.serialize_field("country", &compact.as_ref().map(|b| ascii(&b[..2])))?;
        s.serialize_field("registrant", &compact.as_ref().map(|b| ascii(&b[2..5])))?;
        s.serialize_field("year", &code.map(Isrc::year))?;
        s.serialize_field("designation", &code.map(Isrc::designation))?;
        s.serialize_field("prefix", &self.prefix.map(PrefixInfo))?;
        s.serialize_field("findings", &self.findings)?;
        s.end()
    }
}

#[cfg(feature = "json")]
impl Report<'_> {
    /// The report as one line of JSON, in the shape of `isrc validate --json` (its
    /// [`Serialize`] implementation through `serde_json`; feature `json`).
    ///
    /// ```
    /// let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
    /// let json = isrc_code::check("USRC176O7839", &policy).to_json();
    /// assert!(json.starts_with(r#"{"input":"USRC176O7839","valid":false,"isrc":null,"#));
    /// assert!(json.contains(r#""rule":"letter_in_digits","severity":"error""#));
    /// ```
    pub fn to_json(&self) -> alloc::string::String {
        // Cannot fail: every map key is a string and every value serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Appends the report as JSON (see [`to_json`](Report::to_json)) to `out`, for callers
    /// that write many reports into one buffer.
    ///
    /// ```
    /// let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
    /// let mut out = String::from("[");
    /// isrc_code::check("CBYZ92600001", &policy).write_json(&mut out);
    /// out.push(']');
    /// assert!(out.ends_with(r#""findings":[]}]"#));
    /// ```
    pub fn write_json(&self, out: &mut alloc::string::String) {
        out.push_str(&self.to_json());
    }
}
