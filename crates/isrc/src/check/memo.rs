//! [`VerdictCache`]: verdicts on compact codes, remembered by what they depend on.

use super::{Verdict, verdict};
use crate::code::Isrc;
use crate::policy::Policy;

const SLOTS: usize = 64;

/// Remembers [`verdict`]s on compact codes for bulk work. A compact code's verdict depends only
/// on its prefix, its year and whether its designation is 00000, and a catalogue holds few
/// such combinations, so most codes are answered from this small direct-mapped table.
///
/// ```
/// let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
/// let mut cache = isrc_code::check::VerdictCache::new(policy);
/// let first = cache.compact(b"USRC17607839").unwrap();
/// let second = cache.compact(b"USRC17600001").unwrap(); // same prefix and year: remembered
/// assert_eq!(first.rules, second.rules);
/// assert_eq!(second.isrc.unwrap().to_string(), "USRC17600001");
/// assert!(cache.compact(b"us-rc1-76-07839").is_none()); // not compact: use isrc_code::check::verdict
/// ```
#[derive(Debug, Clone)]
pub struct VerdictCache<'p> {
    policy: Policy<'p>,
    slots: [(u64, Verdict); SLOTS],
}

impl<'p> VerdictCache<'p> {
    /// An empty cache for verdicts under `policy`.
    pub fn new(policy: Policy<'p>) -> VerdictCache<'p> {
        VerdictCache {
            policy,
            slots: [(u64::MAX, Verdict::default()); SLOTS],
        }
    }

    /// The policy the verdicts are taken under.
    pub fn policy(&self) -> &Policy<'p> {
        &self.policy
    }

    /// The verdict on `bytes` when they are a compact code (12 bytes, uppercase), the same as
    /// [`verdict`] gives; `None` for anything else.
    pub fn compact(&mut self, bytes: &[u8]) -> Option<Verdict> {
        let code = Isrc::from_compact_bytes(bytes)?;
        // Prefix and year (7 ASCII bytes) and the designation-00000 flag in the eighth byte.
        let mut key_bytes = [0u8; 8];
        key_bytes[..7].copy_from_slice(&bytes[..7]);
        key_bytes[7] = u8::from(&bytes[7..] == b"00000");
        let key = u64::from_le_bytes(key_bytes);
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % SLOTS;
        if self.slots[slot].0 == key {
            return Some(Verdict {
                isrc: Some(code),
                ..self.slots[slot].1
            });
        }
        let text = core::str::from_utf8(bytes).ok()?;
        let found = verdict(text, &self.policy);
        // A fix names a whole code, so such a verdict is not shared between codes.
        if found.fix.is_none() {
            self.slots[slot] = (key, found);
        }
        Some(found)
    }
}
