//! `git_push`: one branch to the branch of the same name on an allowed remote, never forced
//! (no `--force`, no `+` refspec: a push that is not a fast-forward is refused by git), then
//! confirmed by asking the remote what the branch now points at. A repository whose own
//! configuration rewrites URLs (`url.*.insteadOf`) is refused before anything is sent.

use super::args::PushArgs;
use super::checks::{branch_name, remote_allowed};
use super::ops::{Git, remote_sha, strings};
use super::runner::{Runner, anchors};
use juggernaut_tools::{ToolError, Workspace};
use serde_json::{Value, json};
use std::path::Path;

/// Pushes as `args` say.
pub async fn push(runner: &Runner, ws: &Workspace, args: PushArgs) -> Result<Value, ToolError> {
    if args.force == Some(true) {
        return Err(ToolError::model(
            "force-push is refused: it can destroy others' work; push a new branch instead",
        ));
    }
    branch_name(&args.branch, "branch")?;
    let (root, ceiling) = anchors(ws)?;
    let git = Git {
        runner,
        root: &root,
        ceiling: &ceiling,
    };
    let repo = git.repo(ws, &args.dir).await?;
    let remote = args.remote.as_deref().unwrap_or("origin");
    let url = remote_url(&git, &repo, remote).await?;
    remote_allowed(&url, &runner.cfg.allowed_remotes)?;
    let branch = &args.branch;
    let local = git.sha(&repo, &format!("refs/heads/{branch}")).await?;
    let before = remote_sha(&git, Some(&repo), &url, branch).await?;
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    let argv = strings(&["push", "--porcelain", "--no-verify", "--", &url, &refspec]);
    let ran = git.run(&repo, &argv).await?;
    if !ran.ok() {
        let text = format!("{}\n{}", ran.stdout, ran.stderr);
        let behind = ["non-fast-forward", "fetch first", "[rejected]"]
            .iter()
            .any(|m| text.contains(m));
        return Err(ToolError::model(if behind {
            format!(
                "push of `{branch}` refused: the remote's branch has commits this one lacks, and \
                 pushes are never forced ({})",
                ran.tail()
            )
        } else {
            format!(
                "push of `{branch}` failed (git exited {}): {}",
                ran.code,
                ran.tail()
            )
        }));
    }
    let after = remote_sha(&git, Some(&repo), &url, branch).await?;
    if after.as_deref() != Some(local.as_str()) {
        return Err(ToolError::transient(format!(
            "after the push the remote's `{branch}` is at {} instead of {local}",
            after.as_deref().unwrap_or("nothing")
        )));
    }
    Ok(json!({
        "remote": url,
        "branch": branch,
        "commit": local,
        "previous": before,
        "updated": before.as_deref() != Some(local.as_str()),
    }))
}

/// The URL a push to `remote` goes to: `remote` itself when it is a URL or a path, else the
/// push URL of the repository's remote of that name.
async fn remote_url(git: &Git<'_>, repo: &Path, remote: &str) -> Result<String, ToolError> {
    if remote.contains('/') || remote.contains(':') {
        return Ok(remote.to_owned());
    }
    let plain = !remote.is_empty()
        && !remote.starts_with('-')
        && remote
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !plain {
        return Err(ToolError::model(format!(
            "remote `{remote}` is neither a URL nor a remote's name"
        )));
    }
    let argv = strings(&["remote", "get-url", "--push", remote]);
    let ran = git
        .ok(repo, &argv, &format!("looking up remote `{remote}`"))
        .await?;
    Ok(ran.stdout.trim().to_owned())
}
