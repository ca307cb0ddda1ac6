//! # isrc-arrow
//!
//! The ISRC check of [`isrc`] over Apache Arrow arrays: the kernel behind the Python
//! package's `isrc.arrow.check`, its Polars expressions and its PySpark job. A string array
//! goes in; a struct array comes out, one row per input row, with the columns of
//! [`output_fields`]:
//!
//! | column | type | what it holds |
//! |---|---|---|
//! | `compact` | Utf8 | the compact code (`CBYZ92200001`), null when the input is not valid |
//! | `valid` | Boolean | no finding is an error |
//! | `key` | UInt64 | [`Isrc::to_u64`] of the code when one can be formed (also for well-formed codes with errors, such as an unknown prefix) |
//! | `rules` | List(Utf8) | the ids of the rules with a finding (docs/rules.md), in the order of [`Rule::ALL`](isrc::rule::Rule::ALL) |
//! | `fix` | Utf8 | the corrected compact code, where one is offered |
//! | `severity` | Utf8 | `error`, `warning` or `info`: the most severe finding's; null when there is none |
//! | `prefix` | Utf8 | the registrant prefix the row counts under in `isrc check`'s systemic errors: the code's, or for a value that is no code the one it seems to have ([`PrefixCode::guess`](isrc::code::PrefixCode::guess)); null when there is none |
//!
//! A null input row gives a null output row. The policy (reference date, prefix table) is the
//! CLI's [`Policy`]. The rows are written straight into the output buffers, so a clean
//! compact code costs no allocation of its own.
//!
//! ```
//! use arrow_array::{Array, StringArray, cast::AsArray, types::UInt64Type};
//! use isrc::Policy;
//!
//! let policy = Policy::new("2026-11-22".parse().unwrap());
//! let input = StringArray::from(vec![Some("CBYZ92200001"), Some("us-rc1-76-07839"), Some("USRC176O7839"), None]);
//! let out = isrc_arrow::check(&input, &policy).unwrap();
//! let compact = out.column_by_name("compact").unwrap().as_string::<i32>();
//! assert_eq!(compact.value(1), "USRC17607839");
//! assert!(compact.is_null(2)); // invalid: a letter O among the digits
//! let fix = out.column_by_name("fix").unwrap().as_string::<i32>();
//! assert_eq!(fix.value(2), "USRC17607839");
//! let key = out.column_by_name("key").unwrap().as_primitive::<UInt64Type>();
//! assert_eq!(key.value(0), "CBYZ92200001".parse::<isrc::Isrc>().unwrap().to_u64());
//! assert!(out.is_null(3));
//! ```

use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, ListBuilder, StringBuilder, UInt64Builder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, StructArray, UInt64Array};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer};
use arrow_schema::{ArrowError, DataType, Field, Fields};
use isrc::check::{Verdict, verdict};
use isrc::code::PrefixCode;
use isrc::{Isrc, Policy};

pub mod recording;

/// The columns of [`check`]'s struct array, in order (see the crate documentation).
///
/// ```
/// let names: Vec<_> = isrc_arrow::output_fields().iter().map(|f| f.name().clone()).collect();
/// assert_eq!(names, ["compact", "valid", "key", "rules", "fix", "severity", "prefix"]);
/// ```
pub fn output_fields() -> Fields {
    Fields::from(vec![
        Field::new("compact", DataType::Utf8, true),
        Field::new("valid", DataType::Boolean, true),
        Field::new("key", DataType::UInt64, true),
        Field::new("rules", DataType::List(Arc::new(rule_item())), true),
        Field::new("fix", DataType::Utf8, true),
        Field::new("severity", DataType::Utf8, true),
        Field::new("prefix", DataType::Utf8, true),
    ])
}

/// The items of the `rules` list: rule ids, never null.
fn rule_item() -> Field {
    Field::new("item", DataType::Utf8, false)
}

