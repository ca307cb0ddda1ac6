//! "Everything else" of a file: every tag item, picture, metadata block and the audio, each as
//! a label and a digest, so that a write can be verified to have changed only the ISRC.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, Read, Seek, SeekFrom};

/// A digest of some bytes (SipHash; compared within one process only).
pub(crate) fn digest(bytes: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    format!("{} bytes, {:016x}", bytes.len(), hasher.finish())
}

/// Labelled digests of the parts of a file other than its ISRCs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// label -> digests (a label may repeat: two pictures, two comments).
    parts: BTreeMap<String, Vec<String>>,
}

impl Snapshot {
    /// Adds a part given as text.
    pub(crate) fn add_text(&mut self, label: &str, text: &str) {
        self.add(label, text.as_bytes());
    }

    /// Adds a part given as bytes.
    pub(crate) fn add(&mut self, label: &str, bytes: &[u8]) {
        self.parts
            .entry(label.to_string())
            .or_default()
            .push(digest(bytes));
    }

    /// Adds the bytes `range.0..range.1` of `file`, read in pieces (audio is not loaded whole).
    pub(crate) fn add_range<R: Read + Seek>(
        &mut self,
        label: &str,
        file: &mut R,
        range: (u64, u64),
    ) -> io::Result<()> {
        file.seek(SeekFrom::Start(range.0))?;
        let mut hasher = DefaultHasher::new();
        let mut left = range.1.saturating_sub(range.0);
        let total = left;
        let mut buf = vec![0u8; 1 << 16];
        while left > 0 {
            let want = buf.len().min(left as usize);
            let n = file.read(&mut buf[..want])?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            hasher.write(&buf[..n]);
            left -= n as u64;
        }
        self.parts
            .entry(label.to_string())
            .or_default()
            .push(format!("{total} bytes, {:016x}", hasher.finish()));
        Ok(())
    }

    /// What differs from `after`, in words, or `None` when nothing does.
    pub(crate) fn differences(&self, after: &Snapshot) -> Option<String> {
        let mut lost = Vec::new();
        let mut changed = Vec::new();
        for (label, digests) in &self.parts {
            match after.parts.get(label) {
                None => lost.push(label.clone()),
                Some(other) => {
                    let mut a = digests.clone();
                    let mut b = other.clone();
                    a.sort();
                    b.sort();
                    if a != b {
                        changed.push(label.clone());
                    }
                }
            }
        }
        let added: Vec<String> = after
            .parts
            .keys()
            .filter(|label| !self.parts.contains_key(*label))
            .cloned()
            .collect();
        let mut out = Vec::new();
        if !lost.is_empty() {
            out.push(format!("lost {}", lost.join(", ")));
        }
        if !changed.is_empty() {
            out.push(format!("changed {}", changed.join(", ")));
        }
        if !added.is_empty() {
            out.push(format!("added {}", added.join(", ")));
        }
        (!out.is_empty()).then(|| out.join("; "))
    }

    /// How many parts were compared.
    pub(crate) fn len(&self) -> usize {
        self.parts.values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_what_was_lost_changed_or_added() {
        let mut before = Snapshot::default();
        before.add("APIC", b"jpeg");
        before.add("TIT2", b"Song");
        before.add("TIT2", b"Other");
        let mut after = Snapshot::default();
        after.add("TIT2", b"Other");
        after.add("TIT2", b"Song");
        assert_eq!(before.differences(&after).as_deref(), Some("lost APIC"));
        after.add("APIC", b"jpeg");
        assert_eq!(before.differences(&after), None);
        after.add("TPE1", b"Band");
        assert_eq!(before.differences(&after).as_deref(), Some("added TPE1"));
        let mut changed = before.clone();
        changed.add("TIT2", b"Third");
        assert_eq!(
            before.differences(&changed).as_deref(),
            Some("changed TIT2")
        );
        assert_eq!(before.len(), 3);
    }
}
