//! Issue 15 in the store and the ops layer, on SQLite and PostgreSQL alike: correcting a
//! recording's metadata (every edit in the audit log with before and after; an edit that makes
//! another recording refused with a pointer to `derive`), and the public search (published
//! codes only, folded words, pages in code order; the same answers on both databases).

use crate::common;

use isrc::Isrc;
use isrc_registry::ops::{self, Actor, RecordingPatch};
use isrc_registry::*;

async fn ledger(url: &str) -> Store {
    let store = Store::open(url).await.expect("open");
    for prefix in ["CBXYZ", "CBAAA"] {
        store
            .add_registrant(
                NewRegistrant {
                    prefix: prefix.parse().unwrap(),
                    name: format!("Label {prefix}"),
                    contact: String::new(),
                    kind: RegistrantKind::Own,
                    ranges: vec![],
                },
                "test",
            )
            .await
            .expect("registrant");
    }
    store
}

fn recording(title: &str, artist: &str, version: &str, secs: u64) -> RecordingInput {
    RecordingInput {
        title: title.into(),
        artist: artist.into(),
        version: version.into(),
        duration_ms: Some(secs * 1000),
        ..Default::default()
    }
}

async fn allocate(store: &Store, prefix: &str, r: RecordingInput) -> Isrc {
    let request = AllocationRequest {
        prefix: prefix.parse().unwrap(),
        year: 2026,
        recordings: vec![r],
        force: false,
        actor: "test".into(),
        idempotency_key: None,
        labels: vec![],
    };
    store.allocate(&request).await.expect("allocate").isrcs[0]
}

/// The code of the error `ops::edit` refuses `patch` of `code` with.
async fn refusal(store: &Store, actor: &Actor, code: Isrc, patch: &RecordingPatch) -> &'static str {
    ops::edit(store, actor, code, patch)
        .await
        .expect_err("the edit is refused")
        .code()
}

common::each_backend!(
    edits_are_audited_and_new_recordings_refused,
    worker_threads = 2
);
async fn edits_are_audited_and_new_recordings_refused(db: common::TestDb) {
    let store = ledger(&db.url).await;
    let agency = Actor::agency("ops");
    let song = allocate(
        &store,
        "CBXYZ",
        recording("Premiere neige", "Ariane", "", 205),
    )
    .await;
    let other = allocate(&store, "CBXYZ", recording("Hiver", "Ariane", "", 205)).await;

    // A correction: title, duration within 10 s, ISWC, notes, date.
    let patch = RecordingPatch {
        title: Some("Première neige".into()),
        duration_ms: Some(209_000),
        iswc: Some("T-034.524.680-1".into()),
        notes: Some("title accent fixed".into()),
        published: Some("2026-02-01".parse().unwrap()),
        ..Default::default()
    };
    let edited = ops::edit(&store, &agency, song, &patch)
        .await
        .expect("edit");
    assert_eq!(edited.isrc, song);
    assert_eq!(edited.meta.title, "Première neige");
    assert_eq!(edited.meta.duration_ms, Some(209_000));
    assert_eq!(store.recording(song).await.unwrap(), edited);

    // The audit log holds the edit with before and after.
    let log = store.audit_log(Some(&song.to_string())).await.unwrap();
    let entry = log.last().unwrap();
    assert_eq!(
        (entry.action.as_str(), entry.actor.as_str()),
        ("recording.edit", "ops")
    );
    let before: serde_json::Value = serde_json::from_str(entry.before.as_deref().unwrap()).unwrap();
    let after: serde_json::Value = serde_json::from_str(entry.after.as_deref().unwrap()).unwrap();
    assert_eq!(before["title"], "Premiere neige");
    assert_eq!(after["title"], "Première neige");
    assert_eq!(before["duration_ms"], 205_000);
    assert_eq!(after["duration_ms"], 209_000);
    assert_eq!(after["isrc"], song.to_string());

    // A version's spelling may be corrected; another version is another recording.
    let radio = allocate(
        &store,
        "CBXYZ",
        recording("Hiver", "Ariane", "radio edit", 150),
    )
    .await;
    let spelled = RecordingPatch {
        version: Some("Radio Edit".into()),
        ..Default::default()
    };
    ops::edit(&store, &agency, radio, &spelled)
        .await
        .expect("spelling");
    let live = RecordingPatch {
        version: Some("Live".into()),
        ..Default::default()
    };
    let refused = ops::edit(&store, &agency, radio, &live).await.unwrap_err();
    assert_eq!(refused.code(), "needs_derive");
    assert!(
        refused
            .to_string()
            .contains(&format!("isrc derive {radio}")),
        "{refused}"
    );

    // A duration more than 10 s away is an edit of the recording itself.
    let longer = RecordingPatch {
        duration_ms: Some(220_000),
        ..Default::default()
    };
    let refused = ops::edit(&store, &agency, song, &longer).await.unwrap_err();
    assert_eq!(refused.code(), "needs_derive", "{refused}");
    assert!(refused.to_string().contains("3:29 to 3:40"), "{refused}");
    let video = RecordingPatch {
        content_type: Some(ContentType::Video),
        ..Default::default()
    };
    assert_eq!(refusal(&store, &agency, song, &video).await, "needs_derive");

    // Turning one recording into another one of the ledger is refused, naming it.
    let same = RecordingPatch {
        title: Some("HIVER".into()),
        ..Default::default()
    };
    match ops::edit(&store, &agency, song, &same).await.unwrap_err() {
        Error::Duplicate { existing, .. } => assert_eq!(existing, other),
        e => panic!("expected a duplicate, got {e}"),
    }

    // Nothing to change, another registrant's code, a void code, an unknown code.
    let none = RecordingPatch {
        title: Some("Première neige".into()),
        ..Default::default()
    };
    assert_eq!(refusal(&store, &agency, song, &none).await, "invalid");
    let stranger = Actor::registrant("user:x", vec!["CBAAA".parse().unwrap()]);
    assert_eq!(refusal(&store, &stranger, song, &none).await, "forbidden");
    ops::void(&store, &agency, other, "allocated twice")
        .await
        .unwrap();
    let retitle = RecordingPatch {
        title: Some("Hiver (corrigé)".into()),
        ..Default::default()
    };
    assert_eq!(
        refusal(&store, &agency, other, &retitle).await,
        "already_void"
    );
    let unknown: Isrc = "CBXYZ2699999".parse().unwrap();
    assert_eq!(
        refusal(&store, &agency, unknown, &retitle).await,
        "not_found"
    );
    // A bad value is refused before anything is written.
    let bad = RecordingPatch {
        iswc: Some("T-123".into()),
        ..Default::default()
    };
    assert_eq!(refusal(&store, &agency, song, &bad).await, "invalid");

    // Refusals wrote nothing: one allocate and one edit entry for the song.
    let actions: Vec<String> = store
        .audit_log(Some(&song.to_string()))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["allocate", "recording.edit"]);
    store.close().await;
}

