//! Writes finished attempts: completions in batches (one transaction each), failures one by one.
//! A transient store error is retried; if the store stays down the leases lapse and the tasks are
//! rescued and re-run, so nothing is lost and fencing keeps anything from completing twice.

use super::InFlight;
use crate::dispatcher::DispatchStats;
use crate::events::{EngineEvent, EventSink};
use juggernaut_store::{Completion, Failure, LeaseRef, Store, StoreError};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc};

/// A finished attempt on its way to the store; holds its slot until written.
pub struct Finished {
    /// The lease it ran under.
    pub lease: LeaseRef,
    /// Verified completion, or the failure.
    pub result: Result<Completion, Failure>,
    /// The slot, released once written.
    pub permit: OwnedSemaphorePermit,
}

/// What the completer shares with its dispatcher.
pub struct Completer {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Most completions per transaction.
    pub max_batch: usize,
    /// In-flight leases, forgotten once written.
    pub inflight: InFlight,
    /// Notified when slots come free.
    pub slot_freed: Arc<Notify>,
    /// The slots, to see whether other attempts are still running.
    pub slots: Slots,
    /// Counters.
    pub stats: Arc<DispatchStats>,
    /// Events.
    pub events: EventSink,
}

impl Completer {
    /// Runs until every sender is gone.
    pub async fn run(self, mut rx: mpsc::Receiver<Finished>) {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            gather(&mut rx, &mut batch, self.max_batch, &self.slots).await;
            write(self.store.as_ref(), &batch, &self.stats, &self.events).await;
            if let Ok(mut map) = self.inflight.lock() {
                for f in &batch {
                    map.remove(&f.lease.task_id);
                }
            }
            for f in batch {
                drop(f.permit);
            }
            self.slot_freed.notify_one();
        }
    }
}

/// The dispatcher's slot semaphore and its size: how many attempts are running or unwritten.
pub struct Slots {
    /// The semaphore.
    pub semaphore: Arc<Semaphore>,
    /// Its size.
    pub size: usize,
}

/// How long the completer waits for more results while other attempts are still running: a
/// commit costs the same for one completion as for a hundred, and this wait is far shorter.
const GATHER: Duration = Duration::from_millis(2);

/// Adds what is already queued to `batch`; while other attempts are still running, waits up to
/// [`GATHER`] for them so that one transaction carries more completions.
async fn gather(
    rx: &mut mpsc::Receiver<Finished>,
    batch: &mut Vec<Finished>,
    max: usize,
    slots: &Slots,
) {
    let deadline = tokio::time::Instant::now() + GATHER;
    while batch.len() < max {
        match rx.try_recv() {
            Ok(f) => {
                batch.push(f);
                continue;
            }
            Err(_) => {
                let busy = slots
                    .size
                    .saturating_sub(slots.semaphore.available_permits());
                if busy <= batch.len() {
                    return;
                }
            }
        }
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(f)) => batch.push(f),
            _ => return,
        }
    }
}

async fn write(store: &dyn Store, batch: &[Finished], stats: &DispatchStats, events: &EventSink) {
    let completions: Vec<Completion> = batch
        .iter()
        .filter_map(|f| f.result.as_ref().ok().cloned())
        .collect();
    if !completions.is_empty() {
        let results = with_retry("complete", events, || {
            store.complete_batch(completions.clone())
        })
        .await;
        for (c, r) in completions.iter().zip(results.unwrap_or_default()) {
            match r {
                Ok(()) => {
                    stats.completed.fetch_add(1, Ordering::Relaxed);
                    events.emit(EngineEvent::TaskCompleted {
                        task: c.lease.task_id,
                    });
                }
                Err(e) => {
                    stats.refused.fetch_add(1, Ordering::Relaxed);
                    let reason = e.to_string();
                    events.emit(EngineEvent::ResultRefused {
                        task: c.lease.task_id,
                        reason,
                    });
                }
            }
        }
    }
    for f in batch.iter().filter_map(|f| f.result.as_ref().err()) {
        match with_retry("fail", events, || store.fail(f.clone())).await {
            Some(outcome) => {
                stats.failed.fetch_add(1, Ordering::Relaxed);
                let (task, error) = (f.lease.task_id, f.error.clone());
                events.emit(EngineEvent::AttemptFailed {
                    task,
                    error,
                    outcome,
                });
            }
            None => {
                stats.refused.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Calls `op` until it succeeds, a non-retryable error occurs, or ~30 s of retries pass.
async fn with_retry<T, F, Fut>(what: &'static str, events: &EventSink, mut op: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut delay = Duration::from_millis(50);
    for attempt in 1..=10 {
        match op().await {
            Ok(v) => return Some(v),
            Err(e) if e.is_retryable() && attempt < 10 => {
                let error = e.to_string();
                events.emit(EngineEvent::StoreFault {
                    operation: what,
                    error,
                });
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => {
                tracing::error!(error = %e, "{what} failed; the lease will lapse and the task re-run");
                return None;
            }
        }
    }
    None
}
