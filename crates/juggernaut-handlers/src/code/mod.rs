//! `code` (aliases `code_fix`, `code_change`, `code_implementation`): changes a repository and
//! delivers the change as a pushed branch, or as a pull request that is done once merged.
//!
//! Input ([`CodeInput`]): `repo_url` (one of the git tools' allowed remotes), `base` (default
//! `main`), `branch` (default `juggernaut/task-<id>`; one given must start with `juggernaut/`
//! and differ from `base`, so the work never lands on an existing branch without the pull
//! request), `title`, `description`, the edits as `changes` (`[{path, content}]`, written with
//! `fs_write`) and/or `instructions` (made by the configured [`Editor`]; without one they are
//! refused), `test_command` (run in the checkout with the `shell` tool; a non-zero exit fails
//! the attempt, retryable, with the output's tail), `github_repo` (`owner/name`: open a pull
//! request) and `check_every_secs` (default 60).
//!
//! First run ([`flow`]): clone into the workspace's `repo/`, branch, edit, test, commit,
//! `git_push`; without `github_repo` that is done, with the push's tool call and the commit as
//! evidence. With it, the pull request is opened (or the branch's open one, left by an earlier
//! attempt, is reused) and the task parks (`awaiting_external`) with its progress:
//! `{pr: {number, url}, branch, commit, tool_calls}`. Later runs ([`monitor`])
//! ask GitHub: merged completes with `Evidence::PullRequest {state: "merged"}` and every earlier
//! call; closed without merging, or gone, fails for good; open parks again.
//!
//! Verification asks again: the pull request is merged, or the remote's branch is at the
//! pushed commit. Every git and GitHub action is a tool call, so it is in the ledger.

pub mod editor;
pub mod flow;
pub mod input;
pub mod monitor;

use crate::agent::Model;
use crate::calls;
use async_trait::async_trait;
pub use editor::{Editor, LlmEditor};
pub use input::{Change, CodeInput};
use juggernaut_core::Evidence;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext};
use juggernaut_tools::Permission;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Where the checkout goes in the task's workspace.
pub const REPO_DIR: &str = "repo";

/// The tools `code` calls, by name.
pub const GIT: &str = "git";
/// Pushes.
pub const PUSH: &str = "git_push";
/// Pull requests.
pub const GITHUB: &str = "github";
/// Writes files.
pub const FS_WRITE: &str = "fs_write";
/// Runs the test command.
pub const SHELL: &str = "shell";

/// What `code`'s tool calls may touch.
pub const ALLOWED: &[Permission] = &[
    Permission::Read,
    Permission::Write,
    Permission::Execute,
    Permission::External,
];

/// A pull request the task waits on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PrRef {
    /// Its number.
    pub number: u64,
    /// Its web URL.
    pub url: String,
}

/// What a parked task carries between its runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    /// The pull request.
    pub pr: PrRef,
    /// The pushed branch.
    pub branch: String,
    /// The pushed commit.
    pub commit: String,
    /// The successful tool calls of the first run, in order.
    pub tool_calls: Vec<String>,
    /// How many times the pull request was looked at.
    #[serde(default)]
    pub checks: u32,
}

impl Progress {
    /// As stored with the parked task.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|_| json!({}))
    }

    /// The progress a parked task left, if it has any (`Err` when it is there but unreadable).
    pub fn of(ctx: &TaskContext) -> Result<Option<Self>, HandlerError> {
        match &ctx.task.result {
            Some(v) if v.get("pr").is_some() => {
                serde_json::from_value(v.clone()).map(Some).map_err(|e| {
                    HandlerError::Permanent(format!("the task's progress is unreadable: {e}"))
                })
            }
            _ => Ok(None),
        }
    }
}

/// The `code` handler.
#[derive(Clone, Default)]
pub struct Code {
    editor: Option<Arc<dyn Editor>>,
}

