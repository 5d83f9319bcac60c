//! Reads that no other operation covers, for the interfaces that show them: a task's tool calls,
//! the audit log filtered and paged, and the cost ledger (lines and what they add up to).

use crate::{App, AppError};
use juggernaut_core::TaskId;
use juggernaut_store::{
    AuditCursor, AuditFilter, AuditPage, CostFilter, CostRecord, Spend, StoreError, ToolCallRecord,
};

/// Most tool calls shown with one task.
pub const MAX_TASK_TOOL_CALLS: u32 = 1000;

impl App {
    /// A task's tool calls, oldest first, at most `limit` (clamped to 1-1000); an unknown task
    /// is refused.
    pub async fn task_tool_calls(
        &self,
        id: TaskId,
        limit: u32,
    ) -> Result<Vec<ToolCallRecord>, AppError> {
        if self.store.get(id).await?.is_none() {
            return Err(StoreError::NotFound(id).into());
        }
        let limit = limit.clamp(1, MAX_TASK_TOOL_CALLS);
        Ok(self.store.task_tool_calls(id, limit).await?)
    }

    /// One page of the audit log, newest first.
    pub async fn audit(
        &self,
        filter: &AuditFilter,
        page: AuditCursor,
    ) -> Result<AuditPage, AppError> {
        filter.check()?;
        Ok(self.store.audit(filter, page).await?)
    }

    /// Ledger lines matching `filter`, newest first, at most `limit` (1-1000), and the money
    /// all the matching lines count.
    pub async fn costs(
        &self,
        filter: &CostFilter,
        limit: u32,
    ) -> Result<(Spend, Vec<CostRecord>), AppError> {
        let spend = self.store.spend(filter).await?;
        let lines = self.store.costs(filter, limit).await?;
        Ok((spend, lines))
    }
}
