//! What a handler returns: an [`Outcome`] when it got somewhere, a [`HandlerError`] when the
//! attempt failed.

use juggernaut_core::{Evidence, RiskLevel};
use juggernaut_store::ChildTask;
use std::time::Duration;

/// The work's result and what proves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    /// The result stored with the task.
    pub result: serde_json::Value,
    /// The evidence the verifier checks (at least one piece).
    pub evidence: Vec<Evidence>,
}

/// Where an attempt got to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Finished; completed once the verifier accepts the evidence.
    Done(Done),
    /// Finished, and these tasks follow: enqueued in the same transaction as the completion
    /// (with dependencies among them), so a crash never leaves a parent done without them.
    Spawn {
        /// The parent's own result and evidence.
        done: Done,
        /// The children.
        children: Vec<ChildTask>,
    },
    /// Waiting for something outside (a pull request under review): the task parks as
    /// `awaiting_external` and runs again at the check time to look.
    AwaitExternal {
        /// What it waits for, for humans.
        what: String,
        /// When to look again.
        check_after: Duration,
        /// What it has done so far (the task's result until it runs again).
        progress: serde_json::Value,
    },
    /// A person must approve before it goes on: the task parks as `waiting_approval`.
    NeedsApproval {
        /// Why.
        reason: String,
        /// How risky.
        risk: RiskLevel,
    },
}

impl Outcome {
    /// A plain completion.
    pub fn done(result: serde_json::Value, evidence: Vec<Evidence>) -> Self {
        Self::Done(Done { result, evidence })
    }
}

/// Why a handler's attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandlerError {
    /// Worth another attempt (a timeout, a 503), after `retry_after` if the handler knows when
    /// (a `Retry-After`), else after the backoff.
    #[error("{message}")]
    Retryable {
        /// What went wrong.
        message: String,
        /// When to try again, if known.
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help (invalid input).
    #[error("{0}")]
    Permanent(String),
    /// A tool call went beyond what the task's approval covers: the task parks for a new
    /// approval instead of making it.
    #[error("needs approval: {reason}")]
    NeedsApproval {
        /// Why, with the new score explained.
        reason: String,
        /// The task's score with the call's tool added.
        assessment: juggernaut_core::RiskAssessment,
    },
}

impl HandlerError {
    /// A retryable error with no known retry time.
    pub fn retry(message: impl Into<String>) -> Self {
        Self::Retryable {
            message: message.into(),
            retry_after: None,
        }
    }

    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Retryable { .. } => true,
            Self::Permanent(_) | Self::NeedsApproval { .. } => false,
        }
    }

    /// When to try again, if the handler said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Retryable { retry_after, .. } => *retry_after,
            Self::Permanent(_) | Self::NeedsApproval { .. } => None,
        }
    }
}

/// The attempt's error for a tool error that ends it (a model-facing error ends it too when no
/// model is there to see it: deterministic handlers call this for both).
pub fn tool_aborted(e: juggernaut_tools::ToolError) -> HandlerError {
    match e {
        juggernaut_tools::ToolError::Abort {
            message,
            retryable: true,
        } => HandlerError::retry(message),
        juggernaut_tools::ToolError::Abort { message, .. }
        | juggernaut_tools::ToolError::Model(message) => HandlerError::Permanent(message),
    }
}
