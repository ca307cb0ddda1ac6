//! A JSON array of records (`[{...}, {...}]`, what APIs and `jq -s` produce): read whole,
//! each element checked as a JSON Lines record would be, with the line where it starts.

use std::io::Read;
use std::sync::Arc;

use serde_json::value::RawValue;

use crate::layout::{InputFormat, choose_json_fields};
use crate::report::CheckError;
use crate::source::{self, Opened};

use super::chunks::LineChunks;
use super::sink::{InputInfo, RecordSink};
use super::worker::Work;
use super::{Checker, columns_used};

impl Checker<'_> {
    /// Checks a JSON array. The document is held in memory (an array has no record boundary
    /// a reader could cut at without parsing it); its elements become one line each (line
    /// breaks in JSON are whitespace), and [`Checker::line_map`] gives each its own line.
    pub(super) fn check_json_array(
        &mut self,
        name: &str,
        opened: Opened,
        sink: Option<&mut dyn RecordSink>,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<(), CheckError> {
        let size = opened.size;
        let bom = opened.bom;
        let extra_marks = opened.extra_marks;
        let encoding = opened.encoding;
        let mut bytes = Vec::new();
        source::whole(opened).read_to_end(&mut bytes).map_err(|e| {
            let (line, column) = source::error_place(&e, 1);
            CheckError::new(name, line, column, format!("cannot read: {e}"))
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let (line, column) = line_column(&bytes, e.valid_up_to());
            let byte = e.valid_up_to() + if bom { 3 } else { 0 };
            CheckError::new(
                name,
                line,
                column,
                format!(
                    "invalid UTF-8 at byte offset {byte} in the input: JSON text must be UTF-8"
                ),
            )
        })?;
        let elements: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
            CheckError::new(
                name,
                e.line() as u64,
                e.column() as u64,
                format!("not a JSON array of records: {e}"),
            )
        })?;
        let mut lines = Vec::with_capacity(elements.len());
        let mut flat = Vec::with_capacity(bytes.len() + elements.len());
        let (mut line, mut last) = (1u64, 0usize);
        for element in &elements {
            let offset = element.get().as_ptr() as usize - text.as_ptr() as usize;
            line += memchr::memchr_iter(b'\n', &bytes[last..offset]).count() as u64;
            last = offset;
            lines.push(line);
            flat.extend(
                element
                    .get()
                    .bytes()
                    .map(|b| if matches!(b, b'\n' | b'\r') { b' ' } else { b }),
            );
            flat.push(b'\n');
        }
        let first = elements
            .iter()
            .map(|e| e.get())
            .find(|e| e.starts_with('{'));
        let fields = choose_json_fields(name, first, self.options.field.as_deref())?;
        drop(elements);
        self.inputs
            .push(columns_used::of_json(name, "json", &fields));
        let info = InputInfo {
            file: name,
            format: InputFormat::Jsonl,
            delimiter: b'\n',
            bom,
            extra_marks,
            header: None,
            header_raw: None,
            columns: None,
            json_array: true,
            encoding,
        };
        self.line_map = Some(Arc::from(lines));
        let result = self.pipeline(
            name,
            &info,
            &Work::Json(fields),
            sink,
            progress,
            size,
            Box::new(LineChunks::new(std::io::Cursor::new(flat))),
        );
        self.line_map = None;
        result
    }
}

/// The 1-based line and column of byte `at`.
fn line_column(bytes: &[u8], at: usize) -> (u64, u64) {
    let before = &bytes[..at.min(bytes.len())];
    let line = 1 + memchr::memchr_iter(b'\n', before).count() as u64;
    let column = at - memchr::memrchr(b'\n', before).map_or(0, |p| p + 1) + 1;
    (line, column as u64)
}
