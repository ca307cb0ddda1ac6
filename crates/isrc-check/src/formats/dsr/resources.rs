//! The resources of a DSR's merged lines, numbered in the order first seen.

/// The resources of the merged lines (ISRC cell as written, DspResourceId), numbered in
/// the order first seen, which is the order of their first lines: their text in one buffer
/// and an open-addressing table of their numbers (a file of several GB has millions of
/// them; two boxed strings and a map entry each held most of the memory).
#[derive(Default)]
pub(super) struct Resources {
    /// Their ISRC cells and DspResourceIds, one after the other.
    pub(super) text: Vec<u8>,
    /// Per resource: where its text starts, and the lengths of its cell and its id.
    pub(super) spans: Vec<(usize, u32, u32)>,
    pub(super) hashes: Vec<u64>,
    /// Resource number + 1, 0 for an empty slot; a power of two long.
    pub(super) slots: Vec<u32>,
}

impl Resources {
    /// The number of the resource `(cell, dsp)` (of hash `hash`), and whether it is new.
    pub(super) fn intern(&mut self, cell: &[u8], dsp: &[u8], hash: u64) -> (u32, bool) {
        if (self.spans.len() + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            match self.slots[at] {
                0 => break,
                s => {
                    let id = s - 1;
                    if self.hashes[id as usize] == hash && self.bytes(id) == (cell, dsp) {
                        return (id, false);
                    }
                }
            }
            at = (at + 1) & mask;
        }
        let id = self.spans.len() as u32;
        self.spans
            .push((self.text.len(), cell.len() as u32, dsp.len() as u32));
        self.text.extend_from_slice(cell);
        self.text.extend_from_slice(dsp);
        self.hashes.push(hash);
        self.slots[at] = id + 1;
        (id, true)
    }

    pub(super) fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        self.slots = vec![0; size];
        let mask = size - 1;
        for (id, hash) in self.hashes.iter().enumerate() {
            let mut at = *hash as usize & mask;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = id as u32 + 1;
        }
    }

    pub(super) fn bytes(&self, id: u32) -> (&[u8], &[u8]) {
        let (start, cell, dsp) = self.spans[id as usize];
        let middle = start + cell as usize;
        (
            &self.text[start..middle],
            &self.text[middle..middle + dsp as usize],
        )
    }

    /// The ISRC cell and DspResourceId of a resource (text that was a `&str` when
    /// interned).
    pub(super) fn key(&self, id: u32) -> (&str, &str) {
        let (cell, dsp) = self.bytes(id);
        (
            std::str::from_utf8(cell).unwrap_or_default(),
            std::str::from_utf8(dsp).unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::hash::resource_hash;

    #[test]
    fn resources_are_numbered_in_order_and_found_again() {
        let mut r = Resources::default();
        let keys: Vec<(String, String)> = (0..5000)
            .map(|i| (format!("GBAAA26{i:05}"), format!("D{}", i % 4000)))
            .collect();
        for (i, (cell, dsp)) in keys.iter().enumerate() {
            let h = resource_hash(cell.as_bytes(), dsp.as_bytes());
            assert_eq!(
                r.intern(cell.as_bytes(), dsp.as_bytes(), h),
                (i as u32, true)
            );
        }
        for (i, (cell, dsp)) in keys.iter().enumerate() {
            let h = resource_hash(cell.as_bytes(), dsp.as_bytes());
            assert_eq!(
                r.intern(cell.as_bytes(), dsp.as_bytes(), h),
                (i as u32, false)
            );
            assert_eq!(r.key(i as u32), (cell.as_str(), dsp.as_str()));
        }
        // The cell and the id are told apart where they meet.
        let h = resource_hash(b"AB", b"C");
        let g = resource_hash(b"A", b"BC");
        assert_ne!(r.intern(b"AB", b"C", h), r.intern(b"A", b"BC", g));
    }
}
