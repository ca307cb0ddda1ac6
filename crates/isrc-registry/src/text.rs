//! Text that crosses a boundary: control characters refused on the way in and escaped on the
//! way out to a terminal, CSV cells that a spreadsheet would run as formulas neutralised, and
//! the SQLite file created readable by its owner only.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// Refuses text holding a control character (NUL, BEL, ESC, a line break, DEL, C1 controls...):
/// such text rings terminals, rewrites what `isrc list` shows and splits log lines. Tabs are
/// refused too: no field of the ledger holds one on purpose. The error names the field and the
/// character's position.
///
/// ```
/// use isrc_registry::refuse_control_characters;
///
/// assert!(refuse_control_characters("title", "Première neige").is_ok());
/// let error = refuse_control_characters("title", "Evil\u{1b}[2J").unwrap_err();
/// assert!(error.to_string().contains("title"));
/// assert!(error.to_string().contains("U+001B"));
/// ```
pub fn refuse_control_characters(field: &str, text: &str) -> Result<()> {
    match text.chars().enumerate().find(|(_, c)| c.is_control()) {
        None => Ok(()),
        Some((position, c)) => Err(Error::invalid(
            field,
            format!(
                "character {} is the control character U+{:04X}{}: control characters (NUL, BEL, ESC, line breaks, tabs) are not allowed here",
                position + 1,
                c as u32,
                control_name(c)
            ),
        )),
    }
}

/// [`refuse_control_characters`] for multi-line text (a postal address, notes): line feeds and
/// carriage returns pass, every other control character is refused.
pub fn refuse_control_characters_but_newlines(field: &str, text: &str) -> Result<()> {
    for line in text.split(['\n', '\r']) {
        refuse_control_characters(field, line)?;
    }
    Ok(())
}

fn control_name(c: char) -> &'static str {
    match c {
        '\0' => " (NUL)",
        '\u{7}' => " (BEL)",
        '\u{1b}' => " (ESC)",
        '\n' => " (line feed)",
        '\r' => " (carriage return)",
        '\t' => " (tab)",
        '\u{7f}' => " (DEL)",
        _ => "",
    }
}

/// Text for a terminal: every control character written as a visible escape (`\u{1b}`), so
/// that stored text (from before control characters were refused, or imported) cannot move the
/// cursor, change colours or ring the bell. Text without one is returned as it is.
///
/// ```
/// use isrc_registry::escape_control_characters;
///
/// assert_eq!(escape_control_characters("Song"), "Song");
/// assert_eq!(escape_control_characters("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
/// ```
pub fn escape_control_characters(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A CSV cell that a spreadsheet will not run as a formula: text starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`, as OWASP recommends against CSV
/// injection ("=HYPERLINK(...)" in a title would otherwise run when the export is opened).
/// Every CSV the registry writes (distributor and repertoire exports, the agency listing, from
/// the CLI and the API) goes through this; JSON exports keep the text as it is.
///
/// ```
/// use isrc_registry::csv_cell;
///
/// assert_eq!(csv_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(csv_cell("-remix"), "'-remix");
/// assert_eq!(csv_cell("Song"), "Song");
/// assert_eq!(csv_cell(""), "");
/// ```
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// [`csv_cell`] applied to each value of a row.
pub fn csv_row(row: Vec<String>) -> Vec<String> {
    row.into_iter()
        .map(|cell| match csv_cell(&cell) {
            Cow::Borrowed(_) => cell,
            Cow::Owned(safe) => safe,
        })
        .collect()
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern, so that search text matches
/// itself only.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Creates the SQLite file of `url` (`sqlite://PATH?mode=rwc`) with mode 0600 when it does not
/// exist yet, so that password hashes and the outbox are not readable by other users of the
/// machine (SQLite gives its -wal and -shm files the same mode). An existing file is left as
/// it is.
pub(crate) fn create_private_file(url: &str) -> std::result::Result<(), String> {
    let Some(rest) = url.strip_prefix("sqlite://") else {
        return Ok(());
    };
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || path.starts_with(':') {
        return Ok(());
    }
    let path = percent_decode(path);
    let path = std::path::Path::new(&path);
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // A missing directory and the like: SQLite reports it in its own words.
        Err(_) => Ok(()),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            let v = (high * 16 + low) as u8;
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for (input, expected) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("a=b", "a=b"),
            ("'quoted", "'quoted"),
        ] {
            assert_eq!(csv_cell(input), expected, "{input:?}");
        }
    }

    #[test]
    fn control_characters_are_refused_and_escaped() {
        for bad in [
            "a\0b",
            "bell\u{7}",
            "\u{1b}[2J",
            "two\nlines",
            "cr\r",
            "tab\t",
            "\u{9b}",
        ] {
            assert!(refuse_control_characters("title", bad).is_err(), "{bad:?}");
            assert!(!escape_control_characters(bad).chars().any(char::is_control));
        }
        assert!(refuse_control_characters("title", "Ça va — «oui»").is_ok());
    }

    #[test]
    fn percent_decoding_of_paths() {
        assert_eq!(percent_decode("/tmp/a%20b%25c"), "/tmp/a b%c");
        assert_eq!(percent_decode("/tmp/x%"), "/tmp/x%");
    }
}
