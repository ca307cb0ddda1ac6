//! Every rule, as a table of inputs and expected verdicts: the examples of isrc-rules.md and
//! what python-stdnum, py-iso3901, validator.js and MusicBrainz test. Today is 2026-11-22.

use isrc_code::{Policy, rule::Rule, rule::Severity};

fn policy() -> Policy<'static> {
    Policy::new("2026-11-22".parse().unwrap())
}

/// (input, valid, rule ids found (in order, duplicates removed), fix)
const CASES: &[(&str, bool, &[&str], Option<&str>)] = &[
    // Canonical and as people type it.
    ("CBYZ92200001", true, &[], None),
    ("USAT29900609", true, &[], None),
    ("USCA29500702", true, &[], None),
    ("GB5KW2103369", true, &[], None),
    ("USRC17607839", true, &["legacy_year"], None),
    ("GBAYE6800011", true, &["legacy_year"], None),
    ("USRC15705223", true, &["legacy_year"], None),
    (
        "ISRC CB-YZ9-22-00001",
        true,
        &["not_canonical"],
        Some("CBYZ92200001"),
    ),
    (
        "ISRC:CB-YZ9-22-00001",
        true,
        &["not_canonical"],
        Some("CBYZ92200001"),
    ),
    (
        "isrc: cbyz92200001",
        true,
        &["not_canonical"],
        Some("CBYZ92200001"),
    ),
    (
        "ISRCCBYZ92200001",
        true,
        &["not_canonical"],
        Some("CBYZ92200001"),
    ),
    (
        "US-SKG-19-12345",
        true,
        &["not_canonical"],
        Some("USSKG1912345"),
    ),
    (
        "us-skg1912345",
        true,
        &["not_canonical"],
        Some("USSKG1912345"),
    ),
    (
        "GB 5KW 22 02504",
        true,
        &["not_canonical"],
        Some("GB5KW2202504"),
    ),
    (
        "GB-ARL-04-01372",
        true,
        &["not_canonical"],
        Some("GBARL0401372"),
    ),
    (
        "  GB5KW2103369 ",
        true,
        &["not_canonical"],
        Some("GB5KW2103369"),
    ),
    (
        "US-CA29500702",
        true,
        &["not_canonical"],
        Some("USCA29500702"),
    ),
    (
        "US\u{2010}RC1\u{2010}76\u{2010}07839",
        true,
        &["legacy_year", "not_canonical"],
        Some("USRC17607839"),
    ),
    (
        "US\u{2013}RC1\u{2013}26\u{2013}07839",
        true,
        &["not_canonical"],
        Some("USRC12607839"),
    ),
    (
        "ＵＳＲＣ１２６０７８３９",
        true,
        &["not_canonical"],
        Some("USRC12607839"),
    ),
    (
        "\u{FEFF}USRC12607839",
        true,
        &["not_canonical"],
        Some("USRC12607839"),
    ),
    (
        "USRC12607839\u{200B}",
        true,
        &["not_canonical"],
        Some("USRC12607839"),
    ),
    (
        "US\u{00A0}RC1\u{00A0}26\u{00A0}07839",
        true,
        &["not_canonical"],
        Some("USRC12607839"),
    ),
    // ISRC17607839 is Iceland's registrant RC1, not a label.
    ("ISRC17607839", true, &["legacy_year"], None),
    ("ISRC 12345678", false, &["length"], None),
    // empty
    ("", false, &["empty"], None),
    ("   ", false, &["empty"], None),
    ("ISRC", false, &["empty"], None),
    ("ISRC: ", false, &["empty"], None),
    // length and trailing text: never cut down to 12 characters.
    ("USRC1760783", false, &["length"], None),
    ("USAT2990060", false, &["length"], None),
    ("SRC15705223", false, &["length"], None),
    ("US-SKG-19-123456", false, &["length"], None),
    ("USARC15705223", false, &["length"], None),
    ("GB5KW210336985", false, &["length"], None),
    ("thisisnotanisrc", false, &["length"], None),
    ("5318008", false, &["length"], None),
    ("USRC17607839-A", false, &["length", "trailing_text"], None),
    ("USRC17607839B", false, &["length", "trailing_text"], None),
    (
        "USRC17607839 (remix)",
        false,
        &["invalid_character", "length", "trailing_text"],
        None,
    ),
    // invalid characters
    (
        "US-SKG-19-1234*",
        false,
        &["invalid_character", "length"],
        None,
    ),
    ("USRC1760783+9", false, &["invalid_character"], None),
    (
        "ÜSRC17607839",
        false,
        &["invalid_character", "length"],
        None,
    ),
    ("USRC17607839\0", false, &["invalid_character"], None),
    ("US.RC1.76.07839", false, &["invalid_character"], None),
    // digits and letters in the wrong places, with look-alike fixes
    (
        "U5RC17607839",
        false,
        &["country_not_letters"],
        Some("USRC17607839"),
    ),
    // A look-alike fix only when it is itself right: `1S` reads as Iceland's IS and
    // Lesotho's LS, both allocated, so neither is offered; `0S` reads as OS, QS or DS, none
    // allocated; `0E` only as Germany's DE.
    ("1SRC17607839", false, &["country_not_letters"], None),
    ("0SRC17607839", false, &["country_not_letters"], None),
    (
        "0EAAA2600001",
        false,
        &["country_not_letters"],
        Some("DEAAA2600001"),
    ),
    // `Z` read as 2 gives year 27: not yet reached (and 1927 is before any legacy year).
    ("USRC1Z707839", false, &["letter_in_digits"], None),
    ("U9RC17607839", false, &["country_not_letters"], None),
    (
        "USRC176O7839",
        false,
        &["letter_in_digits"],
        Some("USRC17607839"),
    ),
    (
        "usrc1760783l",
        false,
        &["letter_in_digits"],
        Some("USRC17607831"),
    ),
    // The registrant code may hold letters: only the year and designation are fixed.
    (
        "USRCl7607839",
        true,
        &["legacy_year", "not_canonical"],
        Some("USRCL7607839"),
    ),
    (
        "USRCI76O7839",
        false,
        &["letter_in_digits"],
        Some("USRCI7607839"),
    ),
    (
        "USRC1760I8S9",
        false,
        &["letter_in_digits"],
        Some("USRC17601859"),
    ),
    ("USRC1760783X", false, &["letter_in_digits"], None),
    // country codes: the ISRC system's own list, not ISO 3166
    ("XX-SKG-19-12345", false, &["unknown_prefix"], None),
    ("AQRC12600001", false, &["unknown_prefix"], None),
    ("KPRC12600001", false, &["unknown_prefix"], None),
    ("QORC12600001", false, &["unknown_prefix"], None),
    ("EURC12600001", false, &["unknown_prefix"], None),
    ("QMRC12600001", true, &[], None),
    ("QZRC12000001", true, &[], None),
    ("GXAB12600001", true, &[], None),
    ("UKAB12600001", true, &[], None),
    ("FXAB12600001", true, &[], None),
    ("BKAB12600001", true, &[], None),
    ("KSAB12600001", true, &[], None),
    ("ZBAB12600001", true, &[], None),
    ("TCAB12600001", true, &[], None),
    ("ZZAB12600001", true, &[], None),
    ("XKAB12600001", true, &[], None),
    ("CARC12000001", true, &[], None),
    ("VVAB12500001", true, &[], None),
    ("QNAB12400001", true, &[], None),
    // retired prefixes
    ("YUAB19100001", true, &["retired_prefix"], None),
    ("CSAB10500001", true, &["retired_prefix"], None),
    ("PRAB19900001", true, &["retired_prefix"], None),
    ("IMAB10100001", true, &["retired_prefix"], None),
    // before the prefix existed
    ("CBRC12000001", true, &["prefix_before_introduction"], None),
    ("CBRC12100001", true, &[], None),
    ("QZRC11400001", true, &["prefix_before_introduction"], None),
    ("QTRC12300001", true, &["prefix_before_introduction"], None),
    ("QNRC12300001", true, &["prefix_before_introduction"], None),
    ("VVAB12400001", true, &["prefix_before_introduction"], None),
    // illustrative registrant codes
    ("JMK400000001", false, &["example_code"], None),
    ("JM-K40-26-00001", false, &["example_code"], None),
    (
        "AA6Q72600001",
        false,
        &["unknown_prefix", "example_code"],
        None,
    ),
    ("USS1Z9900001", true, &["example_code"], None),
    // year of reference
    ("USRC12600001", true, &[], None),
    ("USRC12700001", false, &["year_future"], None),
    ("USRC13907839", false, &["year_future"], None),
    ("USRC14000001", true, &["legacy_year"], None),
    ("USRC18500001", true, &["legacy_year"], None),
    ("USRC18600001", true, &[], None),
    ("USRC19900001", true, &[], None),
    ("USRC10000001", true, &[], None),
    // designation 00000
    ("USRC12600000", true, &["designation_zero"], None),
    // other identifiers, check digits verified
    ("036000291452", false, &["other_identifier"], None),
    ("4006381333931", false, &["other_identifier"], None),
    ("T-034.524.680-1", false, &["other_identifier"], None),
    ("T0345246801", false, &["other_identifier"], None),
    ("0000 0001 2103 2683", false, &["other_identifier"], None),
    ("0000 0001 2146 438X", false, &["other_identifier"], None),
    ("A1-2425G-ABC1234002-M", false, &["other_identifier"], None),
    // ... and the same with a wrong check digit are mistyped ISRCs or nothing at all
    ("036000291453", false, &["country_not_letters"], None),
    ("4006381333932", false, &["length"], None),
    (
        "T-034.524.680-2",
        false,
        &["invalid_character", "length"],
        None,
    ),
];

