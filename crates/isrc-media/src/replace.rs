//! Replacing a file with an edited copy without losing what the file system knows about it.
//!
//! - The copy gets the original's mode, owner and group (where the user may set them: root,
//!   or a group the user is in), extended attributes (`user.*` must copy; others, such as
//!   `security.selinux`, are copied where permitted) and, when asked, its access and
//!   modification times.
//! - A file with several hard links is not replaced by a rename (that would cut it off from
//!   its other names): the verified copy is written over it in place, after a backup copy of
//!   the original was made beside it; the backup is removed once the result is verified.
//! - Temporary and backup files are named `.isrc-*.tmp`; each is registered while it exists so
//!   that [`remove_temporary_files`] (called on Ctrl-C or SIGTERM) removes them, and it waits
//!   for a rename or an in-place overwrite in progress to finish first.

use std::fs::{self, File, FileTimes, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The temporary files of writes in progress.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> MutexGuard<'static, Vec<PathBuf>> {
    IN_FLIGHT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The prefix and suffix of this crate's temporary files.
pub(crate) const TEMP_PREFIX: &str = ".isrc-";
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

/// Whether `path` is named like a temporary file of an `isrc` write (`.isrc-*.tmp`).
///
/// ```
/// use std::path::Path;
/// assert!(isrc_media::is_leftover(Path::new("album/.isrc-Ab12Cd.tmp")));
/// assert!(!isrc_media::is_leftover(Path::new("album/take1.flac")));
/// ```
pub fn is_leftover(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(TEMP_PREFIX) && n.ends_with(TEMP_SUFFIX))
}

/// Removes the temporary files of the writes in progress, and keeps any other write from
/// starting or finishing: call it from a signal handler's thread just before exiting. It
/// waits for a rename or an in-place overwrite in progress. Returns how many were removed.
pub fn remove_temporary_files() -> usize {
    let mut guard = in_flight();
    let mut removed = 0;
    for path in guard.drain(..) {
        if fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    // Held until the process exits: no write may rename or overwrite after this.
    std::mem::forget(guard);
    removed
}

/// A registered temporary path; unregistered (not removed) when dropped.
pub(crate) struct Registered(PathBuf);

impl Registered {
    pub(crate) fn new(path: &Path) -> Registered {
        in_flight().push(path.to_path_buf());
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        in_flight().retain(|p| p != &self.0);
    }
}

/// Runs `step` (a rename or an overwrite) so that [`remove_temporary_files`] cannot run
/// during it.
pub(crate) fn critical<T>(step: impl FnOnce() -> T) -> T {
    let _guard = in_flight();
    step()
}

/// Gives `copy` the mode, owner, group and extended attributes of the original (`meta`,
/// `original`), and its times when `keep_times`.
pub(crate) fn copy_attributes(
    meta: &Metadata,
    original: &File,
    copy: &File,
    keep_times: bool,
) -> io::Result<()> {
    copy.set_permissions(meta.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Root may give the file to anyone; a user only to a group of theirs. Otherwise the
        // copy stays the user's, who may write the file anyway.
        if std::os::unix::fs::fchown(copy, Some(meta.uid()), Some(meta.gid())).is_err() {
            let _ = std::os::unix::fs::fchown(copy, None, Some(meta.gid()));
        }
        // chown clears set-user-ID bits: set the mode again.
        copy.set_permissions(meta.permissions())?;
        copy_xattrs(original, copy)?;
    }
    if keep_times {
        let mut times = FileTimes::new();
        if let Ok(t) = meta.modified() {
            times = times.set_modified(t);
        }
        if let Ok(t) = meta.accessed() {
            times = times.set_accessed(t);
        }
        copy.set_times(times)?;
    }
    Ok(())
}

#[cfg(unix)]
fn copy_xattrs(original: &File, copy: &File) -> io::Result<()> {
    use rustix::fs::{XattrFlags, fgetxattr, flistxattr, fsetxattr};
    let unsupported = |e: &rustix::io::Errno| {
        *e == rustix::io::Errno::OPNOTSUPP || *e == rustix::io::Errno::NOSYS
    };
    let mut names = vec![0u8; 64 * 1024];
    let len = match flistxattr(original, &mut names[..]) {
        Ok(len) => len,
        Err(e) if unsupported(&e) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut value = vec![0u8; 64 * 1024];
    for name in names[..len].split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(name);
        let n = fgetxattr(original, name, &mut value[..])?;
        match fsetxattr(copy, name, &value[..n], XattrFlags::empty()) {
            Ok(()) => {}
            Err(e) if !name.as_encoded_bytes().starts_with(b"user.") => {
                // security.* and trusted.* need privileges the user may not have.
                let _ = e;
            }
            Err(e) => {
                return Err(io::Error::other(format!(
                    "the extended attribute {} cannot be copied: {e}",
                    name.to_string_lossy()
                )));
            }
        }
    }
    Ok(())
}

/// Whether the file has other names (hard links) that a rename would cut off.
pub(crate) fn has_other_links(meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink() > 1
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Overwrites `target` (opened for writing) with the bytes of `copy`, in place, and syncs it.
pub(crate) fn overwrite_in_place(target: &mut File, copy: &Path) -> io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let mut source = File::open(copy)?;
    target.seek(SeekFrom::Start(0))?;
    let written = io::copy(&mut source, target)?;
    target.set_len(written)?;
    target.flush()?;
    target.sync_all()
}

/// Replaces the contents of the file at `path` with `bytes`, as [`crate::write_isrc`] does:
/// the file is locked and must be writable; a temporary copy in the same folder gets the
/// file's mode, owner and extended attributes (and times with `keep_times`), then takes its
/// place by an atomic rename, or, for a file with several hard links, is written over it in
/// place after a backup.
pub fn replace_contents(path: &Path, bytes: &[u8], keep_times: bool) -> Result<(), crate::Error> {
    use crate::{Error, ErrorKind};
    use std::io::Write;
    let target = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let meta = fs::metadata(&target).map_err(|e| Error::io(path, e))?;
    if meta.permissions().readonly() {
        return Err(Error::new(path, ErrorKind::ReadOnly));
    }
    let mut handle = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&target)
        .map_err(|e| match e.kind() {
            io::ErrorKind::PermissionDenied => Error::new(path, ErrorKind::ReadOnly),
            _ => Error::io(path, e),
        })?;
    match handle.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => return Err(Error::new(path, ErrorKind::Busy)),
        Err(fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, e))?;
    let _registered = Registered::new(temp.path());
    temp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    if has_other_links(&meta) {
        temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
        critical(|| overwrite_in_place(&mut handle, temp.path()))
            .map_err(|e| Error::io(path, e))?;
        return Ok(());
    }
    copy_attributes(&meta, &handle, temp.as_file(), keep_times).map_err(|e| Error::io(path, e))?;
    temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    let _ = temp.as_file().try_lock();
    let _kept = critical(|| temp.persist(&target)).map_err(|e| Error::io(path, e.error))?;
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}
