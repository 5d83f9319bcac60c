//! Tasks: enqueue (checked against the kind's handler and input), list, show, cancel, retry, and
//! the dead-letter queue.

use crate::{App, AppError};
use juggernaut_core::{AuditEvent, NewTask, Task, TaskId, TaskStatus};
use juggernaut_handler::Registry;
use juggernaut_store::{Enqueued, Page, PageRequest, StoreError, TaskFilter};
use serde::Serialize;

/// One task with its dependencies and audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    /// The task.
    pub task: Task,
    /// The tasks it depends on.
    pub depends_on: Vec<TaskId>,
    /// Its events, oldest first.
    pub events: Vec<AuditEvent>,
}

/// Checks a task as every enqueue does, without a store: a kind with a handler, an input that
/// kind accepts, and the fields the domain checks.
pub fn check_task(registry: &Registry, t: &NewTask) -> Result<(), AppError> {
    registry.check_task(t.kind.as_str(), &t.input)?;
    t.validate()?;
    Ok(())
}

impl App {
    /// Enqueues one checked task.
    pub async fn enqueue(&self, t: NewTask) -> Result<Enqueued, AppError> {
        check_task(&self.registry, &t)?;
        Ok(self.store.enqueue(t).await?)
    }

    /// Enqueues checked tasks in one transaction (all or none); results in input order.
    pub async fn enqueue_batch(&self, tasks: Vec<NewTask>) -> Result<Vec<Enqueued>, AppError> {
        for t in &tasks {
            check_task(&self.registry, t)?;
        }
        Ok(self.store.enqueue_batch(tasks).await?)
    }

    /// One page of tasks, newest first.
    pub async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: PageRequest,
    ) -> Result<Page<Task>, AppError> {
        Ok(self.store.list(filter, page).await?)
    }

    /// One task with its dependencies and events.
    pub async fn show_task(&self, id: TaskId) -> Result<TaskDetail, AppError> {
        let task = self.store.get(id).await?.ok_or(StoreError::NotFound(id))?;
        let depends_on = self.store.dependencies(id).await?;
        let events = self.store.task_events(id).await?;
        Ok(TaskDetail {
            task,
            depends_on,
            events,
        })
    }

    /// Cancels a live task.
    pub async fn cancel(&self, id: TaskId, actor: &str, reason: &str) -> Result<Task, AppError> {
        Ok(self.store.cancel(id, actor, reason).await?)
    }

    /// Sends a dead, failed or cancelled task back to the queue with fresh attempts.
    pub async fn retry(&self, id: TaskId, actor: &str) -> Result<Task, AppError> {
        Ok(self.store.requeue(id, actor).await?)
    }

    /// One page of the dead-letter queue.
    pub async fn dead_letters(&self, page: PageRequest) -> Result<Page<Task>, AppError> {
        let dead = TaskFilter {
            statuses: vec![TaskStatus::Dead],
            ..Default::default()
        };
        self.list_tasks(&dead, page).await
    }

    /// Requeues dead tasks; a task that is not dead is refused (and those after it untouched).
    pub async fn requeue_dead(&self, ids: &[TaskId], actor: &str) -> Result<Vec<Task>, AppError> {
        let mut done = Vec::with_capacity(ids.len());
        for &id in ids {
            let task = self.store.get(id).await?.ok_or(StoreError::NotFound(id))?;
            if task.status != TaskStatus::Dead {
                return Err(AppError::NotDead {
                    id,
                    status: task.status,
                });
            }
            done.push(self.store.requeue(id, actor).await?);
        }
        Ok(done)
    }
}
