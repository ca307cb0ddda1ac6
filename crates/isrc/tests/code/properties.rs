//! Round trips and order, for every possible code (proptest).

use isrc_code::{Isrc, code::U64_LIMIT};
use proptest::prelude::*;

/// The default proptest configuration, with the regressions file beside this module
/// (`properties.proptest-regressions`): proptest's default looks for it under
/// `tests/proptest-regressions/` once the tests sit beside a `main.rs`.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    }
}

fn any_isrc() -> impl Strategy<Value = Isrc> {
    (0..U64_LIMIT).prop_map(|v| Isrc::from_u64(v).unwrap())
}

proptest! {
    #![proptest_config(config())]

    /// Durations, as `isrc check` and the registry read them (moved with the folding from
    /// isrc-check): any text is read or refused without a panic; m:ss is minutes and seconds.
    #[test]
    fn durations_never_panic(s in "\\PC{0,20}") {
        let _ = isrc_code::recording::parse_seconds(&s, isrc_code::recording::DurationUnit::Seconds);
    }

    #[test]
    fn minutes_and_seconds(m in 0u32..600, s in 0u32..60) {
        prop_assert_eq!(
            isrc_code::recording::parse_seconds(&format!("{m}:{s:02}"), isrc_code::recording::DurationUnit::Seconds),
            Some(f64::from(m * 60 + s))
        );
    }

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
        let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
        let mut cache = isrc_code::check::VerdictCache::new(policy);
        // Twice over, so that the second round comes from the cache.
        for code in codes.iter().chain(codes.iter()) {
            let text = code.to_string();
            prop_assert_eq!(cache.compact(text.as_bytes()), Some(isrc_code::check::verdict(&text, &policy)));
        }
    }

    /// The cache keys on the country code, year, designation 00000 and example prefix, not
    /// on the whole prefix: codes of many registrants under a few countries and years, the
    /// example prefixes among them, under any date and legacy window, answer like `verdict`.
    #[test]
    fn the_verdict_cache_answers_like_verdict_across_prefixes(
        codes in proptest::collection::vec(
            "(US|GB|CB|JM|AA|YU|CS|QM|ZZ|AQ|DE)(RC1|S1Z|K40|6Q7|AB1|[A-Z0-9]{3})[0-9]{2}(00000|0000[0-9]|[0-9]{5})",
            1..200,
        ),
        today_year in 2000u16..2099,
        earliest in 1900u16..2030,
        window in 0u16..60,
    ) {
        let today: isrc_code::policy::Date = format!("{today_year}-06-15").parse().unwrap();
        let policy = isrc_code::Policy::new(today).with_legacy_years(earliest, earliest + window);
        let mut cache = isrc_code::check::VerdictCache::new(policy);
        for code in codes.iter().chain(codes.iter()) {
            prop_assert_eq!(cache.compact(code.as_bytes()), Some(isrc_code::check::verdict(code, &policy)), "{}", code);
        }
    }

    /// `verdict` is `check` without messages: the same rules, severity and fix for any input.
    #[test]
    fn verdict_summarises_check(
        code in prop_oneof![
            any_isrc().prop_map(|c| c.to_string()),
            "(US|GB|CB|JM|AA|YU|CS|QM|ZZ)(RC1|S1Z|K40|6Q7|AB1)[0-9]{2}(00000|0000[0-9])",
            "[a-zA-Z0-9 -]{0,16}",
        ],
        today_year in 2000u16..2099,
        earliest in 1900u16..2030,
        window in 0u16..60,
    ) {
        let today: isrc_code::policy::Date = format!("{today_year}-06-15").parse().unwrap();
        let policy = isrc_code::Policy::new(today).with_legacy_years(earliest, earliest + window);
        let report = isrc_code::check(&code, &policy);
        let verdict = isrc_code::check::verdict(&code, &policy);
        prop_assert_eq!(verdict.isrc, report.isrc);
        prop_assert_eq!(verdict.severity, report.severity());
        prop_assert_eq!(verdict.fix, report.fix());
        let rules: Vec<_> = verdict.rules.iter().collect();
        let mut found: Vec<_> = report.findings.iter().map(|f| f.rule).collect();
        found.sort_by_key(|r| r.index());
        found.dedup();
        prop_assert_eq!(rules, found);
    }

    /// The checker decides most compact codes by a short cut; this restates the code-level
    /// rules (isrc-rules.md) independently and compares, for any code, date and legacy window.
    #[test]
    fn compact_codes_get_exactly_the_code_level_rules(
        code in prop_oneof![
            any_isrc(),
            "(US|GB|CB|JM|AA|YU|CS|QM|ZZ|QZ)(RC1|S1Z|K40|6Q7|AB1)[0-9]{2}(00000|0000[0-9])"
                .prop_map(|text| text.parse::<Isrc>().unwrap()),
        ],
        today_year in 2000u16..2099,
        earliest in 1900u16..2030,
        window in 0u16..60,
    ) {
        use isrc_code::{prefix::PrefixStatus, rule::Rule};
        let today: isrc_code::policy::Date = format!("{today_year}-06-15").parse().unwrap();
        let policy = isrc_code::Policy::new(today).with_legacy_years(earliest, earliest + window);
        let mut expected = Vec::new();
        let entry = policy.prefixes().get(code.country().as_str());
        match entry {
            None => expected.push(Rule::UnknownPrefix),
            Some(e) if e.status() == PrefixStatus::Retired => expected.push(Rule::RetiredPrefix),
            Some(_) => {}
        }
        let prefix = format!("{}{}", code.country().as_str(), code.registrant().as_str());
        if ["JMK40", "AA6Q7", "USS1Z"].contains(&prefix.as_str()) {
            expected.push(Rule::ExampleCode);
        }
        match policy.full_year(code.year()) {
            None => expected.push(Rule::YearFuture),
            Some(full) => {
                if (earliest..=earliest + window).contains(&full) {
                    expected.push(Rule::LegacyYear);
                }
                if entry.and_then(|e| e.introduced()).is_some_and(|i| full < i.year) {
                    expected.push(Rule::PrefixBeforeIntroduction);
                }
            }
        }
        if code.designation() == 0 {
            expected.push(Rule::DesignationZero);
        }
        expected.sort_by_key(|r| r.index());
        let text = code.to_string();
        let found: Vec<_> = isrc_code::check::verdict(&text, &policy).rules.iter().collect();
        prop_assert_eq!(&found, &expected, "{} on {}", text, today);
        let mut reported: Vec<_> = isrc_code::check(&text, &policy).findings.iter().map(|f| f.rule).collect();
        reported.sort_by_key(|r| r.index());
        prop_assert_eq!(reported, expected);
    }

    /// The compact fast path reads digits eight bytes at a time; any 12 bytes (0xFF
    /// included: found by cargo fuzz) get the strict parser's answer, never a panic.
    #[test]
    fn compact_bytes_agree_with_the_strict_parser(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 12),
            "[A-Z0-9:/]{12}".prop_map(String::into_bytes),
        ]
    ) {
        let strict = std::str::from_utf8(&bytes).ok().and_then(|s| Isrc::parse_strict(s).ok());
        prop_assert_eq!(Isrc::from_compact_bytes(&bytes), strict);
    }

    #[test]
    fn check_never_panics_and_spans_fit(input in "\\PC{0,40}") {
        let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
        let report = isrc_code::check(&input, &policy);
        for finding in &report.findings {
            prop_assert!(input.get(finding.span.start..finding.span.end).is_some());
        }
        prop_assert_eq!(report.isrc.is_some(), input.parse::<Isrc>().is_ok());
    }

    #[test]
    fn check_of_a_valid_code_agrees_with_parse(code in any_isrc(), sep in "[ -]?") {
        let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
        let text = format!("{}{sep}{}{sep}{:02}{sep}{:05}", code.country(), code.registrant(), code.year(), code.designation());
        let report = isrc_code::check(&text, &policy);
        prop_assert_eq!(report.isrc, Some(code));
    }
}

