//! What a handler is given: the claimed task, its lease, a cancellation token, and narrow handles
//! to the capabilities a handler may use, never the whole store: housekeeping, goals, costs, and
//! the toolbox (every tool call goes through it and into the ledger) with the task workspaces.

use crate::HandlerError;
use crate::gate::{Beyond, Envelope, Gate};
use crate::input::{InputError, TaskInput};
use async_trait::async_trait;
use juggernaut_core::Task;
use juggernaut_store::{
    CostStore, Experiments, GoalStore, LeaseRef, Queue, Reports, RescueReport, Retention, Store,
    StoreResult, TaskReads,
};
use juggernaut_tools::{CalledTool, Permission, ToolContext, Toolbox, Workspace, Workspaces};
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
    /// Reads of tasks and their events (reports, a PR's earlier attempts).
    pub reads: Arc<dyn TaskReads>,
    /// Experiments (`experiment_step` records the counts it reads).
    pub experiments: Arc<dyn Experiments>,
    /// Stored executive reports (the `report` kind saves one and its verifier reads it back).
    pub reports: Arc<dyn Reports>,
    /// The tools, recording every call in the tool-call ledger.
    pub tools: Toolbox,
    /// Where task workspaces live.
    pub workspaces: Workspaces,
    /// The policy and what this worker's roles allow.
    pub gate: Gate,
    /// Learnings of earlier tasks (read only): the most relevant for prompts, repeated failures.
    pub learnings: Arc<dyn crate::lessons::LearningReads>,
}

impl Handles {
    /// The handles a store provides.
    /// No tools are registered until [`Handles::with_tools`]; workspaces default to
    /// [`DEFAULT_WORKSPACES`].
    pub fn over(store: Arc<dyn Store>) -> Self {
        let tools = Toolbox::new(Arc::default(), store.clone(), Default::default());
        Self {
            housekeeping: Arc::new(StoreHousekeeping(store.clone())),
            goals: store.clone(),
            costs: store.clone(),
            learnings: Arc::new(crate::lessons::StoreLearnings(store.clone())),
            experiments: store.clone(),
            reports: store.clone(),
            reads: store,
            tools,
            workspaces: Workspaces::new(DEFAULT_WORKSPACES),
            gate: Gate::default(),
        }
    }

    /// The same handles with these tools and workspaces.
    pub fn with_tools(mut self, tools: Toolbox, workspaces: Workspaces) -> Self {
        self.tools = tools;
        self.workspaces = workspaces;
        self
    }
}

/// Where task workspaces live unless configured.
pub const DEFAULT_WORKSPACES: &str = ".juggernaut/workspaces";

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
    /// What this run's tool calls may do without asking again (set by the gate).
    pub envelope: Envelope,
}

impl TaskContext {
    /// The task's input as the kind's type (checked at enqueue; checked again here, since a row
    /// may have been written by another binary).
    pub fn input<T: TaskInput>(&self) -> Result<T, InputError> {
        crate::input::parse(&self.task.input)
    }

    /// The task's workspace.
    pub fn workspace(&self) -> Workspace {
        self.handles.workspaces.for_task(self.task.id)
    }

    /// What a tool call of this attempt is given.
    pub fn tool_context(&self) -> ToolContext {
        ToolContext {
            task_id: Some(self.task.id),
            attempt: self.task.attempts,
            lease_token: Some(self.lease.token),
            workspace: self.workspace(),
            cancel: self.cancel.clone(),
        }
    }

    /// Calls a tool for this attempt through the toolbox (recorded in the ledger), within the
    /// run's envelope: the permissions are narrowed to what the worker's roles allow, and a tool
    /// its approval does not cover ends the attempt with [`HandlerError::NeedsApproval`] (the
    /// task parks) before anything runs. A call the ledger could not record ends the attempt
    /// (retryable).
    pub async fn call_tool(
        &self,
        name: &str,
        args: serde_json::Value,
        allowed: &[Permission],
    ) -> Result<CalledTool, HandlerError> {
        let allowed = self.envelope.permitted(allowed);
        if let Some(tool) = self.handles.tools.registry().get(name)
            && allowed.contains(&tool.permission())
        {
            match self
                .envelope
                .check(tool.as_ref(), self.handles.tools.registry())
            {
                Ok(()) => {}
                Err(Beyond::Ask { reason, assessment }) => {
                    return Err(HandlerError::NeedsApproval { reason, assessment });
                }
                Err(Beyond::Refused(why)) => return Err(HandlerError::Permanent(why)),
            }
        }
        self.handles
            .tools
            .call(&self.tool_context(), name, args, &allowed)
            .await
            .map_err(crate::outcome::tool_aborted)
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
