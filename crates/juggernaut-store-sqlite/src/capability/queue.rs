//! [`Queue`] for SQLite.

use crate::store::SqliteStore;
use crate::{
    approval, cancel, claim, complete, enqueue, external, fail, heartbeat, release, requeue,
    rescue, verify,
};
use async_trait::async_trait;
use juggernaut_core::{FailureOutcome, NewTask, Task, TaskId, WorkerId};
use juggernaut_store::{
    ApprovalRequest, ClaimRequest, Completion, Decision, Enqueued, ExternalWait, Failure, LeaseRef,
    Queue, RescueReport, StoreError, StoreResult,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[async_trait]
impl Queue for SqliteStore {
    async fn enqueue_batch(&self, tasks: Vec<NewTask>) -> StoreResult<Vec<Enqueued>> {
        enqueue::run(self, tasks).await
    }

    async fn claim(&self, request: &ClaimRequest) -> StoreResult<Vec<Task>> {
        claim::run(self, request).await
    }

    async fn begin_verify(&self, lease: LeaseRef, actor: &str) -> StoreResult<()> {
        verify::begin(self, lease, actor).await
    }

    async fn heartbeat(
        &self,
        worker: &WorkerId,
        leases: &[LeaseRef],
        extend_by: Duration,
    ) -> StoreResult<Vec<LeaseRef>> {
        heartbeat::run(self, worker, leases, extend_by).await
    }

    async fn complete_batch(
        &self,
        completions: Vec<Completion>,
    ) -> StoreResult<Vec<Result<(), StoreError>>> {
        complete::run(self, completions).await
    }

    async fn fail(&self, failure: Failure) -> StoreResult<FailureOutcome> {
        fail::run(self, failure).await
    }

    async fn await_external(&self, wait: ExternalWait) -> StoreResult<()> {
        external::park(self, wait).await
    }

    async fn recheck_external(&self, actor: &str) -> StoreResult<Vec<TaskId>> {
        external::recheck(self, actor).await
    }

    async fn request_approval(&self, request: ApprovalRequest) -> StoreResult<()> {
        approval::request(self, request).await
    }

    async fn decide_approval(&self, id: TaskId, decision: Decision) -> StoreResult<Task> {
        approval::decide(self, id, decision).await
    }

    async fn cancel(&self, id: TaskId, actor: &str, reason: &str) -> StoreResult<Task> {
        cancel::run(self, id, actor, reason).await
    }

    async fn requeue(&self, id: TaskId, actor: &str) -> StoreResult<Task> {
        requeue::run(self, id, actor).await
    }

    async fn rescue_expired(&self, actor: &str) -> StoreResult<RescueReport> {
        rescue::run(self, actor).await
    }

    async fn release(&self, leases: &[LeaseRef], actor: &str) -> StoreResult<Vec<TaskId>> {
        release::release(self, leases, actor).await
    }

    async fn time_out_overdue(&self, limit: Duration, actor: &str) -> StoreResult<Vec<TaskId>> {
        release::time_out_overdue(self, limit, actor).await
    }

    async fn work_signal(&self) -> StoreResult<Arc<Notify>> {
        Ok(self.signal.clone())
    }
}
