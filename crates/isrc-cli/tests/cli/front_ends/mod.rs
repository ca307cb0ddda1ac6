//! Issue 20, "rules decided once": every rule of the registry's operations, called through
//! the three front ends (the real `isrc` binary on the database, the JSON API over real HTTP,
//! the web pages over real HTTP with a session and its CSRF token), leaves the same stored
//! result: the same rows (recordings, publications, applications, accounts, outbox) and the
//! same audit entries. Each front end gets its own fresh database, seeded alike.

mod bench;

use bench::{ADMIN, ANA, Backend, Calls, same_everywhere, same_everywhere_after};
use serde_json::{Value, json};

const CODE: &str = "CBXYZ2600001";

/// The actions of the audit entries written by the operation.
fn actions(stored: &Value) -> Vec<&str> {
    stored["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

/// Voiding a published code unpublishes it, whoever voids it.
fn void_unpublishes(backend: Backend) {
    let reason = " allocated twice ";
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["void", CODE, "--reason", reason],
            api_method: "POST",
            api: (
                format!("/api/v1/recordings/{CODE}/void"),
                json!({ "reason": reason }),
            ),
            web: (
                format!("/portal/recordings/{CODE}/void"),
                vec![("reason", reason)],
            ),
            file: None,
            refused: None,
        },
    );
    assert_eq!(stored["recordings"][0]["status"], "void", "{stored}");
    assert_eq!(stored["recordings"][0]["void_reason"], "allocated twice");
    assert_eq!(stored["public"], json!([]), "a void code is not public");
    assert_eq!(actions(&stored), ["void", "recording.unpublish"]);
}

/// Approving issues the code, makes the applicant's account (to change its password at the
/// first sign-in) and mails the applicant, whoever approves.
fn approval_makes_the_account_and_mails(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ADMIN,
            cli: vec!["agency", "approve", "1", "--code", "RGE"],
            api_method: "POST",
            api: (
                "/api/v1/applications/1/approve".into(),
                json!({"code": "RGE"}),
            ),
            web: (
                "/agency/applications/1/approve".into(),
                vec![("code", "RGE"), ("country_prefix", "")],
            ),
            file: None,
            refused: None,
        },
    );
    assert_eq!(stored["applications"][0]["status"], "approved", "{stored}");
    assert_eq!(stored["applications"][0]["prefix"], "CBRGE");
    let account = &stored["users"][2];
    assert_eq!(account["email"], "rouge@label.example", "{stored}");
    assert_eq!(account["prefixes"], json!(["CBRGE"]));
    assert_eq!(account["must_change_password"], true);
    let mail = &stored["outbox"][0];
    assert_eq!(mail["to"], "rouge@label.example");
    let body = mail["body"].as_str().unwrap();
    assert!(
        body.contains("CB-RGE") && body.contains("http://isrc.test/login"),
        "{body}"
    );
    assert!(body.contains("[sent by e-mail; not kept]"), "{body}");
}

/// Rejecting records the trimmed reason and mails it, whoever rejects.
fn rejection_mails_the_reason(backend: Backend) {
    let reason = " not a master owner ";
    let stored = same_everywhere(
        backend,
        Calls {
            user: ADMIN,
            cli: vec!["agency", "reject", "1", "--reason", reason],
            api_method: "POST",
            api: (
                "/api/v1/applications/1/reject".into(),
                json!({ "reason": reason }),
            ),
            web: (
                "/agency/applications/1/reject".into(),
                vec![("reason", reason)],
            ),
            file: None,
            refused: None,
        },
    );
    assert_eq!(stored["applications"][0]["status"], "rejected", "{stored}");
    assert_eq!(stored["applications"][0]["reason"], "not a master owner");
    let body = stored["outbox"][0]["body"].as_str().unwrap();
    assert!(body.contains("    not a master owner\n"), "{body}");
}

/// A remix derived with allocation gets the next code, linked to its parent with the
/// parent's metadata and without its date of first publication, whoever derives it.
fn derive_allocates_linked_to_the_parent(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec![
                "derive",
                "--from",
                CODE,
                "--change",
                "remix",
                "--allocate",
                "--version",
                "Club Mix",
            ],
            api_method: "POST",
            api: (
                format!("/api/v1/recordings/{CODE}/derive"),
                json!({"change": "remix", "allocate": true, "version": "Club Mix"}),
            ),
            web: (
                "/portal/allocate".into(),
                vec![
                    ("step", "confirm"),
                    ("kind", "version"),
                    ("parent", CODE),
                    ("change", "remix"),
                    ("version", "Club Mix"),
                ],
            ),
            file: None,
            refused: None,
        },
    );
    let derived = &stored["recordings"][1];
    assert_eq!(derived["isrc"], "CBXYZ2600002", "{stored}");
    assert_eq!(derived["parent"], CODE);
    assert_eq!(derived["change"], "remix");
    assert_eq!(derived["version"], "Club Mix");
    assert_eq!(derived["title"], "Neige");
}