impl Code {
    /// The handler; with a model, `instructions` are carried out by an [`LlmEditor`].
    pub fn new(model: Option<Model>) -> Self {
        Self {
            editor: model.map(|m| Arc::new(LlmEditor::new(m)) as Arc<dyn Editor>),
        }
    }

    /// The handler with this editor for `instructions`.
    pub fn with_editor(editor: Arc<dyn Editor>) -> Self {
        Self {
            editor: Some(editor),
        }
    }
}

fn input(ctx: &TaskContext) -> Result<CodeInput, String> {
    ctx.input::<CodeInput>()
        .map_err(|e| format!("code input: {e}"))
}

#[async_trait]
impl Handler for Code {
    fn reach(&self, input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::code(input)
    }

    fn risk(&self) -> juggernaut_core::RiskLevel {
        juggernaut_core::RiskLevel::Medium
    }

    fn kind(&self) -> &'static str {
        "code"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["code_fix", "code_change", "code_implementation"]
    }

    fn description(&self) -> &'static str {
        "changes a repository (exact edits or an LLM editor), tests, commits and pushes it; with \
         a GitHub repository, opens a pull request and is done once it is merged"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<CodeInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input = input(ctx).map_err(HandlerError::Permanent)?;
        match Progress::of(ctx)? {
            Some(progress) => monitor::check(ctx, &input, progress).await,
            None => flow::first_run(ctx, &input, self.editor.as_deref()).await,
        }
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let input = input(ctx)?;
        let pr = done.evidence.iter().find_map(|e| match e {
            Evidence::PullRequest { number, state, .. } => Some((*number, state.as_str())),
            _ => None,
        });
        match pr {
            Some((number, state)) => merged(ctx, &input, number, state).await,
            None => pushed(ctx, &input, done).await,
        }
    }

    fn verify_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn verifies_outside(&self) -> bool {
        true
    }
}

/// The pull request is merged, GitHub says again.
async fn merged(
    ctx: &TaskContext,
    input: &CodeInput,
    number: u64,
    state: &str,
) -> Result<(), String> {
    if state != "merged" {
        return Err(format!("pull request #{number} is {state}, not merged"));
    }
    let Some(repo) = &input.github_repo else {
        return Err("pull request evidence without a `github_repo` in the input".into());
    };
    let args = json!({"op": "get_pull_request", "repo": repo, "number": number});
    let called = ctx
        .call_tool(GITHUB, args, ALLOWED)
        .await
        .map_err(|e| e.to_string())?;
    let out = called
        .outcome
        .map_err(|e| format!("asking GitHub about pull request #{number}: {e}"))?;
    match out.content["state"].as_str() {
        Some("merged") => Ok(()),
        other => Err(format!(
            "GitHub says pull request #{number} is {}, not merged",
            other.unwrap_or("in no known state")
        )),
    }
}

/// The remote's branch is at the pushed commit, and the push's call is among the evidence.
async fn pushed(ctx: &TaskContext, input: &CodeInput, done: &Done) -> Result<(), String> {
    let r = &done.result;
    let (Some(branch), Some(commit)) = (r["branch"].as_str(), r["commit"].as_str()) else {
        return Err("the result names no branch and commit".into());
    };
    let push = calls::call_id(&r["push_call"]).ok_or("the result names no push call")?;
    calls::has_calls(done, [push.as_str()])?;
    let args = json!({"op": "ls_remote", "url": input.repo_url, "branch": branch});
    let called = ctx
        .call_tool(GIT, args, ALLOWED)
        .await
        .map_err(|e| e.to_string())?;
    let out = called
        .outcome
        .map_err(|e| format!("asking the remote about `{branch}`: {e}"))?;
    match out.content["commit"].as_str() {
        Some(c) if c == commit => Ok(()),
        Some(c) => Err(format!(
            "the remote's `{branch}` is at {c}, not the pushed {commit}"
        )),
        None => Err(format!("the remote has no branch `{branch}`")),
    }
}
