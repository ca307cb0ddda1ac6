//! Damaged files found by the `audio` fuzz target: an error naming the file, never a panic.

use std::path::Path;

#[test]
fn an_opus_file_that_makes_lofty_overflow_is_an_error() {
    // lofty 0.25.5 multiplies with overflow in `ogg::opus::properties::read_properties` on it
    // (a panic in builds with overflow checks, such as the tests').
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/lofty-overflow.opus"
    ));
    let err = isrc_media::read(path).unwrap_err();
    assert!(err.to_string().contains("the file is damaged"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("a.opus");
    std::fs::copy(path, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let code = "CBYZ92200001".parse().unwrap();
    assert!(isrc_media::write_isrc(&copy, code, &Default::default()).is_err());
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}
