//! Concurrent retries of one request under one idempotency key allocate once, on SQLite and
//! PostgreSQL.

use crate::common;

use isrc_registry::*;

common::each_backend!(
    concurrent_retries_with_one_key_allocate_once,
    worker_threads = 4
);
async fn concurrent_retries_with_one_key_allocate_once(db: common::TestDb) {
    let store = Store::open(&db.url).await.unwrap();
    common::add_registrant(&store, "CBXYZ", "Label").await;
    for round in 0..5 {
        let request = AllocationRequest {
            prefix: "CBXYZ".parse().unwrap(),
            year: 2026,
            recordings: vec![RecordingInput {
                title: format!("Once {round}"),
                artist: "Ana".into(),
                ..Default::default()
            }],
            force: false,
            actor: "t".into(),
            idempotency_key: Some(format!("key-{round}")),
            labels: vec![],
        };
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                let request = request.clone();
                tokio::spawn(async move { store.allocate(&request).await })
            })
            .collect();
        let mut codes = std::collections::BTreeSet::new();
        for task in tasks {
            let allocation = task.await.unwrap().unwrap_or_else(|e| {
                panic!("{}: a retry was refused: {e}", db.name);
            });
            codes.insert(allocation.isrcs[0]);
        }
        assert_eq!(codes.len(), 1, "{}", db.name);
    }
    let all = store.recordings(&ListFilter::default()).await.unwrap();
    assert_eq!(all.len(), 5, "{}", db.name);
}
