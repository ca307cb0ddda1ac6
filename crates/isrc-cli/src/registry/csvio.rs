//! Reading recordings from CSV files (for `allocate --from-csv` and `import`): the reader is
//! [`isrc_registry::csv_input`], shared with the web portal's bulk allocation; this module
//! opens the file and keeps the messages as the CLI always printed them (`file:line:column:
//! ...`).

use std::path::Path;

use anyhow::{Context as _, Result, anyhow};
use isrc::Policy;
use isrc_registry::ImportRecord;
use isrc_registry::csv_input::{ParsedRecording, RecordingTable, message_of};

/// A CSV file read whole.
pub struct Table(RecordingTable);

/// Reads and checks the structure of a CSV file (header names, equal field counts, UTF-8).
pub fn read(path: &Path, allow_isrc: bool) -> Result<Table> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
    RecordingTable::read(&name, file, allow_isrc)
        .map(Table)
        .map_err(|e| anyhow!(message_of(e)))
}

impl std::ops::Deref for Table {
    type Target = RecordingTable;
    fn deref(&self) -> &RecordingTable {
        &self.0
    }
}

impl Table {
    /// Every record as a code to import; errors name file:line(:column).
    pub fn import_records(&self, policy: &Policy<'_>) -> Result<Vec<ImportRecord>> {
        self.0
            .import_records(policy)
            .map_err(|e| anyhow!(message_of(e)))
    }

    /// Parses record `index`; errors name file:line:column.
    pub fn parse(&self, index: usize, policy: &Policy<'_>) -> Result<ParsedRecording> {
        self.0
            .parse(index, policy)
            .map_err(|e| anyhow!(message_of(e)))
    }
}
