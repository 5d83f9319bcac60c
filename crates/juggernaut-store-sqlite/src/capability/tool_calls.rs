//! [`ToolCalls`] for SQLite.

use crate::store::SqliteStore;
use crate::tool_calls;
use async_trait::async_trait;
use juggernaut_core::TaskId;
use juggernaut_store::{NewToolCall, StoreResult, ToolCallId, ToolCallRecord, ToolCalls};

#[async_trait]
impl ToolCalls for SqliteStore {
    async fn record_tool_call(&self, call: NewToolCall, actor: &str) -> StoreResult<ToolCallId> {
        tool_calls::record(self, call, actor).await
    }

    async fn tool_calls(&self, ids: &[ToolCallId]) -> StoreResult<Vec<ToolCallRecord>> {
        tool_calls::by_ids(self, ids).await
    }

    async fn task_tool_calls(&self, task: TaskId, limit: u32) -> StoreResult<Vec<ToolCallRecord>> {
        tool_calls::of_task(self, task, limit).await
    }
}
