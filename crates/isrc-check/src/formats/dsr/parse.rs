//! Parsing one chunk of a DSR on a worker: its resource records become rows of the table,
//! its usage lines are tallied for the in-order merge.

use std::borrow::Cow;

use super::hash::{KeyMap, resource_hash};
use super::layout::*;
use super::reader::DsrChunk;
use crate::formats::push_row;
use crate::table::TableChunk;

/// Whom a usage line of a chunk counts for, as far as the chunk can tell.
#[derive(Clone, Copy)]
pub(super) enum Target {
    /// A resource first seen in this chunk (index into [`DsrPart::keys`]).
    Local(u32),
    /// The resource of the chunk's first block: the previous chunk's, when that one ended
    /// in the same block, else the chunk's first resource.
    FirstBlock,
    /// A line whose resource depends on the previous chunk (index into
    /// [`DsrPart::incoming`]): one before the chunk's first resource record, or one of
    /// the first block naming a resource not seen in this chunk.
    Incoming(u32),
}

/// A usage line whose resource the previous chunk tells.
pub(super) struct Incoming {
    pub(super) block: Vec<u8>,
    /// Its `TransactedResource`, when given.
    pub(super) reference: Option<Box<str>>,
    /// In the chunk's first block: without the previous chunk's resource, the block's first.
    pub(super) in_first_block: bool,
}

/// What a worker found in one chunk of a DSR, for the in-order merge ([`DsrTally`]).
pub(crate) struct DsrPart {
    pub(super) resource_records: u64,
    pub(super) usage_lines: u64,
    /// Usage lines in a block without a resource record (surely: later blocks than the
    /// chunk's first).
    pub(super) without_resource: u64,
    /// The resources, in the order first seen, with their first line.
    pub(super) keys: Vec<PartKey>,
    /// Their ISRC cells and DspResourceIds, one after the other.
    pub(super) key_text: Vec<u8>,
    /// The first block of the chunk and its first resource.
    pub(super) first_block: Option<(Vec<u8>, u32)>,
    /// The block the chunk ends in and its resource (`None`: no resource record).
    pub(super) end: Option<(Vec<u8>, Target)>,
    /// The `ResourceReference`s of the resources of that block.
    pub(super) end_references: Vec<(Box<str>, u32)>,
    /// The lines whose resource the previous chunk tells.
    pub(super) incoming: Vec<Incoming>,
    /// The usage lines, in order: whom they count for, and their usages and revenue when
    /// the header rows name the cells.
    pub(super) usage: Vec<(Target, Option<(f64, f64)>)>,
}

/// A resource first seen in a chunk: its ISRC cell and DspResourceId in the part's
/// `key_text`, their hash (taken on the worker, not in the merge) and its first line.
pub(super) struct PartKey {
    pub(super) start: usize,
    pub(super) cell: u32,
    pub(super) dsp: u32,
    pub(super) hash: u64,
    pub(super) line: u64,
}

impl DsrPart {
    /// A resource first seen in the chunk, numbered in the part.
    pub(super) fn add_key(&mut self, cell: &str, dsp: &str, line: u64) -> u32 {
        let start = self.key_text.len();
        self.key_text.extend_from_slice(cell.as_bytes());
        self.key_text.extend_from_slice(dsp.as_bytes());
        self.keys.push(PartKey {
            start,
            cell: cell.len() as u32,
            dsp: dsp.len() as u32,
            hash: resource_hash(cell.as_bytes(), dsp.as_bytes()),
            line,
        });
        (self.keys.len() - 1) as u32
    }

    /// The ISRC cell and DspResourceId of a key.
    pub(super) fn key(&self, key: &PartKey) -> (&[u8], &[u8]) {
        let cell = key.start + key.cell as usize;
        let end = cell + key.dsp as usize;
        (&self.key_text[key.start..cell], &self.key_text[cell..end])
    }
}

