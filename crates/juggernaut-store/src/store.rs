//! The [`Store`] trait: every durable operation on tasks. Each mutating call is one transaction
//! that also appends its audit events, so a crash leaves either all of it or none.

use crate::api::{
    ClaimRequest, Completion, Enqueued, Failure, LeaseRef, MigrationReport, Page, PageRequest,
    RescueReport, TaskFilter,
};
use crate::coordination::Coordination;
use crate::error::StoreError;
use crate::url::Backend;
use async_trait::async_trait;
use juggernaut_core::{
    AuditEvent, EventKind, FailureOutcome, NewTask, Task, TaskId, TaskStatus, WorkerId,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Result alias for store calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// A durable task store. Implemented by the SQLite and PostgreSQL backends; both pass
/// [`crate::conformance`].
#[async_trait]
pub trait Store: Coordination + Send + Sync + 'static {
    /// Which backend this is.
    fn backend(&self) -> Backend;

    /// Applies pending schema migrations. Refuses a database migrated by a newer binary.
    async fn migrate(&self) -> StoreResult<MigrationReport>;

    /// Checks, without changing anything, that the database is at exactly this binary's schema
    /// version (for calls that must not migrate); the error says what to do.
    async fn check_current_schema(&self) -> StoreResult<()>;

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

    /// Extends the leases that are still current; returns those extended. A lease missing from the
    /// answer is lost: the worker must stop that task's work.
    async fn heartbeat(
        &self,
        worker: &WorkerId,
        leases: &[LeaseRef],
        extend_by: Duration,
    ) -> StoreResult<Vec<LeaseRef>>;

    /// Completes tasks in one transaction; one result per input, in order. A stale lease or
    /// missing evidence refuses that item and changes nothing for it.
    async fn complete_batch(
        &self,
        completions: Vec<Completion>,
    ) -> StoreResult<Vec<Result<(), StoreError>>>;

    /// Completes one task; see [`Store::complete_batch`].
    async fn complete(&self, completion: Completion) -> StoreResult<()> {
        let mut out = self.complete_batch(vec![completion]).await?;
        out.pop().unwrap_or(Err(StoreError::Corrupt {
            table: "tasks",
            reason: "complete returned no result".into(),
        }))
    }

    /// Records a failed attempt: retry after a backoff, `dead` when out of attempts, or `failed`
    /// when not retryable. Refused with [`StoreError::StaleLease`] for a stale lease.
    async fn fail(&self, failure: Failure) -> StoreResult<FailureOutcome>;

    /// Cancels a live task; its dependents become `blocked`.
    async fn cancel(&self, id: TaskId, actor: &str, reason: &str) -> StoreResult<Task>;

    /// Sends a `dead`, `failed` or `cancelled` task back to `pending` with fresh attempts, and
    /// unblocks dependents that it blocked.
    async fn requeue(&self, id: TaskId, actor: &str) -> StoreResult<Task>;

    /// Takes back tasks whose lease expired: `ready` again (the attempt counts) or `dead` when
    /// out of attempts. Idempotent; safe to run from several processes at once.
    async fn rescue_expired(&self, actor: &str) -> StoreResult<RescueReport>;

    /// One task.
    async fn get(&self, id: TaskId) -> StoreResult<Option<Task>>;

    /// The tasks `id` depends on.
    async fn dependencies(&self, id: TaskId) -> StoreResult<Vec<TaskId>>;

    /// The audit events of one task, oldest first.
    async fn task_events(&self, id: TaskId) -> StoreResult<Vec<AuditEvent>>;

    /// Tasks matching `filter`, newest first, one page.
    async fn list(&self, filter: &TaskFilter, page: PageRequest) -> StoreResult<Page<Task>>;

    /// How many tasks match `filter`.
    async fn count(&self, filter: &TaskFilter) -> StoreResult<u64>;

    /// Task counts per status (statuses with none are left out).
    async fn count_by_status(&self) -> StoreResult<Vec<(TaskStatus, u64)>>;

    /// How many audit events of `kind` exist (for example accepted completions).
    async fn count_events(&self, kind: EventKind) -> StoreResult<u64>;

    /// A signal notified when work may have arrived (an enqueue, here or in another process on
    /// PostgreSQL). A hint only: waiters must still poll.
    async fn work_signal(&self) -> StoreResult<Arc<Notify>>;

    /// Closes connections.
    async fn close(&self);
}
