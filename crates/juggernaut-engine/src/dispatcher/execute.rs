//! Runs one claimed task: the handler, then (for a done outcome) the verifier, bounded in time;
//! hands what came of it to the completer, giving its slot back once its result is queued. A
//! lost lease or shutdown cancels the handler; a panicking handler is a failed attempt, not a
//! crash. When checking the evidence does I/O (see [`verifier::needs_verifying_state`]) the task
//! is marked `verifying` first, through the queue; the run record of `noop` and `maintenance` is
//! checked without that write.

use super::completer::{Finish, Finished};
use super::held::{InFlight, mark_finished};
use super::lanes::Lanes;
use crate::events::{EngineEvent, EventSink};
use futures::FutureExt;
use juggernaut_core::task::MAX_WAITING_BYTES as MAX_REASON_BYTES;
use juggernaut_core::text::clipped;
use juggernaut_core::{RiskAssessment, Task, WorkerId};
use juggernaut_handler::context::Handles;
use juggernaut_handler::gate::{Envelope, Verdict};
use juggernaut_handler::{Done, Handler, HandlerError, Outcome, Registry, TaskContext, verifier};
use juggernaut_store::{
    ApprovalRequest, ChildTask, ExternalWait, Failure, LeaseRef, Queue, StoreError,
};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio_util::sync::CancellationToken;

/// What every attempt of a dispatcher shares.
pub struct Env<'a> {
    /// The slots and the places for unwritten results.
    pub lanes: &'a Arc<Lanes>,
    /// The held leases, where a finished attempt is marked.
    pub inflight: &'a InFlight,
    /// The handlers.
    pub registry: &'a Registry,
    /// What handlers are given.
    pub handles: &'a Handles,
    /// The queue, for marking a task `verifying`.
    pub queue: &'a Arc<dyn Queue>,
    /// This worker, the actor of what it writes.
    pub worker: &'a WorkerId,
    /// Events.
    pub events: &'a EventSink,
}

