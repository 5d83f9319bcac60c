//! Writes finished attempts: completions in batches (one transaction each), failures and parked
//! tasks one by one.
//! A transient store error is retried; if the store stays down the leases lapse and the tasks are
//! rescued and re-run, so nothing is lost and fencing keeps anything from completing twice.

use super::held::{InFlight, forget};
use super::lanes::Lanes;
use crate::events::{EngineEvent, EventSink};
use juggernaut_store::{
    ApprovalRequest, Completion, ExternalWait, Failure, LeaseRef, Queue, StoreError,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, mpsc};

/// What a finished attempt asks the store to record.
pub enum Finish {
    /// A verified completion (with any children).
    Complete(Completion),
    /// A failed attempt.
    Fail(Failure),
    /// Parked until something outside happens.
    Await(ExternalWait),
    /// Parked until a person approves.
    Approval(ApprovalRequest),
}

/// A finished attempt on its way to the store; holds its slot until written.
pub struct Finished {
    /// The lease it ran under.
    pub lease: LeaseRef,
    /// What to record.
    pub finish: Finish,
    /// Its place among the unwritten results, released once written.
    pub permit: OwnedSemaphorePermit,
}

/// What the completer shares with its dispatcher.
pub struct Completer {
    /// The queue.
    pub queue: Arc<dyn Queue>,
    /// Most completions per transaction.
    pub max_batch: usize,
    /// In-flight leases, forgotten once written.
    pub inflight: InFlight,
    /// The slots, to see whether attempts are still running.
    pub lanes: Arc<Lanes>,
    /// Events.
    pub events: EventSink,
}

impl Completer {
    /// Runs until every sender is gone.
    pub async fn run(self, mut rx: mpsc::Receiver<Finished>) {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            gather(&mut rx, &mut batch, self.max_batch, &self.lanes).await;
            let started = Instant::now();
            write(self.queue.as_ref(), &batch, &self.events).await;
            self.events.emit(EngineEvent::ResultsWritten {
                count: batch.len(),
                write_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            });
            forget(&self.inflight, batch.iter().map(|f| f.lease));
            // Dropping the places lets attempts waiting for one give their slots back (and wake
            // the claim loop); the write itself changes nothing the claim loop counts.
            for f in batch {
                drop(f.permit);
            }
        }
    }
}

/// How long the completer waits for more results while other attempts are still running: a
/// commit costs the same for one completion as for a hundred, and this wait is far shorter.
const GATHER: Duration = Duration::from_millis(2);

/// Adds what is already queued to `batch`; while attempts are still running, waits up to
/// [`GATHER`] for them so that one transaction carries more completions.
async fn gather(
    rx: &mut mpsc::Receiver<Finished>,
    batch: &mut Vec<Finished>,
    max: usize,
    lanes: &Lanes,
) {
    let deadline = tokio::time::Instant::now() + GATHER;
    while batch.len() < max {
        match rx.try_recv() {
            Ok(f) => {
                batch.push(f);
                continue;
            }
            Err(_) => {
                if lanes.running() == 0 {
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

async fn write(queue: &dyn Queue, batch: &[Finished], events: &EventSink) {
    let completions: Vec<Completion> = batch
        .iter()
        .filter_map(|f| match &f.finish {
            Finish::Complete(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    if !completions.is_empty() {
        let results = with_retry("complete", events, || {
            queue.complete_batch(completions.clone())
        })
        .await;
        for (i, c) in completions.iter().enumerate() {
            let task = c.lease.task_id;
            events.emit(match results.as_ref().map(|r| r.get(i)) {
                Ok(Some(Ok(()))) => EngineEvent::TaskCompleted { task },
                Ok(Some(Err(e))) => EngineEvent::ResultRefused {
                    task,
                    reason: e.to_string(),
                },
                Ok(None) => EngineEvent::ResultRefused {
                    task,
                    reason: "the store returned no result for it".into(),
                },
                Err(reason) => EngineEvent::ResultRefused {
                    task,
                    reason: reason.clone(),
                },
            });
        }
    }
    for f in batch {
        let task = f.lease.task_id;
        let written = match &f.finish {
            Finish::Complete(_) => continue,
            Finish::Fail(failure) => with_retry("fail", events, || queue.fail(failure.clone()))
                .await
                .map(|outcome| EngineEvent::AttemptFailed {
                    task,
                    error: failure.error.clone(),
                    outcome,
                }),
            Finish::Await(wait) => with_retry("await_external", events, || {
                queue.await_external(wait.clone())
            })
            .await
            .map(|()| EngineEvent::TaskParked {
                task,
                waiting: "external",
            }),
            Finish::Approval(ask) => with_retry("request_approval", events, || {
                queue.request_approval(ask.clone())
            })
            .await
            .map(|()| EngineEvent::TaskParked {
                task,
                waiting: "approval",
            }),
        };
        events.emit(written.unwrap_or_else(|reason| EngineEvent::ResultRefused { task, reason }));
    }
}

/// Calls `op` until it succeeds, a non-retryable error occurs, or ~30 s of retries pass; the
/// error says what was given up on.
async fn with_retry<T, F, Fut>(
    what: &'static str,
    events: &EventSink,
    mut op: F,
) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut delay = Duration::from_millis(50);
    for attempt in 1..=10 {
        match op().await {
            Ok(v) => return Ok(v),
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
                return Err(format!("{what}: {e}"));
            }
        }
    }
    Err(format!("{what}: gave up after 10 tries"))
}
