//! Where each record is: the file and line of a record number, for the report's duplicates
//! and conflicts (the index keeps record positions, people want lines). Four bytes a record,
//! kept only for chunks whose every record has a position (not the bit pages of plain lists).

/// The lines of the records of one chunk.
struct ChunkLines {
    /// The number of the chunk's first record, minus one.
    record_base: u64,
    file: u32,
    first_line: u64,
    /// Each record's line minus `first_line`.
    offsets: Box<[u32]>,
}

/// The file and line of every record with a position.
#[derive(Default)]
pub(super) struct RecordLines {
    chunks: Vec<ChunkLines>,
    files: Vec<String>,
}

impl RecordLines {
    /// Records `record_base + 1...` of `file` are on `lines` (in input order, as many as
    /// the chunk has records).
    pub(super) fn add(
        &mut self,
        record_base: u64,
        file: &str,
        lines: impl ExactSizeIterator<Item = u64>,
    ) {
        if lines.len() == 0 {
            return;
        }
        if self.files.last().is_none_or(|f| f != file) {
            self.files.push(file.to_owned());
        }
        let mut first_line = None;
        let offsets = lines
            .map(|line| {
                let first = *first_line.get_or_insert(line);
                u32::try_from(line.saturating_sub(first)).unwrap_or(u32::MAX)
            })
            .collect();
        self.chunks.push(ChunkLines {
            record_base,
            file: self.files.len() as u32 - 1,
            first_line: first_line.unwrap_or(0),
            offsets,
        });
    }

    /// The file and line of record `number` (from 1), when known.
    pub(super) fn locate(&self, number: u64) -> Option<(&str, u64)> {
        let i = self.chunks.partition_point(|c| c.record_base < number);
        let chunk = self.chunks.get(i.checked_sub(1)?)?;
        let offset = chunk
            .offsets
            .get((number - chunk.record_base - 1) as usize)?;
        Some((
            self.files.get(chunk.file as usize)?,
            chunk.first_line + u64::from(*offset),
        ))
    }
}

impl RecordLines {
    /// Sets the file and line of a duplicate's first record, when known.
    pub(super) fn place(&self, duplicate: &mut crate::report::Duplicate) {
        if let Some((file, line)) = duplicate.first_record.and_then(|n| self.locate(n)) {
            duplicate.first_file = Some(file.to_owned());
            duplicate.first_line = Some(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_numbers_to_lines_across_chunks_and_files() {
        let mut lines = RecordLines::default();
        lines.add(0, "a.csv", [2u64, 3, 5].into_iter());
        lines.add(3, "a.csv", [9u64, 10].into_iter());
        lines.add(5, "b.csv", [2u64].into_iter());
        assert_eq!(lines.locate(1), Some(("a.csv", 2)));
        assert_eq!(lines.locate(3), Some(("a.csv", 5)));
        assert_eq!(lines.locate(4), Some(("a.csv", 9)));
        assert_eq!(lines.locate(5), Some(("a.csv", 10)));
        assert_eq!(lines.locate(6), Some(("b.csv", 2)));
        assert_eq!(lines.locate(7), None);
        assert_eq!(lines.locate(0), None);
    }
}
