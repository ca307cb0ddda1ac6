//! Errors that name the file concerned.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::riff::RiffError;

/// What went wrong with a file. Its message is the part of [`Error`]'s after the path, and
/// its source is the `io::Error` of [`ErrorKind::Io`] (no other kind has one).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be opened, read or written.
    #[error("{0}")]
    Io(#[source] io::Error),
    /// The file is not an audio file this crate knows.
    #[error("not an audio file: {0}")]
    NotAudio(String),
    /// The file looks like audio but its structure is broken (truncated, corrupt tags).
    #[error("cannot be read: {0}")]
    Malformed(String),
    /// The format is known but the operation is not supported for it.
    #[error("{0}")]
    Unsupported(String),
    /// The file is read-only, or the user may not write it; it was not changed.
    #[error("the file is read-only (or you may not write it); it was not changed")]
    ReadOnly,
    /// The value read back after writing is not the value written, or something else changed.
    #[error("verification after writing failed: {0}")]
    Verify(String),
    /// Another program holds the file's lock (another `isrc` write in progress).
    #[error(
        "another program is writing this file (it holds its lock); it was not changed: try again when that write has finished"
    )]
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

// The messages are ErrorKind's (thiserror); `Error` puts the path in front and passes the
// kind's source on, so that an I/O error's cause is the `io::Error` itself (the CLI prints the
// chain of causes) and no other kind has one. Deriving here with the kind as `#[source]` would
// add the kind's message as one more cause of every error.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// The messages are those of the hand-written `Display` before thiserror, and only an
    /// I/O error has a cause (the `io::Error`, once).
    #[test]
    fn messages_and_causes() {
        let path = Path::new("dir/a.mp3");
        let cases = [
            (
                ErrorKind::Io(io::Error::new(io::ErrorKind::NotFound, "gone")),
                "dir/a.mp3: gone",
            ),
            (
                ErrorKind::NotAudio("not a regular file".into()),
                "dir/a.mp3: not an audio file: not a regular file",
            ),
            (
                ErrorKind::Malformed("truncated".into()),
                "dir/a.mp3: cannot be read: truncated",
            ),
            (
                ErrorKind::Unsupported("no ISRC frame in AIFF".into()),
                "dir/a.mp3: no ISRC frame in AIFF",
            ),
            (
                ErrorKind::ReadOnly,
                "dir/a.mp3: the file is read-only (or you may not write it); it was not changed",
            ),
            (
                ErrorKind::Verify("the code read back differs".into()),
                "dir/a.mp3: verification after writing failed: the code read back differs",
            ),
            (
                ErrorKind::Busy,
                "dir/a.mp3: another program is writing this file (it holds its lock); it was not changed: try again when that write has finished",
            ),
        ];
        for (kind, message) in cases {
            let is_io = matches!(kind, ErrorKind::Io(_));
            let error = Error::new(path, kind);
            assert_eq!(error.to_string(), message);
            assert_eq!(error.path(), path);
            match error.source() {
                Some(cause) => {
                    assert!(is_io, "{message}");
                    assert_eq!(cause.to_string(), "gone");
                    assert!(cause.downcast_ref::<io::Error>().is_some());
                    assert!(cause.source().is_none());
                }
                None => assert!(!is_io, "{message}"),
            }
        }
    }
}
