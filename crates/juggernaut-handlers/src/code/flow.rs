//! `code`'s first run: clone, branch, edit, test, commit, push, and open the pull request (or
//! reuse the open one of the branch, which an earlier attempt opened before it failed, since
//! GitHub refuses a second). Every step is a tool call through the toolbox, so each is in the
//! ledger; the ids of the successful ones travel on as evidence.

use super::editor::Editor;
use super::input::CodeInput;
use super::{ALLOWED, FS_WRITE, GIT, GITHUB, PUSH, PrRef, Progress, REPO_DIR, SHELL};
use crate::calls::{self, Called};
use juggernaut_core::Evidence;
use juggernaut_handler::{HandlerError, Outcome, TaskContext};
use serde_json::{Value, json};
use std::time::Duration;

/// Characters of the test output kept in a failure.
const TEST_TAIL: usize = 2000;

/// The ids of the successful calls so far.
#[derive(Default)]
struct Trail(Vec<String>);

impl Trail {
    fn keep(&mut self, c: &Called) -> Value {
        self.0.push(c.id.to_string());
        c.output.content.clone()
    }
}

/// The branch the work goes to.
pub fn branch(ctx: &TaskContext, input: &CodeInput) -> String {
    input
        .branch
        .clone()
        .unwrap_or_else(|| format!("juggernaut/task-{}", ctx.task.id.0))
}

