//! The [`Handler`] trait: how one task kind runs, and what evidence proves it ran.

use async_trait::async_trait;
use juggernaut_core::{Evidence, Task};
use juggernaut_store::{LeaseRef, Store};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What a handler is given.
#[derive(Clone)]
pub struct TaskContext {
    /// The claimed task.
    pub task: Task,
    /// The lease it runs under; evidence may name its token.
    pub lease: LeaseRef,
    /// Cancelled when the lease is lost or the process shuts down: stop soon.
    pub cancel: CancellationToken,
    /// The store the dispatcher runs on, for kinds whose work is on the queue itself
    /// (`maintenance`). Every other change of the task's own state goes through the outcome.
    pub store: Arc<dyn Store>,
}

impl std::fmt::Debug for TaskContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskContext")
            .field("task", &self.task)
            .field("lease", &self.lease)
            .field("cancel", &self.cancel)
            .field("store", &self.store.backend())
            .finish()
    }
}

/// What a handler produced: a result and the evidence that proves the work.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The result stored with the task.
    pub result: serde_json::Value,
    /// The evidence the verifier checks.
    pub evidence: Vec<Evidence>,
}

/// Why a handler failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandlerError {
    /// Worth another attempt (a timeout, a 503).
    #[error("{0}")]
    Retryable(String),
    /// Retrying cannot help (invalid input).
    #[error("{0}")]
    Permanent(String),
}

impl HandlerError {
    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Retryable(_) => true,
            Self::Permanent(_) => false,
        }
    }
}

/// One task kind's behaviour. Implementations live one per file under `handlers/` and are listed
/// in [`crate::registry::builtin`].
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// The canonical kind this handler serves.
    fn kind(&self) -> &'static str;

    /// Other names that route to this handler (explicit aliases).
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    /// One line for humans: what the kind does.
    fn description(&self) -> &'static str;

    /// Does the work.
    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError>;

    /// Checks that the evidence proves this kind's work for this attempt. The shape checks
    /// common to all kinds are done by [`crate::verifier`] first.
    fn verify(&self, ctx: &TaskContext, outcome: &Outcome) -> Result<(), String>;
}