#[test]
fn every_case_gives_its_verdict() {
    let policy = policy();
    let mut failures = Vec::new();
    for &(input, valid, rules, fix) in CASES {
        let report = isrc_code::check(input, &policy);
        let mut found: Vec<&str> = report.findings.iter().map(|f| f.rule.id()).collect();
        found.dedup();
        let got_fix = report.fix().map(|f| f.to_string());
        if report.is_valid() != valid || found != rules || got_fix.as_deref() != fix {
            failures.push(format!(
                "{input:?}: expected valid={valid} {rules:?} fix={fix:?}, got valid={} {found:?} fix={got_fix:?}",
                report.is_valid()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_rule_is_covered_by_the_table() {
    let policy = policy();
    for rule in Rule::ALL {
        let covered = CASES
            .iter()
            .any(|(input, ..)| isrc_code::check(input, &policy).has(*rule));
        assert!(covered, "no case for {}", rule.id());
    }
}

#[test]
fn rule_ids_are_the_documented_ones() {
    let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "empty",
            "length",
            "invalid_character",
            "country_not_letters",
            "letter_in_digits",
            "unknown_prefix",
            "example_code",
            "year_future",
            "other_identifier",
            "trailing_text",
            "not_canonical",
            "retired_prefix",
            "prefix_before_introduction",
            "legacy_year",
            "designation_zero",
        ]
    );
    for (i, rule) in Rule::ALL.iter().enumerate() {
        assert_eq!(rule.id().parse::<Rule>(), Ok(*rule));
        assert_eq!(rule.index(), i);
    }
    assert!(Rule::ALL.len() <= 32, "RuleSet holds 32 rules");
}

#[test]
fn severities_follow_the_table() {
    let policy = policy();
    let severity = |input: &str, rule: Rule| {
        isrc_code::check(input, &policy)
            .findings
            .into_iter()
            .find(|f| f.rule == rule)
            .map(|f| f.severity)
    };
    assert_eq!(
        severity("JMK400000001", Rule::ExampleCode),
        Some(Severity::Error)
    );
    assert_eq!(
        severity("USS1Z9900001", Rule::ExampleCode),
        Some(Severity::Warning)
    );
    assert_eq!(
        severity("YUAB19100001", Rule::RetiredPrefix),
        Some(Severity::Warning)
    );
    assert_eq!(
        severity("USRC17607839", Rule::LegacyYear),
        Some(Severity::Info)
    );
    assert_eq!(
        severity("us-rc1-26-07839", Rule::NotCanonical),
        Some(Severity::Warning)
    );
    assert_eq!(
        severity("USRC12600000", Rule::DesignationZero),
        Some(Severity::Info)
    );
}

#[test]
fn spans_point_at_the_offending_characters() {
    let policy = policy();
    let report = isrc_code::check("isrc: us-rc1-76-O7839", &policy);
    let finding = &report.findings[0];
    assert_eq!(finding.rule, Rule::LetterInDigits);
    assert_eq!(finding.span.of(report.input), "O");
    assert_eq!(finding.span.column_in(report.input), 16);

    let report = isrc_code::check("ＵＳＲＣ１２６０７８３＊", &policy);
    let star = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::InvalidCharacter)
        .unwrap();
    assert_eq!(star.span.of(report.input), "＊");
    assert_eq!(star.span.column_in(report.input), 11);

    let report = isrc_code::check("USRC17607839-A", &policy);
    let trailing = report
        .findings
        .iter()
        .find(|f| f.rule == Rule::TrailingText)
        .unwrap();
    assert_eq!(trailing.span.of(report.input), "A");
    assert_eq!(report.isrc, None, "trailing text is never cut off");
}

#[test]
fn messages_name_the_problem() {
    let policy = policy();
    let message = |input: &str| isrc_code::check(input, &policy).findings[0].message.clone();
    assert!(message("4006381333931").contains("EAN-13"));
    assert!(message("T-034.524.680-1").contains("ISWC"));
    assert!(message("A1-2425G-ABC1234002-M").contains("GRid"));
    assert!(message("0000 0001 2103 2683").contains("ISNI"));
    assert!(message("036000291452").contains("UPC-A"));
    assert!(message("USRC13907839").contains("2039"));
    assert!(message("AQRC12600001").contains("2025-11-04"));
    assert!(message("USRC1760783\u{0}").contains("NUL"));
}

#[test]
fn huge_inputs_are_rejected_without_scanning() {
    let policy = policy();
    for len in [1025, 100_000, 10_000_000] {
        let input = "A".repeat(len);
        let report = isrc_code::check(&input, &policy);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].rule, Rule::Length);
        assert!(report.findings[0].message.contains(&len.to_string()));
    }
    let exactly = format!("USRC17607839{}", " ".repeat(1024 - 12));
    assert!(isrc_code::check(&exactly, &policy).is_valid());
}