/// A refusal leaves every ledger as it was: an edit is judged by its new duration, which must
/// be given (the API used to take the parent's, so the edit kept its ISRC there).
fn an_edit_without_its_duration_is_refused(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["derive", "--from", CODE, "--change", "edit", "--allocate"],
            api_method: "POST",
            api: (
                format!("/api/v1/recordings/{CODE}/derive"),
                json!({"change": "edit", "allocate": true}),
            ),
            web: (
                "/portal/allocate".into(),
                vec![
                    ("step", "confirm"),
                    ("kind", "version"),
                    ("parent", CODE),
                    ("change", "edit"),
                ],
            ),
            file: None,
            refused: Some("judged by its duration"),
        },
    );
    assert_eq!(stored["recordings"].as_array().unwrap().len(), 1);
    assert_eq!(stored["audit"], json!([]), "nothing written");
}

/// A batch is allocated in one transaction, in the order given, whoever sends it (a CSV file
/// to the command line or the portal's upload, a JSON array to the API).
fn batch_allocates_in_order(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["allocate", "--prefix", "CBXYZ", "--from-csv"],
            api_method: "POST",
            api: (
                "/api/v1/allocations".into(),
                json!({"prefix": "CBXYZ", "recordings": [
                    {"title": "Un", "artist": "Ariane", "duration": "3:00"},
                    {"title": "Deux", "artist": "Ariane", "duration": "3:10"},
                ]}),
            ),
            web: ("/portal/bulk".into(), vec![]),
            file: Some((
                "batch.csv",
                "title,artist,duration\nUn,Ariane,3:00\nDeux,Ariane,3:10\n",
            )),
            refused: None,
        },
    );
    let titles: Vec<(&str, &str)> = stored["recordings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["isrc"].as_str().unwrap(), r["title"].as_str().unwrap()))
        .collect();
    let expected = [
        ("CBXYZ2600001", "Neige"),
        ("CBXYZ2600002", "Un"),
        ("CBXYZ2600003", "Deux"),
    ];
    assert_eq!(titles, expected, "{stored}");
}

/// Taking a code back from the public lookup, whoever does it.
fn unpublishing_hides_the_code(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["publish", CODE, "--off"],
            api_method: "PUT",
            api: (
                format!("/api/v1/recordings/{CODE}/public"),
                json!({"public": false}),
            ),
            web: (
                format!("/portal/recordings/{CODE}/publish"),
                vec![("public", "0")],
            ),
            file: None,
            refused: None,
        },
    );
    assert_eq!(stored["public"], json!([]), "{stored}");
    assert_eq!(actions(&stored), ["recording.unpublish"]);
}

/// A void code is never published, whoever asks.
fn a_void_code_is_not_published(backend: Backend) {
    let stored = same_everywhere_after(
        backend,
        &["void", CODE, "--reason", "allocated twice"],
        Calls {
            user: ANA,
            cli: vec!["publish", CODE],
            api_method: "PUT",
            api: (
                format!("/api/v1/recordings/{CODE}/public"),
                json!({"public": true}),
            ),
            web: (
                format!("/portal/recordings/{CODE}/publish"),
                vec![("public", "1")],
            ),
            file: None,
            refused: Some("void"),
        },
    );
    assert_eq!(stored["public"], json!([]), "{stored}");
    assert_eq!(stored["audit"], json!([]), "nothing written");
}

/// The agency adds a registrant: own recordings and every designation unless said, whoever
/// adds it.
fn adding_a_registrant(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ADMIN,
            cli: vec![
                "registrant",
                "add",
                "--prefix",
                "CB-NEW",
                "--name",
                "Nouveau Label",
                "--contact",
                "new@label.example",
            ],
            api_method: "POST",
            api: (
                "/api/v1/registrants".into(),
                json!({"prefix": "CB-NEW", "name": "Nouveau Label", "contact": "new@label.example"}),
            ),
            web: (
                "/agency/registrants".into(),
                vec![
                    ("prefix", "CB-NEW"),
                    ("name", "Nouveau Label"),
                    ("contact", "new@label.example"),
                ],
            ),
            file: None,
            refused: None,
        },
    );
    let added = &stored["registrants"][0];
    assert_eq!(added["prefix"], "CBNEW", "{stored}");
    assert_eq!(added["name"], "Nouveau Label");
    assert_eq!(added["kind"], "own");
    assert_eq!(actions(&stored), ["registrant.add"]);
}

/// A prefix already in the ledger is refused, and nothing is written, whoever adds it.
fn a_registrant_is_added_once(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ADMIN,
            cli: vec!["registrant", "add", "--prefix", "CBXYZ", "--name", "Again"],
            api_method: "POST",
            api: (
                "/api/v1/registrants".into(),
                json!({"prefix": "CBXYZ", "name": "Again"}),
            ),
            web: (
                "/agency/registrants".into(),
                vec![("prefix", "CBXYZ"), ("name", "Again")],
            ),
            file: None,
            refused: Some("already in the ledger"),
        },
    );
    assert_eq!(
        stored["registrants"][0]["name"], "Les Disques XYZ",
        "{stored}"
    );
    assert_eq!(stored["audit"], json!([]), "nothing written");
}