/// Starts `task` on its own tokio task.
pub fn spawn(
    task: Task,
    cancel: CancellationToken,
    permit: OwnedSemaphorePermit,
    tx: mpsc::Sender<Finished>,
    env: &Env<'_>,
) {
    let Some(lease) = LeaseRef::of(&task) else {
        tracing::error!(task = %task.id, "claimed task has no lease; skipped");
        return;
    };
    let handler = env.registry.get(task.kind.as_str()).cloned();
    let handles = env.handles.clone();
    let events = env.events.clone();
    let queue = env.queue.clone();
    let worker = env.worker.clone();
    let lanes = env.lanes.clone();
    let inflight = env.inflight.clone();
    tokio::spawn(async move {
        let mut ctx = TaskContext {
            task,
            lease,
            cancel,
            handles,
            envelope: Envelope::default(),
        };
        let started = Instant::now();
        let finish = match handler {
            None => Some(Finish::Fail(Failure {
                lease,
                error: format!("no handler serves task kind `{}`", ctx.task.kind),
                retryable: false,
                retry_after: None,
            })),
            Some(h) => match admit(h.as_ref(), &mut ctx).await {
                Err(refused) => Some(refused),
                Ok(()) => tokio::select! {
                    f = attempt(h, &ctx, queue.as_ref(), &worker) => f,
                    _ = ctx.cancel.cancelled() => None,
                },
            },
        };
        events.emit(EngineEvent::TaskRan {
            task: lease.task_id,
            kind: ctx.task.kind.to_string(),
            run_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
        match finish {
            Some(finish) => {
                // The next task runs while this result waits for its batch.
                mark_finished(&inflight, lease);
                let Some(held) = lanes.finish(permit).await else {
                    return;
                };
                let _ = tx
                    .send(Finished {
                        lease,
                        finish,
                        permit: held,
                    })
                    .await;
            }
            None => {
                drop(permit);
                lanes.slot_freed.notify_one();
                tracing::info!(task = %lease.task_id, "task stopped: lease lost or shutting down")
            }
        }
    });
}

/// The gate, before any handler code runs: the run's envelope when the policy lets it run, else
/// what to record instead (parked for approval, or failed for good when forbidden).
async fn admit(h: &dyn Handler, ctx: &mut TaskContext) -> Result<(), Finish> {
    let lease = ctx.lease;
    let tools = ctx.handles.tools.registry();
    let admission = ctx.handles.gate.admit(h, &ctx.task.input, tools);
    let events = if admission.needs_history() {
        match ctx.handles.reads.task_events(ctx.task.id).await {
            Ok(events) => Some(events),
            Err(e) => {
                let error = format!("could not read the task's approvals: {e}");
                return Err(Finish::Fail(retryable(lease, error)));
            }
        }
    } else {
        None
    };
    match admission.verdict(events.as_deref()) {
        Verdict::Run(envelope) => {
            ctx.envelope = envelope;
            Ok(())
        }
        Verdict::Ask { reason, assessment } => Err(ask(lease, reason, assessment)),
        Verdict::Forbid(error) => Err(Finish::Fail(Failure {
            lease,
            error,
            retryable: false,
            retry_after: None,
        })),
    }
}

/// Parks the task for approval of `assessment`.
fn ask(lease: LeaseRef, reason: String, assessment: RiskAssessment) -> Finish {
    Finish::Approval(ApprovalRequest {
        lease,
        reason: clipped(&reason, MAX_REASON_BYTES),
        risk: assessment.level,
        assessment: Some(assessment),
    })
}

/// Runs the handler and turns what it returned into what the store must record; `None` when the
/// lease turned out lost (the task is someone else's now).
async fn attempt(
    h: Arc<dyn Handler>,
    ctx: &TaskContext,
    queue: &dyn Queue,
    worker: &WorkerId,
) -> Option<Finish> {
    let lease = ctx.lease;
    let ran = AssertUnwindSafe(h.run(ctx)).catch_unwind().await;
    let outcome = match ran {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(HandlerError::NeedsApproval { reason, assessment })) => {
            return Some(ask(lease, reason, assessment));
        }
        Ok(Err(e)) => return Some(Finish::Fail(failure(lease, &e, ctx))),
        Err(_) => {
            let error = format!("handler `{}` panicked", h.kind());
            return Some(Finish::Fail(retryable(lease, error)));
        }
    };
    let check = |done, children| verified(h.as_ref(), ctx, queue, worker, done, children);
    Some(match outcome {
        Outcome::Done(done) => check(done, Vec::new()).await?,
        Outcome::Spawn { done, children } => check(done, children).await?,
        Outcome::AwaitExternal {
            what,
            check_after,
            progress,
        } => Finish::Await(ExternalWait {
            lease,
            what: ctx.handles.tools.redactor().text(&what),
            check_after,
            progress: ctx.handles.tools.redactor().json(&progress),
        }),
        Outcome::NeedsApproval { reason, risk } => {
            let tools = ctx.handles.tools.registry();
            let assessment = ctx.handles.gate.assess(h.as_ref(), &ctx.task.input, tools);
            let reason = ctx.handles.tools.redactor().text(&reason);
            Finish::Approval(ApprovalRequest {
                lease,
                reason: clipped(&reason, MAX_REASON_BYTES),
                risk: risk.max(assessment.level),
                assessment: Some(assessment),
            })
        }
    })
}

/// Checks a done outcome: marks the task `verifying` first when the check does I/O, then runs
/// the verifier. `None` when the lease is gone before the check began.
async fn verified(
    h: &dyn Handler,
    ctx: &TaskContext,
    queue: &dyn Queue,
    worker: &WorkerId,
    done: Done,
    children: Vec<ChildTask>,
) -> Option<Finish> {
    let lease = ctx.lease;
    if verifier::needs_verifying_state(h, &done) {
        match queue.begin_verify(lease, &worker.0).await {
            Ok(()) => {}
            Err(StoreError::StaleLease { .. } | StoreError::NotFound(_)) => {
                tracing::info!(task = %lease.task_id, "lease lost before verification");
                return None;
            }
            Err(e) => {
                let error = format!("could not mark the task verifying: {e}");
                return Some(Finish::Fail(retryable(lease, error)));
            }
        }
    }
    Some(match verifier::verify(h, ctx, done, children).await {
        Ok(c) => Finish::Complete(c),
        Err(error) => Finish::Fail(retryable(lease, error)),
    })
}

/// A failed attempt worth retrying.
fn retryable(lease: LeaseRef, error: String) -> Failure {
    Failure {
        lease,
        error,
        retryable: true,
        retry_after: None,
    }
}

/// The attempt's failure, its message with every known secret redacted (a handler may quote a
/// command's output or a server's answer).
fn failure(lease: LeaseRef, e: &HandlerError, ctx: &TaskContext) -> Failure {
    Failure {
        lease,
        error: ctx.handles.tools.redactor().text(&e.to_string()),
        retryable: e.is_retryable(),
        retry_after: e.retry_after(),
    }
}
