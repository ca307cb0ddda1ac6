//! `isrc edit` and `isrc search` through the real binary, on SQLite and PostgreSQL: a
//! correction is printed field by field and kept in the audit log (`isrc show`, `isrc audit`);
//! an edit that makes another recording exits 1 pointing to `isrc derive`; the search finds
//! published codes only, a page at a time.

use crate::common;

common::each_backend!(edit_and_search);
fn edit_and_search(db: common::Db) {
    db.ok(&["registrant", "add", "--prefix", "CBXYZ", "--name", "XYZ"]);
    let code = db.ok_line(
        "allocate --prefix CBXYZ --title 'Premiere neige' --artist Ariane --duration 3:25",
    );
    let code = code.trim();
    assert_eq!(code, "CBXYZ2600001");

    let out = db.ok(&[
        "edit",
        code,
        "--title",
        "Première neige",
        "--duration",
        "3:30",
        "--language",
        "fr",
    ]);
    assert!(
        out.contains("title: Premiere neige -> Première neige"),
        "{out}"
    );
    assert!(out.contains("duration: 3:25 -> 3:30"), "{out}");
    assert!(out.contains("language: — -> fr"), "{out}");
    let shown = db.ok(&["show", code]);
    assert!(shown.contains("recording.edit by tester"), "{shown}");
    assert!(
        shown.contains("title: Premiere neige -> Première neige"),
        "{shown}"
    );
    let audit = db.ok(&["audit", code]);
    assert!(audit.contains("recording.edit"), "{audit}");

    // Another recording, nothing to change, a malformed value: exit 1 with the reason.
    let err = db.fails(&["edit", code, "--duration", "3:45"]);
    assert!(err.contains(&format!("isrc derive {code}")), "{err}");
    let err = db.fails(&["edit", code, "--version", "Live"]);
    assert!(err.contains("another recording"), "{err}");
    let err = db.fails(&["edit", code, "--title", "Première neige"]);
    assert!(err.contains("nothing to change"), "{err}");
    let err = db.fails(&["edit", code, "--iswc", "T-1"]);
    assert!(err.contains("not an ISWC"), "{err}");
    assert_eq!(
        db.run(&["edit", code, "--duration", "3:45"]).status.code(),
        Some(1)
    );

    // The search: published only, pages with a "more" line.
    for i in 0..3 {
        db.ok(&[
            "allocate",
            "--prefix",
            "CBXYZ",
            "--title",
            &format!("Neige {i}"),
            "--artist",
            "Ariane",
        ]);
    }
    assert_eq!(
        db.ok(&["search", "neige"]).trim(),
        "",
        "nothing is published yet"
    );
    // Publish two of them (the portal and the API do; here the library, as the server would).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = isrc_registry::Store::open(&db.url).await.unwrap();
        for c in ["CBXYZ2600002", "CBXYZ2600004"] {
            store
                .set_public(c.parse().unwrap(), true, "test")
                .await
                .unwrap();
        }
        store.close().await;
    });
    let out = db.run(&["search", "--limit", "1", "NEIGE", "ariane"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).split('\t').next(),
        Some("CBXYZ2600002")
    );
    let more = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(more.contains("--after CBXYZ2600002"), "{more}");
    let page = db.ok(&["search", "neige", "--after", "CBXYZ2600002", "--json"]);
    let page: serde_json::Value = serde_json::from_str(&page).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["isrc"], "CBXYZ2600004");
    assert!(page["next"].is_null());
    let out = db.run(&["search", ",,"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give a title, artist or ISRC"));
}
