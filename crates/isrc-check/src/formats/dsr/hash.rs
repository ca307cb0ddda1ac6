//! Multiply-rotate hashing of a DSR's short byte keys, and the hash of a resource.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiply-rotate hashing of the short byte keys of a DSR (record types, ISRC cells,
/// DspResourceIds, references): the keys are the file's own, not an attacker's choice of
/// collisions in a hash map of a server, and SipHash cost most of a line's tally.
#[derive(Default, Clone, Copy)]
pub(super) struct KeyHasher(u64);

pub(super) const MULTIPLY: u64 = 0x517c_c1b7_2722_0a95;

impl KeyHasher {
    pub(super) fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(MULTIPLY);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(w.try_into().unwrap_or_default()));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The low bits pick the slot: fold the high bits (where the multiply leaves them) in.
        self.0 ^ (self.0 >> 29)
    }
}

/// A hash map keyed by a DSR's short byte keys.
pub(super) type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// The hash of a resource: its ISRC cell and DspResourceId.
pub(super) fn resource_hash(cell: &[u8], dsp: &[u8]) -> u64 {
    let mut h = KeyHasher::default();
    h.write(cell);
    h.write_usize(cell.len());
    h.write(dsp);
    h.finish()
}
