//! Allocation throughput of the Store: single allocations per second (one transaction each,
//! sequential, and from 16 concurrent tasks) and one 100,000-row batch.
//!
//! ```sh
//! cargo run --release -p isrc-registry --example bench -- /tmp/bench.db
//! cargo run --release -p isrc-registry --example bench -- postgres://postgres@127.0.0.1:55441/bench
//! ```
//! The database must be new (or empty).

use std::time::Instant;

use isrc_registry::{
    AllocationRequest, NewRegistrant, OpenOptions, RecordingInput, RegistrantKind, Store,
};

fn rec(i: usize, tag: &str) -> RecordingInput {
    RecordingInput {
        title: format!("{tag} title {i}"),
        artist: "Bench Artist".into(),
        version: String::new(),
        duration_ms: Some(180_000 + (i as u64 % 60_000)),
        ..Default::default()
    }
}

fn request(prefix: &str, recordings: Vec<RecordingInput>) -> AllocationRequest {
    AllocationRequest {
        prefix: prefix.parse().expect("prefix"),
        year: 2026,
        recordings,
        force: false,
        actor: "bench".into(),
        idempotency_key: None,
        labels: vec![],
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let location = std::env::args()
        .nth(1)
        .ok_or("usage: bench PATH|URL (a new database)")?;
    let singles: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::open_with(
            &location,
            OpenOptions {
                max_connections: Some(16),
                ..Default::default()
            },
        )
        .await?;
        for prefix in ["CBSGL", "CBCON", "CBBAT"] {
            store
                .add_registrant(
                    NewRegistrant {
                        prefix: prefix.parse().expect("prefix"),
                        name: prefix.into(),
                        contact: String::new(),
                        kind: RegistrantKind::Own,
                        ranges: vec![],
                    },
                    "bench",
                )
                .await?;
        }
        let start = Instant::now();
        for i in 0..singles {
            store.allocate(&request("CBSGL", vec![rec(i, "s")])).await?;
        }
        let t = start.elapsed().as_secs_f64();
        println!(
            "single allocations, sequential: {singles} in {t:.2} s = {:.0}/s",
            singles as f64 / t
        );

        let start = Instant::now();
        let mut tasks = Vec::new();
        for task in 0..16 {
            let store = store.clone();
            let n = singles / 16;
            tasks.push(tokio::spawn(async move {
                for i in 0..n {
                    store
                        .allocate(&request("CBCON", vec![rec(task * 100_000 + i, "c")]))
                        .await?;
                }
                Ok::<_, isrc_registry::Error>(())
            }));
        }
        for t in tasks {
            t.await.expect("task")?;
        }
        let t = start.elapsed().as_secs_f64();
        let n = singles / 16 * 16;
        println!(
            "single allocations, 16 concurrent tasks: {n} in {t:.2} s = {:.0}/s",
            n as f64 / t
        );

        let batch: Vec<RecordingInput> = (0..99_999).map(|i| rec(i, "b")).collect();
        let start = Instant::now();
        let a = store.allocate(&request("CBBAT", batch)).await?;
        let t = start.elapsed().as_secs_f64();
        println!(
            "batch of {} in one transaction: {t:.2} s (last {})",
            a.isrcs.len(),
            a.isrcs.last().expect("codes")
        );
        store.close().await;
        Ok(())
    })
}
