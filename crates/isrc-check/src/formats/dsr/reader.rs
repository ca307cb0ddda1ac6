//! Cutting a DSR into chunks of whole lines for the workers.

use std::io::{self, Read};
use std::sync::Arc;

use super::layout::{Layouts, cells_of, text_of, trim_ending};

/// Cuts a DSR into chunks of whole lines, under the workers' lock: it only reads, counts
/// lines and reads the few rows later lines depend on (`HEAD`, the `#..` header rows);
/// the records themselves are parsed and tallied by the workers ([`parse_chunk`]).
pub(crate) struct DsrReader {
    pub(super) reader: Box<dyn Read + Send>,
    pub(super) carry: Vec<u8>,
    /// Lines before the next chunk.
    pub(super) line: u64,
    pub(super) eof: bool,
    /// The layouts at the start of the next chunk.
    pub(super) layouts: Arc<Layouts>,
    pub(super) head: [String; 3],
}

/// One chunk of a DSR, to be parsed on a worker.
pub(crate) struct DsrChunk {
    /// Whole lines.
    pub(crate) data: Vec<u8>,
    /// Lines before it.
    pub(super) first_line: u64,
    /// The header rows before it.
    pub(super) layouts: Arc<Layouts>,
}

impl DsrReader {
    pub(crate) fn new(reader: impl Read + Send + 'static) -> DsrReader {
        DsrReader {
            reader: Box::new(reader),
            carry: Vec::new(),
            line: 0,
            eof: false,
            layouts: Arc::default(),
            head: Default::default(),
        }
    }

    /// The next chunk of whole lines (at least `bytes` of input, or the end), in `data`
    /// (an empty buffer to reuse), or `None` at the end.
    pub(crate) fn next_chunk(
        &mut self,
        bytes: usize,
        mut data: Vec<u8>,
    ) -> io::Result<Option<DsrChunk>> {
        if self.eof && self.carry.is_empty() {
            return Ok(None);
        }
        data.clear();
        data.append(&mut self.carry);
        let end = loop {
            if !self.eof && data.len() < bytes {
                let n = (&mut self.reader)
                    .take((bytes - data.len()).max(64 * 1024) as u64)
                    .read_to_end(&mut data)?;
                if n == 0 {
                    self.eof = true;
                }
                continue;
            }
            if self.eof {
                break data.len();
            }
            match memchr::memrchr(b'\n', &data) {
                Some(p) => break p + 1,
                // One line longer than a chunk: read on until it ends.
                None => {
                    let n = (&mut self.reader).take(64 * 1024).read_to_end(&mut data)?;
                    if n == 0 {
                        self.eof = true;
                    }
                }
            }
        };
        self.carry.extend_from_slice(&data[end..]);
        data.truncate(end);
        if data.is_empty() {
            return Ok(None);
        }
        let first_line = self.line;
        let layouts = Arc::clone(&self.layouts);
        // Count the lines and read the rows that later lines depend on.
        let mut start = 0;
        while start < data.len() {
            let stop = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p + 1);
            self.line += 1;
            match data[start] {
                b'#' | b'H' => {
                    let line = trim_ending(&data[start..stop]);
                    let cells = cells_of(line);
                    if let Some(kind) = cells[0].strip_prefix(b"#") {
                        Arc::make_mut(&mut self.layouts).header_row(kind, &cells[1..]);
                    } else if cells[0] == b"HEAD" {
                        let text = |i: usize| text_of(&cells, i).to_owned();
                        self.head = [text(1), text(2), text(3)];
                    }
                }
                _ => {}
            }
            start = stop;
        }
        Ok(Some(DsrChunk {
            data,
            first_line,
            layouts,
        }))
    }

    /// The header rows read.
    pub(crate) fn layouts(&self) -> &Layouts {
        &self.layouts
    }

    /// The `HEAD` record's message version, profile and profile version.
    pub(crate) fn head(&self) -> [String; 3] {
        self.head.clone()
    }
}
