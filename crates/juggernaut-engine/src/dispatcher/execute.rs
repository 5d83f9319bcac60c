//! Runs one claimed task: handler, then verifier, then hands the result to the completer. A lost
//! lease or shutdown cancels the handler; a panicking handler is a failed attempt, not a crash.

use super::completer::Finished;
use crate::handler::{HandlerError, TaskContext};
use crate::registry::Registry;
use crate::verifier;
use futures::FutureExt;
use juggernaut_core::Task;
use juggernaut_store::{Failure, LeaseRef, Store};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio_util::sync::CancellationToken;

/// Starts `task` on its own tokio task; its handler sees `store` through the context.
pub fn spawn(
    task: Task,
    cancel: CancellationToken,
    registry: &Registry,
    store: &Arc<dyn Store>,
    permit: OwnedSemaphorePermit,
    tx: mpsc::Sender<Finished>,
) {
    let Some(lease) = LeaseRef::of(&task) else {
        tracing::error!(task = %task.id, "claimed task has no lease; skipped");
        return;
    };
    let handler = registry.get(task.kind.as_str()).cloned();
    let store = store.clone();
    tokio::spawn(async move {
        let ctx = TaskContext {
            task,
            lease,
            cancel,
            store,
        };
        let outcome = match handler {
            None => Some(Err(Failure {
                lease,
                error: format!("no handler serves task kind `{}`", ctx.task.kind),
                retryable: false,
            })),
            Some(h) => {
                let run = AssertUnwindSafe(h.run(&ctx)).catch_unwind();
                tokio::select! {
                    r = run => Some(match r {
                        Ok(Ok(out)) => verifier::verify(h.as_ref(), &ctx, out)
                            .map_err(|error| Failure { lease, error, retryable: true }),
                        Ok(Err(e)) => Err(failure(lease, &e)),
                        Err(_) => Err(Failure { lease, error: format!("handler `{}` panicked", h.kind()), retryable: true }),
                    }),
                    _ = ctx.cancel.cancelled() => None,
                }
            }
        };
        match outcome {
            Some(result) => {
                let _ = tx
                    .send(Finished {
                        lease,
                        result,
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

fn failure(lease: LeaseRef, e: &HandlerError) -> Failure {
    Failure {
        lease,
        error: e.to_string(),
        retryable: e.is_retryable(),
    }
}
