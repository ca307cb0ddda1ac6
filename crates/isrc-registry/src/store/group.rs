//! PostgreSQL's allocations in groups: one statement, one commit, for the requests that arrive
//! while the previous statement runs.
//!
//! Allocators of one prefix-year queue on its counter row, whose lock is held until the commit
//! has been flushed to disk: with one request per transaction the rate can never pass the
//! disk's flushes per second, however many clients or servers there are. A request that can
//! take the common path (see [`Store::allocate_in_one_statement`](super::Store)) joins the
//! queue of its store; one task at a time (spawned when the queue was idle, so that a caller
//! that goes away cannot cut a group short) sends everything queued as one call of the
//! function `isrc_allocate` (migration 40) outside an explicit transaction, and hands each
//! request its answer. A request the function leaves out, or a group whose statement fails
//! (a serialization failure, a deadlock, a unique-key race), takes the general path, alone.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::*;
use crate::error::Result;

/// Requests (and rows) sent in one call at most.
const MAX_REQUESTS: usize = 64;
const MAX_ROWS: usize = super::batch::CHUNK;

/// The counter after a request (`next_designation`, `used`), or `None`: take the general path.
pub(crate) type Granted = Option<(u32, u32)>;

struct Pending {
    /// One element of `isrc_allocate`'s `p_requests`, as JSON text.
    request: String,
    rows: usize,
    reply: oneshot::Sender<Granted>,
}

/// The queue of one store (shared by its clones).
#[derive(Default, Debug)]
pub(crate) struct Groups(Mutex<Queue>);

#[derive(Default)]
struct Queue {
    pending: VecDeque<Pending>,
    /// A task is sending groups.
    driving: bool,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("pending", &self.pending.len())
            .field("driving", &self.driving)
            .finish()
    }
}

impl Store {
    /// Queues one request (an element of `isrc_allocate`'s `p_requests`, of `rows` recordings)
    /// and waits for its group's answer.
    pub(super) async fn allocate_grouped(&self, request: String, rows: usize) -> Granted {
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut queue = self
                .inner
                .groups
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            queue.pending.push_back(Pending {
                request,
                rows,
                reply,
            });
            !std::mem::replace(&mut queue.driving, true)
        };
        if start {
            tokio::spawn(drive(self.clone()));
        }
        // The sender is dropped unanswered only if the task died: the general path decides.
        answer.await.unwrap_or(None)
    }
}

/// Sends the queued requests, a group at a time, until the queue is empty.
async fn drive(store: Store) {
    loop {
        let group: Vec<Pending> = {
            let mut queue = store
                .inner
                .groups
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let mut rows = 0;
            let mut take = 0;
            for p in &queue.pending {
                if take == MAX_REQUESTS || (take > 0 && rows + p.rows > MAX_ROWS) {
                    break;
                }
                rows += p.rows;
                take += 1;
            }
            if take == 0 {
                queue.driving = false;
                return;
            }
            queue.pending.drain(..take).collect()
        };
        let answers = send(&store, &group).await.unwrap_or_default();
        for (i, p) in group.into_iter().enumerate() {
            let _ = p.reply.send(answers.get(i).copied().flatten());
        }
    }
}

/// One call of `isrc_allocate` for the group: each request's answer, by position (empty when
/// the statement failed: every request then takes the general path).
async fn send(store: &Store, group: &[Pending]) -> Result<Vec<Granted>> {
    let mut requests = String::from("[");
    for (i, p) in group.iter().enumerate() {
        if i > 0 {
            requests.push(',');
        }
        requests.push_str(&p.request);
    }
    requests.push(']');
    let created_at = now();
    let rows =
        sqlx::query("SELECT req, next_designation, used FROM isrc_allocate($1, $2, $3, $4, $5)")
            .bind(requests)
            .bind("allocated")
            .bind(created_at.as_str())
            .bind(now())
            .bind("allocate")
            .fetch_all(&store.inner.pool)
            .await?;
    let mut answers = vec![None; group.len()];
    for row in rows {
        let req = dec_i64(&row, "req")? as usize;
        if let (Some(next), Some(used)) = (
            dec_opt_i64(&row, "next_designation")?,
            dec_opt_i64(&row, "used")?,
        ) && let Some(answer) = answers.get_mut(req)
        {
            *answer = Some((next as u32, used as u32));
        }
    }
    Ok(answers)
}

/// A new, empty queue.
pub(super) fn groups() -> Arc<Groups> {
    Arc::new(Groups::default())
}
