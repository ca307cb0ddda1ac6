//! Test support shared by the integration tests.

pub mod ddex;

/// `cases` proptest cases, with the regressions file beside the test's module
/// (`accounting.proptest-regressions`): proptest's default looks for it under
/// `tests/proptest-regressions/` once the tests sit beside a `main.rs`.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..proptest::test_runner::Config::with_cases(cases)
    }
}
