//! `--against`: two versions of a catalogue compared by code. Each checked record leaves
//! 32 bytes (its code as a `u64`, where it is, and fingerprints of its folded title, artist
//! and version and its duration); at the end both lists are sorted by code and merged in one
//! pass, so the comparison costs a sort of each file's codes and no per-record text.

use isrc::Isrc;
use serde::Serialize;

use crate::report::Listed;
use isrc::recording::fold_hash_bytes;

use super::verdicts::Out;

/// A record's fields for the comparison: 32-bit fingerprints of the folded title, artist
/// and version (0: no such column) and the duration in seconds (NaN: none).
#[derive(Clone, Copy, Debug)]
pub(super) struct Fields {
    title: u32,
    artist: u32,
    version: u32,
    duration: f32,
}

impl Default for Fields {
    fn default() -> Fields {
        Fields {
            title: 0,
            artist: 0,
            version: 0,
            duration: f32::NAN,
        }
    }
}

/// The high half of a fold hash, never 0 (0 is "no such column").
fn fingerprint(bytes: Option<&[u8]>) -> u32 {
    bytes.map_or(0, |b| ((fold_hash_bytes(&[b]) >> 32) as u32).max(1))
}

impl Fields {
    /// The fields of one record, from its cells (`None`: the input has no such column).
    pub(super) fn of(
        title: Option<&[u8]>,
        artist: Option<&[u8]>,
        version: Option<&[u8]>,
        duration: Option<f64>,
    ) -> Fields {
        Fields {
            title: fingerprint(title),
            artist: fingerprint(artist),
            version: fingerprint(version),
            duration: duration.map_or(f32::NAN, |d| d as f32),
        }
    }

    /// The names of the fields that differ, where both records have them: folded text for
    /// title, artist and version, the same-recording tolerance of [`isrc::recording`] for
    /// durations (what the check's conflicts use).
    fn changes(&self, old: &Fields) -> Vec<&'static str> {
        let mut changed = Vec::new();
        for (name, new, old) in [
            ("title", self.title, old.title),
            ("artist", self.artist, old.artist),
            ("version", self.version, old.version),
        ] {
            if new != 0 && old != 0 && new != old {
                changed.push(name);
            }
        }
        let ms = |d: f32| (!d.is_nan()).then(|| (f64::from(d) * 1000.0).round() as u64);
        if !self.duration.is_nan()
            && !old.duration.is_nan()
            && !isrc::recording::durations_match(ms(self.duration), ms(old.duration))
        {
            changed.push("duration");
        }
        changed
    }
}

/// One record kept for the comparison: 32 bytes.
#[derive(Clone, Copy)]
struct Keyed {
    key: u64,
    /// File number (high 16 bits) and line (low 48 bits): the first record of a code sorts
    /// first.
    pos: u64,
    fields: Fields,
}

const LINE_BITS: u32 = 48;

/// Every code of the inputs checked, with where it is and its fields
/// ([`crate::Options::compare`]); taken with [`crate::Checker::take_catalogue`] and compared
/// with [`Catalogue::compare`].
#[derive(Default)]
pub struct Catalogue {
    records: Vec<Keyed>,
    files: Vec<String>,
    /// Data records read, with or without a code.
    read: u64,
    /// Input problems.
    problems: u64,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue")
            .field("records", &self.records.len())
            .field("files", &self.files)
            .finish()
    }
}

impl Catalogue {
    /// The records that follow are from `file` (called once per chunk).
    pub(super) fn file(&mut self, file: &str) {
        if self.files.last().is_none_or(|f| f != file) {
            self.files.push(file.to_owned());
        }
    }

    /// The records of a chunk, with their fields when the input has some, and the line of
    /// each in the file.
    pub(super) fn add(&mut self, outs: &[Out], fields: &[Fields], line_of: &impl Fn(u64) -> u64) {
        let file = (self.files.len().saturating_sub(1) as u64) << LINE_BITS;
        self.read += outs.len() as u64;
        self.records.reserve(outs.len());
        for (i, out) in outs.iter().enumerate() {
            if let Some(code) = out.code {
                self.records.push(Keyed {
                    key: code.to_u64(),
                    pos: file | (line_of(out.line) & ((1 << LINE_BITS) - 1)),
                    fields: fields.get(i).copied().unwrap_or_default(),
                });
            }
        }
    }

    /// Counts input problems of the inputs (for the report of the older version).
    pub(super) fn problems(&mut self, n: u64) {
        self.problems += n;
    }

    /// Sorted by code, first record of each code only.
    fn distinct(mut self) -> (Vec<Keyed>, Vec<String>, u64, u64) {
        self.records.sort_unstable_by_key(|k| (k.key, k.pos));
        self.records.dedup_by_key(|k| k.key);
        (self.records, self.files, self.read, self.problems)
    }

