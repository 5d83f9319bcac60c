//! `code`'s later runs, the pull request monitor: the task parked with its progress, the
//! watchdog made it due at its check time, and now it asks GitHub (through the `github` tool)
//! where the pull request is. Merged: done, with the pull request as evidence. Closed without
//! merging, or gone: failed for good. Still open: park again.

use super::input::CodeInput;
use super::{ALLOWED, GITHUB, Progress};
use juggernaut_core::Evidence;
use juggernaut_handler::{HandlerError, Outcome, TaskContext};
use juggernaut_tools::ToolError;
use serde_json::json;
use std::time::Duration;

/// Looks at the pull request `progress` names.
pub async fn check(
    ctx: &TaskContext,
    input: &CodeInput,
    mut progress: Progress,
) -> Result<Outcome, HandlerError> {
    let n = progress.pr.number;
    let Some(repo) = &input.github_repo else {
        return Err(HandlerError::Permanent(format!(
            "the task waits on pull request #{n} but its input names no `github_repo`"
        )));
    };
    let args = json!({"op": "get_pull_request", "repo": repo, "number": n});
    let called = ctx.call_tool(GITHUB, args, ALLOWED).await?;
    let out = match called.outcome {
        Ok(out) => out,
        Err(ToolError::Model(m)) if m.contains("(HTTP 404") => {
            return Err(HandlerError::Permanent(format!(
                "pull request #{n} is gone"
            )));
        }
        Err(e) => {
            return Err(crate::calls::failed(
                &format!("checking pull request #{n}"),
                e,
            ));
        }
    };
    let state = out.content["state"].as_str().unwrap_or_default();
    match state {
        "merged" => {
            let mut evidence = vec![
                Evidence::PullRequest {
                    url: progress.pr.url.clone(),
                    number: n,
                    state: "merged".into(),
                },
                Evidence::ToolCall {
                    id: called.id.to_string(),
                },
            ];
            evidence.extend(
                progress
                    .tool_calls
                    .iter()
                    .map(|id| Evidence::ToolCall { id: id.clone() }),
            );
            let result = json!({
                "pr": {"number": n, "url": progress.pr.url, "state": "merged",
                       "merge_commit": out.content["merge_commit_sha"]},
                "branch": progress.branch,
                "commit": progress.commit,
                "checks": progress.checks + 1,
                "tool_calls": progress.tool_calls,
            });
            Ok(Outcome::done(result, evidence))
        }
        "closed" => Err(HandlerError::Permanent(format!(
            "pull request #{n} was closed without merging"
        ))),
        "open" => {
            progress.checks += 1;
            Ok(Outcome::AwaitExternal {
                what: format!("pull request #{n}"),
                check_after: Duration::from_secs(input.check_every_secs()),
                progress: progress.to_json(),
            })
        }
        other => Err(HandlerError::retry(format!(
            "GitHub gave pull request #{n} the state {other:?}"
        ))),
    }
}
