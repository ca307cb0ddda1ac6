//! Reading an input: its format detected (lines, JSON Lines, CSV/TSV, xlsx, Parquet), its header and
//! columns chosen, then handed to the pipeline as chunks.

use std::io::Read;

use crate::layout::{
    InputFormat, choose_columns, choose_json_fields, detect_delimiter, looks_like_header,
};
use crate::report::CheckError;
use crate::source::{self, Opened};
use crate::table::TableChunks;

use super::chunks::{LineChunks, SheetChunks};
use super::sink::{InputInfo, RecordSink};
use super::worker::Work;
use super::{Checker, columns_used, parquet};

impl Checker<'_> {
    pub(super) fn check_opened(
        &mut self,
        name: &str,
        mut opened: Opened,
        sink: Option<&mut dyn RecordSink>,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<(), CheckError> {
        let by_name = InputFormat::from_name(name);
        self.skipped = (Vec::new(), 0);
        let parquet =
            parquet::is_parquet(&opened.head) || self.options.format == Some(InputFormat::Parquet);
        if parquet {
            return self.check_parquet(name, std::path::Path::new(name), opened, sink);
        }
        if self.options.skip_rows > 0 && !opened.zip {
            let skipped = source::skip_lines(&mut opened, self.options.skip_rows).map_err(|e| {
                let (line, column) = source::error_place(&e, 1);
                CheckError::new(name, line, column, format!("cannot read: {e}"))
            })?;
            self.skipped = (skipped, self.options.skip_rows);
        }
        if opened.zip || self.options.format == Some(InputFormat::Xlsx) {
            return self.check_xlsx(name, opened, sink);
        }
        if opened.head.is_empty() {
            return Err(CheckError::new(
                name,
                1,
                1,
                "the file is empty: there is nothing to check (was the export cut short, or is this the wrong file?)",
            ));
        }
        match self
            .options
            .format
            .or_else(|| crate::formats::detect(&opened.head))
        {
            Some(InputFormat::Ern) => return self.check_ern(name, opened, sink),
            Some(InputFormat::Dsr) => return self.check_dsr(name, opened, sink, progress),
            _ => {}
        }
        let head = &opened.head;
        let first_text = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|i| head[i]);
        if first_text == Some(b'[')
            && matches!(self.options.format, None | Some(InputFormat::Jsonl))
        {
            return self.check_json_array(name, opened, sink, progress);
        }
        let format = self.options.format.unwrap_or_else(|| {
            if first_text == Some(b'{') {
                InputFormat::Jsonl
            } else {
                match detect_delimiter(head, (by_name == Some(InputFormat::Tsv)).then_some(b'\t')) {
                    Some(b'\t') => InputFormat::Tsv,
                    Some(_) => InputFormat::Csv,
                    None => match by_name {
                        Some(InputFormat::Csv) => InputFormat::Csv,
                        Some(InputFormat::Tsv) => InputFormat::Tsv,
                        _ => {
                            // A one-column file with a header row is a table.
                            let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
                            let first = String::from_utf8_lossy(first);
                            if looks_like_header(&[first.trim().to_owned()], &[]) {
                                InputFormat::Csv
                            } else {
                                InputFormat::Lines
                            }
                        }
                    },
                }
            }
        });
        match format {
            InputFormat::Lines => {
                let info = InputInfo {
                    file: name,
                    format,
                    delimiter: b'\n',
                    bom: opened.bom,
                    extra_marks: opened.extra_marks,
                    header: None,
                    header_raw: None,
                    columns: None,
                    json_array: false,
                    encoding: opened.encoding,
                };
                self.inputs.push(columns_used::of_lines(name));
                let work = Work::Lines;
                self.pipeline(
                    name,
                    &info,
                    &work,
                    sink,
                    progress,
                    opened.size,
                    Box::new(LineChunks::new(source::whole(opened))),
                )
            }
            InputFormat::Jsonl => {
                let first = head
                    .split(|b| *b == b'\n')
                    .find(|l| !l.iter().all(u8::is_ascii_whitespace))
                    .map(String::from_utf8_lossy);
                let fields =
                    choose_json_fields(name, first.as_deref(), self.options.field.as_deref())?;
                let info = InputInfo {
                    file: name,
                    format,
                    delimiter: b'\n',
                    bom: opened.bom,
                    extra_marks: opened.extra_marks,
                    header: None,
                    header_raw: None,
                    columns: None,
                    json_array: false,
                    encoding: opened.encoding,
                };
                self.inputs
                    .push(columns_used::of_json(name, "jsonl", &fields));
                let work = Work::Json(fields);
                self.pipeline(
                    name,
                    &info,
                    &work,
                    sink,
                    progress,
                    opened.size,
                    Box::new(LineChunks::new(source::whole(opened))),
                )
            }
            InputFormat::Csv | InputFormat::Tsv => {
                let delimiter = if format == InputFormat::Tsv {
                    b'\t'
                } else {
                    detect_delimiter(head, None)
                        .filter(|d| *d != b'\t')
                        .unwrap_or(b',')
                };
                let sample = sample_rows(head, delimiter);
                let header_row = sample
                    .first()
                    .filter(|row| looks_like_header(row, &sample[1..]))
                    .cloned();
                let data_rows = if header_row.is_some() {
                    &sample[1..]
                } else {
                    &sample[..]
                };
                let columns = choose_columns(
                    name,
                    header_row.as_deref(),
                    data_rows,
                    &self.options.columns,
                )?;
                let width = header_row
                    .as_ref()
                    .map_or_else(|| data_rows.first().map_or(0, Vec::len), Vec::len);
                let has_header = header_row.is_some();
                let header_raw = has_header.then(|| first_record(head, delimiter).to_vec());
                let info = InputInfo {
                    file: name,
                    format,
                    delimiter,
                    bom: opened.bom,
                    extra_marks: opened.extra_marks,
                    header: header_row.as_deref(),
                    header_raw: header_raw.as_deref(),
                    columns: Some(&columns),
                    json_array: false,
                    encoding: opened.encoding,
                };
                self.inputs.push(columns_used::of_table(
                    name,
                    if format == InputFormat::Tsv {
                        "tsv"
                    } else {
                        "csv"
                    },
                    header_row.as_deref(),
                    &columns,
                ));
                let work = Work::Table {
                    columns: columns.clone(),
                    width,
                    delimiter,
                    header: has_header,
                };
                self.pipeline(
                    name,
                    &info,
                    &work,
                    sink,
                    progress,
                    opened.size,
                    Box::new(TableChunks::new(
                        source::whole(opened),
                        delimiter,
                        has_header,
                    )),
                )
            }
            InputFormat::Xlsx => self.check_xlsx(name, opened, sink),
            InputFormat::Parquet => {
                self.check_parquet(name, std::path::Path::new(name), opened, sink)
            }
            InputFormat::Ern => self.check_ern(name, opened, sink),
            InputFormat::Dsr => self.check_dsr(name, opened, sink, progress),
        }
    }

    pub(super) fn check_xlsx(
        &mut self,
        name: &str,
        opened: Opened,
        sink: Option<&mut dyn RecordSink>,
    ) -> Result<(), CheckError> {
        use calamine::{Data, Reader as _};
        let mut bytes = Vec::new();
        source::whole(opened).read_to_end(&mut bytes).map_err(|e| {
            let (line, column) = source::error_place(&e, 1);
            CheckError::new(name, line, column, format!("cannot read: {e}"))
        })?;
        let mut book =
            calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
                CheckError::new(name, 1, 1, format!("not a readable xlsx workbook: {e}"))
            })?;
        let sheets = book.sheet_names();
        let sheet = match &self.options.sheet {
            Some(s) => sheets.iter().find(|n| *n == s).cloned().ok_or_else(|| {
                CheckError::new(
                    name,
                    1,
                    1,
                    format!("no sheet named {s:?}; the workbook has {sheets:?}"),
                )
            })?,
            None => sheets
                .first()
                .cloned()
                .ok_or_else(|| CheckError::new(name, 1, 1, "the workbook has no sheet"))?,
        };
        let range = book.worksheet_range(&sheet).map_err(|e| {
            CheckError::new(name, 1, 1, format!("cannot read sheet {sheet:?}: {e}"))
        })?;
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let cell = |d: &Data| -> String {
            match d {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => d.to_string(),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            }
        };
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell).collect()).collect();
        if rows.is_empty() {
            return Err(CheckError::new(
                name,
                1,
                1,
                format!("sheet {sheet:?} is empty: there is nothing to check"),
            ));
        }
        let sample_end = rows.len().min(100);
        let has_header = looks_like_header(&rows[0], &rows[1..sample_end]);
        let header = has_header.then(|| rows[0].clone());
        let data_rows = if has_header {
            &rows[1..sample_end]
        } else {
            &rows[..sample_end]
        };
        let columns = choose_columns(name, header.as_deref(), data_rows, &self.options.columns)?;
        let width = header.as_ref().map_or_else(|| rows[0].len(), Vec::len);
        let info = InputInfo {
            file: name,
            format: InputFormat::Xlsx,
            delimiter: b',',
            bom: false,
            extra_marks: 0,
            header: header.as_deref(),
            header_raw: None,
            columns: Some(&columns),
            json_array: false,
            encoding: None,
        };
        self.inputs.push(columns_used::of_table(
            name,
            "xlsx",
            header.as_deref(),
            &columns,
        ));
        let work = Work::Table {
            columns: columns.clone(),
            width,
            delimiter: b',',
            header: false,
        };
        let skip = usize::from(has_header);
        self.pipeline(
            name,
            &info,
            &work,
            sink,
            &mut |_, _| {},
            None,
            Box::new(SheetChunks {
                rows: rows.into_iter().enumerate().skip(skip),
                first_row,
                seq: 0,
                done: false,
            }),
        )
    }
}