/// Parses one chunk of a DSR on a worker: its resource records become rows of `table`,
/// its usage lines are tallied.
pub(crate) fn parse_chunk(chunk: &DsrChunk, data: &[u8], table: &mut TableChunk) -> DsrPart {
    let mut layouts = Cow::Borrowed(&*chunk.layouts);
    let mut part = DsrPart {
        resource_records: 0,
        usage_lines: 0,
        without_resource: 0,
        keys: Vec::new(),
        key_text: Vec::new(),
        first_block: None,
        end: None,
        end_references: Vec::new(),
        incoming: Vec::new(),
        usage: Vec::new(),
    };
    // About one resource record in 300 bytes: room for them from the start.
    let mut seen: KeyMap<(&str, &str), u32> =
        KeyMap::with_capacity_and_hasher(data.len() / 256, Default::default());
    let mut current: Option<(&[u8], Target)> = None;
    // The resources of the current block, by `ResourceReference`.
    let mut references: KeyMap<&str, u32> = KeyMap::default();
    // The cells of a line (one list for all the lines of the chunk).
    let mut cells: Vec<&[u8]> = Vec::new();
    let mut line_number = chunk.first_line;
    let mut start = 0;
    while start < data.len() {
        let stop = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p + 1);
        line_number += 1;
        let line = trim_ending(&data[start..stop]);
        start = stop;
        if line.is_empty() {
            continue;
        }
        cells.clear();
        cells.extend(line.split(|b| *b == b'\t'));
        if let Some(kind) = cells[0].strip_prefix(b"#") {
            layouts.to_mut().header_row(kind, &cells[1..]);
            continue;
        }
        let kind = record_type(cells[0]);
        if kind == b"HEAD" {
            continue;
        }
        let text = |i: usize| text_of(&cells, i);
        let block = cells.get(1).copied().unwrap_or_default();
        let money = |kind: &[u8]| {
            of_kind(&layouts.usage_columns, kind).map(|columns| {
                let number = |i: Option<usize>| -> f64 {
                    i.and_then(|i| cells.get(i))
                        .and_then(|c| std::str::from_utf8(c).ok())
                        .and_then(|c| number_of(c.trim()))
                        .unwrap_or(0.0)
                };
                (number(columns.usages), number(columns.revenue))
            })
        };
        if is_single_record(kind) {
            // A record of its own: no block, the resource and its usage in one line.
            part.resource_records += 1;
            part.usage_lines += 1;
            let [title, artist, duration] = of_kind(&layouts.resource_columns, kind)
                .copied()
                .unwrap_or_else(|| default_cells(kind));
            let (cell, dsp) = (text(3), text(2));
            let fields = [
                cell,
                "",
                text(0),
                "",
                dsp,
                text(title),
                text(artist),
                text(duration),
            ];
            push_row(table, line_number, fields);
            let index = *seen
                .entry((cell, dsp))
                .or_insert_with(|| part.add_key(cell, dsp, line_number));
            part.usage.push((Target::Local(index), money(kind)));
        } else if is_resource(kind) {
            part.resource_records += 1;
            let [title, artist, duration] = of_kind(&layouts.resource_columns, kind)
                .copied()
                .unwrap_or([5, 7, 9]);
            let (cell, reference, dsp) = (text(4), text(2), text(3));
            let fields = [
                cell,
                text(1),
                text(0),
                reference,
                dsp,
                text(title),
                text(artist),
                text(duration),
            ];
            push_row(table, line_number, fields);
            let index = *seen
                .entry((cell, dsp))
                .or_insert_with(|| part.add_key(cell, dsp, line_number));
            match current {
                Some((b, _)) if b == block => {}
                None => {
                    part.first_block = Some((block.to_vec(), index));
                    current = Some((block, Target::FirstBlock));
                    references.clear();
                }
                Some(_) => {
                    current = Some((block, Target::Local(index)));
                    references.clear();
                }
            }
            references.entry(reference).or_insert(index);
        } else if kind.starts_with(b"SU") {
            part.usage_lines += 1;
            let money = money(kind);
            let reference = transacted_cell(&layouts, kind)
                .map(text)
                .filter(|r| !r.is_empty());
            let mut incoming = |in_first_block: bool| {
                part.incoming.push(Incoming {
                    block: block.to_vec(),
                    reference: reference.map(Into::into),
                    in_first_block,
                });
                Target::Incoming((part.incoming.len() - 1) as u32)
            };
            let target = match current {
                None => Some(incoming(false)),
                Some((b, target)) if b == block => match reference {
                    Some(r) => match references.get(r) {
                        Some(index) => Some(Target::Local(*index)),
                        None if matches!(target, Target::FirstBlock) => Some(incoming(true)),
                        // Not a resource of the block (a release's usage): the block's first.
                        None => Some(target),
                    },
                    None => Some(target),
                },
                Some(_) => None,
            };
            match target {
                Some(target) => part.usage.push((target, money)),
                None => part.without_resource += 1,
            }
        }
    }
    part.end = current.map(|(b, target)| (b.to_vec(), target));
    part.end_references = references
        .into_iter()
        .map(|(r, index)| (r.into(), index))
        .collect();
    part
}
