//! The `git` tool (local operations, plus cloning and listing allowed remotes) and the
//! `git_push` tool. Both run the `git` CLI through one [`runner::Runner`]: see the crate's
//! documentation for what every invocation is protected by.

pub mod args;
pub mod checks;
mod nested;
mod ops;
mod push;
pub(crate) mod runner;

use crate::secret::Secret;
use args::{GitArgs, PushArgs};
use async_trait::async_trait;
use juggernaut_core::RiskLevel;
use juggernaut_tools::args::{parse_args, schema_of};
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use runner::Runner;
use std::sync::Arc;

/// How the git tools are configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitConfig {
    /// Remote URL prefixes that may be cloned, listed and pushed to (local paths too, for
    /// tests). Empty: none.
    pub allowed_remotes: Vec<String>,
    /// The author and committer name of commits.
    pub author_name: String,
    /// The author and committer email of commits.
    pub author_email: String,
    /// Longest one git command may run, in seconds.
    pub timeout_secs: u64,
}

impl Default for GitConfig {
    fn default() -> Self {
        Self {
            allowed_remotes: Vec::new(),
            author_name: "Juggernaut".into(),
            author_email: "juggernaut@localhost".into(),
            timeout_secs: 300,
        }
    }
}

/// The `git` tool.
#[derive(Debug, Clone)]
pub struct Git {
    runner: Arc<Runner>,
}

impl Git {
    /// The tool with `cfg` and no token (local and public remotes).
    pub fn new(cfg: GitConfig) -> Result<Self, String> {
        Self::with_token(cfg, None)
    }

    /// The tool with `cfg` and this token for HTTPS remotes (the binary reads it from the
    /// environment and gives it to the redactor too); it reaches git only through the child's
    /// environment.
    pub fn with_token(cfg: GitConfig, token: Option<&str>) -> Result<Self, String> {
        let runner = Runner::new(cfg, token.and_then(Secret::new))?;
        Ok(Self {
            runner: Arc::new(runner),
        })
    }

    /// The `git_push` tool sharing this one's configuration and token.
    pub fn push_tool(&self) -> GitPush {
        GitPush {
            runner: self.runner.clone(),
        }
    }
}

/// What a tool answers: the JSON, redacted once more as a whole (the token never gets out).
fn answer(runner: &Runner, content: serde_json::Value) -> ToolOutput {
    match runner.token() {
        Some(t) if content.to_string().contains(t.expose()) => {
            let redactor = juggernaut_tools::Redactor::new([t.expose().to_owned()]);
            ToolOutput::new(redactor.json(&content))
        }
        _ => ToolOutput::new(content),
    }
}

/// Errors with the token replaced, whatever produced them.
fn scrub(runner: &Runner, e: ToolError) -> ToolError {
    let token = runner.token();
    match e {
        ToolError::Model(m) => ToolError::Model(crate::secret::redact(&m, token)),
        ToolError::Abort { message, retryable } => ToolError::Abort {
            message: crate::secret::redact(&message, token),
            retryable,
        },
    }
}

#[async_trait]
impl Tool for Git {
    fn name(&self) -> &str {
        "git"
    }

    fn description(&self) -> &str {
        "Runs one git operation in the task's workspace, chosen by `op`: clone (an allowed \
         remote into a new directory), worktree_add, branch, checkout, status, diff, add, \
         commit (returns the commit's sha), log, ls_remote (the commit a remote branch points \
         at). Paths are relative to the workspace. Pushing is the separate `git_push` tool."
    }

    fn parameters(&self) -> serde_json::Value {
        let mut schema = schema_of::<GitArgs>();
        if let Some(obj) = schema.as_object_mut() {
            obj.insert("type".into(), "object".into());
        }
        schema
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Low
    }

    fn permission(&self) -> Permission {
        Permission::Write
    }

    async fn call(
        &self,
        ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: GitArgs = parse_args(self.name(), args)?;
        match ops::run(&self.runner, &ctx.workspace, args).await {
            Ok(content) => Ok(answer(&self.runner, content)),
            Err(e) => Err(scrub(&self.runner, e)),
        }
    }
}

/// The `git_push` tool.
#[derive(Debug, Clone)]
pub struct GitPush {
    runner: Arc<Runner>,
}

impl GitPush {
    /// The tool with `cfg`, its token read from `cfg.token_env`.
    pub fn new(cfg: GitConfig) -> Result<Self, String> {
        Ok(Git::new(cfg)?.push_tool())
    }

    /// The tool with `cfg` and this token.
    pub fn with_token(cfg: GitConfig, token: Option<&str>) -> Result<Self, String> {
        Ok(Git::with_token(cfg, token)?.push_tool())
    }
}

#[async_trait]
impl Tool for GitPush {
    fn name(&self) -> &str {
        "git_push"
    }

    fn description(&self) -> &str {
        "Pushes one branch of a repository in the workspace to the branch of the same name on \
         a remote (a remote's name, default `origin`, or a URL) that must be under an allowed \
         remote. Never forced: a push that is not a fast-forward is refused. Returns the \
         pushed commit's sha, confirmed on the remote."
    }

    fn parameters(&self) -> serde_json::Value {
        schema_of::<PushArgs>()
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::High
    }

    fn permission(&self) -> Permission {
        Permission::External
    }

    async fn call(
        &self,
        ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: PushArgs = parse_args(self.name(), args)?;
        match push::push(&self.runner, &ctx.workspace, args).await {
            Ok(content) => Ok(answer(&self.runner, content)),
            Err(e) => Err(scrub(&self.runner, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_one_operation_with_its_own_fields() {
        let git = Git::with_token(GitConfig::default(), None).unwrap();
        let schema = git.parameters();
        assert_eq!(schema["type"], "object");
        assert!(schema.to_string().contains("worktree_add"), "{schema}");
        let ok = parse_args::<GitArgs>("git", serde_json::json!({"op": "status", "dir": "r"}));
        assert_eq!(ok.unwrap().op(), "status");
        let extra = serde_json::json!({"op": "status", "dir": "r", "force": true});
        let e = parse_args::<GitArgs>("git", extra).unwrap_err().to_string();
        assert!(e.contains("unknown field `force`"), "{e}");
        let e = parse_args::<GitArgs>("git", serde_json::json!({"op": "rebase"}));
        assert!(
            e.unwrap_err()
                .to_string()
                .contains("unknown variant `rebase`")
        );
        assert!(
            format!(
                "{:?}",
                Git::with_token(GitConfig::default(), Some("sekrit-123"))
            )
            .contains("[redacted]")
        );
    }
}
