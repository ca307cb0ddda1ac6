//! Many inputs at once (a folder of ERN messages): the files are opened, read and, when
//! they are ERN messages, parsed on worker threads a few files ahead, and checked here in
//! the order given, so the report does not depend on which thread was faster.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;

use crate::formats::ern::Message;
use crate::layout::InputFormat;
use crate::report::CheckError;
use crate::source::{self, Opened};

use super::Checker;
use super::exchange::read_ern;

/// A file made ready by a worker.
enum Ready {
    /// An ERN message, parsed, and its size.
    Ern(Message, u64),
    /// Another kind of input, opened, for the usual path.
    Other(Opened),
    /// It could not be opened or is not a readable message.
    Failed(CheckError),
}

impl Checker<'_> {
    /// Checks `files` in order (no `--annotate` or `--fix`: those take one input), ERN
    /// messages read and parsed in parallel ahead of the check. Returns the errors of the
    /// inputs that could not be checked; `progress` is told how many files are done.
    ///
    /// ```
    /// use isrc_check::{Checker, Options};
    /// let dir = tempfile::tempdir().unwrap();
    /// for (i, isrc) in ["USRC17607839", "USRC176O7839"].iter().enumerate() {
    ///     let xml = format!("<NewReleaseMessage xmlns=\"http://ddex.net/xml/ern/43\"><ResourceList>\
    ///         <SoundRecording><ResourceReference>A1</ResourceReference><SoundRecordingEdition>\
    ///         <ResourceId><ISRC>{isrc}</ISRC></ResourceId></SoundRecordingEdition>\
    ///         </SoundRecording></ResourceList></NewReleaseMessage>");
    ///     std::fs::write(dir.path().join(format!("{i}.xml")), xml).unwrap();
    /// }
    /// let files = isrc_check::expand_inputs(&[dir.path().to_path_buf()]).unwrap().files;
    /// let mut checker = Checker::new(isrc::Policy::new("2026-11-22".parse().unwrap()), Options::default());
    /// let errors = checker.check_files(&files, &mut |_| {});
    /// assert!(errors.is_empty());
    /// let summary = checker.finish();
    /// assert_eq!((summary.records, summary.invalid), (2, 1));
    /// assert_eq!(summary.exchange.unwrap().ern_messages, 2);
    /// ```
    pub fn check_files(
        &mut self,
        files: &[PathBuf],
        progress: &mut dyn FnMut(usize),
    ) -> Vec<CheckError> {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let encoding = self.options.encoding;
        let forced = self.options.format;
        let mut errors = Vec::new();
        let (tx, rx) = sync_channel::<(usize, Ready)>(workers * 4);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let (next, stop) = (&next, &stop);
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= files.len() || stop.load(Ordering::Relaxed) {
                            return;
                        }
                        let ready = prepare(&files[i], encoding, forced);
                        if tx.send((i, ready)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            let mut pending = BTreeMap::new();
            let mut want = 0;
            for (i, ready) in rx {
                pending.insert(i, ready);
                while let Some(ready) = pending.remove(&want) {
                    let name = files[want].to_string_lossy().into_owned();
                    let result = match ready {
                        Ready::Ern(message, bytes) => {
                            self.check_ern_message(&name, &message, bytes, None)
                        }
                        Ready::Other(opened) => {
                            self.check_opened(&name, opened, None, &mut |_, _| {})
                        }
                        Ready::Failed(e) => Err(e),
                    };
                    if let Err(e) = result {
                        errors.push(e);
                    }
                    want += 1;
                    progress(want);
                }
            }
            stop.store(true, Ordering::Relaxed);
        });
        errors
    }
}

fn prepare(
    path: &std::path::Path,
    encoding: Option<crate::TextEncoding>,
    forced: Option<InputFormat>,
) -> Ready {
    let name = path.to_string_lossy();
    let opened = match source::open(path, &name, encoding) {
        Ok(opened) => opened,
        Err(e) => return Ready::Failed(e),
    };
    let ern = match forced {
        Some(format) => format == InputFormat::Ern,
        None => crate::formats::detect(&opened.head) == Some(InputFormat::Ern),
    };
    if !ern || opened.zip {
        return Ready::Other(opened);
    }
    match read_ern(&name, opened) {
        Ok((message, bytes)) => Ready::Ern(message, bytes),
        Err(e) => Ready::Failed(e),
    }
}
