//! Folders given as inputs: the catalogue and message files under them, recursively, in
//! name order (a DDEX delivery folder also holds audio and images, which are skipped).

use std::io;
use std::path::{Path, PathBuf};

/// The files of a list of inputs: files as given, folders replaced by the files under them
/// whose names end in a catalogue or message extension (`.xml`, `.csv`, `.tsv`, `.txt`,
/// `.jsonl`, `.json`, `.xlsx`, `.parquet`, each also under `.gz` or `.zst`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    /// The files to check, in order.
    pub files: Vec<PathBuf>,
    /// Files under the folders that were left out (audio, images...).
    pub skipped: u64,
}

/// Expands the folders among `inputs`.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir(dir.path().join("a")).unwrap();
/// std::fs::write(dir.path().join("a/m.xml"), "<x/>").unwrap();
/// std::fs::write(dir.path().join("a/cover.jpg"), "").unwrap();
/// std::fs::write(dir.path().join("b.tsv.gz"), "").unwrap();
/// let found = isrc_check::expand_inputs(&[dir.path().to_path_buf()]).unwrap();
/// assert_eq!(found.files, [dir.path().join("a/m.xml"), dir.path().join("b.tsv.gz")]);
/// assert_eq!(found.skipped, 1);
/// ```
pub fn expand_inputs(inputs: &[PathBuf]) -> io::Result<Expanded> {
    let mut expanded = Expanded::default();
    for input in inputs {
        if input.is_dir() {
            walk(input, &mut expanded)?;
        } else {
            expanded.files.push(input.clone());
        }
    }
    Ok(expanded)
}

fn walk(dir: &Path, out: &mut Expanded) -> io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if wanted(&path) {
            out.files.push(path);
        } else {
            out.skipped += 1;
        }
    }
    Ok(())
}

fn wanted(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(&name);
    [
        ".xml", ".csv", ".tsv", ".txt", ".jsonl", ".json", ".xlsx", ".parquet",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
}
