//! The Arrow kernel equals `isrc::check` row by row, for every string array type.

use arrow_array::cast::AsArray;
use arrow_array::types::UInt64Type;
use arrow_array::{Array, LargeStringArray, StringArray, StringViewArray, StructArray};
use isrc::Policy;
use proptest::prelude::*;

fn policy() -> Policy<'static> {
    Policy::new("2026-11-22".parse().unwrap())
}

/// Compares row `i` of `out` with `isrc::check` of `input`.
fn assert_row(out: &StructArray, i: usize, input: Option<&str>) {
    let Some(input) = input else {
        assert!(out.is_null(i), "row {i}: a null input gives a null row");
        return;
    };
    let policy = policy();
    let report = isrc::check(input, &policy);
    let compact = out.column_by_name("compact").unwrap().as_string::<i32>();
    let valid = out.column_by_name("valid").unwrap().as_boolean();
    let key = out
        .column_by_name("key")
        .unwrap()
        .as_primitive::<UInt64Type>();
    let rules = out.column_by_name("rules").unwrap().as_list::<i32>();
    let fix = out.column_by_name("fix").unwrap().as_string::<i32>();
    let severity = out.column_by_name("severity").unwrap().as_string::<i32>();
    assert!(out.is_valid(i));
    assert_eq!(valid.value(i), report.is_valid(), "{input:?}");
    let expected_compact = report
        .isrc
        .filter(|_| report.is_valid())
        .map(|c| c.to_string());
    assert_eq!(
        compact.is_valid(i).then(|| compact.value(i).to_owned()),
        expected_compact,
        "{input:?}"
    );
    assert_eq!(
        key.is_valid(i).then(|| key.value(i)),
        report.isrc.map(|c| c.to_u64()),
        "{input:?}"
    );
    let mut expected_rules: Vec<&str> = report.findings.iter().map(|f| f.rule.id()).collect();
    expected_rules.sort_by_key(|id| isrc::rule::Rule::ALL.iter().position(|r| r.id() == *id));
    expected_rules.dedup();
    let row = rules.value(i);
    let got: Vec<&str> = row.as_string::<i32>().iter().map(Option::unwrap).collect();
    assert_eq!(got, expected_rules, "{input:?}");
    assert_eq!(
        fix.is_valid(i).then(|| fix.value(i).to_owned()),
        report.fix().map(|c| c.to_string()),
        "{input:?}"
    );
    let prefix = out.column_by_name("prefix").unwrap().as_string::<i32>();
    let expected_prefix = match report.isrc {
        Some(code) => Some(code.prefix().as_str().to_owned()),
        None => isrc::code::PrefixCode::guess(input).map(|p| p.as_str().to_owned()),
    };
    assert_eq!(
        prefix.is_valid(i).then(|| prefix.value(i).to_owned()),
        expected_prefix,
        "{input:?}"
    );
    assert_eq!(
        severity.is_valid(i).then(|| severity.value(i)),
        report.severity().map(|s| s.as_str()),
        "{input:?}"
    );
}

const TABLE: &[Option<&str>] = &[
    Some("CBYZ92200001"),
    Some("us-rc1-76-07839"),
    Some("ISRC USRC17607839"),
    Some("USRC176O7839"),
    Some("XXRC17607839"),
    Some("JMK400000001"),
    Some("USRC13907839"),
    Some("0602557012347"),
    Some("USRC17607839-A"),
    Some("YUAB19100001"),
    Some("USRC12600000"),
    Some(""),
    Some("ISRC: "),
    Some("1TAB12600001"),
    Some("USRC1760783+9"),
    None,
];

#[test]
fn every_rule_of_the_table_matches_check_for_each_string_type() {
    let policy = policy();
    let arrays: Vec<Box<dyn Array>> = vec![
        Box::new(StringArray::from(TABLE.to_vec())),
        Box::new(LargeStringArray::from(TABLE.to_vec())),
        Box::new(StringViewArray::from(TABLE.to_vec())),
    ];
    for array in arrays {
        let out = isrc_arrow::check(array.as_ref(), &policy).unwrap();
        assert_eq!(out.len(), TABLE.len());
        for (i, input) in TABLE.iter().enumerate() {
            assert_row(&out, i, *input);
        }
    }
}