/// Checks every string of `input` (Utf8, LargeUtf8, Utf8View, or an all-null array) under
/// `policy`; see the crate documentation for the output.
///
/// # Errors
/// An [`ArrowError::InvalidArgumentError`] naming the type when `input` is not a string array.
pub fn check(input: &dyn Array, policy: &Policy<'_>) -> Result<StructArray, ArrowError> {
    let len = input.len();
    match input.data_type() {
        DataType::Utf8 => Ok(check_strings(len, input.as_string::<i32>().iter(), policy)),
        DataType::LargeUtf8 => Ok(check_strings(len, input.as_string::<i64>().iter(), policy)),
        DataType::Utf8View => Ok(check_strings(len, input.as_string_view().iter(), policy)),
        DataType::Null => Ok(check_strings(len, std::iter::repeat_n(None, len), policy)),
        other => Err(ArrowError::InvalidArgumentError(format!(
            "isrc-arrow checks string arrays (Utf8, LargeUtf8, Utf8View), not {other}"
        ))),
    }
}

/// The output columns while they are being filled.
struct Columns {
    compact: StringBuilder,
    valid: BooleanBuilder,
    key: UInt64Builder,
    rules: ListBuilder<StringBuilder>,
    fix: StringBuilder,
    severity: StringBuilder,
    prefix: StringBuilder,
    present: Vec<bool>,
}

impl Columns {
    fn with_capacity(len: usize) -> Columns {
        Columns {
            compact: StringBuilder::with_capacity(len, len * 12),
            valid: BooleanBuilder::with_capacity(len),
            key: UInt64Builder::with_capacity(len),
            rules: ListBuilder::with_capacity(StringBuilder::new(), len).with_field(rule_item()),
            fix: StringBuilder::with_capacity(len, 0),
            severity: StringBuilder::with_capacity(len, 0),
            prefix: StringBuilder::with_capacity(len, len * 5),
            present: Vec::with_capacity(len),
        }
    }

    fn push_null(&mut self) {
        self.compact.append_null();
        self.valid.append_null();
        self.key.append_null();
        self.rules.append_null();
        self.fix.append_null();
        self.severity.append_null();
        self.prefix.append_null();
        self.present.push(false);
    }

    fn push(&mut self, input: &str, verdict: &Verdict) {
        let valid = verdict.is_valid();
        match verdict.isrc {
            // The input is the compact form already: no formatting.
            Some(_) if valid && verdict.rules.is_empty() && input.len() == 12 => {
                self.compact.append_value(input);
            }
            Some(code) if valid => self.compact.append_value(compact_text(code)),
            _ => self.compact.append_null(),
        }
        self.valid.append_value(valid);
        self.key.append_option(verdict.isrc.map(Isrc::to_u64));
        for rule in verdict.rules.iter() {
            self.rules.values().append_value(rule.id());
        }
        self.rules.append(true);
        match verdict.fix {
            Some(code) => self.fix.append_value(compact_text(code)),
            None => self.fix.append_null(),
        }
        self.severity
            .append_option(verdict.severity.map(|s| s.as_str()));
        match verdict.isrc {
            Some(code) => self.prefix.append_value(code.prefix().as_str()),
            None => self
                .prefix
                .append_option(PrefixCode::guess(input).as_ref().map(PrefixCode::as_str)),
        }
        self.present.push(true);
    }

    fn finish(mut self) -> StructArray {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.compact.finish()),
            Arc::new(self.valid.finish()),
            Arc::new(self.key.finish()),
            Arc::new(self.rules.finish()),
            Arc::new(self.fix.finish()),
            Arc::new(self.severity.finish()),
            Arc::new(self.prefix.finish()),
        ];
        let nulls = NullBuffer::from(self.present);
        let nulls = (nulls.null_count() > 0).then_some(nulls);
        StructArray::new(output_fields(), columns, nulls)
    }
}

/// The compact form of a code, on the stack.
fn compact_text(code: Isrc) -> CompactText {
    CompactText(code.to_bytes())
}

/// Twelve ASCII bytes that read as a `&str`.
struct CompactText([u8; 12]);

impl AsRef<str> for CompactText {
    fn as_ref(&self) -> &str {
        // The compact form is A-Z and 0-9 only.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

fn check_strings<'a>(
    len: usize,
    values: impl Iterator<Item = Option<&'a str>>,
    policy: &Policy<'_>,
) -> StructArray {
    let mut columns = Columns::with_capacity(len);
    for value in values {
        match value {
            Some(text) => columns.push(text, &verdict(text, policy)),
            None => columns.push_null(),
        }
    }
    columns.finish()
}

/// The values of a string array, one `Option<&str>` a row, for the single-column kernels.
fn string_values(input: &dyn Array) -> Result<recording::Strings<'_>, ArrowError> {
    recording::strings(input)
}