    /// What changed from `old` to this catalogue: codes added, removed, and those whose
    /// title, artist, version or duration differ (each list capped at `cap`, in code order).
    ///
    /// ```
    /// use isrc_check::{Checker, Options};
    /// let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
    /// let options = Options { compare: true, ..Options::default() };
    /// let mut old = Checker::new(policy, options.clone());
    /// let before = "isrc,title\nUSRC17607839,Yesterday\nGBAYE0601498,Song\n";
    /// old.check_reader("old.csv", before.as_bytes(), None).unwrap();
    /// let mut new = Checker::new(policy, options);
    /// let after = "isrc,title\nUSRC17607839,Tomorrow\nFRZ039800212,New\n";
    /// new.check_reader("new.csv", after.as_bytes(), None).unwrap();
    /// let diff = new.take_catalogue().compare(old.take_catalogue(), 1000);
    /// assert_eq!((diff.added.total, diff.removed.total, diff.changed.total), (1, 1, 1));
    /// assert_eq!(diff.changed.listed[0].fields, ["title"]);
    /// assert_eq!(diff.changed.listed[0].old_line, 2);
    /// ```
    pub fn compare(self, old: Catalogue, cap: usize) -> Comparison {
        let (new, new_files, _, _) = self.distinct();
        let (old, old_files, old_read, old_problems) = old.distinct();
        let place = |files: &[String], k: &Keyed| {
            (
                files
                    .get((k.pos >> LINE_BITS) as usize)
                    .cloned()
                    .unwrap_or_default(),
                k.pos & ((1 << LINE_BITS) - 1),
            )
        };
        let located = |files: &[String], k: &Keyed| {
            let (file, line) = place(files, k);
            Some(Located {
                isrc: Isrc::from_u64(k.key)?,
                file,
                line,
            })
        };
        let mut out = Comparison {
            file: old_files.join(", "),
            records: old_read,
            input_problems: old_problems,
            codes: old.len() as u64,
            new_codes: new.len() as u64,
            unchanged: 0,
            added: Listed::default(),
            removed: Listed::default(),
            changed: Listed::default(),
        };
        let (mut i, mut j) = (0, 0);
        while i < new.len() || j < old.len() {
            match (new.get(i), old.get(j)) {
                (Some(n), Some(o)) if n.key == o.key => {
                    let fields = n.fields.changes(&o.fields);
                    if fields.is_empty() {
                        out.unchanged += 1;
                    } else if let Some(isrc) = Isrc::from_u64(n.key) {
                        let (file, line) = place(&new_files, n);
                        let (old_file, old_line) = place(&old_files, o);
                        out.changed.push(
                            Changed {
                                isrc,
                                fields,
                                file,
                                line,
                                old_file,
                                old_line,
                            },
                            cap,
                        );
                    }
                    i += 1;
                    j += 1;
                }
                (Some(n), o) if o.is_none_or(|o| n.key < o.key) => {
                    if let Some(l) = located(&new_files, n) {
                        out.added.push(l, cap);
                    }
                    i += 1;
                }
                (_, Some(o)) => {
                    if let Some(l) = located(&old_files, o) {
                        out.removed.push(l, cap);
                    }
                    j += 1;
                }
                // Not reached: the loop runs while one list has records left.
                (_, None) => break,
            }
        }
        out
    }
}

/// A code and where (its first record) in one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    /// The code.
    pub isrc: Isrc,
    /// The file name as given.
    pub file: String,
    /// The line in the file where its first record starts.
    pub line: u64,
}

/// A code in both versions whose fields differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The code.
    pub isrc: Isrc,
    /// What differs: `title`, `artist`, `version` (after folding case, spacing and
    /// punctuation) and `duration` (by more than the same-recording tolerance).
    pub fields: Vec<&'static str>,
    /// The newer version's file.
    pub file: String,
    /// Its line there.
    pub line: u64,
    /// The older version's file (`--against`).
    pub old_file: String,
    /// Its line there.
    pub old_line: u64,
}

/// `--against`: what changed from an older version of the catalogue to the inputs checked.
/// A code repeated in one version is compared by its first record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The older version's file.
    pub file: String,
    /// Its data records.
    pub records: u64,
    /// Its input problems (ragged rows, unclosed quotes...): records there that could not
    /// be compared.
    pub input_problems: u64,
    /// Distinct codes in the older version.
    pub codes: u64,
    /// Distinct codes in the inputs checked.
    pub new_codes: u64,
    /// Codes in both with the same title, artist, version and duration.
    pub unchanged: u64,
    /// Codes only in the inputs checked, in code order.
    pub added: Listed<Located>,
    /// Codes only in the older version, in code order.
    pub removed: Listed<Located>,
    /// Codes in both whose title, artist, version or duration changed, in code order.
    pub changed: Listed<Changed>,
}
