//! Reading tasks and their audit trail: one task, pages, counts. Nothing here changes anything.

use super::StoreResult;
use crate::api::{Page, PageRequest, TaskFilter};
use crate::audit_query::{AuditCursor, AuditFilter, AuditPage};
use async_trait::async_trait;
use juggernaut_core::ids::EventId;
use juggernaut_core::{AuditEvent, EventKind, Task, TaskId, TaskStatus};

/// Reads of tasks and their events.
#[async_trait]
pub trait TaskReads: Send + Sync {
    /// One task.
    async fn get(&self, id: TaskId) -> StoreResult<Option<Task>>;

    /// The tasks `id` depends on.
    async fn dependencies(&self, id: TaskId) -> StoreResult<Vec<TaskId>>;

    /// The audit events of one task, oldest first.
    async fn task_events(&self, id: TaskId) -> StoreResult<Vec<AuditEvent>>;

    /// Tasks matching `filter`, newest first, one page.
    async fn list(&self, filter: &TaskFilter, page: PageRequest) -> StoreResult<Page<Task>>;

    /// How many tasks match `filter`.
    async fn count(&self, filter: &TaskFilter) -> StoreResult<u64>;

    /// Task counts per status (statuses with none are left out).
    async fn count_by_status(&self) -> StoreResult<Vec<(TaskStatus, u64)>>;

    /// How many audit events of `kind` exist (for example accepted completions).
    async fn count_events(&self, kind: EventKind) -> StoreResult<u64>;

    /// Which of `keys` (at most 1000) a task carries as its dedupe key, in any state (a pruned
    /// task is forgotten): a slot of proactive work is used once even after its task ended.
    async fn used_dedupe_keys(&self, keys: &[String]) -> StoreResult<Vec<String>>;

    /// Up to `limit` (clamped to 1-1000) audit events with ids above `after`, oldest first: the
    /// whole log, page by page (a live view resumes from the last id it saw).
    async fn events_after(&self, after: EventId, limit: u32) -> StoreResult<Vec<AuditEvent>>;

    /// One page of the audit log: the events `filter` matches, newest first, with ids below
    /// `page.before`, at most `page.limit` (clamped to 1-1000). Events of pruned tasks are kept
    /// and found. An actor the store cannot keep (NUL) is refused as bad input.
    async fn audit(&self, filter: &AuditFilter, page: AuditCursor) -> StoreResult<AuditPage>;
}
