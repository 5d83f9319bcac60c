//! The tool-call ledger: every call of a tool, recorded once it ended (task, attempt, tool,
//! arguments with secrets redacted, result truncated and hashed, status, duration, cost) with a
//! `tool.called` audit event in the same transaction. A recorded call is never changed or
//! deleted; its id is the basic evidence a verifier re-reads.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::TaskId;
use serde::{Deserialize, Serialize};

mod check;

/// Longest stored result, in bytes (the hash covers the whole result).
pub const MAX_RESULT_BYTES: usize = 16 * 1024;

/// Longest stored arguments, serialised, in bytes.
pub const MAX_ARGUMENTS_BYTES: usize = 64 * 1024;

/// Longest stored error, in bytes.
pub const MAX_ERROR_BYTES: usize = 4 * 1024;

/// Longest tool name, in bytes.
pub const MAX_TOOL_NAME: usize = 128;

/// Identifies one recorded call; its decimal form is what `Evidence::ToolCall` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ToolCallId(pub i64);

impl std::fmt::Display for ToolCallId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for ToolCallId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolCallStatus {
    /// The tool did its work.
    Ok,
    /// The tool refused or failed (the error says why).
    Error,
}

impl ToolCallStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ok" => Some(Self::Ok),
            "error" => Some(Self::Error),
            _ => None,
        }
    }
}

/// A call to record. The toolbox redacts and truncates before it gets here; the store checks
/// the limits again and refuses what exceeds them.
#[derive(Debug, Clone, PartialEq)]
pub struct NewToolCall {
    /// The task it ran for, if any.
    pub task_id: Option<TaskId>,
    /// The task's attempt.
    pub attempt: u32,
    /// The attempt's lease token, if any.
    pub lease_token: Option<i64>,
    /// The tool's name (at most [`MAX_TOOL_NAME`] bytes, not empty).
    pub tool: String,
    /// The arguments, secrets redacted (at most [`MAX_ARGUMENTS_BYTES`] serialised).
    pub arguments: serde_json::Value,
    /// The result as text, truncated to [`MAX_RESULT_BYTES`].
    pub result: String,
    /// Lowercase hex SHA-256 of the whole result before truncation.
    pub result_sha256: String,
    /// The whole result's size in bytes.
    pub result_bytes: u64,
    /// How it ended.
    pub status: ToolCallStatus,
    /// Why it failed (at most [`MAX_ERROR_BYTES`]), for `Error`.
    pub error: Option<String>,
    /// How long it ran, in microseconds.
    pub duration_us: u64,
    /// What it cost in US dollars (finite, ≥ 0).
    pub cost_usd: f64,
}

/// A recorded call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCallRecord {
    /// Its id.
    pub id: ToolCallId,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The task it ran for.
    pub task_id: Option<TaskId>,
    /// The task's attempt.
    pub attempt: u32,
    /// The attempt's lease token.
    pub lease_token: Option<i64>,
    /// The tool.
    pub tool: String,
    /// The arguments (redacted).
    pub arguments: serde_json::Value,
    /// The result (truncated).
    pub result: String,
    /// SHA-256 of the whole result.
    pub result_sha256: String,
    /// The whole result's size.
    pub result_bytes: u64,
    /// How it ended.
    pub status: ToolCallStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// How long it ran, in microseconds.
    pub duration_us: u64,
    /// What it cost.
    pub cost_usd: f64,
}

/// The ledger.
#[async_trait]
pub trait ToolCalls: Send + Sync {
    /// Records a call that ended, with its `tool.called` event (naming the task), in one
    /// transaction. Refuses (`StoreError::Domain`, nothing written) what
    /// [`NewToolCall::check`] refuses: an empty or overlong tool name, overlong arguments,
    /// result or error, a malformed hash, a negative or non-finite cost, and NUL in any text.
    async fn record_tool_call(&self, call: NewToolCall, actor: &str) -> StoreResult<ToolCallId>;

    /// The calls with these ids (at most 1000), in id order; unknown ids are left out.
    async fn tool_calls(&self, ids: &[ToolCallId]) -> StoreResult<Vec<ToolCallRecord>>;

    /// A task's calls, oldest first, at most `limit` (clamped to 1-1000).
    async fn task_tool_calls(&self, task: TaskId, limit: u32) -> StoreResult<Vec<ToolCallRecord>>;
}