common::each_backend!(
    public_search_finds_published_codes_by_page,
    worker_threads = 2
);
async fn public_search_finds_published_codes_by_page(db: common::TestDb) {
    let store = ledger(&db.url).await;
    let agency = Actor::agency("ops");
    let mut published = Vec::new();
    for i in 0..25 {
        let code = allocate(
            &store,
            "CBXYZ",
            recording(&format!("Love song {i}"), "The Band", "", 200 + i),
        )
        .await;
        if i % 5 != 4 {
            ops::set_public(&store, &agency, code, true).await.unwrap();
            published.push(code);
        }
    }
    let hidden = allocate(
        &store,
        "CBAAA",
        recording("Love, hidden", "The Band", "", 100),
    )
    .await;
    let accented = allocate(
        &store,
        "CBAAA",
        recording("Première Neige", "Ariane & Co.", "Live", 100),
    )
    .await;
    ops::set_public(&store, &agency, accented, true)
        .await
        .unwrap();

    // Pages of 7 in code order, every published match once, unpublished ones never.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .search_published("love BAND", cursor, 7)
            .await
            .unwrap();
        assert!(page.items.len() <= 7);
        seen.extend(page.items.iter().map(|r| r.isrc));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, published, "20 published of 25, in code order");
    assert!(!seen.contains(&hidden));

    // Case, accents' case, punctuation and the ISRC's spelling fold alike.
    for query in [
        "PREMIÈRE",
        "neige ariane",
        "ariane&co",
        "live",
        "CB-AAA-26-00002",
        "cbaaa2600002",
    ] {
        let page = store.search_published(query, None, 10).await.unwrap();
        let codes: Vec<Isrc> = page.items.iter().map(|r| r.isrc).collect();
        assert_eq!(codes, [accented], "{query}");
    }
    assert!(
        store
            .search_published("premiere", None, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        store
            .search_published("  ,, ", None, 10)
            .await
            .unwrap_err()
            .code(),
        "invalid"
    );

    // An edit is searched by its new title; unpublishing and voiding take it out.
    let first = published[0];
    let patch = RecordingPatch {
        title: Some("Amour fou".into()),
        ..Default::default()
    };
    ops::edit(&store, &agency, first, &patch).await.unwrap();
    let found = store.search_published("amour", None, 10).await.unwrap();
    assert_eq!(
        found.items.iter().map(|r| r.isrc).collect::<Vec<_>>(),
        [first]
    );
    assert_eq!(
        store
            .search_published("love", None, 100)
            .await
            .unwrap()
            .items
            .len(),
        19
    );
    ops::set_public(&store, &agency, first, false)
        .await
        .unwrap();
    assert!(
        store
            .search_published("amour", None, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    ops::void(&store, &agency, published[1], "error")
        .await
        .unwrap();
    assert_eq!(
        store
            .search_published("love", None, 100)
            .await
            .unwrap()
            .items
            .len(),
        18
    );
    store.close().await;
}

/// A ledger published before the search index existed is indexed when it is next opened.
#[tokio::test]
async fn recordings_published_before_the_index_are_found() {
    let db = common::sqlite();
    let store = ledger(&db.url).await;
    let code = allocate(
        &store,
        "CBXYZ",
        recording("Vieux succès", "Ariane", "", 200),
    )
    .await;
    ops::set_public(&store, &Actor::agency("ops"), code, true)
        .await
        .unwrap();
    store.close().await;
    // As if the ledger were from before version 15: no search rows, a reindex pending.
    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}", db.url))
            .await
            .unwrap();
        sqlx::raw_sql(
            "DELETE FROM publication_search; INSERT INTO search_reindex (pending) VALUES (1);",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    let store = Store::open(&db.url).await.unwrap();
    let page = store.search_published("succès", None, 10).await.unwrap();
    assert_eq!(
        page.items.iter().map(|r| r.isrc).collect::<Vec<_>>(),
        [code]
    );
    store.close().await;
}