#[test]
fn a_sliced_array_is_checked_from_its_offset() {
    let policy = policy();
    let array = StringArray::from(TABLE.to_vec()).slice(3, 5);
    let out = isrc_arrow::check(&array, &policy).unwrap();
    for i in 0..5 {
        assert_row(&out, i, TABLE[3 + i]);
    }
}

#[test]
fn a_non_string_array_is_an_error_that_names_its_type() {
    let array = arrow_array::Int32Array::from(vec![1, 2]);
    let err = isrc_arrow::check(&array, &policy()).unwrap_err();
    assert!(err.to_string().contains("Int32"), "{err}");
}

#[test]
fn an_all_null_array_gives_null_rows() {
    let out = isrc_arrow::check(&arrow_array::NullArray::new(3), &policy()).unwrap();
    assert_eq!(out.null_count(), 3);
}

#[test]
fn the_prefix_table_of_the_policy_is_used() {
    let table = isrc::prefix::PrefixTable::from_csv(
        "prefix,territory,agency,status,introduced\nGB,United Kingdom,PPL,active,\n",
        "test",
    )
    .unwrap();
    let policy = policy().with_prefixes(&table);
    let out = isrc_arrow::check(
        &StringArray::from(vec!["USRC17607839", "GBAYE0000351"]),
        &policy,
    )
    .unwrap();
    let valid = out.column_by_name("valid").unwrap().as_boolean();
    assert!(!valid.value(0));
    assert!(valid.value(1));
}

proptest! {
    #[test]
    fn random_inputs_match_check(inputs in proptest::collection::vec(proptest::option::of("[A-Za-z0-9 \\-]{0,16}|[A-Z]{2}[A-Z0-9]{3}[0-9OIL]{7}"), 0..40)) {
        let array = StringArray::from(inputs.iter().map(|s| s.as_deref()).collect::<Vec<_>>());
        let out = isrc_arrow::check(&array, &policy()).unwrap();
        for (i, input) in inputs.iter().enumerate() {
            assert_row(&out, i, input.as_deref());
        }
    }
}

#[test]
fn is_valid_and_keys_equal_the_check_columns_on_a_large_array() {
    // Over the serial threshold, so that the array is cut between threads.
    let values: Vec<Option<&str>> = TABLE.iter().copied().cycle().take(200_003).collect();
    let array = StringArray::from(values);
    let policy = policy();
    let out = isrc_arrow::check(&array, &policy).unwrap();
    let valid = isrc_arrow::is_valid(&array, &policy).unwrap();
    let keys = isrc_arrow::keys(&array, &policy).unwrap();
    assert_eq!(&valid, out.column_by_name("valid").unwrap().as_boolean());
    assert_eq!(
        &keys,
        out.column_by_name("key")
            .unwrap()
            .as_primitive::<UInt64Type>()
    );
}

#[test]
fn is_valid_equals_the_check_column_for_each_string_type_sliced_and_small() {
    // Each type, whole and sliced at an offset that is not a multiple of 64 (the bitmap's
    // words), above and below the size where the rows are cut between threads.
    let policy = policy();
    for rows in [70, 200_003] {
        let values: Vec<Option<&str>> = TABLE.iter().copied().cycle().take(rows).collect();
        let arrays: Vec<arrow_array::ArrayRef> = vec![
            std::sync::Arc::new(StringArray::from(values.clone())),
            std::sync::Arc::new(arrow_array::LargeStringArray::from(values.clone())),
            std::sync::Arc::new(arrow_array::StringViewArray::from(values.clone())),
        ];
        for array in arrays {
            for sliced in [array.clone(), array.slice(7, rows - 9)] {
                let out = isrc_arrow::check(sliced.as_ref(), &policy).unwrap();
                let valid = isrc_arrow::is_valid(sliced.as_ref(), &policy).unwrap();
                assert_eq!(valid.len(), sliced.len());
                assert_eq!(
                    &valid,
                    out.column_by_name("valid").unwrap().as_boolean(),
                    "{:?}, {} rows",
                    sliced.data_type(),
                    sliced.len()
                );
            }
        }
    }
    let nulls = isrc_arrow::is_valid(&arrow_array::NullArray::new(3), &policy).unwrap();
    assert_eq!(nulls.null_count(), 3);
}
