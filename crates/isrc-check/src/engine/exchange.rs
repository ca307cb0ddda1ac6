//! DDEX inputs fed to the pipeline: an ERN message's resources and a DSR's resource
//! records become table rows (ISRC, reference, title, artist, duration...), checked and
//! indexed like any table, and the formats' own rules go to the report's `exchange` part.

use std::io::{self, Read};
use std::sync::{Arc, Mutex, PoisonError};

use isrc::recording::DurationUnit;

use crate::formats::dsr::{self, DsrReader, DsrTally};
use crate::formats::ern::{self, Message};
use crate::formats::push_row;
use crate::layout::{Columns, InputFormat};
use crate::report::CheckError;
use crate::source::{self, Opened};
use crate::table::TableChunk;

use super::chunks::{Chunk, ChunkSource, Control};
use super::sink::{InputInfo, RecordSink};
use super::worker::Work;
use super::{Checker, columns_used};

/// The largest ERN message read (one message is read whole; DDEX messages are kilobytes to
/// a few megabytes).
pub const MAX_MESSAGE: u64 = 256 << 20;

/// The header of the rows an ERN message becomes.
const ERN_FIELDS: [&str; 8] = [
    "ISRC",
    "ResourceReference",
    "Resource",
    "EditionType",
    "Title",
    "DisplayArtistName",
    "Duration",
    "Location",
];

/// ISRC, title, artist and duration columns of the rows.
fn columns(title: usize, artist: usize, duration: usize) -> Columns {
    Columns {
        isrc: 0,
        title: Some(title),
        artist: Some(artist),
        version: None,
        duration: Some((duration, DurationUnit::Seconds)),
    }
}

