//! Request and response types of the [`crate::Store`] operations.

use juggernaut_core::{Evidence, GoalId, NewTask, Task, TaskId, TaskKind, TaskStatus, WorkerId};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The result of enqueueing one task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enqueued {
    /// The task: the new one, or the live task that already had the same dedupe key.
    pub task: Task,
    /// False when the dedupe key matched an existing live task.
    pub created: bool,
}

/// Ask for up to `limit` ready tasks of the given kinds.
#[derive(Debug, Clone)]
pub struct ClaimRequest {
    /// The claiming worker.
    pub worker: WorkerId,
    /// Kinds it serves; others are left alone.
    pub kinds: Vec<TaskKind>,
    /// Most tasks to take.
    pub limit: u32,
    /// How long the lease lasts unless extended.
    pub lease: Duration,
}

/// A lease as a worker holds it: the task and the fencing token it was claimed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LeaseRef {
    /// The task.
    pub task_id: TaskId,
    /// The fencing token.
    pub token: i64,
}

impl LeaseRef {
    /// The lease a claimed task is held under; `None` if it has none.
    pub fn of(task: &Task) -> Option<Self> {
        task.lease.as_ref().map(|l| Self {
            task_id: task.id,
            token: l.token,
        })
    }
}

/// A finished, verified attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The lease it ran under.
    pub lease: LeaseRef,
    /// The handler's result.
    pub result: serde_json::Value,
    /// Evidence the verifier accepted (at least one).
    pub evidence: Vec<Evidence>,
    /// Tasks the handler spawned, enqueued in the completion's transaction (their parent is the
    /// completed task; a child without a goal takes the parent's).
    pub children: Vec<ChildTask>,
}

/// A task spawned by a completing handler.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildTask {
    /// The task.
    pub task: NewTask,
    /// Positions of earlier children of the same completion that this one depends on (besides
    /// the existing tasks in `task.depends_on`).
    pub after: Vec<usize>,
}

/// Most children one completion may spawn.
pub const MAX_CHILDREN: usize = 1000;

/// A running task parking until something outside happens.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalWait {
    /// The lease it runs under.
    pub lease: LeaseRef,
    /// What it waits for, for humans (`pull request #12 merged`).
    pub what: String,
    /// When to look again.
    pub check_after: Duration,
    /// What the handler has done so far (stored as the task's result, read when it runs again).
    pub progress: serde_json::Value,
}

/// A running task asking a person for approval.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRequest {
    /// The lease it runs under.
    pub lease: LeaseRef,
    /// Why it needs approval.
    pub reason: String,
    /// How risky it is.
    pub risk: juggernaut_core::RiskLevel,
    /// The score and its factors (kept on the task and in the event; an approval covers it).
    pub assessment: Option<juggernaut_core::RiskAssessment>,
}

/// A person's decision on a task waiting for approval.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Approve (run it) or reject (cancel it).
    pub approve: bool,
    /// Who decided.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// The waiting task's `updated_at` as the decider saw it: when given, a task parked again
    /// since (a new request) is refused, so that a decision never answers a request its decider
    /// did not see.
    pub seen_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Decision {
    /// Refuses the decision when the task was parked again after `seen_at`.
    pub fn check_seen(&self, task: &juggernaut_core::Task) -> Result<(), crate::StoreError> {
        match self.seen_at {
            Some(seen) if seen != task.updated_at => Err(crate::StoreError::Domain(
                juggernaut_core::DomainError::InvalidField {
                    field: "seen_at",
                    reason: format!(
                        "task {} asked again after the request this decision answers; look again",
                        task.id
                    ),
                },
            )),
            _ => Ok(()),
        }
    }
}

impl Completion {
    /// Checks what a store can check itself: at least one piece of evidence, each well-formed,
    /// and a result it can keep (no NUL in any string).
    pub fn check(&self) -> Result<(), crate::StoreError> {
        if self.evidence.is_empty() {
            return Err(crate::StoreError::NoEvidence(self.lease.task_id));
        }
        for e in &self.evidence {
            e.validate()?;
        }
        juggernaut_core::text::check_json("result", &self.result)?;
        if self.children.len() > MAX_CHILDREN {
            return Err(bad_children(format!(
                "{} children is over the limit of {MAX_CHILDREN}",
                self.children.len()
            )));
        }
        for (i, child) in self.children.iter().enumerate() {
            child.task.validate()?;
            if let Some(later) = child.after.iter().find(|&&a| a >= i) {
                return Err(bad_children(format!(
                    "child {i} depends on child {later}, which does not come before it"
                )));
            }
        }
        Ok(())
    }
}

fn bad_children(reason: String) -> crate::StoreError {
    crate::StoreError::Domain(juggernaut_core::DomainError::InvalidField {
        field: "children",
        reason,
    })
}

impl ExternalWait {
    /// Checks what the store cannot check itself.
    pub fn check(&self) -> Result<(), crate::StoreError> {
        let waiting = juggernaut_core::Waiting::External {
            what: self.what.clone(),
            check_at: chrono::DateTime::UNIX_EPOCH,
        };
        waiting.validate()?;
        juggernaut_core::text::check_json("progress", &self.progress)?;
        Ok(())
    }
}

