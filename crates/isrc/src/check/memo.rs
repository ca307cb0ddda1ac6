//! [`VerdictCache`]: verdicts on compact codes, remembered by what they depend on.

use super::{EXAMPLE_PREFIXES, RuleSet, Verdict, nothing_to_report, verdict};
use crate::code::CompactParts;
use crate::policy::Policy;

use crate::rule::Severity;

/// Slots of the table (a power of two). A catalogue's codes fall in a few hundred
/// combinations of country code, year and the two flags, of which most need no slot at all.
const SLOTS: usize = 256;

/// Remembers [`verdict`]s on compact codes for bulk work. A compact code's verdict depends only
/// on its country code's entry in the prefix table, its year, whether its designation is
/// 00000 and which example prefix it is, if any (see `check_semantics`), and a catalogue
/// holds few such combinations, so every code is answered from a small direct-mapped table,
/// whatever its registrant. Most codes have nothing to report and are answered before the
/// table is looked at.
///
/// ```
/// let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
/// let mut cache = isrc_code::check::VerdictCache::new(policy);
/// let first = cache.compact(b"USRC17607839").unwrap();
/// let second = cache.compact(b"USAB17600001").unwrap(); // same country and year: remembered
/// assert_eq!(first.rules, second.rules);
/// assert_eq!(second.isrc.unwrap().to_string(), "USAB17600001");
/// assert!(cache.compact(b"us-rc1-76-07839").is_none()); // not compact: use isrc_code::check::verdict
/// ```
#[derive(Debug, Clone)]
pub struct VerdictCache<'p> {
    policy: Policy<'p>,
    /// Key (see [`VerdictCache::compact`]; `u32::MAX` for none), rules and severity.
    slots: [(u32, RuleSet, Option<Severity>); SLOTS],
}

impl<'p> VerdictCache<'p> {
    /// An empty cache for verdicts under `policy`.
    pub fn new(policy: Policy<'p>) -> VerdictCache<'p> {
        VerdictCache {
            policy,
            slots: [(u32::MAX, RuleSet::default(), None); SLOTS],
        }
    }

    /// The policy the verdicts are taken under.
    pub fn policy(&self) -> &Policy<'p> {
        &self.policy
    }

    /// The verdict on `bytes` when they are a compact code (12 bytes, uppercase), the same as
    /// [`verdict`] gives; `None` for anything else.
    #[inline]
    pub fn compact(&mut self, bytes: &[u8]) -> Option<Verdict> {
        let code = CompactParts::parse(bytes)?;
        let entry = self.policy.prefixes().get_index(code.country_index);
        if let Some(entry) = entry
            && nothing_to_report(code, entry, &self.policy)
        {
            return Some(Verdict {
                isrc: Some(code.isrc),
                ..Verdict::default()
            });
        }
        self.remembered(code, bytes)
    }

    /// The verdict on a code with something to report, from the table or from [`verdict`].
    #[inline(never)]
    fn remembered(&mut self, code: CompactParts, bytes: &[u8]) -> Option<Verdict> {
        // Country (< 676), year (< 100), designation 00000, example prefix (0 for none, or
        // 1 + its place in EXAMPLE_PREFIXES): everything the semantic checks look at.
        let example = EXAMPLE_PREFIXES
            .iter()
            .position(|&p| p == code.prefix_number)
            .map_or(0, |i| i + 1);
        let key = (((code.country_index * 100 + usize::from(code.year())) * 2
            + usize::from(code.designation_is_zero()))
            * 4
            + example) as u32;
        let slot = (key.wrapping_mul(0x9E37_79B9) >> 24) as usize % SLOTS;
        let (at, rules, severity) = self.slots[slot];
        if at == key {
            return Some(Verdict {
                isrc: Some(code.isrc),
                rules,
                severity,
                fix: None,
            });
        }
        let text = core::str::from_utf8(bytes).ok()?;
        let found = verdict(text, &self.policy);
        // A fix names a whole code, so such a verdict is not shared between codes.
        if found.fix.is_none() {
            self.slots[slot] = (key, found.rules, found.severity);
        }
        Some(found)
    }
}