/// Reads a whole ERN message (at most [`MAX_MESSAGE`] bytes) and parses it.
pub(crate) fn read_ern(name: &str, opened: Opened) -> Result<(Message, u64), CheckError> {
    let mut bytes = Vec::new();
    source::whole(opened)
        .take(MAX_MESSAGE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CheckError::new(name, 1, 1, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_MESSAGE {
        return Err(CheckError::new(
            name,
            1,
            1,
            format!(
                "this ERN message is larger than {} MiB; a message is read whole, so it is refused",
                MAX_MESSAGE >> 20
            ),
        ));
    }
    let message = ern::read_message(&bytes).map_err(|e| {
        CheckError::new(
            name,
            e.line,
            e.column,
            format!("not a readable DDEX ERN message: {}", e.message),
        )
    })?;
    Ok((message, bytes.len() as u64))
}

impl Checker<'_> {
    /// Checks one ERN message read from `name`.
    pub(super) fn check_ern(
        &mut self,
        name: &str,
        opened: Opened,
        sink: Option<&mut dyn RecordSink>,
    ) -> Result<(), CheckError> {
        let (message, bytes) = read_ern(name, opened)?;
        self.check_ern_message(name, &message, bytes, sink)
    }

    /// Checks a message already read (folders of messages are read in parallel).
    pub(crate) fn check_ern_message(
        &mut self,
        name: &str,
        message: &Message,
        bytes: u64,
        sink: Option<&mut dyn RecordSink>,
    ) -> Result<(), CheckError> {
        let cap = self.max_listed();
        let mut found = ern::message_findings(message, name, &self.policy);
        found.extend(self.exchange.across.see(message, name, &self.policy));
        found.sort_by_key(|f| (f.location.line, f.location.column));
        let report = &mut self.exchange.report;
        report.ern_messages += 1;
        *report
            .ern_versions
            .entry(message.version.label.clone())
            .or_default() += 1;
        for f in found {
            report.push(f, cap);
        }
        self.exchange.used = true;
        let mut rows = Vec::new();
        for resource in &message.resources {
            for value in &resource.isrcs {
                let edition = value
                    .edition
                    .and_then(|e| resource.editions.get(e))
                    .map_or("", |e| e.kind.as_str());
                rows.push((
                    value.at.line,
                    vec![
                        value.value.clone(),
                        resource.reference.clone(),
                        resource.element.to_owned(),
                        edition.to_owned(),
                        resource.title.clone(),
                        resource.artist.clone(),
                        resource.duration.clone(),
                        value.at.path.clone(),
                    ],
                ));
            }
        }
        let header: Vec<String> = ERN_FIELDS.iter().map(|s| (*s).to_owned()).collect();
        let columns = columns(4, 5, 6);
        self.inputs
            .push(columns_used::of_table(name, "ern", Some(&header), &columns));
        self.bytes += bytes;
        if rows.is_empty() {
            // Nothing for the engine: the message's findings say what is missing.
            return Ok(());
        }
        let (info, work) = table_of(name, InputFormat::Ern, b',', &header, &columns);
        self.exchange.inline = true;
        self.pipeline(
            name,
            &info,
            &work,
            sink,
            &mut |_, _| {},
            None,
            Box::new(RowChunks {
                rows: rows.into_iter(),
                seq: 0,
                done: false,
            }),
        )
    }

    /// Checks a DSR flat file: its resource records through the pipeline, its usage lines
    /// tallied on the way.
    pub(super) fn check_dsr(
        &mut self,
        name: &str,
        opened: Opened,
        sink: Option<&mut dyn RecordSink>,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<(), CheckError> {
        let size = opened.size;
        let reader = DsrReader::new(source::whole(opened));
        let tally = Arc::new(Mutex::new(DsrTally::default()));
        let header: Vec<String> = dsr::FIELDS.iter().map(|s| (*s).to_owned()).collect();
        let columns = columns(5, 6, 7);
        self.inputs
            .push(columns_used::of_table(name, "dsr", Some(&header), &columns));
        let (info, work) = table_of(name, InputFormat::Dsr, b'\t', &header, &columns);
        let chunks = Arc::new(Mutex::new(DsrChunks {
            reader,
            tally: Arc::clone(&tally),
            seq: 0,
        }));
        let result = self.pipeline(
            name,
            &info,
            &work,
            sink,
            progress,
            size,
            Box::new(Arc::clone(&chunks)),
        );
        let cap = self.max_listed();
        let reader = &lock(&chunks).reader;
        let mut tally = std::mem::take(&mut *lock(&tally));
        tally.named(reader.layouts());
        let figures = tally.finish(
            reader.head(),
            name,
            &self.policy,
            &mut self.exchange.report,
            cap,
        );
        self.exchange.report.dsr.push(figures);
        self.exchange.used = true;
        result
    }
}

/// How the pipeline sees the rows of a DDEX input: a table with `header`, no header row in
/// the data, read as `format`.
fn table_of<'a>(
    name: &'a str,
    format: InputFormat,
    delimiter: u8,
    header: &'a [String],
    columns: &'a Columns,
) -> (InputInfo<'a>, Work) {
    let info = InputInfo {
        file: name,
        format,
        delimiter,
        bom: false,
        extra_marks: 0,
        header: Some(header),
        header_raw: None,
        columns: Some(columns),
        json_array: false,
        encoding: None,
    };
    let work = Work::Table {
        columns: columns.clone(),
        width: header.len(),
        delimiter,
        header: false,
    };
    (info, work)
}

/// The rows of an ERN message, already read, as table chunks.
struct RowChunks {
    rows: std::vec::IntoIter<(u64, Vec<String>)>,
    seq: u64,
    done: bool,
}

impl ChunkSource for RowChunks {
    fn next(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        if self.done {
            return Ok(None);
        }
        let mut table = control.table();
        table.fields.clear();
        while table.fields.len() < control.chunk {
            let Some((line, row)) = self.rows.next() else {
                self.done = true;
                break;
            };
            push_row(&mut table, line, row.iter().map(String::as_str));
        }
        self.seq += 1;
        let mut chunk = Chunk::table(self.seq - 1, table, Vec::new());
        // The message's bytes are counted once, by `check_ern_message`.
        chunk.input_bytes = 0;
        Ok(Some(chunk))
    }
}

/// A DSR cut into chunks of whole lines under the workers' lock; each chunk is parsed and
/// tallied by the worker that takes it, and the tallies merged in input order.
struct DsrChunks {
    reader: DsrReader,
    tally: Arc<Mutex<DsrTally>>,
    seq: u64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ChunkSource for Arc<Mutex<DsrChunks>> {
    fn next(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        let mut chunks = lock(self);
        let Some(mut dsr) = chunks.reader.next_chunk(control.chunk, control.buffer())? else {
            return Ok(None);
        };
        let seq = chunks.seq;
        chunks.seq += 1;
        let tally = Arc::clone(&chunks.tally);
        let data = std::mem::take(&mut dsr.data);
        Ok(Some(Chunk::parsed_by(
            seq,
            data,
            Box::new(move |data: &[u8], table: &mut TableChunk| {
                let part = dsr::parse_chunk(&dsr, data, table);
                lock(&tally).add(seq, part);
            }),
        )))
    }
}
