//! Approvals: the tasks waiting for a person's decision, and the decision itself (approve sends
//! the task back to run, reject cancels it). Only a task in `waiting_approval` can be decided; a
//! rejection must say why.

use crate::{App, AppError};
use juggernaut_core::{DomainError, Task, TaskId, TaskStatus};
use juggernaut_store::{Decision, Page, PageRequest, StoreError, TaskFilter};

/// The longest reason kept for a decision, in bytes.
pub const MAX_REASON_BYTES: usize = 2000;

impl App {
    /// One page of the tasks waiting for approval, newest first.
    pub async fn approvals(&self, page: PageRequest) -> Result<Page<Task>, AppError> {
        let waiting = TaskFilter {
            statuses: vec![TaskStatus::WaitingApproval],
            ..Default::default()
        };
        self.list_tasks(&waiting, page).await
    }

    /// Approves a task waiting for approval: it goes back to the queue. The reason may be empty.
    pub async fn approve(&self, id: TaskId, actor: &str, reason: &str) -> Result<Task, AppError> {
        self.decide(id, true, actor, reason).await
    }

    /// Rejects a task waiting for approval: it is cancelled (and its dependents blocked). The
    /// reason is required.
    pub async fn reject(&self, id: TaskId, actor: &str, reason: &str) -> Result<Task, AppError> {
        if reason.trim().is_empty() {
            return Err(DomainError::InvalidField {
                field: "reason",
                reason: "a rejection must say why".into(),
            }
            .into());
        }
        self.decide(id, false, actor, reason).await
    }

    async fn decide(
        &self,
        id: TaskId,
        approve: bool,
        actor: &str,
        reason: &str,
    ) -> Result<Task, AppError> {
        if reason.len() > MAX_REASON_BYTES {
            return Err(DomainError::InvalidField {
                field: "reason",
                reason: format!("must be at most {MAX_REASON_BYTES} bytes"),
            }
            .into());
        }
        if actor.trim().is_empty() {
            return Err(DomainError::InvalidField {
                field: "actor",
                reason: "must name who decided".into(),
            }
            .into());
        }
        let task = self.store.get(id).await?.ok_or(StoreError::NotFound(id))?;
        if task.status != TaskStatus::WaitingApproval {
            return Err(AppError::NotWaitingApproval {
                id,
                status: task.status,
            });
        }
        let decision = Decision {
            approve,
            actor: actor.to_owned(),
            reason: reason.to_owned(),
            seen_at: None,
        };
        Ok(self.store.decide_approval(id, decision).await?)
    }
}
