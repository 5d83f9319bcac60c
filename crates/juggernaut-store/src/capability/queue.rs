//! The task queue: every change of a task's state. Each mutating call is one transaction that
//! also appends its audit events, so a crash leaves either all of it or none; calls that act on
//! a held task (`running`, or `verifying` while its evidence is re-checked) present its lease and
//! are refused when the lease is stale (fencing).

use super::StoreResult;
use crate::api::{
    ApprovalRequest, ClaimRequest, Completion, Decision, Enqueued, ExternalWait, Failure, LeaseRef,
    RescueReport,
};
use crate::error::StoreError;
use async_trait::async_trait;
use juggernaut_core::{FailureOutcome, NewTask, Task, TaskId, WorkerId};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The task queue.
#[async_trait]
pub trait Queue: Send + Sync {
    /// Enqueues one task. With a dedupe key that a live task already holds, returns that task.
    async fn enqueue(&self, task: NewTask) -> StoreResult<Enqueued> {
        let mut out = self.enqueue_batch(vec![task]).await?;
        out.pop().ok_or(StoreError::Corrupt {
            table: "tasks",
            reason: "enqueue returned no task".into(),
        })
    }

    /// Enqueues many tasks in one transaction; results are in input order. Duplicate dedupe keys
    /// (within the batch or against live tasks) yield one task per key.
    async fn enqueue_batch(&self, tasks: Vec<NewTask>) -> StoreResult<Vec<Enqueued>>;

    /// Claims up to `limit` ready tasks of the given kinds, highest priority then oldest `run_at`
    /// first, each under a new lease with a new fencing token. Promotes due pending tasks first.
    async fn claim(&self, request: &ClaimRequest) -> StoreResult<Vec<Task>>;

    /// Marks a running task `verifying` while its evidence is re-checked (`task.verifying`). The
    /// lease still holds: heartbeats extend it, an expired one is rescued, and the task leaves by
    /// any way a running task does (complete, fail, release, ...). Refused with
    /// [`StoreError::StaleLease`] unless the task is `running` under this lease.
    async fn begin_verify(&self, lease: LeaseRef, actor: &str) -> StoreResult<()>;

    /// Extends the leases that are still current; returns those extended. A lease missing from the
    /// answer is lost: the worker must stop that task's work.
    async fn heartbeat(
        &self,
        worker: &WorkerId,
        leases: &[LeaseRef],
        extend_by: Duration,
    ) -> StoreResult<Vec<LeaseRef>>;

    /// Completes tasks in one transaction, enqueueing each one's child tasks in it too; one
    /// result per input, in order. A stale lease, missing evidence or a bad child refuses that
    /// item and changes nothing for it.
    async fn complete_batch(
        &self,
        completions: Vec<Completion>,
    ) -> StoreResult<Vec<Result<(), StoreError>>>;

    /// Completes one task; see [`Queue::complete_batch`].
    async fn complete(&self, completion: Completion) -> StoreResult<()> {
        let mut out = self.complete_batch(vec![completion]).await?;
        out.pop().unwrap_or(Err(StoreError::Corrupt {
            table: "tasks",
            reason: "complete returned no result".into(),
        }))
    }

    /// Records a failed attempt: retry after a backoff (or the handler's retry-after), `dead`
    /// when out of attempts, or `failed` when not retryable. Refused with
    /// [`StoreError::StaleLease`] for a stale lease.
    async fn fail(&self, failure: Failure) -> StoreResult<FailureOutcome>;

    /// Parks a running task until something outside happens (`awaiting_external`): its lease
    /// ends, and [`Queue::recheck_external`] makes it ready again at the check time.
    async fn await_external(&self, wait: ExternalWait) -> StoreResult<()>;

    /// Makes `awaiting_external` tasks whose check time has come ready again, so that their
    /// handlers run to look (the look does not count as an attempt). Returns them.
    async fn recheck_external(&self, actor: &str) -> StoreResult<Vec<TaskId>>;

    /// Parks a running task until a person approves (`waiting_approval`); its lease ends.
    async fn request_approval(&self, request: ApprovalRequest) -> StoreResult<()>;

    /// A person's decision on a `waiting_approval` task: approved goes back to `pending` (and
    /// runs), rejected is `cancelled` (and blocks its dependents).
    async fn decide_approval(&self, id: TaskId, decision: Decision) -> StoreResult<Task>;

    /// Cancels a live task; its dependents become `blocked`.
    async fn cancel(&self, id: TaskId, actor: &str, reason: &str) -> StoreResult<Task>;

    /// Sends a `dead`, `failed` or `cancelled` task back to `pending` with fresh attempts, and
    /// unblocks dependents that it blocked.
    async fn requeue(&self, id: TaskId, actor: &str) -> StoreResult<Task>;

    /// Takes back tasks whose lease expired: `ready` again (the attempt counts) or `dead` when
    /// out of attempts. Idempotent; safe to run from several processes at once.
    async fn rescue_expired(&self, actor: &str) -> StoreResult<RescueReport>;

    /// Hands running tasks back unfinished (graceful shutdown): `ready` at once, and the attempt
    /// does not count. Returns the tasks released; stale leases are skipped.
    async fn release(&self, leases: &[LeaseRef], actor: &str) -> StoreResult<Vec<TaskId>>;

    /// Fails the current attempt of tasks running longer than `limit` (retry or dead-letter).
    async fn time_out_overdue(&self, limit: Duration, actor: &str) -> StoreResult<Vec<TaskId>>;

    /// A signal notified when work may have arrived (an enqueue, a hand-back, a fire; here or in
    /// another process on PostgreSQL). A hint only: waiters must still poll.
    async fn work_signal(&self) -> StoreResult<Arc<Notify>>;
}
