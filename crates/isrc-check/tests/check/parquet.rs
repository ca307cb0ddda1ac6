//! Parquet inputs give the same report as the same data in CSV, read row group by row group,
//! whatever the column types and codecs; what cannot be read is an error that says why.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, DictionaryArray, Int64Array, RecordBatch, StringArray, types::Int32Type,
};
use arrow_schema::{DataType, Field, Schema};
use isrc::Policy;
use isrc_check::{Checker, ColumnOverrides, ColumnSpec, Options, Summary};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

fn policy() -> Policy<'static> {
    Policy::new("2026-11-22".parse().unwrap())
}

fn run(path: &Path, options: Options) -> Result<Summary, isrc_check::CheckError> {
    let mut checker = Checker::new(policy(), options);
    checker.check_path(path, None, &mut |_, _| {})?;
    Ok(checker.finish())
}

/// 5,000 rows: codes of mixed quality, repeats with the same and another title.
fn rows() -> Vec<(String, String, String, i64)> {
    (0..5000u32)
        .map(|i| {
            let code = match i % 10 {
                0 => format!("usrc1-76-{:05}", i),
                1 => format!("USRC176O{:04}", i % 10_000),
                2 => format!("XXRC126{:05}", i),
                3 if i > 100 => format!("CBYZ922{:05}", i - 5),
                _ => format!("CBYZ922{:05}", i),
            };
            let title = if i % 10 == 3 {
                "Another".to_string()
            } else {
                format!("Title {}", i % 97)
            };
            (
                code,
                title,
                format!("Artist {}", i % 13),
                120 + i64::from(i % 200),
            )
        })
        .collect()
}

fn write_parquet(path: &Path, rows: &[(String, String, String, i64)], compression: Compression) {
    let codes: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let titles: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let artists: DictionaryArray<Int32Type> = rows.iter().map(|r| r.2.as_str()).collect();
    let durations = Int64Array::from(rows.iter().map(|r| r.3).collect::<Vec<_>>());
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("ISRC", DataType::Utf8, true),
        Field::new("title", DataType::Utf8, true),
        Field::new(
            "artist",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        ),
        Field::new("duration", DataType::Int64, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from((0..rows.len() as i64).collect::<Vec<_>>())),
        Arc::new(StringArray::from(codes)),
        Arc::new(StringArray::from(titles)),
        Arc::new(artists),
        Arc::new(durations),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    // Small row groups: the reader goes through several.
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(700))
        .set_compression(compression)
        .build();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

fn write_csv(path: &Path, rows: &[(String, String, String, i64)]) {
    let mut text = String::from("id,ISRC,title,artist,duration\n");
    for (i, (code, title, artist, duration)) in rows.iter().enumerate() {
        text.push_str(&format!("{i},{code},{title},{artist},{duration}\n"));
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_parquet_file_reports_as_the_same_data_in_csv() {
    let dir = tempfile::tempdir().unwrap();
    let rows = rows();
    let csv = dir.path().join("catalogue.csv");
    write_csv(&csv, &rows);
    let expected = run(&csv, Options::default()).unwrap();
    assert!(expected.duplicate_isrcs > 0 && expected.conflicting_isrcs > 0 && expected.invalid > 0);
    for (file, compression) in [
        ("snappy.parquet", Compression::SNAPPY),
        ("zstd.parquet", Compression::ZSTD(ZstdLevel::default())),
        ("plain.parquet", Compression::UNCOMPRESSED),
    ] {
        let path = dir.path().join(file);
        write_parquet(&path, &rows, compression);
        let got = run(&path, Options::default()).unwrap();
        assert_eq!(got.records, expected.records, "{file}");
        assert_eq!(
            (got.valid, got.invalid, got.warnings),
            (expected.valid, expected.invalid, expected.warnings),
            "{file}"
        );
        assert_eq!(got.by_rule, expected.by_rule, "{file}");
        assert_eq!(got.duplicate_isrcs, expected.duplicate_isrcs, "{file}");
        assert_eq!(got.conflicting_isrcs, expected.conflicting_isrcs, "{file}");
        assert_eq!(got.prefixes.len(), expected.prefixes.len(), "{file}");
        // Lines of a Parquet file are row numbers: one less than the CSV's (its header).
        let lines = |s: &Summary| {
            s.invalid_codes
                .listed
                .iter()
                .map(|c| (c.line, c.value.clone()))
                .collect::<Vec<_>>()
        };
        let csv_lines: Vec<_> = lines(&expected)
            .into_iter()
            .map(|(l, v)| (l - 1, v))
            .collect();
        assert_eq!(lines(&got), csv_lines, "{file}");
        let input = &got.inputs[0];
        assert_eq!(input.format, "parquet");
        assert_eq!(input.isrc, "ISRC");
        assert_eq!(input.artist.as_deref(), Some("artist"));
        assert!(input.conflicts_checked);
    }
}

#[test]
fn the_column_can_be_named_and_a_gzipped_parquet_file_is_read_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let rows = rows();
    let path = dir.path().join("c.parquet");
    write_parquet(&path, &rows, Compression::SNAPPY);
    let options = Options {
        columns: ColumnOverrides {
            isrc: Some(ColumnSpec::Name("ISRC".into())),
            ..ColumnOverrides::default()
        },
        ..Options::default()
    };
    let named = run(&path, options).unwrap();
    assert_eq!(named.records, 5000);
    let gz = dir.path().join("c.parquet.gz");
    let mut encoder = flate2_gz(std::fs::read(&path).unwrap());
    std::fs::write(&gz, &mut encoder).unwrap();
    assert_eq!(run(&gz, Options::default()).unwrap().records, 5000);
}

fn flate2_gz(bytes: Vec<u8>) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(&bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_column_that_is_not_text_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.parquet");
    let schema = Arc::new(Schema::new(vec![Field::new(
        "isrc",
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        true,
    )]));
    let mut values =
        arrow_array::builder::ListBuilder::new(arrow_array::builder::StringBuilder::new());
    values.values().append_value("USRC17607839");
    values.append(true);
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(values.finish())]).unwrap();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let err = run(&path, Options::default()).unwrap_err();
    assert!(err.message.contains("\"isrc\" holds List"), "{err}");
}

#[test]
fn a_truncated_parquet_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.parquet");
    write_parquet(&path, &rows(), Compression::SNAPPY);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = run(&path, Options::default()).unwrap_err();
    assert!(err.message.contains("not a readable Parquet file"), "{err}");
}