/// Codes allocated elsewhere join the ledger, void ones as void, and are never allocated
/// again, whoever imports them (a CSV file to the command line, the API and the portal).
fn importing_codes(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["import"],
            api_method: "POST",
            api: ("/api/v1/imports?name=old.csv".into(), Value::Null),
            web: ("/portal/import".into(), vec![]),
            file: Some((
                "old.csv",
                "isrc,title,artist,duration,status\nCB-XYZ-26-00002,Vieux,Ariane,3:00,active\nCBXYZ2600003,Ancien,Ariane,,void\n",
            )),
            refused: None,
        },
    );
    let rows: Vec<(&str, &str, &str)> = stored["recordings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap();
            (text("isrc"), text("title"), text("status"))
        })
        .collect();
    let expected = [
        ("CBXYZ2600001", "Neige", "active"),
        ("CBXYZ2600002", "Vieux", "active"),
        ("CBXYZ2600003", "Ancien", "void"),
    ];
    assert_eq!(rows, expected, "{stored}");
}

/// An import is all or nothing: a code already in the ledger refuses the whole file, whoever
/// imports it.
fn an_import_with_a_known_code_is_refused(backend: Backend) {
    let stored = same_everywhere(
        backend,
        Calls {
            user: ANA,
            cli: vec!["import"],
            api_method: "POST",
            api: ("/api/v1/imports?name=old.csv".into(), Value::Null),
            web: ("/portal/import".into(), vec![]),
            file: Some((
                "old.csv",
                "isrc,title,artist\nCBXYZ2600002,Vieux,Ariane\nCBXYZ2600001,Neige,Ariane\n",
            )),
            refused: Some("CBXYZ2600001 is already in the ledger"),
        },
    );
    assert_eq!(
        stored["recordings"].as_array().unwrap().len(),
        1,
        "{stored}"
    );
    assert_eq!(stored["audit"], json!([]), "nothing written");
}

/// A rule's test on SQLite, and the same on PostgreSQL as an ignored test.
macro_rules! on_both_backends {
    ($($rule:ident => $sqlite:ident, $postgres:ident;)*) => {$(
        #[test]
        fn $sqlite() {
            $rule(Backend::Sqlite);
        }

        #[test]
        #[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
        fn $postgres() {
            $rule(Backend::Postgres);
        }
    )*};
}

on_both_backends! {
    void_unpublishes => voiding_unpublishes_through_every_front_end_on_sqlite,
        voiding_unpublishes_through_every_front_end_on_postgres;
    approval_makes_the_account_and_mails =>
        approval_makes_the_account_and_mails_through_every_front_end_on_sqlite,
        approval_makes_the_account_and_mails_through_every_front_end_on_postgres;
    rejection_mails_the_reason => rejection_mails_the_reason_through_every_front_end_on_sqlite,
        rejection_mails_the_reason_through_every_front_end_on_postgres;
    derive_allocates_linked_to_the_parent =>
        derive_allocates_linked_to_the_parent_through_every_front_end_on_sqlite,
        derive_allocates_linked_to_the_parent_through_every_front_end_on_postgres;
    an_edit_without_its_duration_is_refused =>
        an_edit_without_its_duration_is_refused_by_every_front_end_on_sqlite,
        an_edit_without_its_duration_is_refused_by_every_front_end_on_postgres;
    batch_allocates_in_order => batch_allocates_in_order_through_every_front_end_on_sqlite,
        batch_allocates_in_order_through_every_front_end_on_postgres;
    unpublishing_hides_the_code => unpublishing_hides_the_code_through_every_front_end_on_sqlite,
        unpublishing_hides_the_code_through_every_front_end_on_postgres;
    a_void_code_is_not_published => a_void_code_is_not_published_by_any_front_end_on_sqlite,
        a_void_code_is_not_published_by_any_front_end_on_postgres;
    adding_a_registrant => adding_a_registrant_through_every_front_end_on_sqlite,
        adding_a_registrant_through_every_front_end_on_postgres;
    a_registrant_is_added_once => a_registrant_is_added_once_by_every_front_end_on_sqlite,
        a_registrant_is_added_once_by_every_front_end_on_postgres;
    importing_codes => importing_codes_through_every_front_end_on_sqlite,
        importing_codes_through_every_front_end_on_postgres;
    an_import_with_a_known_code_is_refused =>
        an_import_with_a_known_code_is_refused_by_every_front_end_on_sqlite,
        an_import_with_a_known_code_is_refused_by_every_front_end_on_postgres;
}