#[test]
fn many_invalid_characters_are_reported_but_bounded() {
    let input = "+".repeat(1000);
    let report = isrc_code::check(&input, &policy());
    let invalid = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::InvalidCharacter)
        .count();
    assert_eq!(invalid, 16);
    assert!(report.has(Rule::Length));
}

#[test]
fn the_year_policy_moves_with_the_reference_date() {
    let in_2026 = policy();
    let in_2030 = in_2026.with_today("2030-01-01".parse().unwrap());
    assert!(!isrc_code::check("USRC12900001", &in_2026).is_valid());
    assert!(isrc_code::check("USRC12900001", &in_2030).is_valid());
    // A wider legacy window makes 1935 plausible.
    let wide = in_2026.with_legacy_years(1930, 1985);
    assert!(isrc_code::check("USRC13500001", &wide).has(Rule::LegacyYear));
    assert!(isrc_code::check("USRC13500001", &wide).is_valid());
}

#[test]
fn a_newer_prefix_table_is_honoured() {
    let csv = "# ISRC prefixes as of 2027-01-15\nprefix,territory,agency,status,introduced\nUS,United States of America,RIAA,active,\nQQ,Worldwide,International ISRC Registration Authority,active,2027-01\n";
    let table = isrc_code::prefix::PrefixTable::from_csv(csv, "newer.csv").unwrap();
    let policy = policy().with_prefixes(&table);
    assert!(isrc_code::check("QQAB12600001", &policy).has(Rule::PrefixBeforeIntroduction));
    assert!(isrc_code::check("CBAB12600001", &policy).has(Rule::UnknownPrefix));
    let report = isrc_code::check("QQAB12500001", &policy);
    assert_eq!(
        report.prefix.unwrap().agency(),
        "International ISRC Registration Authority"
    );
}