/// Whether each string of `input` is a valid ISRC (null where the input is null): the
/// `valid` column of [`check`] alone, computed on every core for a large array.
///
/// ```
/// use arrow_array::{Array, StringArray};
/// let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
/// let out = isrc_arrow::is_valid(&StringArray::from(vec![Some("CBYZ92200001"), Some("USRC176O7839"), None]), &policy).unwrap();
/// assert!(out.value(0) && !out.value(1) && out.is_null(2));
/// ```
///
/// # Errors
/// As [`check`], when `input` is not a string array.
pub fn is_valid(input: &dyn Array, policy: &Policy<'_>) -> Result<BooleanArray, ArrowError> {
    let len = input.len();
    // Each type gets its own loop (no call through a pointer a row), and the answers go
    // straight into the bitmap, 64 rows a word. A null slot reads as some string (the
    // empty one, for Arrow's writers); its answer is masked by the nulls below.
    let bits = match input.data_type() {
        DataType::Utf8 => {
            let a = input.as_string::<i32>();
            valid_bits(len, policy, |i| a.value(i))
        }
        DataType::LargeUtf8 => {
            let a = input.as_string::<i64>();
            valid_bits(len, policy, |i| a.value(i))
        }
        DataType::Utf8View => {
            let a = input.as_string_view();
            valid_bits(len, policy, |i| a.value(i))
        }
        DataType::Null => BooleanBuffer::new_unset(len),
        other => {
            return Err(ArrowError::InvalidArgumentError(format!(
                "isrc-arrow reads string arrays (Utf8, LargeUtf8, Utf8View), not {other}"
            )));
        }
    };
    Ok(BooleanArray::new(bits, input.logical_nulls()))
}

/// The bitmap of whether `value(i)` is a valid code for `i` in `0..len`, 64 rows a word,
/// the words cut into one run per core for a large array.
fn valid_bits<'a>(
    len: usize,
    policy: &Policy<'_>,
    value: impl Fn(usize) -> &'a str + Sync,
) -> BooleanBuffer {
    let words = in_parallel_from(len.div_ceil(64), 1024, |w| {
        let start = w * 64;
        let mut word = 0u64;
        for (bit, i) in (start..(start + 64).min(len)).enumerate() {
            word |= u64::from(verdict(value(i), policy).is_valid()) << bit;
        }
        word
    });
    BooleanBuffer::new(Buffer::from_vec(words), 0, len)
}

/// [`Isrc::to_u64`] of each string's code, where one can be formed (the `key` column of
/// [`check`] alone, on every core).
///
/// ```
/// use arrow_array::{Array, StringArray};
/// let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
/// let out = isrc_arrow::keys(&StringArray::from(vec!["cb-yz9-22-00001", "nonsense"]), &policy).unwrap();
/// assert_eq!(out.value(0), "CBYZ92200001".parse::<isrc::Isrc>().unwrap().to_u64());
/// assert!(out.is_null(1));
/// ```
///
/// # Errors
/// As [`check`], when `input` is not a string array.
pub fn keys(input: &dyn Array, policy: &Policy<'_>) -> Result<UInt64Array, ArrowError> {
    let values = string_values(input)?;
    let keys = in_parallel(input.len(), |i| {
        values(i).and_then(|text| verdict(text, policy).isrc.map(Isrc::to_u64))
    });
    Ok(keys.into_iter().collect())
}

/// `f(0..len)` in order, cut into one slice per core for large arrays (the machines that
/// check millions of codes have several).
fn in_parallel<T: Send>(len: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    in_parallel_from(len, 64 * 1024, f)
}

/// [`in_parallel`], on one thread below `serial` items.
fn in_parallel_from<T: Send>(len: usize, serial: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if len < serial || threads < 2 {
        return (0..len).map(f).collect();
    }
    let step = len.div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..len)
            .step_by(step)
            .map(|start| {
                scope.spawn(move || (start..(start + step).min(len)).map(f).collect::<Vec<T>>())
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
}