/// The sample rows of a delimited head (complete lines only).
/// The bytes of the first record of `head`, line ending included: a header whose quoted
/// cells hold line breaks spans several lines.
fn first_record(head: &[u8], delimiter: u8) -> &[u8] {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(head);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {
            let mut end = (reader.position().byte() as usize).min(head.len());
            // The reader stops after the `\r` of a `\r\n`.
            if end > 0 && head[end - 1] == b'\r' && head.get(end) == Some(&b'\n') {
                end += 1;
            }
            &head[..end]
        }
        _ => &head[..memchr::memchr(b'\n', head).map_or(head.len(), |p| p + 1)],
    }
}

pub(super) fn sample_rows(head: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let complete = match memchr::memrchr(b'\n', head) {
        Some(p) if head.len() >= 64 * 1024 => &head[..=p],
        _ => head,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(complete);
    rdr.byte_records()
        .take(100)
        .filter_map(Result::ok)
        .map(|r| {
            r.iter()
                .map(|f| String::from_utf8_lossy(f).trim().to_owned())
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::first_record;

    #[test]
    fn the_first_record_spans_the_line_breaks_of_its_quoted_cells() {
        for (head, delimiter, record) in [
            (
                &b"isrc,title\nUSRC17607839,One\n"[..],
                b',',
                &b"isrc,title\n"[..],
            ),
            (
                b"isrc;\"Track\nTitle\";\"Main\r\n\nArtist\"\nUS;One\n",
                b';',
                b"isrc;\"Track\nTitle\";\"Main\r\n\nArtist\"\n",
            ),
            (
                b"isrc,title\r\nUSRC17607839,One\r\n",
                b',',
                b"isrc,title\r\n",
            ),
            (b"isrc,title", b',', b"isrc,title"),
            (b"isrc,\"open\nquote", b',', b"isrc,\"open\nquote"),
        ] {
            assert_eq!(
                first_record(head, delimiter),
                record,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }
}