#[test]
fn the_builtin_table_matches_the_shared_data() {
    let table = isrc_code::prefix::PrefixTable::builtin();
    assert_eq!(table.len(), 223);
    assert_eq!(table.date(), Some("2025-11-04"));
    let introduced: Vec<(&str, String)> = table
        .iter()
        .filter_map(|e| e.introduced().map(|d| (e.code(), d.to_string())))
        .collect();
    assert_eq!(
        introduced,
        [
            ("CB", "2021-06".to_string()),
            ("QN", "2024-06".to_string()),
            ("QT", "2024-06".to_string()),
            ("QZ", "2015-11".to_string()),
            ("VV", "2025-11".to_string()),
        ]
    );
    // Common ISO 3166 validators get these wrong both ways.
    for used in ["QM", "QZ", "GX", "CB", "UK", "TC", "ZZ", "XK", "VV"] {
        assert!(table.get(used).is_some(), "{used}");
    }
    for unused in ["AQ", "KP", "VA", "EU", "XX", "QO"] {
        assert!(table.get(unused).is_none(), "{unused}");
    }
}

#[test]
fn table_errors_say_where() {
    let cases = [
        ("", 1, 1, "header"),
        (
            "prefix,territory,agency,status,introduced\n",
            1,
            1,
            "no prefixes",
        ),
        (
            "prefix,territory,agency,state,introduced\nUS,a,b,active,\n",
            1,
            25,
            "status",
        ),
        (
            "prefix,territory,agency,status,introduced\nUS,a,b,active,\nUS,a,b,active,\n",
            3,
            1,
            "twice",
        ),
        (
            "prefix,territory,agency,status,introduced\nUS,a,b,gone,\n",
            2,
            8,
            "neither",
        ),
        (
            "prefix,territory,agency,status,introduced\nUS,\"a,b,active,\n",
            2,
            4,
            "not closed",
        ),
        (
            "prefix,territory,agency,status,introduced\nUS,a,b,active,2021-13\n",
            2,
            15,
            "year-month",
        ),
        (
            "prefix,territory,agency,status,introduced\nUS,a,b,active\n",
            2,
            14,
            "5",
        ),
    ];
    for (text, line, column, words) in cases {
        let error = isrc_code::prefix::PrefixTable::from_csv(text, "t.csv").unwrap_err();
        assert_eq!(
            (error.line(), error.column()),
            (line, column),
            "{text:?}: {error}"
        );
        assert!(error.message().contains(words), "{text:?}: {error}");
    }
}

/// Two look-alike readings that are both valid codes: neither is the fix, both are named.
#[test]
fn two_right_readings_are_listed_not_applied() {
    let policy = isrc_code::Policy::new("2026-11-22".parse().unwrap());
    let report = isrc_code::check("1TAB12600001", &policy);
    assert_eq!(report.fix(), None);
    let alternatives: Vec<String> = report.alternatives.iter().map(|c| c.to_string()).collect();
    assert_eq!(alternatives, ["ITAB12600001", "LTAB12600001"]);
    assert!(
        report.findings[0].message.contains("ITAB12600001"),
        "{}",
        report.findings[0].message
    );
    assert_eq!(isrc_code::check::verdict("1TAB12600001", &policy).fix, None);
    // One right reading: offered, and nothing listed beside it.
    let report = isrc_code::check("USRC176O7839", &policy);
    assert_eq!(report.fix().unwrap().to_string(), "USRC17607839");
    assert!(report.alternatives.is_empty());
}
