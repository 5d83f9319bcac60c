//! Runs one claimed task: the handler, then (for a done outcome) the verifier, bounded in time;
//! hands what came of it to the completer. A lost lease or shutdown cancels the handler; a
//! panicking handler is a failed attempt, not a crash.

use super::completer::{Finish, Finished};
use crate::events::{EngineEvent, EventSink};
use futures::FutureExt;
use juggernaut_core::Task;
use juggernaut_handler::context::Handles;
use juggernaut_handler::{Handler, HandlerError, Outcome, Registry, TaskContext, verifier};
use juggernaut_store::{ApprovalRequest, ExternalWait, Failure, LeaseRef};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio_util::sync::CancellationToken;

/// Starts `task` on its own tokio task.
pub fn spawn(
    task: Task,
    cancel: CancellationToken,
    registry: &Registry,
    handles: &Handles,
    permit: OwnedSemaphorePermit,
    tx: mpsc::Sender<Finished>,
    events: &EventSink,
) {
    let Some(lease) = LeaseRef::of(&task) else {
        tracing::error!(task = %task.id, "claimed task has no lease; skipped");
        return;
    };
    let handler = registry.get(task.kind.as_str()).cloned();
    let handles = handles.clone();
    let events = events.clone();
    tokio::spawn(async move {
        let ctx = TaskContext {
            task,
            lease,
            cancel,
            handles,
        };
        let started = Instant::now();
        let finish = match handler {
            None => Some(Finish::Fail(Failure {
                lease,
                error: format!("no handler serves task kind `{}`", ctx.task.kind),
                retryable: false,
                retry_after: None,
            })),
            Some(h) => tokio::select! {
                f = attempt(h, &ctx) => Some(f),
                _ = ctx.cancel.cancelled() => None,
            },
        };
        events.emit(EngineEvent::TaskRan {
            task: lease.task_id,
            kind: ctx.task.kind.to_string(),
            run_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
        match finish {
            Some(finish) => {
                let _ = tx
                    .send(Finished {
                        lease,
                        finish,
                        permit,
                    })
                    .await;
            }
            None => {
                tracing::info!(task = %lease.task_id, "task stopped: lease lost or shutting down")
            }
        }
    });
}

/// Runs the handler and turns what it returned into what the store must record.
async fn attempt(h: Arc<dyn Handler>, ctx: &TaskContext) -> Finish {
    let lease = ctx.lease;
    let ran = AssertUnwindSafe(h.run(ctx)).catch_unwind().await;
    let outcome = match ran {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => return Finish::Fail(failure(lease, &e)),
        Err(_) => {
            let error = format!("handler `{}` panicked", h.kind());
            return Finish::Fail(Failure {
                lease,
                error,
                retryable: true,
                retry_after: None,
            });
        }
    };
    let verified = |done, children| async move {
        match verifier::verify(h.as_ref(), ctx, done, children).await {
            Ok(c) => Finish::Complete(c),
            Err(error) => Finish::Fail(Failure {
                lease,
                error,
                retryable: true,
                retry_after: None,
            }),
        }
    };
    match outcome {
        Outcome::Done(done) => verified(done, Vec::new()).await,
        Outcome::Spawn { done, children } => verified(done, children).await,
        Outcome::AwaitExternal {
            what,
            check_after,
            progress,
        } => Finish::Await(ExternalWait {
            lease,
            what,
            check_after,
            progress,
        }),
        Outcome::NeedsApproval { reason, risk } => Finish::Approval(ApprovalRequest {
            lease,
            reason,
            risk,
        }),
    }
}

fn failure(lease: LeaseRef, e: &HandlerError) -> Failure {
    Failure {
        lease,
        error: e.to_string(),
        retryable: e.is_retryable(),
        retry_after: e.retry_after(),
    }
}
