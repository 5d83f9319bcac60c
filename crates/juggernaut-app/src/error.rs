//! The application layer's error type: what was refused and why, and whether it was the caller's
//! input (a 4xx, exit 2) or the system (a 5xx, exit 1).

use juggernaut_core::{DomainError, TaskId, TaskStatus};
use juggernaut_handler::RegistryError;
use juggernaut_store::StoreError;

/// What an operation refused, or what failed under it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A kind without a handler, or an input its kind refuses.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A value the domain refuses.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Only dead tasks can be requeued from the dead-letter queue.
    #[error("task {id} is {status}, not dead: only dead tasks are in the dead-letter queue{hint}", hint = not_dead_hint(*.id, *.status))]
    NotDead {
        /// The task.
        id: TaskId,
        /// What it is.
        status: TaskStatus,
    },
    /// Only a task waiting for approval can be approved or rejected.
    #[error("task {id} is {status}, not waiting_approval: there is nothing to decide")]
    NotWaitingApproval {
        /// The task.
        id: TaskId,
        /// What it is.
        status: TaskStatus,
    },
    /// No schedule has that name.
    #[error("no schedule named `{0}`")]
    NoSchedule(String),
    /// What the call names does not exist (a goal, an escalation): the message says which.
    #[error("{0}")]
    NotFound(String),
    /// What the call names is in a state that does not allow it (a goal that cannot make that
    /// move, an escalation acknowledged before): the message says which and why.
    #[error("{0}")]
    Conflict(String),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn not_dead_hint(id: TaskId, status: TaskStatus) -> String {
    match status {
        TaskStatus::Failed | TaskStatus::Cancelled => {
            format!("; `juggernaut task retry {id}` requeues a {status} task")
        }
        _ => String::new(),
    }
}

impl AppError {
    /// Whether the caller's input was at fault (exit 2, a 4xx).
    pub fn is_bad_input(&self) -> bool {
        match self {
            Self::Registry(_)
            | Self::Domain(_)
            | Self::NotDead { .. }
            | Self::NotWaitingApproval { .. }
            | Self::NoSchedule(_)
            | Self::NotFound(_)
            | Self::Conflict(_) => true,
            Self::Store(e) => e.is_bad_input(),
        }
    }

    /// Whether repeating the call may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Registry(_)
            | Self::Domain(_)
            | Self::NotDead { .. }
            | Self::NotWaitingApproval { .. }
            | Self::NoSchedule(_)
            | Self::NotFound(_)
            | Self::Conflict(_) => false,
            Self::Store(e) => e.is_retryable(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_names_a_command_only_when_it_would_work() {
        let e = |status| {
            AppError::NotDead {
                id: TaskId(4),
                status,
            }
            .to_string()
        };
        assert!(e(TaskStatus::Failed).contains("task retry 4"));
        assert!(e(TaskStatus::Cancelled).contains("task retry 4"));
        let done = e(TaskStatus::Completed);
        assert!(done.contains("is completed, not dead"), "{done}");
        assert!(!done.contains("task retry"), "{done}");
        assert!(AppError::NoSchedule("x".into()).is_bad_input());
    }
}
