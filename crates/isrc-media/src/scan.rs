//! A read-only inventory of a folder tree: every audio file, its format and ISRC status, and
//! codes shared by files that do not look like the same recording.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use isrc::Policy;
use serde::Serialize;

use crate::audio::{self, FoundIsrc, Location};

/// File name extensions that are read (case does not matter).
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "mp3", "flac", "ogg", "oga", "opus", "spx", "m4a", "mp4", "m4b", "aac", "aif", "aiff", "aifc",
    "ape", "wav", "bwf", "rf64", "mpc", "wv",
];

/// Whether the path's extension is one of [`AUDIO_EXTENSIONS`].
pub fn is_audio_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.iter().any(|a| a.eq_ignore_ascii_case(e)))
}

/// The ISRC status of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// One or more valid ISRCs, and no invalid one.
    Present,
    /// No ISRC in any standard location.
    Missing,
    /// At least one value is not a valid ISRC.
    Invalid,
    /// The file could not be read.
    Error,
}

impl Status {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Missing => "missing",
            Status::Invalid => "invalid",
            Status::Error => "error",
        }
    }
}

/// One value with its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedIsrc {
    /// Where and what.
    #[serde(flatten)]
    pub found: FoundIsrc,
    /// Whether `isrc::check` finds no error.
    pub valid: bool,
    /// The rule ids of the findings.
    pub rules: Vec<&'static str>,
}

/// Checks each value with the core checker.
pub fn check_all(found: &[FoundIsrc], policy: &Policy<'_>) -> Vec<CheckedIsrc> {
    found
        .iter()
        .map(|f| {
            let report = isrc::check(&f.value, policy);
            CheckedIsrc {
                found: f.clone(),
                valid: report.is_valid(),
                rules: report.findings.iter().map(|x| x.rule.id()).collect(),
            }
        })
        .collect()
}

/// One file of the inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The file.
    pub path: PathBuf,
    /// Its format, when it could be read.
    pub format: Option<audio::Format>,
    /// Present, missing, invalid or error.
    pub status: Status,
    /// The values found with their verdicts.
    pub isrcs: Vec<CheckedIsrc>,
    /// Title from the tags.
    pub title: Option<String>,
    /// Artist from the tags.
    pub artist: Option<String>,
    /// Playing time in seconds.
    pub duration_seconds: Option<f64>,
    /// Remarks, or the error message.
    pub notes: Vec<String>,
}

/// Files sharing one ISRC although their title, artist or duration differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// The shared code.
    pub isrc: String,
    /// Which properties differ: `title`, `artist`, `duration`.
    pub differs: Vec<&'static str>,
    /// The files.
    pub files: Vec<PathBuf>,
}

/// Something in the tree that could not be walked (a directory loop, an unreadable folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where.
    pub path: Option<PathBuf>,
    /// What.
    pub message: String,
}

/// The inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inventory {
    /// Audio files in path order.
    pub files: Vec<Entry>,
    /// Codes shared by different-looking recordings.
    pub conflicts: Vec<Conflict>,
    /// Parts of the tree that could not be walked.
    pub problems: Vec<Problem>,
}

impl Inventory {
    /// How many files have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.files.iter().filter(|f| f.status == status).count()
    }
}

/// Progress reported by [`scan`].
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The tree was walked; this many audio files will be read.
    Found(usize),
    /// This file is being read.
    Reading(&'a Path),
}