#[cfg(feature = "json")]
mod serde_round_trips {
    use super::*;

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn json_is_the_compact_string(code in any_isrc()) {
            let json = serde_json::to_string(&code).unwrap();
            prop_assert_eq!(&json, &format!("\"{code}\""));
            prop_assert_eq!(serde_json::from_str::<Isrc>(&json).unwrap(), code);
        }

        /// `Report::to_json` is JSON that gives back the input, whatever it holds: codes in
        /// any spelling, strings needing escapes (quotes, backslashes, control characters),
        /// and text far from a code.
        #[test]
        fn to_json_gives_back_the_input(
            text in prop_oneof![
                any_isrc().prop_map(|c| c.to_string()),
                any_isrc().prop_map(|c| c.labelled().to_string().to_lowercase()),
                "[A-Z0-9\\-\"\u{0}-\u{1f} ]{0,16}",
                any::<String>(),
            ],
            year in 2000u16..2100,
        ) {
            let policy = isrc_code::Policy::new(isrc_code::policy::Date::new(year, 6, 1).unwrap());
            let report = isrc_code::check(&text, &policy);
            let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
            prop_assert_eq!(json["input"].as_str(), Some(text.as_str()));
            prop_assert_eq!(json["valid"].as_bool(), Some(report.is_valid()));
            prop_assert_eq!(json["findings"].as_array().map(Vec::len), Some(report.findings.len()));
        }
    }

    #[test]
    fn to_json_of_every_prefix_names_its_agency() {
        let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
        for entry in isrc_code::prefix::PrefixTable::builtin().iter() {
            for text in [
                format!("{}RC12100001", entry.code()),
                format!("{}-XYZ-76-00000 +", entry.code()),
            ] {
                let report = isrc_code::check(&text, &policy);
                let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
                assert_eq!(json["input"], text.as_str());
                if report.prefix.is_none() {
                    assert!(json["prefix"].is_null(), "{text}");
                    continue;
                }
                assert_eq!(json["prefix"]["agency"], entry.agency(), "{text}");
                assert_eq!(json["prefix"]["territory"], entry.territory(), "{text}");
                assert_eq!(json["prefix"]["status"], entry.status().as_str(), "{text}");
            }
        }
    }
}
