//! `isrc export --format xlsx` through the real binary, on SQLite and PostgreSQL: the workbook
//! has the CSV's header and, cell by cell, the JSON export's values (numbers as numbers, text
//! as text, a formula-like title as plain text); `--output` writes it in place only when done.

use crate::common;

use calamine::{Data, Reader, Xlsx};

common::each_backend!(xlsx_has_the_csv_columns_and_values);
fn xlsx_has_the_csv_columns_and_values(db: common::Db) {
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    db.ok_line("allocate --prefix CBXYZ --title 'Première neige' --artist Ariane --duration 3:25 --recording-year 2025 --language fr");
    db.ok(&[
        "allocate",
        "--prefix",
        "CBXYZ",
        "--title",
        "=HYPERLINK(\"x\")",
        "--artist",
        "Bob",
    ]);
    db.ok(&[
        "allocate", "--prefix", "CBXYZ", "--title", "Erreur", "--artist", "Bob",
    ]);
    db.ok(&["void", "CBXYZ2600003", "--reason", "typo"]);
    for profile in ["distributor", "repertoire"] {
        let target = db.dir.path().join(format!("{profile}.xlsx"));
        let target_text = target.to_str().unwrap();
        db.ok(&[
            "export",
            "--profile",
            profile,
            "--format",
            "xlsx",
            "--output",
            target_text,
        ]);
        let csv = db.ok(&["export", "--profile", profile, "--format", "csv"]);
        let json: serde_json::Value =
            serde_json::from_str(&db.ok(&["export", "--profile", profile, "--format", "json"]))
                .unwrap();
        let mut book: Xlsx<_> = calamine::open_workbook(&target).expect("an XLSX workbook");
        let sheet = book.worksheet_range("ISRC").expect("sheet ISRC");
        let rows: Vec<&[Data]> = sheet.rows().collect();
        let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(
            header.join(","),
            csv.lines().next().unwrap(),
            "{profile}: the CSV's columns"
        );
        let objects = json.as_array().unwrap();
        assert_eq!(
            rows.len() - 1,
            objects.len(),
            "{profile}: one row per recording"
        );
        for (row, object) in rows[1..].iter().zip(objects) {
            for (cell, column) in row.iter().zip(&header) {
                let expected = &object[column.as_str()];
                match (cell, expected) {
                    (Data::Float(n), serde_json::Value::Number(m)) => {
                        assert_eq!(*n, m.as_f64().unwrap(), "{profile} {column}")
                    }
                    (Data::String(s), serde_json::Value::String(t)) => {
                        assert_eq!(s, t, "{profile} {column}")
                    }
                    (Data::Empty, serde_json::Value::Null) => {}
                    (Data::Empty, serde_json::Value::String(t)) if t.is_empty() => {}
                    other => panic!("{profile} {column}: {other:?}"),
                }
            }
        }
        // The formula-like title is text, exactly as typed.
        if profile == "distributor" {
            assert!(rows.iter().any(|r| {
                r.iter()
                    .any(|c| c == &Data::String("=HYPERLINK(\"x\")".into()))
            }));
        }
    }
    // No --output on a terminal is refused elsewhere; a failed export leaves no file behind.
    let out = db.run_line("export --format xlsx --prefix CBAAA --output none.xlsx");
    assert!(
        out.status.success(),
        "an empty export is a workbook with its header"
    );
    let leftovers: Vec<_> = std::fs::read_dir(db.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}
