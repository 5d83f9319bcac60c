//! Task statuses (SPEC §2) and their names as stored and printed.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a task is in its life. See [`crate::transition`] for the allowed moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Waiting on dependencies or on its `run_at` time (also a retry's backoff).
    Pending,
    /// Waiting for a human to approve it.
    WaitingApproval,
    /// Can be claimed now.
    Ready,
    /// Claimed by a worker that holds its lease.
    Running,
    /// Waiting on something outside, such as a pull request under review.
    AwaitingExternal,
    /// Its evidence is being checked.
    Verifying,
    /// Done, with evidence the verifier accepted. Terminal.
    Completed,
    /// Failed for good by the handler's own word (retrying cannot help). Terminal.
    Failed,
    /// Out of attempts: in the dead-letter queue, where a human may requeue it. Terminal.
    Dead,
    /// Cancelled by a person or a rejection. Terminal.
    Cancelled,
    /// A dependency died, failed or was cancelled. Terminal until that dependency is requeued.
    Blocked,
}

impl TaskStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [TaskStatus; 11] = [
        Self::Pending,
        Self::WaitingApproval,
        Self::Ready,
        Self::Running,
        Self::AwaitingExternal,
        Self::Verifying,
        Self::Completed,
        Self::Failed,
        Self::Dead,
        Self::Cancelled,
        Self::Blocked,
    ];

    /// The names of all statuses, for error messages.
    pub const ALL_NAMES: &'static str = "pending, waiting_approval, ready, running, awaiting_external, verifying, completed, failed, dead, cancelled, blocked";

    /// The status's stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::WaitingApproval => "waiting_approval",
            Self::Ready => "ready",
            Self::Running => "running",
            Self::AwaitingExternal => "awaiting_external",
            Self::Verifying => "verifying",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Dead => "dead",
            Self::Cancelled => "cancelled",
            Self::Blocked => "blocked",
        }
    }

    /// Terminal statuses: nothing moves the task on its own. A dedupe key is free again.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Dead | Self::Cancelled | Self::Blocked
        )
    }

    /// Statuses whose failure blocks the task's dependents.
    pub fn blocks_dependents(self) -> bool {
        matches!(
            self,
            Self::Failed | Self::Dead | Self::Cancelled | Self::Blocked
        )
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskStatus {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| DomainError::UnknownStatus(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for st in TaskStatus::ALL {
            assert_eq!(st.as_str().parse::<TaskStatus>().unwrap(), st);
            assert!(TaskStatus::ALL_NAMES.contains(st.as_str()));
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
        }
    }

    #[test]
    fn unknown_name_is_refused() {
        let err = "finished".parse::<TaskStatus>().unwrap_err();
        assert!(err.to_string().contains("unknown task status `finished`"));
    }

    #[test]
    fn terminal_set() {
        let terminal: Vec<_> = TaskStatus::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(
            terminal,
            [
                TaskStatus::Completed,
                TaskStatus::Failed,
                TaskStatus::Dead,
                TaskStatus::Cancelled,
                TaskStatus::Blocked
            ]
        );
    }
}
