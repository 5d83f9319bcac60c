//! The `shell` tool: runs a command with `/bin/sh -c` in the task's workspace, sandboxed with
//! bubblewrap where it is usable and under resource limits always, with a
//! wall-clock limit, capped output, and the whole process group killed at the end. A non-zero
//! exit is a result (the caller decides what it means); a timeout is an error shown to the
//! model, with the output so far.

mod config;
mod run;
mod sandbox;

pub use config::{OUTPUT_CAP_MAX, SandboxMode, ShellConfig, TIMEOUT_MAX_SECS};
pub use sandbox::bubblewrap;

use crate::args::{parse_args, schema_of};
use crate::tool::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use async_trait::async_trait;
use juggernaut_core::RiskLevel;
use run::{Captured, End, Job, Ran};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

/// Largest stdin a command is given.
pub const STDIN_MAX: usize = 8 * 1024 * 1024;

const NAME: &str = "shell";

/// Runs shell commands in the task's workspace.
#[derive(Debug, Clone)]
pub struct Shell {
    config: ShellConfig,
    description: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ShellArgs {
    /// The command, run by `/bin/sh -c` in the workspace.
    command: String,
    /// Wall-clock limit in seconds (default and maximum are configured; see the description).
    #[serde(default)]
    timeout_secs: Option<u64>,
    /// Text given to the command on its standard input (default: none).
    #[serde(default)]
    stdin: Option<String>,
}

impl Shell {
    /// A shell tool configured by `config` (check it first with [`ShellConfig::validate`]; a
    /// call with an invalid configuration fails).
    pub fn new(config: ShellConfig) -> Self {
        let description = format!(
            "Run a command with /bin/sh -c in the task's workspace (the working directory, also \
             $HOME). Commands are sandboxed where bubblewrap is available (the result's \
             `sandbox` says so): only the workspace is writable, /tmp is private, {network}. \
             The environment is minimal (PATH, HOME, LANG, TERM). Time limit {default}s by \
             default, `timeout_secs` up to {max}s; a command that runs out of time is killed \
             with everything it started, and the call fails with the output so far. Stdout and \
             stderr are each kept up to {cap} bytes (`truncated` says when more was cut). A \
             non-zero exit code is returned as a result, not an error.",
            network = if config.allow_network {
                "the network is reachable"
            } else {
                "there is no network"
            },
            default = config.timeout_default_secs,
            max = config.timeout_max_secs,
            cap = config.output_cap_bytes,
        );
        Self {
            config,
            description,
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &ShellConfig {
        &self.config
    }

    /// The sandbox a call would use here (`bubblewrap` or `rlimits`), or why none can be used.
    pub async fn sandbox(&self) -> Result<&'static str, ToolError> {
        sandbox::choose(self.config.sandbox).await.map(|s| s.name())
    }
}

impl Default for Shell {
    fn default() -> Self {
        Self::new(ShellConfig::default())
    }
}

#[async_trait]
impl Tool for Shell {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        &self.description
    }

    fn parameters(&self) -> serde_json::Value {
        schema_of::<ShellArgs>()
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Medium
    }

    fn permission(&self) -> Permission {
        Permission::Execute
    }

    async fn call(
        &self,
        ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: ShellArgs = parse_args(NAME, args)?;
        self.config
            .validate()
            .map_err(|e| ToolError::fatal(format!("the shell tool is misconfigured: {e}")))?;
        let timeout = self.timeout(&args)?;
        if args.command.trim().is_empty() {
            return Err(ToolError::model("`command` is empty"));
        }
        if args.command.contains('\0') {
            return Err(ToolError::model("`command` holds a NUL byte"));
        }
        if let Some(input) = &args.stdin
            && input.len() > STDIN_MAX
        {
            return Err(ToolError::model(format!(
                "`stdin` is {} bytes; at most {STDIN_MAX} are taken",
                input.len()
            )));
        }
        let sandbox = sandbox::choose(self.config.sandbox).await?;
        let dir = ctx
            .workspace
            .ensure()
            .and_then(|d| {
                d.canonicalize()
                    .map_err(|e| crate::workspace::WorkspaceError::Io {
                        path: d.display().to_string(),
                        message: e.to_string(),
                    })
            })
            .map_err(|e| ToolError::transient(format!("the task's workspace is unusable: {e}")))?;
        let job = Job {
            sandbox: &sandbox,
            workspace: &dir,
            command: &args.command,
            stdin: args.stdin,
            limits: sandbox::limits_script(&self.config, timeout),
            allow_network: self.config.allow_network,
            timeout,
            cap: self.config.output_cap_bytes,
        };
        let ran = run::run(job, &ctx.cancel).await?;
        let result = render(&ran, sandbox.name(), self.config.output_cap_bytes);
        match ran.end {
            End::Exited(_) => Ok(ToolOutput::new(result)),
            End::TimedOut => Err(ToolError::model(format!(
                "the command ran out of time after {}s and was killed with everything it \
                 started; output so far: {result}",
                timeout.as_secs()
            ))),
            End::Cancelled => Err(ToolError::transient(
                "the command was killed: the task was cancelled (its lease was lost or the \
                 worker is stopping)",
            )),
        }
    }
}

impl Shell {
    fn timeout(&self, args: &ShellArgs) -> Result<Duration, ToolError> {
        let max = self.config.timeout_max_secs;
        match args.timeout_secs {
            None => Ok(Duration::from_secs(self.config.timeout_default_secs)),
            Some(t) if (1..=max).contains(&t) => Ok(Duration::from_secs(t)),
            Some(t) => Err(ToolError::model(format!(
                "`timeout_secs` must be 1 to {max}, not {t}"
            ))),
        }
    }
}

/// The result shown to the model.
fn render(ran: &Ran, sandbox: &str, cap: usize) -> serde_json::Value {
    let (exit_code, signal) = match &ran.end {
        End::Exited(s) => match (s.code(), s.signal()) {
            (Some(c), _) => (Some(c), None),
            (None, Some(sig)) => (Some(128 + sig), Some(sig)),
            (None, None) => (None, None),
        },
        End::TimedOut | End::Cancelled => (None, None),
    };
    let truncated = ran.stdout.truncated() || ran.stderr.truncated();
    let mut out = json!({
        "exit_code": exit_code,
        "stdout": text(&ran.stdout),
        "stderr": text(&ran.stderr),
        "timed_out": matches!(ran.end, End::TimedOut),
        "truncated": truncated,
        "sandbox": sandbox,
    });
    if let Some(sig) = signal {
        out["signal"] = json!(sig);
    }
    if truncated {
        out["stdout_bytes"] = json!(ran.stdout.total);
        out["stderr_bytes"] = json!(ran.stderr.total);
        out["note"] = json!(format!(
            "output was cut: each stream keeps its first {cap} bytes"
        ));
    }
    out
}

fn text(c: &Captured) -> String {
    String::from_utf8_lossy(&c.bytes).into_owned()
}