/// Walks `dir` (following symbolic links, stopping at loops), reads every audio file and
/// reports its ISRC status. Reads only; never fails on one bad file or folder.
pub fn scan(dir: &Path, policy: &Policy<'_>, progress: &mut dyn FnMut(Progress<'_>)) -> Inventory {
    let mut problems = Vec::new();
    let mut paths = Vec::new();
    for item in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        match item {
            Ok(entry) => {
                if entry.file_type().is_file() && crate::replace::is_leftover(entry.path()) {
                    problems.push(Problem {
                        path: Some(entry.path().to_path_buf()),
                        message: String::from(
                            "a temporary file left by an interrupted `isrc` write (the original file was not changed by it); remove it",
                        ),
                    });
                } else if entry.file_type().is_file() && is_audio_path(entry.path()) {
                    paths.push(entry.into_path());
                }
            }
            Err(error) => {
                let message = match error.loop_ancestor() {
                    Some(ancestor) => format!(
                        "directory loop: it leads back to {}; not followed",
                        ancestor.display()
                    ),
                    None => error
                        .io_error()
                        .map_or_else(|| error.to_string(), |e| e.to_string()),
                };
                problems.push(Problem {
                    path: error.path().map(Path::to_path_buf),
                    message,
                });
            }
        }
    }
    progress(Progress::Found(paths.len()));
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        progress(Progress::Reading(&path));
        files.push(match audio::read(&path) {
            Ok(info) => {
                let isrcs = check_all(&info.isrcs, policy);
                let standard: Vec<&CheckedIsrc> = isrcs
                    .iter()
                    .filter(|c| c.found.location.is_standard())
                    .collect();
                let status = if standard.is_empty() {
                    Status::Missing
                } else if isrcs
                    .iter()
                    .any(|c| !c.valid && c.found.location.is_standard())
                {
                    Status::Invalid
                } else {
                    Status::Present
                };
                Entry {
                    path,
                    format: Some(info.format),
                    status,
                    isrcs,
                    title: info.title,
                    artist: info.artist,
                    duration_seconds: info.duration.map(|d| d.as_secs_f64()),
                    notes: info.notes,
                }
            }
            Err(error) => Entry {
                path,
                format: None,
                status: Status::Error,
                isrcs: Vec::new(),
                title: None,
                artist: None,
                duration_seconds: None,
                notes: vec![error.to_string()],
            },
        });
    }
    let conflicts = conflicts(&files);
    Inventory {
        files,
        conflicts,
        problems,
    }
}

/// Titles and artists folded as "the same recording" folds them ([`isrc::recording::fold`]).
fn normalise(text: &Option<String>) -> Option<String> {
    text.as_ref().map(|t| isrc::recording::fold(t))
}

/// Whether two of the entries that carry a value of `get` disagree about it.
fn differ<T>(
    entries: &[&Entry],
    get: impl Fn(&Entry) -> Option<T>,
    disagree: impl Fn(&T, &T) -> bool,
) -> bool {
    let values: Vec<T> = entries.iter().filter_map(|e| get(e)).collect();
    values
        .iter()
        .enumerate()
        .any(|(i, a)| values[i + 1..].iter().any(|b| disagree(a, b)))
}

fn conflicts(files: &[Entry]) -> Vec<Conflict> {
    let mut by_code: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for entry in files {
        let mut codes: Vec<String> = entry
            .isrcs
            .iter()
            // One track's code of an album image is that track's, not the file's: the track's
            // own file carries it with its own title.
            .filter(|c| {
                c.found.location.is_standard()
                    && c.found.location != Location::RiffInfo
                    && !c.found.location.is_per_track()
            })
            .filter_map(|c| c.found.value.parse::<isrc::Isrc>().ok())
            .map(|code| code.to_string())
            .collect();
        codes.sort();
        codes.dedup();
        for code in codes {
            by_code.entry(code).or_default().push(entry);
        }
    }
    let mut out = Vec::new();
    for (code, entries) in by_code {
        if entries.len() < 2 {
            continue;
        }
        // Missing metadata is no conflict (a master WAV without a title and its tagged MP3):
        // only values that two files both carry are compared.
        let mut differs = Vec::new();
        if differ(&entries, |e| normalise(&e.title), |a, b| a != b) {
            differs.push("title");
        }
        if differ(&entries, |e| normalise(&e.artist), |a, b| a != b) {
            differs.push("artist");
        }
        // The same recording's tolerance, as `isrc check` and the registry decide it.
        let tolerance = isrc::recording::DURATION_TOLERANCE_MS as f64 / 1000.0;
        if differ(
            &entries,
            |e| e.duration_seconds,
            |a, b| (a - b).abs() > tolerance,
        ) {
            differs.push("duration");
        }
        if !differs.is_empty() {
            out.push(Conflict {
                isrc: code,
                differs,
                files: entries.iter().map(|e| e.path.clone()).collect(),
            });
        }
    }
    out
}
