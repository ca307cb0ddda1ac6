//! Round trips and order, for every possible code (proptest).

use isrc::{Isrc, U64_LIMIT};
use proptest::prelude::*;

fn any_isrc() -> impl Strategy<Value = Isrc> {
    (0..U64_LIMIT).prop_map(|v| Isrc::from_u64(v).unwrap())
}

proptest! {
    #[test]
    fn display_forms_parse_back(code in any_isrc()) {
        prop_assert_eq!(code.to_string().parse::<Isrc>(), Ok(code));
        prop_assert_eq!(Isrc::parse_strict(&code.to_string()), Ok(code));
        prop_assert_eq!(code.hyphenated().to_string().parse::<Isrc>(), Ok(code));
        prop_assert_eq!(code.labelled().to_string().parse::<Isrc>(), Ok(code));
        prop_assert_eq!(code.to_string().to_lowercase().parse::<Isrc>(), Ok(code));
    }

    #[test]
    fn u64_round_trips(code in any_isrc()) {
        prop_assert_eq!(Isrc::from_u64(code.to_u64()), Some(code));
    }

    #[test]
    fn order_is_the_order_of_the_compact_string(a in any_isrc(), b in any_isrc()) {
        prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
        prop_assert_eq!(a.cmp(&b), a.to_u64().cmp(&b.to_u64()));
    }

    #[test]
    fn parts_rebuild_the_code(code in any_isrc()) {
        let rebuilt = Isrc::from_parts(
            code.country().as_str(),
            code.registrant().as_str(),
            code.year(),
            code.designation(),
        );
        prop_assert_eq!(rebuilt, Ok(code));
        prop_assert_eq!(code.prefix().isrc(code.year(), code.designation()), Some(code));
    }

    #[test]
    fn next_counts_up_within_the_year(code in any_isrc()) {
        match code.next() {
            Some(next) => {
                prop_assert_eq!(next.designation(), code.designation() + 1);
                prop_assert_eq!(next.prefix(), code.prefix());
                prop_assert_eq!(next.year(), code.year());
                prop_assert!(next > code);
            }
            None => prop_assert_eq!(code.designation(), 99_999),
        }
    }

    #[test]
    fn the_verdict_cache_answers_like_verdict(codes in proptest::collection::vec(any_isrc(), 1..50)) {
        let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
        let mut cache = isrc::VerdictCache::new(policy);
        // Twice over, so that the second round comes from the cache.
        for code in codes.iter().chain(codes.iter()) {
            let text = code.to_string();
            prop_assert_eq!(cache.compact(text.as_bytes()), Some(isrc::verdict(&text, &policy)));
        }
    }

    #[test]
    fn check_never_panics_and_spans_fit(input in "\\PC{0,40}") {
        let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
        let report = isrc::check(&input, &policy);
        for finding in &report.findings {
            prop_assert!(input.get(finding.span.start..finding.span.end).is_some());
        }
        prop_assert_eq!(report.isrc.is_some(), input.parse::<Isrc>().is_ok());
    }

    #[test]
    fn check_of_a_valid_code_agrees_with_parse(code in any_isrc(), sep in "[ -]?") {
        let policy = isrc::Policy::new("2026-11-22".parse().unwrap());
        let text = format!("{}{sep}{}{sep}{:02}{sep}{:05}", code.country(), code.registrant(), code.year(), code.designation());
        let report = isrc::check(&text, &policy);
        prop_assert_eq!(report.isrc, Some(code));
    }
}

#[cfg(feature = "serde")]
mod serde_round_trips {
    use super::*;

    proptest! {
        #[test]
        fn json_is_the_compact_string(code in any_isrc()) {
            let json = serde_json::to_string(&code).unwrap();
            prop_assert_eq!(&json, &format!("\"{code}\""));
            prop_assert_eq!(serde_json::from_str::<Isrc>(&json).unwrap(), code);
        }
    }
}
