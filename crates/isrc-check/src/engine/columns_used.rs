//! What the report says about each input's columns: which were used, and whether
//! conflicts could be checked (or in words why not).

use crate::layout::{Columns, JsonFields};
use crate::report::InputColumns;

const HOW_TO_NAME: &str =
    "name them with --title-column, --artist-column, --version-column or --duration-column";

/// The columns of a table (CSV, TSV, xlsx), by header name or number.
pub(super) fn of_table(
    file: &str,
    format: &'static str,
    header: Option<&[String]>,
    columns: &Columns,
) -> InputColumns {
    let label = |i: usize| match header.and_then(|h| h.get(i)) {
        Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
        _ => format!("column {}", i + 1),
    };
    let title = columns.title.map(label);
    let artist = columns.artist.map(label);
    let version = columns.version.map(label);
    let duration = columns.duration.map(|(i, _)| label(i));
    finish(
        file,
        format,
        label(columns.isrc),
        [title, artist, version, duration],
    )
}

/// The key paths of JSON records.
pub(super) fn of_json(file: &str, format: &'static str, fields: &JsonFields) -> InputColumns {
    let path = |p: &Vec<String>| p.join(".");
    finish(
        file,
        format,
        path(&fields.isrc),
        [
            fields.title.as_ref().map(path),
            fields.artist.as_ref().map(path),
            fields.version.as_ref().map(path),
            fields.duration.as_ref().map(|(p, _)| path(p)),
        ],
    )
}

/// A plain list of codes.
pub(super) fn of_lines(file: &str) -> InputColumns {
    let mut used = finish(
        file,
        "lines",
        "the whole line".into(),
        [None, None, None, None],
    );
    used.conflicts =
        "not checked: a list of codes has no titles or artists, so only duplicates are found"
            .into();
    used
}

fn finish(
    file: &str,
    format: &'static str,
    isrc: String,
    [title, artist, version, duration]: [Option<String>; 4],
) -> InputColumns {
    let used: Vec<String> = [
        ("title", &title),
        ("artist", &artist),
        ("version", &version),
        ("duration", &duration),
    ]
    .iter()
    .filter_map(|(what, c)| c.as_ref().map(|c| format!("{what} ({c})")))
    .collect();
    let checked = !used.is_empty();
    let conflicts = if checked {
        format!("checked on {}", used.join(", "))
    } else {
        format!(
            "not checked: no title, artist, version or duration column was found by its header; {HOW_TO_NAME}"
        )
    };
    InputColumns {
        file: file.to_owned(),
        format,
        isrc,
        title,
        artist,
        version,
        duration,
        conflicts_checked: checked,
        conflicts,
    }
}
