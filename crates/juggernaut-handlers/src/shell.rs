//! `shell`: runs one command through the `shell` tool (sandboxed in the task's workspace), done
//! when it exits with the expected code.
//!
//! Input ([`ShellInput`]): `{"command", "timeout_secs"?, "expect_exit"?}`: a command of 1-65536
//! bytes (no NUL), a time limit of 1-3600 seconds (the configured maximum may be lower: then the
//! tool refuses it), an expected exit code of 0-255 (default 0). Anything else is refused at
//! enqueue, naming the field.
//!
//! Another exit code fails the attempt, retryable, with the end of stderr; a command that runs
//! out of time, or that the tool cannot run, fails as the tool says.
//!
//! Result: `{"exit_code", "stdout_tail", "stderr_tail", "call"}`. Evidence: the `ToolCall`. The
//! check: the call is there, the result's exit code is the expected one, and so is the one the
//! ledger recorded for the call (when its stored result is whole enough to read).

use crate::calls;
use async_trait::async_trait;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_store::ToolCallId;
use juggernaut_tools::Permission;
use serde_json::{Value, json};

/// Longest command, in bytes.
pub const MAX_COMMAND: usize = 64 * 1024;

/// Longest time limit a task may ask for.
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// Characters of stdout and stderr kept in the result.
const RESULT_TAIL: usize = 4000;

/// Characters of stderr in a failure.
const ERROR_TAIL: usize = 1000;

/// The `shell` handler.
pub struct Shell;

/// `shell`'s input.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShellInput {
    /// The command, run by `/bin/sh -c` in the task's workspace.
    pub command: String,
    /// Wall-clock limit in seconds (default: the configured one).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// The exit code that counts as success (0-255, default 0).
    #[serde(default)]
    pub expect_exit: Option<i32>,
}

impl TaskInput for ShellInput {
    fn validate(&self) -> Result<(), String> {
        if self.command.trim().is_empty()
            || self.command.len() > MAX_COMMAND
            || self.command.contains('\0')
        {
            return Err(format!(
                "`command`: must be 1-{MAX_COMMAND} bytes, not blank, without NUL"
            ));
        }
        if let Some(t) = self.timeout_secs
            && !(1..=MAX_TIMEOUT_SECS).contains(&t)
        {
            return Err(format!(
                "`timeout_secs`: {t} is not 1 to {MAX_TIMEOUT_SECS}"
            ));
        }
        if let Some(c) = self.expect_exit
            && !(0..=255).contains(&c)
        {
            return Err(format!("`expect_exit`: {c} is not an exit code (0-255)"));
        }
        Ok(())
    }
}

impl ShellInput {
    /// The exit code that counts as success.
    pub fn expected(&self) -> i64 {
        i64::from(self.expect_exit.unwrap_or(0))
    }
}

#[async_trait]
impl Handler for Shell {
    fn reach(&self, _input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::shell()
    }

    fn risk(&self) -> juggernaut_core::RiskLevel {
        juggernaut_core::RiskLevel::Medium
    }

    fn kind(&self) -> &'static str {
        "shell"
    }

    fn description(&self) -> &'static str {
        "runs one sandboxed shell command in the task's workspace; done when it exits with the \
         expected code"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<ShellInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: ShellInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(format!("shell input: {e}")))?;
        let mut args = json!({ "command": input.command });
        if let Some(t) = input.timeout_secs {
            args["timeout_secs"] = json!(t);
        }
        let called = calls::call(ctx, "shell", args, &[Permission::Execute], "shell").await?;
        let out = &called.output.content;
        let text = |key: &str| out[key].as_str().unwrap_or_default().to_owned();
        let (stdout, stderr) = (text("stdout"), text("stderr"));
        let Some(code) = out["exit_code"].as_i64() else {
            return Err(HandlerError::retry(format!(
                "shell: the command ended without an exit code: {}",
                calls::tail(stderr.trim_end(), ERROR_TAIL)
            )));
        };
        if code != input.expected() {
            return Err(HandlerError::retry(format!(
                "shell: the command exited with {code} (expected {}); stderr ends: {}",
                input.expected(),
                calls::tail(stderr.trim_end(), ERROR_TAIL)
            )));
        }
        let result = json!({
            "exit_code": code,
            "stdout_tail": calls::tail(&stdout, RESULT_TAIL),
            "stderr_tail": calls::tail(&stderr, RESULT_TAIL),
            "call": called.id.0,
        });
        Ok(Outcome::done(result, called.all_evidence()))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let input: ShellInput = ctx.input().map_err(|e| format!("shell input: {e}"))?;
        let call = calls::call_id(&done.result["call"]).ok_or("the result names no `call`")?;
        calls::has_calls(done, [call.as_str()])?;
        let expected = input.expected();
        if done.result["exit_code"].as_i64() != Some(expected) {
            return Err(format!(
                "the result's exit code {} is not the expected {expected}",
                done.result["exit_code"]
            ));
        }
        let id: ToolCallId = call.parse().map_err(|_| format!("bad call id `{call}`"))?;
        let records = ctx
            .handles
            .tools
            .ledger()
            .tool_calls(&[id])
            .await
            .map_err(|e| format!("reading tool call {id}: {e}"))?;
        let Some(record) = records.first() else {
            return Err(format!("tool call {id} is not in the ledger"));
        };
        if record.tool != "shell" {
            return Err(format!(
                "tool call {id} is a `{}` call, not `shell`",
                record.tool
            ));
        }
        match serde_json::from_str::<Value>(&record.result) {
            Ok(stored) if stored["exit_code"].as_i64() != Some(expected) => Err(format!(
                "the ledger records exit code {} for call {id}, not {expected}",
                stored["exit_code"]
            )),
            _ => Ok(()),
        }
    }
}
