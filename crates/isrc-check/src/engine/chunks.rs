//! Chunking: inputs cut into chunks of whole lines or records on demand by the workers, and
//! the buffers of merged chunks kept for reuse.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::dense::PageBatch;
use crate::source::MAX_LINE;
use crate::table::{Row, TableChunk};

use super::index::Meta;
use super::verdicts::Out;

/// Bytes per chunk handed to a worker.
pub(crate) const CHUNK: usize = 1 << 20;

/// The buffers of a merged chunk, for the next chunks.
pub(super) struct Used {
    pub(super) data: Vec<u8>,
    pub(super) table: Option<TableChunk>,
    pub(super) outs: Vec<Out>,
    pub(super) metas: Vec<Meta>,
}

/// Buffers kept for reuse.
#[derive(Default)]
pub(super) struct Spare {
    pub(super) data: Vec<Vec<u8>>,
    pub(super) tables: Vec<TableChunk>,
    pub(super) outs: Vec<Vec<Out>>,
    pub(super) metas: Vec<Vec<Meta>>,
    pub(super) batches: Vec<PageBatch>,
}

/// Shared by the reader, the workers and the merge: the signal to stop reading, and the
/// buffers of chunks the merge is done with, so that later chunks reuse warm memory instead
/// of faulting in fresh pages (which cost more than the checks on a 2-core machine).
pub(crate) struct Control {
    pub(crate) cancel: AtomicBool,
    /// Bytes per chunk.
    pub(crate) chunk: usize,
    pub(super) spare: Mutex<Spare>,
    /// The report's list of invalid codes is full: workers stop keeping their values.
    pub(super) listed_enough: AtomicBool,
}

/// How many chunks' buffers are kept: about as many as are in flight.
pub(super) const KEEP: usize = 8;

impl Control {
    pub(super) fn new(chunk: usize) -> Control {
        Control {
            cancel: AtomicBool::new(false),
            chunk,
            spare: Mutex::default(),
            listed_enough: AtomicBool::new(false),
        }
    }

    pub(super) fn spare(&self) -> std::sync::MutexGuard<'_, Spare> {
        self.spare.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An empty buffer with room for a chunk.
    pub(crate) fn buffer(&self) -> Vec<u8> {
        let spare = self.spare().data.pop();
        spare.unwrap_or_else(|| Vec::with_capacity(self.chunk + 4096))
    }

    /// An empty table.
    pub(crate) fn table(&self) -> TableChunk {
        self.spare().tables.pop().unwrap_or_default()
    }

    /// An empty list of outcomes and one of metadata.
    pub(super) fn outcomes(&self) -> (Vec<Out>, Vec<Meta>) {
        let mut spare = self.spare();
        let outs = spare.outs.pop().unwrap_or_default();
        let metas = spare.metas.pop().unwrap_or_default();
        (outs, metas)
    }

    /// An empty batch of bit pages.
    pub(crate) fn batch(&self) -> PageBatch {
        self.spare().batches.pop().unwrap_or_else(PageBatch::new)
    }

    /// Takes back a batch once its pages are in the index.
    pub(super) fn give_batch(&self, mut batch: PageBatch) {
        let mut spare = self.spare();
        if spare.batches.len() < KEEP {
            batch.clear();
            spare.batches.push(batch);
        }
    }

    /// Takes back a chunk's data buffer before its merge, when nothing else reads it.
    pub(super) fn give_data(&self, mut data: Vec<u8>) {
        let mut spare = self.spare();
        if data.capacity() >= self.chunk && data.capacity() <= 4 * CHUNK && spare.data.len() < KEEP
        {
            data.clear();
            spare.data.push(data);
        }
    }

