//! Group commit of small allocations on PostgreSQL: concurrent requests of one process share
//! one transaction, and so one WAL flush.
//!
//! Every allocation of a prefix-year holds the counter row's lock from its `UPDATE ...
//! RETURNING` until its commit, and with `synchronous_commit = on` (PostgreSQL's default, kept:
//! an acknowledged code is on disk) the commit waits for the flush; one prefix-year was
//! therefore bounded by the disk's flush rate (~300/s on the project's machine) whatever the
//! number of clients. Here the first waiting request becomes the leader: it takes every request
//! queued behind it (up to [`GROUP_MAX`]), runs each in its own savepoint of one transaction, in
//! order of prefix and year (two servers' groups lock counter rows in the same order), and
//! commits once. A request that fails (a duplicate recording, an exhausted range) is rolled back
//! to its savepoint and answered its error alone; the others commit. Nothing is acknowledged
//! before the commit, so the promises stay: a failed transaction leaves the ledger as it was and
//! each of its requests is run again alone.

use std::sync::Mutex;

use sqlx::{AnyConnection, Connection};
use tokio::sync::oneshot;

use super::*;
use crate::error::{Error, Result};

/// Most requests in one group transaction.
pub(super) const GROUP_MAX: usize = 64;

/// Requests of at most this many recordings join a group; larger ones run alone.
pub(super) const GROUPED_RECORDINGS: usize = 16;

/// The queue of requests waiting for a leader, and the leader's turn.
#[derive(Debug, Default)]
pub(crate) struct AllocationGroup {
    queue: Mutex<Vec<Pending>>,
    turn: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Pending {
    request: AllocationRequest,
    reply: oneshot::Sender<Outcome>,
}

/// What the leader answers a queued request.
#[derive(Debug)]
enum Outcome {
    /// Its own result, committed (or its own error, rolled back).
    Done(Result<Allocation>),
    /// The group's transaction failed as a whole: run alone.
    Alone,
}

impl Store {
    /// [`Store::allocate`] through the group: the answer of this request, once a leader (this
    /// task or another) has committed the group holding it.
    pub(super) async fn allocate_grouped(&self, request: &AllocationRequest) -> Result<Allocation> {
        let group = &self.inner.group;
        let (reply, mut answer) = oneshot::channel();
        group
            .queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(Pending {
                request: request.clone(),
                reply,
            });
        let outcome = loop {
            tokio::select! {
                // Served by another task's group.
                outcome = &mut answer => break outcome.ok(),
                turn = group.turn.lock() => {
                    // A leader may have taken this request just before the turn came.
                    if let Ok(outcome) = answer.try_recv() {
                        break Some(outcome);
                    }
                    self.lead_group().await;
                    drop(turn);
                    // Answered now, unless GROUP_MAX others were queued before it: then
                    // another turn.
                }
            }
        };
        match outcome {
            // A concurrent request with the same key may have committed in between: the
            // alone path looks again (see `Store::allocate`).
            Some(Outcome::Done(Err(Error::Duplicate { .. })))
                if request.idempotency_key.is_some() =>
            {
                self.allocate_alone(request).await
            }
            Some(Outcome::Done(result)) => result,
            Some(Outcome::Alone) | None => self.allocate_alone(request).await,
        }
    }

    /// Takes the queue and runs it as one transaction (with retries), then answers each.
    async fn lead_group(&self) {
        let mut pending = {
            let mut queue = self
                .inner
                .group
                .queue
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let taken = queue.len().min(GROUP_MAX);
            let rest = queue.split_off(taken);
            std::mem::replace(&mut *queue, rest)
        };
        // One lock order for every group of every server: no deadlock between two groups.
        pending.sort_by_key(|p| (p.request.prefix.as_str().to_string(), p.request.year));
        let requests: Vec<&AllocationRequest> = pending.iter().map(|p| &p.request).collect();
        match write_tx!(self, true, |conn| self.allocate_group_in(conn, &requests)) {
            Ok(results) => {
                for (p, result) in pending.into_iter().zip(results) {
                    let _ = p.reply.send(Outcome::Done(result));
                }
            }
            Err(_) => {
                for p in pending {
                    let _ = p.reply.send(Outcome::Alone);
                }
            }
        }
    }

    /// Each request in its own savepoint of the open transaction. A retryable error (a lock
    /// conflict, a unique-key race) fails the whole attempt, which `write_tx!` retries.
    async fn allocate_group_in(
        &self,
        conn: &mut AnyConnection,
        requests: &[&AllocationRequest],
    ) -> Result<Vec<Result<Allocation>>> {
        let mut results = Vec::with_capacity(requests.len());
        for request in requests {
            let mut savepoint = conn.begin().await?;
            match self.allocate_in(&mut savepoint, request).await {
                Ok(allocation) => {
                    savepoint.commit().await?;
                    results.push(Ok(allocation));
                }
                Err(error) if is_retryable(&error, true) => return Err(error),
                Err(error) => {
                    savepoint.rollback().await?;
                    results.push(Err(error));
                }
            }
        }
        Ok(results)
    }
}