/// Runs the whole first pass.
pub async fn first_run(
    ctx: &TaskContext,
    input: &CodeInput,
    editor: Option<&dyn Editor>,
) -> Result<Outcome, HandlerError> {
    if input.instructions.is_some() && editor.is_none() {
        return Err(HandlerError::Permanent(
            "`instructions` need an editor (an LLM provider), and none is configured; give \
             the edits as `changes` instead"
                .into(),
        ));
    }
    let branch = branch(ctx, input);
    let mut trail = Trail::default();
    fresh_checkout_dir(ctx)?;
    let git = |args: Value, what: &'static str| calls::call(ctx, GIT, args, ALLOWED, what);
    let clone =
        json!({"op": "clone", "url": input.repo_url, "dir": REPO_DIR, "branch": input.base()});
    trail.keep(&git(clone, "cloning the repository").await?);
    // A branch an earlier attempt pushed is continued, so the push stays a fast-forward.
    let listed = git(
        json!({"op": "ls_remote", "url": input.repo_url, "branch": branch}),
        "looking for the branch on the remote",
    )
    .await?;
    let earlier = trail.keep(&listed)["commit"].as_str().map(str::to_owned);
    let mut checkout = json!({"op": "checkout", "dir": REPO_DIR, "target": branch, "create": true});
    if earlier.is_some() {
        checkout["start"] = json!(format!("origin/{branch}"));
    }
    trail.keep(&git(checkout, "creating the branch").await?);

    for change in &input.changes {
        let path = format!("{REPO_DIR}/{}", change.path);
        let args = json!({"path": path, "content": change.content});
        let what = format!("writing `{}`", change.path);
        trail.keep(&calls::call(ctx, FS_WRITE, args, ALLOWED, &what).await?);
    }
    if let (Some(instructions), Some(editor)) = (&input.instructions, editor) {
        let ids = editor.edit(ctx, REPO_DIR, instructions).await?;
        trail.0.extend(ids.iter().map(ToString::to_string));
    }
    if let Some(command) = &input.test_command {
        test(ctx, input, command, &mut trail).await?;
    }

    let staged = git(
        json!({"op": "add", "dir": REPO_DIR, "all": true}),
        "staging the changes",
    )
    .await?;
    let clean = trail.keep(&staged)["clean"].as_bool().unwrap_or(false);
    if clean && earlier.is_none() {
        return Err(HandlerError::Permanent(
            "the edits leave the repository as it was: there is nothing to commit".into(),
        ));
    }
    if !clean {
        let message = if input.description.trim().is_empty() {
            input.title.clone()
        } else {
            format!("{}\n\n{}", input.title, input.description)
        };
        let commit = json!({"op": "commit", "dir": REPO_DIR, "message": message});
        trail.keep(&git(commit, "committing").await?);
    }
    let push = json!({"dir": REPO_DIR, "branch": branch});
    let pushed = calls::call(ctx, PUSH, push, ALLOWED, "pushing the branch").await?;
    let push_id = pushed.id.to_string();
    let commit = trail.keep(&pushed)["commit"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let Some(repo) = &input.github_repo else {
        let mut evidence = vec![Evidence::ToolCall {
            id: push_id.clone(),
        }];
        evidence.extend(
            trail
                .0
                .iter()
                .filter(|id| **id != push_id)
                .map(|id| Evidence::ToolCall { id: id.clone() }),
        );
        let result = json!({"branch": branch, "commit": commit, "remote": input.repo_url,
                            "push_call": push_id, "tool_calls": trail.0});
        return Ok(Outcome::done(result, evidence));
    };
    let find = json!({"op": "find_pull_request", "repo": repo, "head": branch,
                      "base": input.base()});
    let what = "looking for an open pull request of the branch";
    let found = calls::call(ctx, GITHUB, find, ALLOWED, what).await?;
    let mut pr = trail.keep(&found);
    if pr["found"] != json!(true) {
        let create = json!({"op": "create_pull_request", "repo": repo, "head": branch,
                            "base": input.base(), "title": input.title,
                            "body": input.description});
        let opened = calls::call(ctx, GITHUB, create, ALLOWED, "opening the pull request").await?;
        pr = trail.keep(&opened);
    }
    let (Some(number), Some(url)) = (pr["number"].as_u64(), pr["url"].as_str()) else {
        return Err(HandlerError::Permanent(format!(
            "GitHub's answer names no pull request: {pr}"
        )));
    };
    let progress = Progress {
        pr: PrRef {
            number,
            url: url.to_owned(),
        },
        branch,
        commit,
        tool_calls: trail.0,
        checks: 0,
    };
    Ok(Outcome::AwaitExternal {
        what: format!("pull request #{number}"),
        check_after: Duration::from_secs(input.check_every_secs()),
        progress: progress.to_json(),
    })
}

/// Runs the test command in the checkout; a non-zero exit fails the attempt (retryable) with
/// the output's tail.
async fn test(
    ctx: &TaskContext,
    input: &CodeInput,
    command: &str,
    trail: &mut Trail,
) -> Result<(), HandlerError> {
    let mut args = json!({"command": format!("cd {REPO_DIR} && {command}")});
    if let Some(t) = input.test_timeout_secs {
        args["timeout_secs"] = json!(t);
    }
    let ran = calls::call(ctx, SHELL, args, ALLOWED, "running the test command").await?;
    let out = trail.keep(&ran);
    match out["exit_code"].as_i64() {
        Some(0) => Ok(()),
        code => {
            let text = format!(
                "{}\n{}",
                out["stdout"].as_str().unwrap_or_default(),
                out["stderr"].as_str().unwrap_or_default()
            );
            Err(HandlerError::retry(format!(
                "the test command failed (exit {}): {}",
                code.map_or_else(|| "unknown".to_owned(), |c| c.to_string()),
                calls::tail(text.trim(), TEST_TAIL)
            )))
        }
    }
}

/// Removes what an earlier attempt left in the checkout's directory, so the clone starts
/// clean.
fn fresh_checkout_dir(ctx: &TaskContext) -> Result<(), HandlerError> {
    let dir = ctx
        .workspace()
        .resolve(REPO_DIR)
        .map_err(|e| HandlerError::Permanent(format!("the task's workspace: {e}")))?;
    match std::fs::symlink_metadata(&dir) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&dir),
        Ok(_) => std::fs::remove_file(&dir),
        Err(_) => Ok(()),
    }
    .map_err(|e| HandlerError::retry(format!("clearing `{REPO_DIR}` of an earlier attempt: {e}")))
}
