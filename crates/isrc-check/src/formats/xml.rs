//! What the ERN reader needs around quick-xml: line and column of a byte offset, entity
//! references resolved (the five predefined ones and character references only: no DTD is
//! ever read, so no entity can expand and nothing external is loaded).

use quick_xml::events::BytesRef;

/// Line and column (1-based; the column in bytes) of byte offsets in one document.
pub(crate) struct Lines {
    /// The offset of every line's first byte.
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &[u8]) -> Lines {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|p| p + 1));
        Lines { starts }
    }

    /// The line and column of `offset`.
    pub(crate) fn at(&self, offset: usize) -> (u64, u64) {
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let column = offset - self.starts[line - 1] + 1;
        (line as u64, column as u64)
    }
}

/// The text an entity or character reference stands for, or why it is refused.
pub(crate) fn resolve(reference: &BytesRef<'_>) -> Result<String, String> {
    let raw = std::str::from_utf8(reference).map_err(|_| "a reference that is not UTF-8")?;
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) if c != '\0' => Ok(c.to_string()),
            _ => Err(format!("&{raw}; is not a valid character reference")),
        };
    }
    match quick_xml::escape::resolve_predefined_entity(raw) {
        Some(text) => Ok(text.to_owned()),
        None => Err(format!(
            "&{raw}; is not one of XML's five predefined entities; entities declared in a DTD \
             are not expanded (DOCTYPE declarations are refused)"
        )),
    }
}

/// An attribute value with its references resolved.
pub(crate) fn attribute_text(raw: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(raw).map_err(|_| "an attribute value that is not UTF-8")?;
    quick_xml::escape::unescape(text)
        .map(|t| t.into_owned())
        .map_err(|e| format!("in an attribute value: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let lines = Lines::new(b"ab\ncd\n\nx");
        assert_eq!(lines.at(0), (1, 1));
        assert_eq!(lines.at(1), (1, 2));
        assert_eq!(lines.at(3), (2, 1));
        assert_eq!(lines.at(6), (3, 1));
        assert_eq!(lines.at(7), (4, 1));
    }

    #[test]
    fn references() {
        assert_eq!(resolve(&BytesRef::new("amp")).unwrap(), "&");
        assert_eq!(resolve(&BytesRef::new("#x41")).unwrap(), "A");
        assert!(resolve(&BytesRef::new("lol9")).unwrap_err().contains("DTD"));
        assert!(resolve(&BytesRef::new("#0")).is_err());
    }
}
