//! The seam for edits described in words: an [`Editor`] changes the checkout through tool calls
//! of the task (so they are in the ledger). [`LlmEditor`] is the one built in: the agent loop
//! with the file tools only, told to edit files under the checkout's directory. Without an
//! editor, `code` refuses `instructions` instead of pretending.

use crate::agent::{LoopLimits, LoopRequest, Model, tool_loop};
use async_trait::async_trait;
use juggernaut_handler::{HandlerError, TaskContext};
use juggernaut_llm::Purpose;
use juggernaut_store::ToolCallId;
use juggernaut_tools::Permission;
use std::time::Duration;

/// Makes the edits `instructions` describe in the checkout at `dir` (relative to the task's
/// workspace), through tool calls of the task.
#[async_trait]
pub trait Editor: Send + Sync {
    /// Edits; returns the ids of the successful calls that changed files (their evidence).
    async fn edit(
        &self,
        ctx: &TaskContext,
        dir: &str,
        instructions: &str,
    ) -> Result<Vec<ToolCallId>, HandlerError>;
}

/// How the LLM editor is told to work.
pub const SYSTEM: &str = "You are a careful software engineer editing a git checkout through \
file tools. Read the files you need, then write the changed files whole with fs_write. Paths \
are relative to the workspace; the checkout is the directory named in the task, and you must \
not touch anything outside it or inside its .git directory. Do not run git: committing and \
pushing are done for you. When you are done, answer with a short summary that cites the \
fs_write calls you made as [call:ID].";

/// The file tools the LLM editor may use.
pub const TOOLS: [&str; 3] = ["fs_list", "fs_read", "fs_write"];

/// An LLM that edits with the file tools.
#[derive(Clone)]
pub struct LlmEditor {
    model: Model,
    limits: LoopLimits,
}

impl LlmEditor {
    /// An editor talking to `model`, with room for a real change (40 steps, 15 minutes,
    /// 2 USD).
    pub fn new(model: Model) -> Self {
        Self {
            model,
            limits: LoopLimits {
                max_steps: 40,
                max_time: Duration::from_secs(900),
                max_cost_usd: crate::reach::CODE_EDITOR_USD,
                ..LoopLimits::default()
            },
        }
    }

    /// The same editor with other limits.
    pub fn with_limits(mut self, limits: LoopLimits) -> Self {
        self.limits = limits;
        self
    }
}

#[async_trait]
impl Editor for LlmEditor {
    async fn edit(
        &self,
        ctx: &TaskContext,
        dir: &str,
        instructions: &str,
    ) -> Result<Vec<ToolCallId>, HandlerError> {
        let req = LoopRequest {
            system: SYSTEM.to_owned(),
            prompt: format!(
                "Task: {}\n\nThe checkout is the directory `{dir}/` of the workspace.\n\n{instructions}",
                ctx.task.title
            ),
            tools: Some(TOOLS.iter().map(|t| (*t).to_owned()).collect()),
            allowed: vec![Permission::Read, Permission::Write],
            limits: self.limits,
            purpose: Purpose::Coding,
        };
        let done = tool_loop::run(ctx, &self.model, req).await?;
        let prefix = format!("{dir}/");
        let writes: Vec<ToolCallId> = done
            .calls
            .iter()
            .filter(|c| c.ok && c.tool == "fs_write")
            .filter(|c| {
                c.content["path"]
                    .as_str()
                    .is_some_and(|p| p.trim_start_matches("./").starts_with(&prefix))
            })
            .map(|c| c.id)
            .collect();
        if writes.is_empty() {
            return Err(HandlerError::Permanent(format!(
                "the editor wrote no file under `{dir}/`: {}",
                crate::calls::head(&done.answer, 300)
            )));
        }
        Ok(writes)
    }
}
