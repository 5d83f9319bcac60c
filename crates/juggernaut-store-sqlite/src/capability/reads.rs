//! [`TaskReads`] for SQLite: reads go through the read pool, never waiting for the writer.

use crate::store::SqliteStore;
use crate::{audit_read, read};
use async_trait::async_trait;
use juggernaut_core::ids::EventId;
use juggernaut_core::{AuditEvent, EventKind, Task, TaskId, TaskStatus};
use juggernaut_store::{
    AuditCursor, AuditFilter, AuditPage, Page, PageRequest, StoreResult, TaskFilter, TaskReads,
};

#[async_trait]
impl TaskReads for SqliteStore {
    async fn get(&self, id: TaskId) -> StoreResult<Option<Task>> {
        read::get(&self.reader, id).await
    }

    async fn dependencies(&self, id: TaskId) -> StoreResult<Vec<TaskId>> {
        read::dependencies(&self.reader, id).await
    }

    async fn task_events(&self, id: TaskId) -> StoreResult<Vec<AuditEvent>> {
        read::events(&self.reader, id).await
    }

    async fn list(&self, filter: &TaskFilter, page: PageRequest) -> StoreResult<Page<Task>> {
        read::list(&self.reader, filter, page).await
    }

    async fn count(&self, filter: &TaskFilter) -> StoreResult<u64> {
        read::count(&self.reader, filter).await
    }

    async fn count_by_status(&self) -> StoreResult<Vec<(TaskStatus, u64)>> {
        read::count_by_status(&self.reader).await
    }

    async fn count_events(&self, kind: EventKind) -> StoreResult<u64> {
        read::count_events(&self.reader, kind).await
    }

    async fn used_dedupe_keys(&self, keys: &[String]) -> StoreResult<Vec<String>> {
        read::used_dedupe_keys(&self.reader, keys).await
    }

    async fn events_after(&self, after: EventId, limit: u32) -> StoreResult<Vec<AuditEvent>> {
        read::events_after(&self.reader, after, limit).await
    }

    async fn audit(&self, filter: &AuditFilter, page: AuditCursor) -> StoreResult<AuditPage> {
        audit_read::page(&self.reader, filter, page).await
    }
}
