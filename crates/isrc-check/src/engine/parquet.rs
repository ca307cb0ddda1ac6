//! Parquet inputs: the columns chosen as for CSV (header names are the schema's top-level
//! fields), then only those columns read, one record batch at a time, so that memory holds a
//! row group's column chunks, not the file. A record's "line" is its row number, from 1.

use std::io::{self, Read};
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::file::reader::ChunkReader;

use crate::layout::{Columns, InputFormat, choose_columns};
use crate::report::CheckError;
use crate::source::{self, Opened};
use crate::table::{Row, TableChunk};

use super::chunks::{Chunk, ChunkSource, Control};
use super::sink::{InputInfo, RecordSink};
use super::worker::Work;
use super::{Checker, columns_used};

/// Rows per record batch: about a chunk of fields for a few short columns.
const BATCH_ROWS: usize = 32 * 1024;

/// Whether `head` (the first bytes of an input) is a Parquet file's.
pub(super) fn is_parquet(head: &[u8]) -> bool {
    head.starts_with(b"PAR1")
}

impl Checker<'_> {
    pub(super) fn check_parquet(
        &mut self,
        name: &str,
        path: &Path,
        opened: Opened,
        sink: Option<&mut dyn RecordSink>,
    ) -> Result<(), CheckError> {
        // A plain file on disk is read where it is (Parquet needs to seek to its footer);
        // standard input and compressed files are read into memory first.
        let on_disk = (name != "-")
            .then(|| std::fs::File::open(path).ok())
            .flatten()
            .filter(|f| {
                let mut magic = [0u8; 4];
                f.try_clone()
                    .and_then(|mut f| f.read_exact(&mut magic))
                    .is_ok_and(|()| is_parquet(&magic))
            });
        match on_disk {
            Some(file) => {
                let again = file
                    .try_clone()
                    .map_err(|e| CheckError::new(name, 1, 1, format!("cannot read: {e}")))?;
                self.check_parquet_from(name, (file, again), sink)
            }
            None => {
                let mut bytes = Vec::new();
                source::whole(opened)
                    .read_to_end(&mut bytes)
                    .map_err(|e| CheckError::new(name, 1, 1, format!("cannot read: {e}")))?;
                let bytes = bytes::Bytes::from(bytes);
                self.check_parquet_from(name, (bytes.clone(), bytes), sink)
            }
        }
    }

    /// Reads `data` twice: once for the schema and the first rows, then for the records.
    fn check_parquet_from<R: ChunkReader + 'static>(
        &mut self,
        name: &str,
        (sample_data, data): (R, R),
        sink: Option<&mut dyn RecordSink>,
    ) -> Result<(), CheckError> {
        let unreadable = |e: parquet::errors::ParquetError| {
            CheckError::new(name, 1, 1, format!("not a readable Parquet file: {e}"))
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(sample_data).map_err(unreadable)?;
        let schema = builder.schema().clone();
        let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        // The first rows of every column, for columns chosen by their content.
        let sample: Vec<Vec<String>> = builder
            .with_batch_size(100)
            .with_limit(100)
            .build()
            .map_err(unreadable)?
            .next()
            .transpose()
            .map_err(|e| CheckError::new(name, 1, 1, format!("cannot read the first rows: {e}")))?
            .map(|batch| sample_rows(&batch))
            .unwrap_or_default();
        let columns = choose_columns(name, Some(&header), &sample, &self.options.columns)?;
        let mut chosen: Vec<usize> = [
            Some(columns.isrc),
            columns.title,
            columns.artist,
            columns.version,
        ]
        .into_iter()
        .flatten()
        .chain(columns.duration.map(|(i, _)| i))
        .collect();
        chosen.sort_unstable();
        chosen.dedup();
        for &i in &chosen {
            let field = schema.field(i);
            if !readable(field.data_type()) {
                return Err(CheckError::new(
                    name,
                    1,
                    1,
                    format!(
                        "column {:?} holds {}, which isrc check does not read: give a column of strings, integers, decimals or booleans",
                        field.name(),
                        field.data_type()
                    ),
                ));
            }
        }
        // The batches hold the chosen columns only, in file order.
        let at = |i: usize| chosen.iter().position(|&c| c == i).unwrap_or(0);
        let projected = Columns {
            isrc: at(columns.isrc),
            title: columns.title.map(at),
            artist: columns.artist.map(at),
            version: columns.version.map(at),
            duration: columns.duration.map(|(i, unit)| (at(i), unit)),
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(data).map_err(unreadable)?;
        let mask = ProjectionMask::roots(builder.parquet_schema(), chosen.iter().copied());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(unreadable)?;
        let info = InputInfo {
            file: name,
            format: InputFormat::Parquet,
            delimiter: b',',
            bom: false,
            extra_marks: 0,
            header: Some(&header),
            header_raw: None,
            columns: Some(&columns),
            json_array: false,
            encoding: None,
        };
        self.inputs.push(columns_used::of_table(
            name,
            "parquet",
            Some(&header),
            &columns,
        ));
        let work = Work::Table {
            columns: projected,
            width: chosen.len(),
            delimiter: b',',
            header: false,
        };
        self.pipeline(
            name,
            &info,
            &work,
            sink,
            &mut |_, _| {},
            None,
            Box::new(ParquetChunks {
                reader,
                rows: 0,
                seq: 0,
            }),
        )
    }
}

/// Whether a column of this type can be read as text.
fn readable(data_type: &DataType) -> bool {
    match data_type {
        DataType::Dictionary(_, values) => readable(values),
        t => {
            t.is_integer()
                || t.is_floating()
                || matches!(
                    t,
                    DataType::Utf8
                        | DataType::LargeUtf8
                        | DataType::Utf8View
                        | DataType::Binary
                        | DataType::LargeBinary
                        | DataType::BinaryView
                        | DataType::Boolean
                        | DataType::Null
                )
        }
    }
}

/// Appends row `i` of `array` to `out` as the text a CSV export would hold (nothing for
/// null, integral floats without a fraction, as xlsx cells are read).
fn append_value(array: &dyn Array, i: usize, out: &mut Vec<u8>) {
    use std::io::Write as _;
    if array.is_null(i) {
        return;
    }
    macro_rules! int {
        ($t:ty) => {{
            let _ = write!(out, "{}", array.as_primitive::<$t>().value(i));
        }};
    }
    let float = |out: &mut Vec<u8>, f: f64| {
        let _ = if f.fract() == 0.0 && f.abs() < 1e15 {
            write!(out, "{}", f as i64)
        } else {
            write!(out, "{f}")
        };
    };
    match array.data_type() {
        DataType::Utf8 => out.extend_from_slice(array.as_string::<i32>().value(i).as_bytes()),
        DataType::LargeUtf8 => out.extend_from_slice(array.as_string::<i64>().value(i).as_bytes()),
        DataType::Utf8View => out.extend_from_slice(array.as_string_view().value(i).as_bytes()),
        DataType::Binary => out.extend_from_slice(array.as_binary::<i32>().value(i)),
        DataType::LargeBinary => out.extend_from_slice(array.as_binary::<i64>().value(i)),
        DataType::BinaryView => out.extend_from_slice(array.as_binary_view().value(i)),
        DataType::Boolean => out.extend_from_slice(if array.as_boolean().value(i) {
            b"true"
        } else {
            b"false"
        }),
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Float32 => float(out, f64::from(array.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => float(out, array.as_primitive::<Float64Type>().value(i)),
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let key = dict.normalized_keys()[i];
            append_value(dict.values().as_ref(), key, out);
        }
        _ => {}
    }
}

/// Every column of the first rows, as text, for choosing columns by content.
fn sample_rows(batch: &RecordBatch) -> Vec<Vec<String>> {
    (0..batch.num_rows())
        .map(|i| {
            batch
                .columns()
                .iter()
                .map(|c| {
                    let mut text = Vec::new();
                    if readable(c.data_type()) {
                        append_value(c.as_ref(), i, &mut text);
                    }
                    String::from_utf8_lossy(&text).trim().to_owned()
                })
                .collect()
        })
        .collect()
}

/// The record batches of a Parquet file, one table chunk each.
struct ParquetChunks {
    reader: ParquetRecordBatchReader,
    /// Rows read so far.
    rows: u64,
    seq: u64,
}

impl ChunkSource for ParquetChunks {
    fn next(&mut self, _control: &Control) -> io::Result<Option<Chunk>> {
        let Some(batch) = self.reader.next().transpose().map_err(io::Error::other)? else {
            return Ok(None);
        };
        let mut chunk = TableChunk::default();
        for i in 0..batch.num_rows() {
            let field_base = chunk.fields.len();
            let ends_start = chunk.ends.len();
            for column in batch.columns() {
                append_value(column.as_ref(), i, &mut chunk.fields);
                chunk.ends.push(chunk.fields.len());
            }
            self.rows += 1;
            chunk.rows.push(Row {
                line: self.rows,
                raw: 0..0,
                field_base,
                ends: ends_start..chunk.ends.len(),
                unquoted: false,
            });
        }
        self.seq += 1;
        Ok(Some(Chunk::table(self.seq - 1, chunk, Vec::new())))
    }
}
