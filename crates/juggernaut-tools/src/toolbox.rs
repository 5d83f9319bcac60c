//! The toolbox: the one way a tool is called. It finds the tool, checks that the caller's
//! permissions allow it, runs it under the task's cancellation and a time limit, and records the
//! call in the ledger whatever happened. A call that could not be recorded is not evidence, so
//! it ends the attempt (retryable).

use crate::redact::Redactor;
use crate::registry::ToolRegistry;
use crate::tool::{Permission, ToolContext, ToolError, ToolOutput};
use juggernaut_core::text::{clipped, storable};
use juggernaut_store::capability::tool_calls::{
    MAX_ARGUMENTS_BYTES, MAX_ERROR_BYTES, MAX_RESULT_BYTES,
};
use juggernaut_store::{NewToolCall, ToolCallId, ToolCallStatus, ToolCalls};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest a single call may run unless the toolbox is told otherwise.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(300);

/// A call that ran (or was refused) and was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct CalledTool {
    /// Its ledger id: the evidence.
    pub id: ToolCallId,
    /// What it gave back.
    pub outcome: Result<ToolOutput, ToolError>,
}

/// The registry, the ledger, the redactor and the permissions callers have.
#[derive(Clone)]
pub struct Toolbox {
    registry: Arc<ToolRegistry>,
    ledger: Arc<dyn ToolCalls>,
    redactor: Redactor,
    timeout: Duration,
}

impl std::fmt::Debug for Toolbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Toolbox")
            .field("registry", &self.registry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Toolbox {
    /// A toolbox over `registry` recording into `ledger`.
    pub fn new(
        registry: Arc<ToolRegistry>,
        ledger: Arc<dyn ToolCalls>,
        redactor: Redactor,
    ) -> Self {
        Self {
            registry,
            ledger,
            redactor,
            timeout: CALL_TIMEOUT,
        }
    }

    /// The same toolbox with another per-call time limit.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The tools.
    pub fn registry(&self) -> &ToolRegistry {
        &self.registry
    }

    /// The ledger the calls go into (verifiers re-read it).
    pub fn ledger(&self) -> &Arc<dyn ToolCalls> {
        &self.ledger
    }

    /// The redactor (prompts and results shown to models go through it).
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Calls tool `name` with `args` for the task in `ctx`, if `allowed` holds its permission,
    /// and records the call. `Err` only when the call could not be recorded.
    pub async fn call(
        &self,
        ctx: &ToolContext,
        name: &str,
        args: serde_json::Value,
        allowed: &[Permission],
    ) -> Result<CalledTool, ToolError> {
        let started = Instant::now();
        let outcome = self.run(ctx, name, args.clone(), allowed).await;
        let elapsed = started.elapsed();
        let record = self.record(ctx, name, &args, &outcome, elapsed);
        let actor = ctx
            .task_id
            .map_or_else(|| "tool".to_owned(), |t| format!("task {t}"));
        let id = self
            .ledger
            .record_tool_call(record, &actor)
            .await
            .map_err(|e| {
                ToolError::transient(format!("recording the `{name}` call failed: {e}"))
            })?;
        tracing::debug!(tool = name, call = %id, ok = outcome.is_ok(), "tool called");
        Ok(CalledTool { id, outcome })
    }

    async fn run(
        &self,
        ctx: &ToolContext,
        name: &str,
        args: serde_json::Value,
        allowed: &[Permission],
    ) -> Result<ToolOutput, ToolError> {
        let Some(tool) = self.registry.get(name) else {
            return Err(ToolError::model(format!(
                "no tool is called `{name}` (tools: {})",
                self.registry.names().join(", ")
            )));
        };
        if !allowed.contains(&tool.permission()) {
            return Err(ToolError::model(format!(
                "`{name}` needs the `{}` permission, which this task does not have",
                tool.permission().as_str()
            )));
        }
        tokio::select! {
            out = tokio::time::timeout(self.timeout, tool.call(ctx, args)) => match out {
                Ok(r) => r,
                Err(_) => Err(ToolError::model(format!(
                    "`{name}` took longer than {:?} and was stopped", self.timeout
                ))),
            },
            () = ctx.cancel.cancelled() => Err(ToolError::transient(format!(
                "`{name}` was cancelled: the task's lease was lost or the worker is stopping"
            ))),
        }
    }

    fn record(
        &self,
        ctx: &ToolContext,
        name: &str,
        args: &serde_json::Value,
        outcome: &Result<ToolOutput, ToolError>,
        elapsed: Duration,
    ) -> NewToolCall {
        let (status, text, error, cost) = match outcome {
            Ok(out) => (
                ToolCallStatus::Ok,
                out.content.to_string(),
                None,
                if out.cost_usd.is_finite() {
                    out.cost_usd.max(0.0)
                } else {
                    0.0
                },
            ),
            Err(e) => (
                ToolCallStatus::Error,
                String::new(),
                Some(clipped(
                    &self.redactor.text(&e.to_string()),
                    MAX_ERROR_BYTES,
                )),
                0.0,
            ),
        };
        let text = self.redactor.text(&storable(&text));
        let mut arguments = self.redactor.json(args);
        if arguments.to_string().len() > MAX_ARGUMENTS_BYTES || !no_nul(&arguments) {
            arguments = serde_json::json!({ "omitted": "arguments too large or not storable" });
        }
        NewToolCall {
            task_id: ctx.task_id,
            attempt: ctx.attempt,
            lease_token: ctx.lease_token,
            tool: clipped(
                name,
                juggernaut_store::capability::tool_calls::MAX_TOOL_NAME,
            ),
            arguments,
            result_sha256: hex::encode(Sha256::digest(text.as_bytes())),
            result_bytes: text.len() as u64,
            result: clipped(&text, MAX_RESULT_BYTES),
            status,
            error,
            duration_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            cost_usd: cost,
        }
    }
}

fn no_nul(v: &serde_json::Value) -> bool {
    juggernaut_core::text::check_json("arguments", v).is_ok()
}
