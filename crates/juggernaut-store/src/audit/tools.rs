//! The details of the tool-call ledger's event, `tool.called`.

use crate::capability::tool_calls::{ToolCallId, ToolCallStatus};
use serde::{Deserialize, Serialize};

/// `tool.called` (the event names the task the call ran for).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCalled {
    /// The recorded call.
    pub call: ToolCallId,
    /// The tool.
    pub tool: String,
    /// How it ended.
    pub status: ToolCallStatus,
    /// How long it ran, in microseconds.
    pub duration_us: u64,
}
