//! What "the same recording" means, over Arrow columns: the fingerprints `isrc check` keeps
//! per record to find conflicts (one ISRC, different recordings) and possible duplicate
//! recordings (one recording, two ISRCs), from [`isrc::recording`].
//!
//! A record's columns are compared after folding (case, spacing, punctuation), through
//! 32-bit fingerprints, exactly as `isrc check` does; a null value in a column that was given
//! counts as an empty field, as an empty CSV field does there.
//!
//! ```
//! use arrow_array::{Array, StringArray, cast::AsArray, types::UInt32Type};
//!
//! let title = StringArray::from(vec!["Yesterday", "yesterday!", "Tomorrow"]);
//! let artist = StringArray::from(vec!["The Band", "the band", "The Band"]);
//! let out = isrc_arrow::recording::fingerprints(Some(&title), Some(&artist), None).unwrap();
//! let ta = out.column_by_name("title_artist").unwrap().as_primitive::<UInt32Type>();
//! assert_eq!(ta.value(0), ta.value(1));
//! assert_ne!(ta.value(0), ta.value(2));
//! ```

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, UInt32Builder, UInt64Builder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Float64Array, StructArray};
use arrow_schema::{ArrowError, DataType, Field, Fields};
use isrc::recording::{DurationUnit, fold_hash_parts, parse_seconds};

/// The columns of [`fingerprints`]' struct array.
///
/// - `title_artist` (UInt32): the fingerprint of the folded title and artist; null when
///   neither column was given.
/// - `version` (UInt32): the fingerprint of the folded version; null without a version column.
/// - `recording` (UInt64): the recording for possible duplicate recordings, null unless both
///   the title and the artist are non-empty.
pub fn fingerprint_fields() -> Fields {
    Fields::from(vec![
        Field::new("title_artist", DataType::UInt32, true),
        Field::new("version", DataType::UInt32, true),
        Field::new("recording", DataType::UInt64, true),
    ])
}

/// Row `i` of a string column, `None` when null.
pub(crate) type Strings<'a> = Box<dyn Fn(usize) -> Option<&'a str> + Send + Sync + 'a>;

/// The values of a string column, one `Option<&str>` a row.
pub(crate) fn strings<'a>(array: &'a dyn Array) -> Result<Strings<'a>, ArrowError> {
    Ok(match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            Box::new(move |i| a.is_valid(i).then(|| a.value(i)))
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            Box::new(move |i| a.is_valid(i).then(|| a.value(i)))
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            Box::new(move |i| a.is_valid(i).then(|| a.value(i)))
        }
        DataType::Null => Box::new(|_| None),
        other => {
            return Err(ArrowError::InvalidArgumentError(format!(
                "isrc-arrow reads string arrays (Utf8, LargeUtf8, Utf8View), not {other}"
            )));
        }
    })
}

/// The 32-bit fingerprint `isrc check` keeps of a 64-bit hash: its high half, 0 stored as 1.
fn fingerprint(hash: u64) -> u32 {
    ((hash >> 32) as u32).max(1)
}

/// The recording fingerprints of each row (see [`fingerprint_fields`]); the columns given
/// must have the same length.
///
/// # Errors
/// When a column is not a string array or the lengths differ.
pub fn fingerprints(
    title: Option<&dyn Array>,
    artist: Option<&dyn Array>,
    version: Option<&dyn Array>,
) -> Result<StructArray, ArrowError> {
    let given: Vec<&dyn Array> = [title, artist, version].into_iter().flatten().collect();
    let len = given.first().map_or(0, |a| a.len());
    if given.iter().any(|a| a.len() != len) {
        return Err(ArrowError::InvalidArgumentError(
            "the title, artist and version columns have different lengths".into(),
        ));
    }
    let title = title.map(strings).transpose()?;
    let artist = artist.map(strings).transpose()?;
    let version = version.map(strings).transpose()?;
    let mut title_artist = UInt32Builder::with_capacity(len);
    let mut version_out = UInt32Builder::with_capacity(len);
    let mut recording = UInt64Builder::with_capacity(len);
    for i in 0..len {
        let t = title.as_ref().map(|f| f(i).unwrap_or_default());
        let a = artist.as_ref().map(|f| f(i).unwrap_or_default());
        let ta = (t.is_some() || a.is_some())
            .then(|| fold_hash_parts(&[t.unwrap_or_default(), a.unwrap_or_default()]));
        let v = version
            .as_ref()
            .map(|f| fold_hash_parts(&[f(i).unwrap_or_default()]));
        title_artist.append_option(ta.map(fingerprint));
        version_out.append_option(v.map(fingerprint));
        // As `isrc check` mixes them: only with both a title and an artist.
        let rec = match (t, a, ta) {
            (Some(t), Some(a), Some(h)) if !t.is_empty() && !a.is_empty() => Some(
                (h ^ v.unwrap_or(0).rotate_left(17))
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    .max(1),
            ),
            _ => None,
        };
        recording.append_option(rec);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(title_artist.finish()),
        Arc::new(version_out.finish()),
        Arc::new(recording.finish()),
    ];
    Ok(StructArray::new(fingerprint_fields(), columns, None))
}

/// Durations in seconds (`m:ss`, `h:mm:ss`, ISO 8601 `PT3M25S`, or a plain number in
/// `unit`), null where the text is none of these.
///
/// ```
/// use arrow_array::{Array, StringArray};
/// use isrc::recording::DurationUnit;
/// let out = isrc_arrow::recording::durations(&StringArray::from(vec!["3:25", "soon"]), DurationUnit::Seconds).unwrap();
/// assert_eq!(out.value(0), 205.0);
/// assert!(out.is_null(1));
/// ```
///
/// # Errors
/// When the column is not a string array.
pub fn durations(array: &dyn Array, unit: DurationUnit) -> Result<Float64Array, ArrowError> {
    let values = strings(array)?;
    let mut out = Float64Builder::with_capacity(array.len());
    for i in 0..array.len() {
        out.append_option(values(i).and_then(|text| parse_seconds(text, unit)));
    }
    Ok(out.finish())
}
