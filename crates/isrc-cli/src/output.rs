//! Output files that are never left half-written: `--annotate` and `--fix` write to a
//! temporary file in the target's directory, compressed as the target's name says (`.gz`,
//! `.zst`), and rename it into place only when the whole run succeeded. On an error, Ctrl-C
//! (SIGINT), SIGTERM or SIGHUP the temporary file is removed and a file already at the target
//! path is left byte for byte as it was.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};

use anyhow::{Context as _, Result};

/// The temporary files not yet renamed into place, removed by the signal handler.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

/// Exit status after SIGINT, SIGTERM or SIGHUP (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: i32 = 130;

/// Removes the pending temporary files and exits when the process is told to stop. Holding
/// the lock while exiting keeps a rename from happening halfway through.
fn install_handler() {
    HANDLER.call_once(|| {
        let installed = ctrlc::set_handler(|| {
            let pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
            for path in pending.iter() {
                let _ = std::fs::remove_file(path);
            }
            std::process::exit(EXIT_INTERRUPTED);
        });
        if let Err(e) = installed {
            // Another handler (a library's) is in place: outputs are still atomic on errors.
            eprintln!("warning: cannot watch for Ctrl-C ({e}); an interrupted run may leave a temporary file");
        }
    });
}

/// How an output file is compressed, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// `.gz`: gzip.
    Gzip,
    /// `.zst`: Zstandard.
    Zstd,
}

impl Compression {
    /// The compression a file name asks for.
    pub fn of(path: &Path) -> Compression {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("gz" | "gzip") => Compression::Gzip,
            Some("zst" | "zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

enum Encoder {
    Plain(BufWriter<std::fs::File>),
    Gzip(flate2::write::GzEncoder<BufWriter<std::fs::File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<std::fs::File>>),
}

/// An output file written to a temporary file beside its target, renamed into place by
/// [`AtomicOutput::commit`]; dropped without a commit, it leaves no trace.
pub struct AtomicOutput {
    target: PathBuf,
    temp: Option<tempfile::TempPath>,
    encoder: Option<Encoder>,
}

impl AtomicOutput {
    /// Creates the temporary file in `target`'s directory.
    pub fn create(target: &Path) -> Result<AtomicOutput> {
        install_handler();
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Registered before it exists, so that a signal between the two still removes it.
        let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
        let file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&dir)
            .with_context(|| {
                format!(
                    "cannot create a temporary file in {} for {}",
                    dir.display(),
                    target.display()
                )
            })?;
        let (file, temp) = file.into_parts();
        // The temporary file is private (0600); the output gets the old file's permissions,
        // or those of a new file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(target).map_or(0o644, |m| m.permissions().mode());
            let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
        }
        pending.push(temp.to_path_buf());
        drop(pending);
        let buffered = BufWriter::with_capacity(1 << 20, file);
        let encoder = match Compression::of(target) {
            Compression::None => Encoder::Plain(buffered),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                buffered,
                flate2::Compression::default(),
            )),
            Compression::Zstd => Encoder::Zstd(
                zstd::stream::write::Encoder::new(buffered, 3)
                    .context("cannot start Zstandard compression")?,
            ),
        };
        Ok(AtomicOutput {
            target: target.to_path_buf(),
            temp: Some(temp),
            encoder: Some(encoder),
        })
    }

    /// Finishes the compression, flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let target = self.target.clone();
        let file = match self.encoder.take() {
            Some(Encoder::Plain(w)) => w.into_inner().map_err(|e| e.into_error()),
            Some(Encoder::Gzip(w)) => w
                .finish()
                .and_then(|w| w.into_inner().map_err(|e| e.into_error())),
            Some(Encoder::Zstd(w)) => w
                .finish()
                .and_then(|w| w.into_inner().map_err(|e| e.into_error())),
            None => return Ok(()),
        }
        .with_context(|| format!("cannot write {}", target.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot write {}", target.display()))?;
        drop(file);
        let Some(temp) = self.temp.take() else {
            return Ok(());
        };
        let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
        let temp_path = temp.to_path_buf();
        let renamed = temp.persist(&target);
        pending.retain(|p| *p != temp_path);
        drop(pending);
        renamed.map_err(|e| {
            anyhow::Error::from(e.error).context(format!(
                "cannot rename the finished output into place at {}",
                target.display()
            ))
        })
    }

    fn writer(&mut self) -> io::Result<&mut dyn Write> {
        match self.encoder.as_mut() {
            Some(Encoder::Plain(w)) => Ok(w),
            Some(Encoder::Gzip(w)) => Ok(w),
            Some(Encoder::Zstd(w)) => Ok(w),
            None => Err(io::Error::other("the output is already finished")),
        }
    }
}

impl Write for AtomicOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer()?.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer()?.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer()?.flush()
    }
}

impl Drop for AtomicOutput {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let path = temp.to_path_buf();
            let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
            drop(self.encoder.take());
            // TempPath removes the file when dropped.
            drop(temp);
            pending.retain(|p| *p != path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_by_name() {
        assert_eq!(Compression::of(Path::new("a.csv")), Compression::None);
        assert_eq!(Compression::of(Path::new("a.csv.GZ")), Compression::Gzip);
        assert_eq!(
            Compression::of(Path::new("dir/a.csv.zst")),
            Compression::Zstd
        );
    }

    #[test]
    fn dropped_without_commit_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, b"old").unwrap();
        let mut out = AtomicOutput::create(&target).unwrap();
        out.write_all(b"new, half written").unwrap();
        drop(out);
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut out = AtomicOutput::create(&target).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
