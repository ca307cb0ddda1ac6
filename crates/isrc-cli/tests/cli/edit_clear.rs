//! `isrc edit --clear FIELD` through the real binary, on SQLite and PostgreSQL: the version and
//! the language emptied, shown as `before -> —`, in the audit log; the title and artist never.

use crate::common;

common::each_backend!(clearing_fields_by_edit);
fn clearing_fields_by_edit(db: common::Db) {
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    let code = db
        .ok(&[
            "allocate",
            "--prefix",
            "CBXYZ",
            "--title",
            "Neige",
            "--artist",
            "Ariane",
            "--version",
            "Live",
            "--language",
            "fr",
            "--duration",
            "3:25",
        ])
        .trim()
        .to_string();
    let out = db.ok(&["edit", &code, "--clear", "version,language"]);
    assert!(out.contains("version: Live -> —"), "{out}");
    assert!(out.contains("language: fr -> —"), "{out}");
    let shown = db.ok(&["show", &code, "--json"]);
    let value: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(value["recording"]["version"], "", "{shown}");
    assert_eq!(
        value["recording"]["language"],
        serde_json::Value::Null,
        "{shown}"
    );
    let audit = db.ok(&["audit", &code, "--format", "json"]);
    assert!(audit.contains("recording.edit"), "{audit}");

    let e = db.fails(&["edit", &code, "--clear", "title"]);
    assert!(e.contains("never empty"), "{e}");
    let e = db.fails(&["edit", &code, "--clear", "colour"]);
    assert!(e.contains("cannot be cleared"), "{e}");
    let e = db.fails(&[
        "edit",
        &code,
        "--clear",
        "iswc",
        "--iswc",
        "T-034.524.680-1",
    ]);
    assert!(e.contains("both given a value and cleared"), "{e}");
    // Cleared twice: nothing to change.
    let e = db.fails(&["edit", &code, "--clear", "version"]);
    assert!(e.contains("nothing to change"), "{e}");
}
