//! The Store API on SQLite and PostgreSQL: same behaviour on both.

use crate::common;

use std::collections::BTreeSet;

use isrc::{Isrc, code::PrefixCode};
use isrc_registry::*;

fn prefix(p: &str) -> PrefixCode {
    p.parse().unwrap()
}

fn rec(title: &str, secs: u64) -> RecordingInput {
    RecordingInput {
        title: title.into(),
        artist: "Ariane".into(),
        duration_ms: Some(secs * 1000),
        ..Default::default()
    }
}

fn request(p: &str, recordings: Vec<RecordingInput>) -> AllocationRequest {
    AllocationRequest {
        prefix: prefix(p),
        year: 2026,
        recordings,
        force: false,
        actor: "test".into(),
        idempotency_key: None,
        labels: vec![],
    }
}

async fn with_registrant(url: &str, p: &str, ranges: &str, kind: RegistrantKind) -> Store {
    let store = Store::open(url).await.unwrap();
    store
        .add_registrant(
            NewRegistrant {
                prefix: prefix(p),
                name: format!("Label {p}"),
                contact: "a@b.example".into(),
                kind,
                ranges: parse_ranges(ranges).unwrap(),
            },
            "test",
        )
        .await
        .unwrap();
    store
}

common::each_backend!(
    allocation_is_sequential_and_refuses_duplicates,
    worker_threads = 4
);
async fn allocation_is_sequential_and_refuses_duplicates(db: common::TestDb) {
    let store = with_registrant(&db.url, "CBXYZ", "00001-99999", RegistrantKind::Own).await;
    let a = store
        .allocate(&request("CBXYZ", vec![rec("One", 200)]))
        .await
        .unwrap();
    assert_eq!(a.isrcs[0].to_string(), "CBXYZ2600001", "{}", db.name);
    let b = store
        .allocate(&request("CBXYZ", vec![rec("Two", 200), rec("Three", 100)]))
        .await
        .unwrap();
    assert_eq!(b.isrcs[1].to_string(), "CBXYZ2600003");
    // Same recording (duration within 10 s): refused, naming the code.
    let err = store
        .allocate(&request("CBXYZ", vec![rec("one", 201)]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "duplicate_recording");
    assert!(err.to_string().contains("CBXYZ2600001"), "{err}");
    let mut forced = request("CBXYZ", vec![rec("one", 201)]);
    forced.force = true;
    assert_eq!(
        store.allocate(&forced).await.unwrap().isrcs[0].to_string(),
        "CBXYZ2600004"
    );
    // Unknown prefix, nothing written.
    let err = store
        .allocate(&request("CBAAA", vec![rec("X", 1)]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unknown_prefix");
    // Void: kept, never reissued.
    let code = a.isrcs[0];
    store.void(code, "allocated twice", "test").await.unwrap();
    assert_eq!(
        store.void(code, "again", "test").await.unwrap_err().code(),
        "already_void"
    );
    assert_eq!(store.recording(code).await.unwrap().status, Status::Void);
    let next = store
        .allocate(&request("CBXYZ", vec![rec("Five", 50)]))
        .await
        .unwrap();
    assert_eq!(next.isrcs[0].to_string(), "CBXYZ2600005");
    // The audit log has every change and refuses to be rewritten.
    let log = store.audit_log(Some("CBXYZ2600001")).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].action, "void");
    assert!(log[1].before.as_deref().unwrap().contains("active"));
    let listed = store
        .recordings(&ListFilter {
            include_void: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 5);
}

common::each_backend!(
    import_is_all_or_nothing_and_allocation_skips_imported_codes,
    worker_threads = 4
);
async fn import_is_all_or_nothing_and_allocation_skips_imported_codes(db: common::TestDb) {
    let store = with_registrant(&db.url, "CBXYZ", "00001-00010", RegistrantKind::Own).await;
    let imp = |code: &str, title: &str| ImportRecord {
        isrc: Isrc::parse_strict(code).unwrap(),
        meta: rec(title, 100),
        status: Status::Active,
        label: format!("in.csv:{title}"),
    };
    // One bad record (unknown registrant): nothing imported.
    let err = store
        .import(
            &[imp("CBXYZ2600002", "a"), imp("CBQQQ2600001", "b")],
            None,
            "t",
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "import_conflict", "{}", db.name);
    assert!(
        store
            .recordings(&ListFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    store
        .import(
            &[imp("CBXYZ2600002", "a"), imp("CBXYZ2600003", "b")],
            None,
            "t",
        )
        .await
        .unwrap();
    let again = store
        .import(&[imp("CBXYZ2600003", "c")], None, "t")
        .await
        .unwrap_err();
    assert!(
        again.to_string().contains("already in the ledger"),
        "{again}"
    );
    let a = store
        .allocate(&request(
            "CBXYZ",
            (0..3).map(|i| rec(&format!("n{i}"), 10)).collect(),
        ))
        .await
        .unwrap();
    let got: Vec<String> = a.isrcs.iter().map(|c| c.to_string()).collect();
    assert_eq!(got, ["CBXYZ2600001", "CBXYZ2600004", "CBXYZ2600005"]);
    assert_eq!((a.used, a.capacity), (5, 10));
    assert!(a.usage_warning(prefix("CBXYZ"), 2026).is_none());
    let b = store
        .allocate(&request(
            "CBXYZ",
            (0..4).map(|i| rec(&format!("m{i}"), 10)).collect(),
        ))
        .await
        .unwrap();
    assert!(b.usage_warning(prefix("CBXYZ"), 2026).is_some());
    let err = store
        .allocate(&request(
            "CBXYZ",
            (0..2).map(|i| rec(&format!("z{i}"), 10)).collect(),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "exhausted");
    assert!(err.to_string().contains("apply"), "{err}");
    let one = store
        .allocate(&request("CBXYZ", vec![rec("last", 9)]))
        .await
        .unwrap();
    assert_eq!(one.isrcs[0].to_string(), "CBXYZ2600010");
}

common::each_backend!(
    manager_prefix_records_the_client_and_idempotency_replays,
    worker_threads = 4
);
async fn manager_prefix_records_the_client_and_idempotency_replays(db: common::TestDb) {
    let store = with_registrant(&db.url, "GBMGR", "00001-99999", RegistrantKind::Manager).await;
    let err = store
        .allocate(&request("GBMGR", vec![rec("x", 9)]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid");
    let mut r = rec("x", 9);
    r.client = Some("Band".into());
    let mut req = request("GBMGR", vec![r]);
    req.idempotency_key = Some("key-1".into());
    let first = store.allocate(&req).await.unwrap();
    let second = store.allocate(&req).await.unwrap();
    assert_eq!(first.isrcs, second.isrcs);
    assert!(second.replayed);
    req.recordings[0].title = "y".into();
    assert_eq!(
        store.allocate(&req).await.unwrap_err().code(),
        "idempotency_mismatch"
    );
}

async fn concurrent(db: &common::TestDb, tasks: usize, each: usize) {
    let setup = with_registrant(&db.url, "CBCON", "00001-99999", RegistrantKind::Own).await;
    setup.close().await;
    let store = Store::open_with(
        &db.url,
        OpenOptions {
            max_connections: Some(tasks as u32),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            for i in 0..each {
                let a = store
                    .allocate(&request("CBCON", vec![rec(&format!("t{t} n{i}"), 60)]))
                    .await
                    .unwrap();
                codes.push(a.isrcs[0]);
            }
            codes
        }));
    }
    let mut all = BTreeSet::new();
    let mut count = 0;
    for h in handles {
        for c in h.await.unwrap() {
            all.insert(c.designation());
            count += 1;
        }
    }
    assert_eq!(count, tasks * each, "{}", db.name);
    assert_eq!(all.len(), count, "{}: duplicate codes", db.name);
    let expected: BTreeSet<u32> = (1..=count as u32).collect();
    assert_eq!(all, expected, "{}: designations not contiguous", db.name);
    let stored = store.recordings(&ListFilter::default()).await.unwrap();
    assert_eq!(stored.len(), count, "{}: lost codes", db.name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_connections_allocate_distinct_contiguous_codes_on_sqlite() {
    concurrent(&common::sqlite(), 8, 15).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
async fn sixteen_connections_allocate_distinct_contiguous_codes_on_postgres() {
    concurrent(&common::postgres("conc", false).await, 16, 15).await;
}

/// The rules of distributed SQL engines (CockroachDB, YugabyteDB): serializable isolation,
/// 40001 retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL (ISRC_TEST_POSTGRES_URL)"]
async fn sixteen_connections_allocate_distinct_contiguous_codes_on_serializable_postgres() {
    concurrent(&common::postgres("ser", true).await, 16, 15).await;
}

common::each_backend!(
    concurrent_allocations_that_fail_leave_the_others_committed,
    worker_threads = 4
);
/// Sixteen tasks over two prefixes, each title asked for by two tasks at once: one of each pair
/// gets the code, the other is refused as a duplicate, and the refusals take no other
/// allocation with them (no code lost, none given twice, no gap).
async fn concurrent_allocations_that_fail_leave_the_others_committed(db: common::TestDb) {
    const TASKS: usize = 16;
    const EACH: usize = 12;
    for p in ["CBGRA", "CBGRB"] {
        with_registrant(&db.url, p, "00001-99999", RegistrantKind::Own)
            .await
            .close()
            .await;
    }
    let store = Store::open(&db.url).await.unwrap();
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let p = if t % 2 == 0 { "CBGRA" } else { "CBGRB" };
            let mut outcomes = Vec::new();
            for i in 0..EACH {
                let title = format!("s{} n{i}", t / 4);
                let result = store.allocate(&request(p, vec![rec(&title, 60)])).await;
                outcomes.push((p, title, result.map(|a| a.isrcs[0]).map_err(|e| e.code())));
            }
            outcomes
        }));
    }
    let mut granted: BTreeSet<(String, String)> = BTreeSet::new();
    let mut codes: BTreeSet<Isrc> = BTreeSet::new();
    let mut duplicates = 0;
    for h in handles {
        for (p, title, result) in h.await.unwrap() {
            match result {
                Ok(code) => {
                    assert!(codes.insert(code), "{}: {code} given twice", db.name);
                    assert!(granted.insert((p.into(), title)), "{}: two codes", db.name);
                }
                Err(code) => {
                    assert_eq!(code, "duplicate_recording", "{}", db.name);
                    duplicates += 1;
                }
            }
        }
    }
    assert_eq!(granted.len(), TASKS / 2 * EACH, "{}", db.name);
    assert_eq!(duplicates, TASKS / 2 * EACH, "{}", db.name);
    for p in ["CBGRA", "CBGRB"] {
        let designations: BTreeSet<u32> = codes
            .iter()
            .filter(|c| c.to_string().starts_with(p))
            .map(|c| c.designation())
            .collect();
        let expected: BTreeSet<u32> = (1..=(TASKS / 4 * EACH) as u32).collect();
        assert_eq!(designations, expected, "{}: {p} not contiguous", db.name);
    }
    let stored = store.recordings(&ListFilter::default()).await.unwrap();
    assert_eq!(
        stored.len(),
        codes.len(),
        "{}: lost or extra codes",
        db.name
    );
}

common::each_backend!(
    agency_issues_codes_in_sequence_skipping_confusables_and_examples,
    worker_threads = 4
);
async fn agency_issues_codes_in_sequence_skipping_confusables_and_examples(db: common::TestDb) {
    let store = Store::open(&db.url).await.unwrap();
    // Issued elsewhere already: CBAAA, and CBAB0 (so CBABO is confusable).
    for p in ["CBAAA", "CBAB0"] {
        common::add_registrant(&store, p, p).await;
    }
    let apply = |name: &str, country: &str| NewApplication {
        name: name.into(),
        contact: "x@y.example".into(),
        address: "1 rue Principale, Montréal".into(),
        country: country.into(),
        kind: RegistrantKind::Own,
    };
    let a = store.apply(&apply("Zed Records", "CA"), "t").await.unwrap();
    let approved = store.approve(a.id, None, "agency").await.unwrap();
    assert_eq!(approved.prefix.unwrap().to_string(), "CBAAB", "{}", db.name);
    assert_eq!(
        store
            .approve(a.id, None, "agency")
            .await
            .unwrap_err()
            .code(),
        "application_decided"
    );
    // Allocation works right away under the new code.
    store
        .allocate(&request("CBAAB", vec![rec("first", 10)]))
        .await
        .unwrap();
    let codes: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..36 {
            let app = store
                .apply(&apply(&format!("Label {i:02}"), "CA"), "t")
                .await
                .unwrap();
            v.push(
                store
                    .approve(app.id, None, "agency")
                    .await
                    .unwrap()
                    .prefix
                    .unwrap()
                    .to_string(),
            );
        }
        v
    };
    assert!(
        !codes.contains(&"CBABO".to_string()),
        "confusable with CBAB0: {codes:?}"
    );
    assert!(!codes.iter().any(|c| c.starts_with("CA")));
    // CA is never issued; retired prefixes never.
    let b = store.apply(&apply("Old", "CA"), "t").await.unwrap();
    assert_eq!(
        store
            .approve(b.id, Some("CA"), "agency")
            .await
            .unwrap_err()
            .code(),
        "prefix_not_allowed"
    );
    assert_eq!(
        store
            .approve(b.id, Some("YU"), "agency")
            .await
            .unwrap_err()
            .code(),
        "prefix_not_allowed"
    );
    // JM-K40 is never issued.
    let mut jm = Vec::new();
    for i in 0..3 {
        let app = store
            .apply(&apply(&format!("JM {i}"), "JM"), "t")
            .await
            .unwrap();
        jm.push(
            store
                .approve(app.id, None, "agency")
                .await
                .unwrap()
                .prefix
                .unwrap(),
        );
    }
    assert_eq!(jm[0].to_string(), "JMAAA");
    let r = store
        .reject(b.id, "no recordings owned", "agency")
        .await
        .unwrap();
    assert_eq!(r.status, ApplicationStatus::Rejected);
    let by_name = store.listing(ListingOrder::ByName).await.unwrap();
    let by_code = store.listing(ListingOrder::ByCode).await.unwrap();
    assert_eq!(by_name.len(), 40);
    let codes_sorted: Vec<String> = by_code.iter().map(|e| e.prefix.to_string()).collect();
    let mut expected_order = codes_sorted.clone();
    expected_order.sort();
    assert_eq!(codes_sorted, expected_order);
    // O/0 and I/1: CBAAO was issued, so CBAA0 never is; CBAAI, so CBAA1 never is.
    assert!(codes.contains(&"CBAAO".to_string()) && !codes.contains(&"CBAA0".to_string()));
    assert!(!codes.contains(&"CBAA1".to_string()));
    assert_eq!(by_name[0].name, "JM 0");
    assert_eq!(
        store
            .applications(Some(ApplicationStatus::Pending))
            .await
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_locations_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let not_db = dir.path().join("notes.db");
    std::fs::write(
        &not_db,
        "this is not a database, just some text that is long enough. ".repeat(100),
    )
    .unwrap();
    let err = Store::open(not_db.to_str().unwrap()).await.unwrap_err();
    assert_eq!(err.code(), "database_unavailable");
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
    assert!(
        std::fs::read_to_string(&not_db)
            .unwrap()
            .starts_with("this is not")
    );
    let err = Store::open("postgres://postgres@127.0.0.1:1/nothing")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "database_unavailable", "{err}");
}

#[test]
fn derive_rules_cite_their_agency() {
    let d = decide(Change::Edit, AgencyPolicy::Ppl, Some((200_000, 189_000))).unwrap();
    assert!(d.new_isrc && d.rule == "ppl.edit-10s");
    let d = decide(Change::Edit, AgencyPolicy::Ifpi, Some((200_000, 199_000))).unwrap();
    assert!(d.new_isrc);
    assert!(decide(Change::Edit, AgencyPolicy::Riaa, None).is_err());
    for c in [
        Change::Compilation,
        Change::Carrier,
        Change::Format,
        Change::Licence,
        Change::Sale,
    ] {
        assert!(!decide(c, AgencyPolicy::Riaa, None).unwrap().new_isrc);
    }
    for c in [Change::Remix, Change::Live, Change::Video, Change::Language] {
        assert!(decide(c, AgencyPolicy::Scpp, None).unwrap().new_isrc);
    }
    assert!(
        decide(Change::Remaster, AgencyPolicy::Riaa, None)
            .unwrap()
            .new_isrc
    );
    assert!(
        !decide(Change::Remaster, AgencyPolicy::Scpp, None)
            .unwrap()
            .new_isrc
    );
}

common::each_backend!(
    one_statement_and_general_path_store_the_same_rows,
    worker_threads = 2
);
/// On PostgreSQL an allocation in a year that has its free run takes the one-statement path
/// (migration 40's `isrc_allocate`); an idempotent request takes the general path. Both store
/// the same recording row and the same audit row for the same metadata (SQLite takes the
/// general path for both).
async fn one_statement_and_general_path_store_the_same_rows(db: common::TestDb) {
    let store = with_registrant(&db.url, "CBPTH", "00001-99999", RegistrantKind::Manager).await;
    let full = |title: &str| RecordingInput {
        title: format!("  {title} "),
        artist: "Ariane ".into(),
        version: "Live à Montréal".into(),
        duration_ms: Some(201_500),
        content_type: ContentType::Video,
        published: Some("2026-03-01".parse().unwrap()),
        language: Some("fr".into()),
        recording_year: Some(2025),
        iswc: Some("T-034.524.680-1".into()),
        notes: Some("note \"quoted\" \\ \u{1f3b5}".into()),
        client: Some("Client Ltd".into()),
        parent: None,
        change: None,
    };
    let mut first = request("CBPTH", vec![full("First")]);
    first.recordings[0].title = "First".into();
    store.allocate(&first).await.unwrap();
    let fast = store
        .allocate(&request("CBPTH", vec![full("Second"), full("Third")]))
        .await
        .unwrap();
    let mut general = request("CBPTH", vec![full("Fourth"), full("Fifth")]);
    general.idempotency_key = Some("paths".into());
    let general = store.allocate(&general).await.unwrap();
    let designations: Vec<u32> = fast
        .isrcs
        .iter()
        .chain(&general.isrcs)
        .map(|c| c.designation())
        .collect();
    assert_eq!(designations, [2, 3, 4, 5], "{}", db.name);
    assert_eq!((fast.used, general.used), (3, 5), "{}", db.name);
    assert_eq!(fast.capacity, 99_999);
    // Everything but the code, the title and the time is the same.
    let comparable = |r: Recording| {
        let mut r = r;
        assert_eq!(r.meta.title.trim(), r.meta.title, "{}: trimmed", db.name);
        r.isrc = fast.isrcs[0];
        r.meta.title = String::new();
        r.created_at = String::new();
        r
    };
    let (a, b) = (fast.isrcs[1], general.isrcs[1]);
    assert_eq!(
        comparable(store.recording(a).await.unwrap()),
        comparable(store.recording(b).await.unwrap()),
        "{}",
        db.name
    );
    let after = |code: Isrc| {
        let store = store.clone();
        async move {
            let events = store.audit_log(Some(&code.to_string())).await.unwrap();
            assert_eq!(events.len(), 1, "{events:?}");
            let event = &events[0];
            assert_eq!(
                (event.actor.as_str(), event.action.as_str()),
                ("test", "allocate")
            );
            let mut json: serde_json::Value =
                serde_json::from_str(event.after.as_deref().unwrap()).unwrap();
            let map = json.as_object_mut().unwrap();
            assert_eq!(map["isrc"], code.to_string());
            for key in ["isrc", "title", "created_at"] {
                map.remove(key);
            }
            json
        }
    };
    let (fast_json, general_json) = (after(a).await, after(b).await);
    assert_eq!(fast_json, general_json, "{}", db.name);
    assert_eq!(fast_json["notes"], "note \"quoted\" \\ \u{1f3b5}");
    assert_eq!(fast_json["client"], "Client Ltd");
    // A known recording is refused on both paths, naming the code it has.
    let err = store
        .allocate(&request("CBPTH", vec![full("Second")]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Duplicate { existing, .. } if *existing == fast.isrcs[0]),
        "{}: {err:?}",
        db.name
    );
    let usage = store.year_usage(prefix("CBPTH"), 2026).await.unwrap();
    assert_eq!((usage.kept, usage.counted), (Some(5), 5), "{}", db.name);
}

common::each_backend!(
    a_batch_stores_the_same_rows_as_one_allocation_a_row,
    worker_threads = 2
);
/// The batch path binds a column once per chunk when every row of the chunk has the same value
/// (SQLite) and selects a chunk's audit rows by range when its codes are consecutive: its rows
/// and audit rows equal those of the same recordings allocated one at a time (one row a
/// statement, every value bound), chunks with constant and varying columns, consecutive codes
/// and codes around an imported one.
async fn a_batch_stores_the_same_rows_as_one_allocation_a_row(db: common::TestDb) {
    let store = with_registrant(&db.url, "CBBAT", "00001-99999", RegistrantKind::Manager).await;
    store
        .add_registrant(
            NewRegistrant {
                prefix: prefix("CBONE"),
                name: "Label CBONE".into(),
                contact: "a@b.example".into(),
                kind: RegistrantKind::Manager,
                ranges: parse_ranges("00001-99999").unwrap(),
            },
            "test",
        )
        .await
        .unwrap();
    // Chunks of 400: the first has a constant language and version, the second varies them,
    // the third has no duration at all and a constant ISWC.
    let n = 950;
    let input = |i: usize| RecordingInput {
        title: format!(" Take {i} "),
        artist: if i.is_multiple_of(7) {
            "Other".into()
        } else {
            "Ariane".into()
        },
        version: if (400..800).contains(&i) && i.is_multiple_of(3) {
            "Live".into()
        } else {
            String::new()
        },
        duration_ms: (i < 800).then_some(180_000 + i as u64),
        content_type: if i.is_multiple_of(11) {
            ContentType::Video
        } else {
            ContentType::Audio
        },
        published: (i.is_multiple_of(5)).then(|| "2026-03-01".parse().unwrap()),
        language: if (400..800).contains(&i) && i.is_multiple_of(2) {
            Some("de".into())
        } else {
            Some("fr".into())
        },
        recording_year: (i.is_multiple_of(4)).then_some(2025),
        iswc: (i >= 800).then(|| "T-034.524.680-1".into()),
        notes: (i.is_multiple_of(13)).then(|| format!("note {i} \"q\" \u{1f3b5}")),
        client: Some("Client Ltd".into()),
        parent: None,
        change: None,
    };
    // An imported code inside the second chunk's designations: that chunk's codes are not
    // consecutive.
    let imported = prefix("CBBAT").isrc(26, 600).unwrap();
    store
        .import(
            &[ImportRecord {
                isrc: imported,
                meta: RecordingInput {
                    title: "Imported".into(),
                    artist: "Someone".into(),
                    client: Some("Client Ltd".into()),
                    ..Default::default()
                },
                status: Status::Active,
                label: "t:1".into(),
            }],
            Some(prefix("CBBAT")),
            "test",
        )
        .await
        .unwrap();
    let batch = store
        .allocate(&request("CBBAT", (0..n).map(input).collect()))
        .await
        .unwrap();
    assert_eq!(batch.isrcs.len(), n);
    assert!(!batch.isrcs.contains(&imported), "{}", db.name);
    let mut singles = Vec::new();
    for i in 0..n {
        let one = store
            .allocate(&request("CBONE", vec![input(i)]))
            .await
            .unwrap();
        singles.push(one.isrcs[0]);
    }
    let comparable = |mut r: Recording| {
        r.isrc = batch.isrcs[0];
        r.created_at = String::new();
        r
    };
    let audit_after = |code: Isrc| {
        let store = store.clone();
        async move {
            let events = store.audit_log(Some(&code.to_string())).await.unwrap();
            assert_eq!(events.len(), 1, "{events:?}");
            assert_eq!(
                (events[0].actor.as_str(), events[0].action.as_str()),
                ("test", "allocate")
            );
            let mut json: serde_json::Value =
                serde_json::from_str(events[0].after.as_deref().unwrap()).unwrap();
            assert_eq!(json["isrc"], code.to_string());
            let map = json.as_object_mut().unwrap();
            map.remove("isrc");
            map.remove("created_at");
            json
        }
    };
    for (i, (&b, &s)) in batch.isrcs.iter().zip(&singles).enumerate() {
        let (rb, rs) = (
            store.recording(b).await.unwrap(),
            store.recording(s).await.unwrap(),
        );
        assert_eq!(rb.meta.title, format!("Take {i}"), "{}", db.name);
        assert_eq!(comparable(rb), comparable(rs), "{}: row {i}", db.name);
        assert_eq!(
            audit_after(b).await,
            audit_after(s).await,
            "{}: row {i}",
            db.name
        );
    }
    let usage = store.year_usage(prefix("CBBAT"), 2026).await.unwrap();
    assert_eq!(
        (usage.kept, usage.counted),
        (Some(n as u32 + 1), n as u32 + 1),
        "{}",
        db.name
    );
}
