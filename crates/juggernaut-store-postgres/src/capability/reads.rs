//! [`TaskReads`] for PostgreSQL: every read is one statement on the pool.

use crate::store::PostgresStore;
use crate::{audit_read, read};
use async_trait::async_trait;
use juggernaut_core::ids::EventId;
use juggernaut_core::{AuditEvent, EventKind, Task, TaskId, TaskStatus};
use juggernaut_store::{
    AuditCursor, AuditFilter, AuditPage, Page, PageRequest, StoreResult, TaskFilter, TaskReads,
};

#[async_trait]
impl TaskReads for PostgresStore {
    async fn get(&self, id: TaskId) -> StoreResult<Option<Task>> {
        read::get(self.pool(), id).await
    }

    async fn dependencies(&self, id: TaskId) -> StoreResult<Vec<TaskId>> {
        read::dependencies(self.pool(), id).await
    }

    async fn task_events(&self, id: TaskId) -> StoreResult<Vec<AuditEvent>> {
        read::events(self.pool(), id).await
    }

    async fn list(&self, filter: &TaskFilter, page: PageRequest) -> StoreResult<Page<Task>> {
        read::list(self.pool(), filter, page).await
    }

    async fn count(&self, filter: &TaskFilter) -> StoreResult<u64> {
        read::count(self.pool(), filter).await
    }

    async fn count_by_status(&self) -> StoreResult<Vec<(TaskStatus, u64)>> {
        read::count_by_status(self.pool()).await
    }

    async fn count_events(&self, kind: EventKind) -> StoreResult<u64> {
        read::count_events(self.pool(), kind).await
    }

    async fn used_dedupe_keys(&self, keys: &[String]) -> StoreResult<Vec<String>> {
        read::used_dedupe_keys(self.pool(), keys).await
    }

    async fn events_after(&self, after: EventId, limit: u32) -> StoreResult<Vec<AuditEvent>> {
        read::events_after(self.pool(), after, limit).await
    }

    async fn audit(&self, filter: &AuditFilter, page: AuditCursor) -> StoreResult<AuditPage> {
        audit_read::page(self.pool(), filter, page).await
    }
}
