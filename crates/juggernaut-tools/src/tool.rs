//! The [`Tool`] trait and what a call is given and gives back.

use crate::workspace::Workspace;
use async_trait::async_trait;
use juggernaut_core::{Evidence, RiskLevel, TaskId};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

/// What a tool may touch, so that a worker role or a policy can allow or refuse it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Reads the task's workspace or a data source; changes nothing.
    Read,
    /// Writes inside the task's workspace.
    Write,
    /// Runs programs (sandboxed).
    Execute,
    /// Reads from the network (HTTP GET, search, fetch).
    Network,
    /// Acts outside: sends messages, pushes, opens or merges pull requests, calls MCP servers.
    External,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Self; 5] = [
        Self::Read,
        Self::Write,
        Self::Execute,
        Self::Network,
        Self::External,
    ];

    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Execute => "execute",
            Self::Network => "network",
            Self::External => "external",
        }
    }
}

/// What a tool call is given besides its arguments.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// The task it runs for (none for a call outside any task, e.g. `doctor`).
    pub task_id: Option<TaskId>,
    /// The task's attempt number.
    pub attempt: u32,
    /// The lease token of the attempt.
    pub lease_token: Option<i64>,
    /// The task's workspace: the only directory file tools may touch.
    pub workspace: Workspace,
    /// Cancelled when the task's lease is lost or the process stops.
    pub cancel: CancellationToken,
}

/// What a tool gives back when it succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// The result shown to the model and stored (truncated) in the ledger.
    pub content: serde_json::Value,
    /// Evidence besides the call itself (a file's hash, a message's id, a pull request).
    pub evidence: Vec<Evidence>,
    /// What the call cost, in US dollars (0 for free tools).
    pub cost_usd: f64,
}

impl ToolOutput {
    /// A result with no evidence of its own and no cost.
    pub fn new(content: serde_json::Value) -> Self {
        Self {
            content,
            evidence: Vec::new(),
            cost_usd: 0.0,
        }
    }

    /// Adds a piece of evidence.
    pub fn with_evidence(mut self, e: Evidence) -> Self {
        self.evidence.push(e);
        self
    }
}

/// Why a call failed. The type decides what happens next: a [`ToolError::Model`] error is shown
/// to the model, which may try differently; an [`ToolError::Abort`] error ends the attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// Bad arguments, a refused path, a command that exited non-zero, a 404: the caller can do
    /// better, so the model is shown it.
    #[error("{0}")]
    Model(String),
    /// The tool cannot work (misconfigured, budget exhausted, cancelled, a store fault): the
    /// task's attempt ends; `retryable` says whether another attempt may succeed.
    #[error("{message}")]
    Abort {
        /// What went wrong.
        message: String,
        /// Whether a later attempt may succeed.
        retryable: bool,
    },
}

impl ToolError {
    /// An error shown to the model.
    pub fn model(message: impl Into<String>) -> Self {
        Self::Model(message.into())
    }

    /// An error that ends the attempt for good.
    pub fn fatal(message: impl Into<String>) -> Self {
        Self::Abort {
            message: message.into(),
            retryable: false,
        }
    }

    /// An error that ends the attempt; a later one may succeed.
    pub fn transient(message: impl Into<String>) -> Self {
        Self::Abort {
            message: message.into(),
            retryable: true,
        }
    }
}

/// One tool. Implementations are real: a tool that cannot do its work says so with an error,
/// never a canned success.
#[async_trait]
pub trait Tool: Send + Sync + 'static {
    /// Its name as the model sees it (`[A-Za-z0-9_-]`, at most 64 characters; MCP tools carry
    /// their server's prefix).
    fn name(&self) -> &str;

    /// What it does, for the model and for humans.
    fn description(&self) -> &str;

    /// The JSON schema of its arguments (an object).
    fn parameters(&self) -> serde_json::Value;

    /// How much harm a call can do.
    fn risk(&self) -> RiskLevel;

    /// What it touches.
    fn permission(&self) -> Permission;

    /// Does the work.
    async fn call(
        &self,
        ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError>;
}
