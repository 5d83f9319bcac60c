//! The domain's error type: invalid values and refused state transitions.

use crate::status::TaskStatus;
use crate::transition::Action;

/// What the domain refuses. Every variant names the value that was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A task kind that is not a valid name.
    #[error(
        "invalid task kind `{0}`: use 1-64 lowercase letters, digits, `_` or `.`, starting with a letter"
    )]
    InvalidKind(String),
    /// A status string that names no status.
    #[error("unknown task status `{0}` (known: {known})", known = TaskStatus::ALL_NAMES)]
    UnknownStatus(String),
    /// An origin string that names no origin.
    #[error(
        "unknown task origin `{0}` (known: planner, playbook, schedule, proactive, error_scan, experiment, human)"
    )]
    UnknownOrigin(String),
    /// A transition the state machine does not allow.
    #[error("task in status `{from}` cannot {action}")]
    Transition {
        /// The status the task was in.
        from: TaskStatus,
        /// What was attempted.
        action: Action,
    },
    /// A field with a value out of range.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// The field's name.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
}
