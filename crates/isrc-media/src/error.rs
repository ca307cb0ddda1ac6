//! Errors that name the file concerned.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::riff::RiffError;

/// What went wrong with a file.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be opened, read or written.
    Io(io::Error),
    /// The file is not an audio file this crate knows.
    NotAudio(String),
    /// The file looks like audio but its structure is broken (truncated, corrupt tags).
    Malformed(String),
    /// The format is known but the operation is not supported for it.
    Unsupported(String),
    /// The file is read-only, or the user may not write it; it was not changed.
    ReadOnly,
    /// The value read back after writing is not the value written, or something else changed.
    Verify(String),
    /// Another program holds the file's lock (another `isrc` write in progress).
    Busy,
}

/// An error about one file.
#[derive(Debug)]
pub struct Error {
    path: PathBuf,
    kind: ErrorKind,
}

impl Error {
    /// An error about `path`.
    pub fn new(path: &Path, kind: ErrorKind) -> Error {
        Error {
            path: path.to_path_buf(),
            kind,
        }
    }

    pub(crate) fn io(path: &Path, error: io::Error) -> Error {
        Error::new(path, ErrorKind::Io(error))
    }

    pub(crate) fn riff(path: &Path, error: RiffError) -> Error {
        match error {
            RiffError::Io(e) => Error::io(path, e),
            RiffError::Malformed { .. } => {
                Error::new(path, ErrorKind::Malformed(format!("WAV file: {error}")))
            }
        }
    }

    /// The file concerned.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

// Written by hand rather than with thiserror: the cause of an I/O error is the `io::Error`
// inside `ErrorKind::Io`, and no other kind has one (the CLI prints the chain of causes).
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.kind {
            ErrorKind::Io(e) => write!(f, "{path}: {e}"),
            ErrorKind::NotAudio(m) => write!(f, "{path}: not an audio file: {m}"),
            ErrorKind::Malformed(m) => write!(f, "{path}: cannot be read: {m}"),
            ErrorKind::Unsupported(m) => write!(f, "{path}: {m}"),
            ErrorKind::ReadOnly => write!(
                f,
                "{path}: the file is read-only (or you may not write it); it was not changed"
            ),
            ErrorKind::Busy => write!(
                f,
                "{path}: another program is writing this file (it holds its lock); it was not changed: try again when that write has finished"
            ),
            ErrorKind::Verify(m) => write!(f, "{path}: verification after writing failed: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}
