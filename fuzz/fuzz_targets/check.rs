//! `isrc::check` and the parsers on arbitrary bytes: never a panic, and what they accept
//! agrees with itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let policy = isrc::Policy::new(isrc::policy::Date::new(2026, 11, 22).unwrap());
    let report = isrc::check(&text, &policy);
    for finding in &report.findings {
        // Spans always fall on character boundaries of the input.
        assert!(text.get(finding.span.start..finding.span.end).is_some());
        if let Some(fix) = finding.fix {
            assert_eq!(isrc::Isrc::parse_strict(&fix.to_string()), Ok(fix));
        }
    }
    // The report serializes (`Report::to_json`, feature `json`, is serde_json's text itself
    // since the hand-written writer went).
    let _ = serde_json::to_string(&report).unwrap();
    // The two tiers agree: well-formed exactly when check forms a code.
    match text.parse::<isrc::Isrc>() {
        Ok(code) => {
            assert_eq!(report.isrc, Some(code));
            assert_eq!(code.hyphenated().to_string().parse::<isrc::Isrc>(), Ok(code));
            assert_eq!(code.labelled().to_string().parse::<isrc::Isrc>(), Ok(code));
            assert_eq!(isrc::Isrc::from_u64(code.to_u64()), Some(code));
        }
        Err(error) => {
            assert_eq!(report.isrc, None);
            assert!(!report.is_valid());
            let _ = error.to_string();
        }
    }
    if report.is_valid() {
        assert!(report.isrc.is_some());
    }
    // The allocation-free verdict says what the report says.
    let verdict = isrc::check::verdict(&text, &policy);
    assert_eq!(verdict.isrc, report.isrc);
    assert_eq!(verdict.severity, report.severity());
    assert_eq!(verdict.fix, report.fix());
    assert!(report.findings.iter().all(|f| verdict.rules.contains(f.rule)));
    assert_eq!(verdict.rules.len(), {
        let mut rules: Vec<_> = report.findings.iter().map(|f| f.rule).collect();
        rules.sort_by_key(|r| r.index());
        rules.dedup();
        rules.len()
    });
    // The compact fast path (SWAR digits) accepts exactly what the strict parser accepts.
    let strict = std::str::from_utf8(data)
        .ok()
        .and_then(|s| isrc::Isrc::parse_strict(s).ok());
    assert_eq!(isrc::Isrc::from_compact_bytes(data), strict);
    let _ = text.parse::<isrc::code::PrefixCode>();
});
