//! A map from index keys ([`isrc::Isrc::to_u64`]) to values, kept in pages of 256
//! consecutive keys, for the duplicate index of catalogues (CSV, TSV, JSON Lines, xlsx).
//!
//! Registrants allocate designations in order, so a catalogue's codes fill pages nearly
//! full: a value then costs its own size and one byte, stored contiguously, instead of a
//! hash-table bucket per code at random (a table at half load was twice the size of its
//! values, and most of its memory was page faults). A page holds its values in the order
//! they came, so a new code is appended and never moves others; finding a code seen before
//! scans the page's one-byte offsets. A sparse catalogue costs a page per code, about the
//! size of the hash-table bucket it replaces.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Keys per page.
const PAGE: u64 = 256;

/// Spreads page numbers (consecutive ones stay apart in few buckets: the map is small).
#[derive(Default)]
struct PageHasher(u64);

impl Hasher for PageHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = mix_bytes(self.0, bytes);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The byte-wise fallback of this crate's `u64` hashers (their keys are numbers: it serves
/// only what `Hash` implementations of other types write).
pub(crate) fn mix_bytes(state: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(state, |h, b| {
        (h.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

struct Page<V> {
    /// Which of the page's keys are present.
    bits: [u64; 4],
    /// Each value's key within the page, in the order of `values`.
    offsets: Vec<u8>,
    values: Vec<V>,
}

/// Values by `u64` key, in pages of 256 keys.
pub(crate) struct PagedMap<V> {
    pages: HashMap<u64, Page<V>, BuildHasherDefault<PageHasher>>,
    len: usize,
}

impl<V> Default for PagedMap<V> {
    fn default() -> Self {
        PagedMap {
            pages: HashMap::default(),
            len: 0,
        }
    }
}

impl<V> PagedMap<V> {
    /// The number of keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The value of `key`, made by `new` when the key is not there yet; and whether it was
    /// made now.
    #[inline]
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: u64,
        new: impl FnOnce() -> V,
    ) -> (&mut V, bool) {
        let page = self.pages.entry(key / PAGE).or_insert_with(|| Page {
            bits: [0; 4],
            offsets: Vec::new(),
            values: Vec::new(),
        });
        let offset = (key % PAGE) as u8;
        let (word, mask) = (usize::from(offset >> 6), 1u64 << (offset & 63));
        if page.bits[word] & mask != 0
            && let Some(i) = memchr::memchr(offset, &page.offsets)
        {
            return (&mut page.values[i], false);
        }
        page.bits[word] |= mask;
        // A page this full is in a densely allocated range: room for all of it at once,
        // instead of doubling (and copying) twice more.
        if page.values.len() == 64 && page.values.capacity() == 64 {
            page.values.reserve_exact(PAGE as usize - 64);
            page.offsets.reserve_exact(PAGE as usize - 64);
        }
        page.offsets.push(offset);
        page.values.push(new());
        self.len += 1;
        let last = page.values.len() - 1;
        (&mut page.values[last], true)
    }

    /// Every key and its value, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        self.pages.iter().flat_map(|(&page, p)| {
            p.offsets
                .iter()
                .zip(&p.values)
                .map(move |(&offset, v)| (page * PAGE + u64::from(offset), v))
        })
    }

    /// Every key, in no particular order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.iter().map(|(key, _)| key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Adds one to the value of each key, like a `BTreeMap` of counts.
    fn counts(keys: &[u64]) -> (Vec<(u64, u32)>, Vec<bool>, usize) {
        let mut map = PagedMap::default();
        let fresh: Vec<bool> = keys
            .iter()
            .map(|&k| {
                let (v, new) = map.get_or_insert_with(k, || 0u32);
                *v += 1;
                new
            })
            .collect();
        let mut all: Vec<(u64, u32)> = map.iter().map(|(k, v)| (k, *v)).collect();
        all.sort_unstable();
        let mut keys: Vec<u64> = map.keys().collect();
        keys.sort_unstable();
        assert_eq!(keys, all.iter().map(|e| e.0).collect::<Vec<_>>());
        (all, fresh, map.len())
    }

    fn reference(keys: &[u64]) -> (Vec<(u64, u32)>, Vec<bool>, usize) {
        let mut map = BTreeMap::new();
        let fresh = keys
            .iter()
            .map(|&k| {
                let v = map.entry(k).or_insert(0u32);
                *v += 1;
                *v == 1
            })
            .collect();
        let len = map.len();
        (map.into_iter().collect(), fresh, len)
    }

    #[test]
    fn pages_and_their_edges() {
        let keys = [
            0,
            255,
            256,
            511,
            0,
            256,
            u64::MAX,
            u64::MAX - 255,
            255,
            7,
            7,
            7,
        ];
        assert_eq!(counts(&keys), reference(&keys));
        // A full page, backwards, twice.
        let full: Vec<u64> = (0..2).flat_map(|_| (1024..1280).rev()).collect();
        assert_eq!(counts(&full), reference(&full));
    }

    proptest! {
        #[test]
        fn agrees_with_a_btree_map(
            keys in prop::collection::vec(
                prop_oneof![0u64..2000, any::<u64>(), (0u64..4).prop_map(|k| k * 256 + 255)],
                0..400,
            ),
        ) {
            prop_assert_eq!(counts(&keys), reference(&keys));
        }
    }
}