    /// Takes back a merged chunk's buffers (those of a few chunks are kept).
    pub(super) fn give(&self, used: Used) {
        let Used {
            mut data,
            table,
            mut outs,
            mut metas,
        } = used;
        let mut spare = self.spare();
        if data.capacity() >= self.chunk && data.capacity() <= 4 * CHUNK && spare.data.len() < KEEP
        {
            data.clear();
            spare.data.push(data);
        }
        if let Some(mut table) = table
            && spare.tables.len() < KEEP
            && table.fields.capacity() <= 4 * CHUNK
        {
            // The fields stay: `parse_block` writes over them, and they need no zeroing.
            table.ends.clear();
            table.rows.clear();
            spare.tables.push(table);
        }
        if spare.outs.len() < KEEP && outs.capacity() <= CHUNK {
            outs.clear();
            spare.outs.push(outs);
        }
        if spare.metas.len() < KEEP && metas.capacity() <= CHUNK {
            metas.clear();
            spare.metas.push(metas);
        }
    }
}

/// A piece of input: whole lines, or whole CSV records.
pub(crate) struct Chunk {
    pub(super) seq: u64,
    /// The raw bytes (lines, JSON Lines, CSV records).
    pub(super) data: Vec<u8>,
    pub(super) table: Option<TableChunk>,
    /// Line numbers inside are relative to the chunk (lines, JSON Lines).
    pub(super) relative_lines: bool,
    /// A line that was cut at [`MAX_LINE`] bytes: its full length.
    pub(super) overlong: Option<u64>,
    /// Problems found while splitting: (line, column, message), absolute.
    pub(super) issues: Vec<(u64, u64, String)>,
    /// Input bytes this chunk stands for.
    pub(super) input_bytes: u64,
    /// Records of a delimited block to read with quoting off: an unclosed quote is in each
    /// (see `table::QuoteScan`).
    pub(super) unquoted: Vec<std::ops::Range<usize>>,
    /// A reader of its own that turns the data into table rows on the worker (a DSR: its
    /// lines are not one table), instead of the delimited-block parser.
    pub(super) parse: Option<Parse>,
}

/// Turns a chunk's data into table rows, on the worker that checks them.
pub(crate) type Parse = Box<dyn FnOnce(&[u8], &mut TableChunk) + Send>;

impl Chunk {
    /// A block of delimited text, parsed by the worker.
    pub(crate) fn block(
        seq: u64,
        data: Vec<u8>,
        issues: Vec<(u64, u64, String)>,
        unquoted: Vec<std::ops::Range<usize>>,
    ) -> Chunk {
        Chunk {
            seq,
            input_bytes: data.len() as u64,
            data,
            table: None,
            relative_lines: true,
            overlong: None,
            issues,
            unquoted,
            parse: None,
        }
    }

    /// Whole lines that `parse` turns into table rows on the worker (line numbers in the
    /// rows it makes are absolute).
    pub(crate) fn parsed_by(seq: u64, data: Vec<u8>, parse: Parse) -> Chunk {
        Chunk {
            seq,
            input_bytes: data.len() as u64,
            data,
            table: None,
            relative_lines: false,
            overlong: None,
            issues: Vec::new(),
            unquoted: Vec::new(),
            parse: Some(parse),
        }
    }

    pub(super) fn table(seq: u64, table: TableChunk, issues: Vec<(u64, u64, String)>) -> Chunk {
        Chunk {
            seq,
            input_bytes: table.fields.len() as u64,
            data: Vec::new(),
            table: Some(table),
            relative_lines: false,
            overlong: None,
            issues,
            unquoted: Vec::new(),
            parse: None,
        }
    }
}

/// An input cut into chunks on demand, by whichever worker asks next (under a lock): each
/// chunk is then checked by the core that just copied it from the kernel, while it is still
/// in that core's cache, and no reader thread competes with the workers for the cores.
pub(crate) trait ChunkSource: Send {
    /// The next chunk, or `None` at the end of the input. Not called again after `None` or
    /// an error ([`Shared`] sees to it).
    fn next(&mut self, control: &Control) -> io::Result<Option<Chunk>>;
}

/// A [`ChunkSource`] shared by the workers, asked for no more chunks once it has run dry,
/// failed, or been cancelled.
pub(crate) struct Shared {
    pub(super) source: Box<dyn ChunkSource>,
    pub(super) finished: bool,
}

impl Shared {
    pub(super) fn next(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        if self.finished || control.cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let result = self.source.next(control);
        if !matches!(result, Ok(Some(_))) {
            self.finished = true;
        }
        result
    }
}

