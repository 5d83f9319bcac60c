//! MCP tools against a small MCP server of our own ([`server`]), reached as a child process over
//! stdio and in-process over streamable HTTP on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http;
mod server;
mod stdio;

use juggernaut_mcp::McpTools;
use juggernaut_tools::{Tool, ToolContext, ToolError, Workspace};
use serde_json::Value;
use std::sync::Arc;

/// A call context outside any task.
fn ctx() -> ToolContext {
    ToolContext {
        task_id: None,
        attempt: 1,
        lease_token: None,
        workspace: Workspace::at(std::env::temp_dir()),
        cancel: tokio_util::sync::CancellationToken::new(),
    }
}

/// The tool called `name`.
fn find(tools: &McpTools, name: &str) -> Arc<dyn Tool> {
    tools
        .tools()
        .into_iter()
        .find(|t| t.name() == name)
        .unwrap_or_else(|| panic!("no tool {name} in {:?}", tools.names()))
}

/// Calls tool `name` with `args`.
async fn call(tools: &McpTools, name: &str, args: Value) -> Result<Value, ToolError> {
    find(tools, name)
        .call(&ctx(), args)
        .await
        .map(|o| o.content)
}
