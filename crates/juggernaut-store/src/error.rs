//! The store's error type. Every variant says whether retrying the same call can help.

use crate::capability::costs::BudgetScope;
use juggernaut_core::{DomainError, TaskId, TaskStatus};

/// Errors from any [`crate::Store`] backend.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Bad input or a transition the state machine refuses.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// No task with this id.
    #[error("task {0} not found")]
    NotFound(TaskId),
    /// A dependency names a task that does not exist.
    #[error("dependency {0} names no task")]
    UnknownDependency(TaskId),
    /// Fencing: the caller's lease token is not the task's current one, or the task is no longer
    /// running (its lease expired and it was rescued, re-claimed or cancelled). Nothing changed.
    #[error(
        "task {task_id}: lease token {token} is stale (task is {status}, current token {current})"
    )]
    StaleLease {
        /// The task.
        task_id: TaskId,
        /// The token the caller presented.
        token: i64,
        /// The task's status now.
        status: TaskStatus,
        /// The task's current token.
        current: i64,
    },
    /// A completion without evidence: the verifier must accept evidence before completing.
    #[error("task {0}: a completion needs at least one piece of evidence")]
    NoEvidence(TaskId),
    /// The database was migrated by a newer binary.
    #[error(
        "database schema is at version {database}, newer than this binary's {binary}: upgrade juggernaut"
    )]
    SchemaTooNew {
        /// The database's version.
        database: i64,
        /// The newest version this binary knows.
        binary: i64,
    },
    /// The database was migrated by an older binary and this call does not migrate (read-only
    /// commands never change the schema).
    #[error(
        "database schema is at version {database}, older than this binary's {binary}: run `juggernaut migrate`"
    )]
    SchemaTooOld {
        /// The database's version.
        database: i64,
        /// The newest version this binary knows.
        binary: i64,
    },
    /// There is no Juggernaut database where the URL points (no file, no such PostgreSQL
    /// database, or a database that was never migrated), and this call does not create one.
    #[error("no Juggernaut database at {url}: {reason}")]
    Missing {
        /// The URL with any password removed.
        url: String,
        /// What is missing and how to make it.
        reason: String,
    },
    /// The database URL cannot be used.
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL with any password removed.
        url: String,
        /// Why.
        reason: String,
    },
    /// The database cannot be reached.
    #[error("cannot connect to {url}: {message}")]
    Connect {
        /// The URL with any password removed.
        url: String,
        /// The driver's message.
        message: String,
    },
    /// The database failed a statement.
    #[error("database error in {operation}: {message}")]
    Database {
        /// The store operation.
        operation: &'static str,
        /// The driver's message.
        message: String,
        /// Whether it was a transient fault (connection lost, serialization failure, busy).
        transient: bool,
    },
    /// A reservation would overrun a budget: nothing was reserved. Not retried (the budget does
    /// not grow by waiting within a call) and not bad input (the request was well formed).
    #[error(
        "{scope} budget exhausted: ${spent_usd:.4} of ${limit_usd:.4} spent or reserved, ${asked_usd:.4} asked"
    )]
    BudgetExceeded {
        /// The budget with no room.
        scope: BudgetScope,
        /// Its limit.
        limit_usd: f64,
        /// What was already spent or reserved against it.
        spent_usd: f64,
        /// What the refused reservation asked for.
        asked_usd: f64,
    },
    /// Stored data this binary cannot read (an unknown status written by another version).
    #[error("corrupt row in {table}: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What was wrong.
        reason: String,
    },
}

impl StoreError {
    /// Whether repeating the same call may succeed. Exhaustive on purpose: a new variant must
    /// decide.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect { .. } => true,
            Self::Database { transient, .. } => *transient,
            Self::Domain(_)
            | Self::NotFound(_)
            | Self::UnknownDependency(_)
            | Self::StaleLease { .. }
            | Self::NoEvidence(_)
            | Self::SchemaTooNew { .. }
            | Self::SchemaTooOld { .. }
            | Self::Missing { .. }
            | Self::InvalidUrl { .. }
            | Self::BudgetExceeded { .. }
            | Self::Corrupt { .. } => false,
        }
    }

    /// Whether the error comes from the caller's input rather than from the work failing (exit
    /// code 2): what was asked for, or where, is wrong. A database migrated by a newer binary,
    /// or one that is missing, is the operator's input too.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Self::Domain(_)
            | Self::NotFound(_)
            | Self::UnknownDependency(_)
            | Self::NoEvidence(_)
            | Self::SchemaTooNew { .. }
            | Self::SchemaTooOld { .. }
            | Self::Missing { .. }
            | Self::InvalidUrl { .. } => true,
            Self::StaleLease { .. }
            | Self::BudgetExceeded { .. }
            | Self::Connect { .. }
            | Self::Database { .. }
            | Self::Corrupt { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_faults_retry() {
        assert!(
            StoreError::Connect {
                url: "u".into(),
                message: "m".into()
            }
            .is_retryable()
        );
        assert!(!StoreError::NotFound(TaskId(1)).is_retryable());
        let stale = StoreError::StaleLease {
            task_id: TaskId(7),
            token: 1,
            status: TaskStatus::Running,
            current: 2,
        };
        assert!(!stale.is_retryable());
        assert_eq!(
            stale.to_string(),
            "task 7: lease token 1 is stale (task is running, current token 2)"
        );
    }
}