/// The rows of a sheet, already read, cut into table chunks of about [`CHUNK`] bytes of
/// fields (the last one possibly empty).
pub(super) struct SheetChunks {
    pub(super) rows: std::iter::Skip<std::iter::Enumerate<std::vec::IntoIter<Vec<String>>>>,
    /// The sheet's line number of its first row, less one.
    pub(super) first_row: u64,
    pub(super) seq: u64,
    pub(super) done: bool,
}

impl ChunkSource for SheetChunks {
    fn next(&mut self, _control: &Control) -> io::Result<Option<Chunk>> {
        if self.done {
            return Ok(None);
        }
        let mut chunk = TableChunk::default();
        while chunk.fields.len() < CHUNK {
            let Some((i, row)) = self.rows.next() else {
                self.done = true;
                break;
            };
            let field_base = chunk.fields.len();
            let ends_start = chunk.ends.len();
            for f in &row {
                chunk.fields.extend_from_slice(f.as_bytes());
                chunk.ends.push(chunk.fields.len());
            }
            chunk.rows.push(Row {
                line: self.first_row + i as u64 + 1,
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

/// Cuts a reader into chunks of whole lines, one chunk per call ([`ChunkSource`]). A line
/// longer than [`MAX_LINE`] becomes a chunk of its own, cut to that length.
pub(crate) struct LineChunks {
    pub(super) reader: Box<dyn Read + Send>,
    /// The start of the next chunk: the part of the last read after its last `\n`.
    pub(super) buf: Vec<u8>,
    pub(super) seq: u64,
}

impl LineChunks {
    pub(crate) fn new(reader: impl Read + Send + 'static) -> LineChunks {
        LineChunks {
            reader: Box::new(reader),
            buf: Vec::new(),
            seq: 0,
        }
    }

    pub(super) fn read_chunk(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        let mut buf = control.buffer();
        buf.append(&mut self.buf);
        loop {
            let want = if buf.len() < control.chunk {
                control.chunk - buf.len()
            } else {
                64 * 1024
            };
            let n = (&mut self.reader).take(want as u64).read_to_end(&mut buf)?;
            if n == 0 {
                if buf.is_empty() {
                    return Ok(None);
                }
                let len = buf.len() as u64;
                return Ok(Some(self.chunk(buf, None, len)));
            }
            if buf.len() < control.chunk {
                continue;
            }
            match memchr::memrchr(b'\n', &buf) {
                Some(p) => {
                    self.buf.extend_from_slice(&buf[p + 1..]);
                    buf.truncate(p + 1);
                    let len = buf.len() as u64;
                    return Ok(Some(self.chunk(buf, None, len)));
                }
                // A line still shorter than the limit: read on.
                None if buf.len() <= MAX_LINE => {}
                None => {
                    // One line longer than the limit: keep its start, count the rest.
                    let mut total = buf.len() as u64;
                    buf.truncate(MAX_LINE);
                    let mut scratch = vec![0u8; 64 * 1024];
                    loop {
                        let n = self.reader.read(&mut scratch)?;
                        if n == 0 {
                            break;
                        }
                        if let Some(p) = memchr::memchr(b'\n', &scratch[..n]) {
                            total += p as u64;
                            self.buf.extend_from_slice(&scratch[p + 1..n]);
                            break;
                        }
                        total += n as u64;
                    }
                    buf.push(b'\n');
                    return Ok(Some(self.chunk(buf, Some(total), total + 1)));
                }
            }
        }
    }

    pub(super) fn chunk(
        &mut self,
        data: Vec<u8>,
        overlong: Option<u64>,
        input_bytes: u64,
    ) -> Chunk {
        self.seq += 1;
        Chunk {
            seq: self.seq - 1,
            data,
            table: None,
            relative_lines: true,
            overlong,
            issues: Vec::new(),
            input_bytes,
            unquoted: Vec::new(),
            parse: None,
        }
    }
}

impl ChunkSource for LineChunks {
    fn next(&mut self, control: &Control) -> io::Result<Option<Chunk>> {
        self.read_chunk(control)
    }
}
