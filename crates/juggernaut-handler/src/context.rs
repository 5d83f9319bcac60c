//! What a handler is given: the claimed task, its lease, a cancellation token, and narrow handles
//! to the capabilities a handler may use, never the whole store. Tools and the LLM join as
//! handles of their own.

use crate::input::{InputError, TaskInput};
use async_trait::async_trait;
use juggernaut_core::Task;
use juggernaut_store::{
    CostStore, GoalStore, LeaseRef, Queue, RescueReport, Retention, Store, StoreResult,
};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Housekeeping of the queue itself, for the kinds whose work is on the queue (`maintenance`).
#[async_trait]
pub trait Housekeeping: Send + Sync {
    /// Takes back tasks whose lease expired.
    async fn rescue_expired(&self, actor: &str) -> StoreResult<RescueReport>;
    /// Deletes terminal tasks finished before the retention window.
    async fn prune_terminal(&self, older_than: Duration, actor: &str) -> StoreResult<u64>;
}

/// [`Housekeeping`] over a store that has the queue and retention capabilities.
pub struct StoreHousekeeping<S: ?Sized>(pub Arc<S>);

#[async_trait]
impl<S: Queue + Retention + ?Sized> Housekeeping for StoreHousekeeping<S> {
    async fn rescue_expired(&self, actor: &str) -> StoreResult<RescueReport> {
        self.0.rescue_expired(actor).await
    }

    async fn prune_terminal(&self, older_than: Duration, actor: &str) -> StoreResult<u64> {
        self.0.prune_terminal(older_than, actor).await
    }
}

/// The handles a handler may use.
#[derive(Clone)]
pub struct Handles {
    /// Queue housekeeping.
    pub housekeeping: Arc<dyn Housekeeping>,
    /// Goals, their plans and readings (the `plan` kind stores the plans it makes).
    pub goals: Arc<dyn GoalStore>,
    /// The cost ledger: reserve before a paid call, settle after it.
    pub costs: Arc<dyn CostStore>,
}

impl Handles {
    /// The handles a store provides.
    pub fn over(store: Arc<dyn Store>) -> Self {
        Self {
            housekeeping: Arc::new(StoreHousekeeping(store.clone())),
            goals: store.clone(),
            costs: store,
        }
    }
}

/// What a handler is given.
#[derive(Clone)]
pub struct TaskContext {
    /// The claimed task.
    pub task: Task,
    /// The lease it runs under; evidence may name its token.
    pub lease: LeaseRef,
    /// Cancelled when the lease is lost or the process shuts down: stop soon.
    pub cancel: CancellationToken,
    /// The capabilities a handler may use.
    pub handles: Handles,
}

impl TaskContext {
    /// The task's input as the kind's type (checked at enqueue; checked again here, since a row
    /// may have been written by another binary).
    pub fn input<T: TaskInput>(&self) -> Result<T, InputError> {
        crate::input::parse(&self.task.input)
    }
}

impl std::fmt::Debug for TaskContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskContext")
            .field("task", &self.task)
            .field("lease", &self.lease)
            .field("cancel", &self.cancel)
            .finish_non_exhaustive()
    }
}