impl ApprovalRequest {
    /// Checks what the store cannot check itself.
    pub fn check(&self) -> Result<(), crate::StoreError> {
        let waiting = juggernaut_core::Waiting::Approval {
            reason: self.reason.clone(),
            risk: self.risk,
            assessment: None,
        };
        waiting.validate()?;
        Ok(())
    }
}

/// A failed attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The lease it ran under.
    pub lease: LeaseRef,
    /// What went wrong.
    pub error: String,
    /// False when retrying cannot help (the task becomes `failed`).
    pub retryable: bool,
    /// The earliest time to try again, when the handler knows it (a `Retry-After`); otherwise
    /// the backoff decides.
    pub retry_after: Option<Duration>,
}

/// Tasks whose expired leases were taken back.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RescueReport {
    /// Back to `ready`.
    pub rescued: Vec<TaskId>,
    /// Out of attempts: `dead`.
    pub dead: Vec<TaskId>,
}

/// Which tasks to list or count. Empty vectors match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    /// Any of these statuses.
    pub statuses: Vec<TaskStatus>,
    /// Any of these kinds.
    pub kinds: Vec<TaskKind>,
    /// This goal.
    pub goal_id: Option<GoalId>,
}

/// A page request: newest first, ids below `before`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageRequest {
    /// Cursor from the previous page's `next_cursor`.
    pub before: Option<TaskId>,
    /// Page size (clamped to 1-1000).
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            before: None,
            limit: 50,
        }
    }
}

impl PageRequest {
    /// The limit clamped to 1-1000.
    pub fn clamped_limit(&self) -> u32 {
        self.limit.clamp(1, 1000)
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// Pass as `before` for the next page; `None` on the last page.
    pub next_cursor: Option<TaskId>,
}

impl Page<Task> {
    /// Builds a page from up to `limit + 1` rows fetched newest first.
    pub fn from_rows(mut rows: Vec<Task>, limit: u32) -> Self {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|t| t.id)
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }
}

/// Refuses a database whose schema is newer than the binary's newest migration.
pub fn check_schema(database: i64, binary: i64) -> Result<(), crate::StoreError> {
    if database > binary {
        return Err(crate::StoreError::SchemaTooNew { database, binary });
    }
    Ok(())
}

/// For a call that must not migrate: refuses a database that is not at exactly the binary's
/// version (never migrated, older, or newer), saying what to do. `url` is printed redacted.
pub fn check_current(database: i64, binary: i64, url: &str) -> Result<(), crate::StoreError> {
    check_schema(database, binary)?;
    match database {
        0 => Err(crate::StoreError::Missing {
            url: crate::url::redact(url),
            reason: "the database has no Juggernaut schema yet: run `juggernaut migrate` (or \
                     `juggernaut up`) first"
                .into(),
        }),
        d if d < binary => Err(crate::StoreError::SchemaTooOld { database, binary }),
        _ => Ok(()),
    }
}

impl MigrationReport {
    /// The report of a migration from version `before` to `after`, given the binary's versions.
    pub fn between(versions: impl Iterator<Item = i64>, before: i64, after: i64) -> Self {
        Self {
            applied: versions.filter(|v| *v > before && *v <= after).collect(),
            version: after,
        }
    }
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MigrationReport {
    /// Versions applied by this call.
    pub applied: Vec<i64>,
    /// The schema version now.
    pub version: i64,
}

/// Settings every backend takes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StoreOptions {
    /// Retry backoff after a failed attempt.
    pub backoff: juggernaut_core::Backoff,
}

impl StoreOptions {
    /// Short, deterministic backoff (100 ms, no jitter) so tests can watch retries happen.
    pub fn for_tests() -> Self {
        Self {
            backoff: juggernaut_core::Backoff {
                base: Duration::from_millis(100),
                max: Duration::from_secs(1),
                jitter: 0.0,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_check_and_migration_report() {
        assert!(check_schema(2, 2).is_ok());
        assert!(matches!(
            check_schema(3, 2),
            Err(crate::StoreError::SchemaTooNew {
                database: 3,
                binary: 2
            })
        ));
        assert!(check_current(2, 2, "u").is_ok());
        assert!(matches!(
            check_current(0, 2, "u"),
            Err(crate::StoreError::Missing { .. })
        ));
        let old = check_current(1, 2, "u").unwrap_err();
        assert!(
            old.to_string().contains("run `juggernaut migrate`"),
            "{old}"
        );
        assert!(old.is_bad_input());
        assert!(check_current(3, 2, "u").unwrap_err().is_bad_input());
        let r = MigrationReport::between([1, 2, 3].into_iter(), 1, 3);
        assert_eq!((r.applied, r.version), (vec![2, 3], 3));
        assert!(
            MigrationReport::between([1, 2].into_iter(), 2, 2)
                .applied
                .is_empty()
        );
    }
}
