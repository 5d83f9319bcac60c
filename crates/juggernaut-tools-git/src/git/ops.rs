//! The `git` tool's operations, each a few CLI calls in the workspace, each answering with
//! what it did (a commit's sha, the branch, the status) as JSON. The ones that look at the work
//! tree (checkout, status, diff, add, commit) first refuse a repository holding another one
//! (see [`super::nested`]); status and diff never look into submodules either.

use super::args::GitArgs;
use super::checks::{
    branch_name, dangerous_setting, existing_dir, pathspecs, remote_allowed, revision, text,
};
use super::runner::{Runner, anchors};
use juggernaut_tools::{ToolError, Workspace};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Runs one operation.
pub async fn run(runner: &Runner, ws: &Workspace, args: GitArgs) -> Result<Value, ToolError> {
    let (root, ceiling) = anchors(ws)?;
    let git = Git {
        runner,
        root: &root,
        ceiling: &ceiling,
    };
    match args {
        GitArgs::Clone {
            url,
            dir,
            branch,
            depth,
        } => {
            remote_allowed(&url, &runner.cfg.allowed_remotes)?;
            let target = absolute(ws, &dir)?;
            if target.exists()
                && std::fs::read_dir(&target).map_or(true, |mut d| d.next().is_some())
            {
                return Err(ToolError::model(format!(
                    "cannot clone into `{dir}`: it exists and is not an empty directory"
                )));
            }
            let mut argv = vec!["clone".to_owned(), "--no-recurse-submodules".to_owned()];
            if let Some(b) = &branch {
                branch_name(b, "branch")?;
                argv.push(format!("--branch={b}"));
            }
            if let Some(d) = depth {
                argv.push(format!("--depth={}", d.max(1)));
            }
            argv.extend(["--".to_owned(), url.clone(), path_arg(&target)]);
            git.ok(&root, &argv, &format!("cloning `{url}`")).await?;
            let repo = git.repo(ws, &dir).await?;
            let head = git.head(&repo).await?;
            Ok(json!({"op": "clone", "dir": dir, "url": url, "branch": head.1, "head": head.0}))
        }
        GitArgs::WorktreeAdd {
            dir,
            path,
            branch,
            start,
        } => {
            let repo = git.repo(ws, &dir).await?;
            branch_name(&branch, "branch")?;
            let target = absolute(ws, &path)?;
            if target.exists() {
                return Err(ToolError::model(format!(
                    "worktree path `{path}` already exists"
                )));
            }
            let mut argv = strings(&["worktree", "add", "-b", &branch, &path_arg(&target)]);
            if let Some(s) = &start {
                revision(s, "start")?;
                argv.push(s.clone());
            }
            git.ok(&repo, &argv, "adding the worktree").await?;
            let wt = git.repo(ws, &path).await?;
            let head = git.head(&wt).await?;
            Ok(json!({"op": "worktree_add", "path": path, "branch": branch, "head": head.0}))
        }
        GitArgs::Branch { dir, name, start } => {
            let repo = git.repo(ws, &dir).await?;
            branch_name(&name, "name")?;
            let mut argv = strings(&["branch", &name]);
            if let Some(s) = &start {
                revision(s, "start")?;
                argv.push(s.clone());
            }
            git.ok(&repo, &argv, &format!("creating branch `{name}`"))
                .await?;
            let sha = git.sha(&repo, &format!("refs/heads/{name}")).await?;
            Ok(json!({"op": "branch", "branch": name, "commit": sha}))
        }
        GitArgs::Checkout {
            dir,
            target,
            create,
            start,
        } => {
            let repo = git.work_tree(ws, &dir).await?;
            let argv = if create {
                branch_name(&target, "target")?;
                let mut argv = strings(&["checkout", "-b", &target]);
                if let Some(s) = &start {
                    revision(s, "start")?;
                    argv.push(s.clone());
                }
                argv
            } else {
                revision(&target, "target")?;
                if start.is_some() {
                    return Err(ToolError::model("`start` is only for `create: true`"));
                }
                strings(&["checkout", &target, "--"])
            };
            git.ok(&repo, &argv, &format!("checking out `{target}`"))
                .await?;
            let head = git.head(&repo).await?;
            Ok(json!({"op": "checkout", "branch": head.1, "head": head.0}))
        }
        GitArgs::Status { dir } => {
            let repo = git.work_tree(ws, &dir).await?;
            status(&git, &repo).await
        }
        GitArgs::Diff { dir, staged, paths } => {
            let repo = git.work_tree(ws, &dir).await?;
            let mut argv = strings(&[
                "diff",
                "--no-ext-diff",
                "--no-textconv",
                "--no-color",
                "--ignore-submodules=all",
            ]);
            if staged {
                argv.push("--cached".into());
            }
            argv.push("--".into());
            argv.extend(pathspecs(ws, &dir, &paths)?);
            let ran = git.ok(&repo, &argv, "diff").await?;
            Ok(json!({"op": "diff", "diff": ran.stdout, "truncated": ran.truncated}))
        }
        GitArgs::Add { dir, paths, all } => {
            let repo = git.work_tree(ws, &dir).await?;
            if !all && paths.is_empty() {
                return Err(ToolError::model("`add` needs `paths` or `all: true`"));
            }
            let mut argv = strings(&["add"]);
            if all {
                argv.push("--all".into());
            }
            argv.push("--".into());
            argv.extend(pathspecs(ws, &dir, &paths)?);
            git.ok(&repo, &argv, "staging").await?;
            status(&git, &repo).await
        }
        GitArgs::Commit { dir, message } => {
            let repo = git.work_tree(ws, &dir).await?;
            text(&message, "message")?;
            if message.trim().is_empty() {
                return Err(ToolError::model("`message` is empty"));
            }
            let ran = git
                .run(&repo, &strings(&["commit", "--no-verify", "-m", &message]))
                .await?;
            if !ran.ok() {
                let nothing = ran.stdout.contains("nothing to commit")
                    || ran.stdout.contains("no changes added to commit");
                return Err(ToolError::model(if nothing {
                    "nothing to commit: stage changes with `add` first".to_owned()
                } else {
                    format!("commit failed (git exited {}): {}", ran.code, ran.tail())
                }));
            }
            let head = git.head(&repo).await?;
            Ok(json!({"op": "commit", "commit": head.0, "branch": head.1}))
        }
        GitArgs::Log {
            dir,
            max_count,
            rev,
        } => {
            let repo = git.repo(ws, &dir).await?;
            let n = max_count.unwrap_or(20).clamp(1, 200);
            let mut argv = vec![
                "log".to_owned(),
                format!("--max-count={n}"),
                "--format=%H%x09%an%x09%ae%x09%aI%x09%s".to_owned(),
            ];
            if let Some(r) = &rev {
                revision(r, "rev")?;
                argv.push(r.clone());
            }
            argv.push("--".into());
            let ran = git.ok(&repo, &argv, "log").await?;
            let commits: Vec<Value> = ran
                .stdout
                .lines()
                .filter_map(|l| {
                    let f: Vec<&str> = l.splitn(5, '\t').collect();
                    (f.len() == 5).then(|| {
                        json!({"commit": f[0], "author": f[1], "email": f[2],
                               "date": f[3], "subject": f[4]})
                    })
                })
                .collect();
            Ok(json!({"op": "log", "commits": commits}))
        }
        GitArgs::LsRemote { url, branch } => {
            remote_allowed(&url, &runner.cfg.allowed_remotes)?;
            branch_name(&branch, "branch")?;
            let sha = remote_sha(&git, None, &url, &branch).await?;
            Ok(json!({"op": "ls_remote", "url": url, "branch": branch, "commit": sha}))
        }
    }
}

/// The runner with the workspace's directory and ceiling.
pub struct Git<'a> {
    /// The runner.
    pub runner: &'a Runner,
    /// The workspace's directory, absolute.
    pub root: &'a Path,
    /// Where repository discovery stops.
    pub ceiling: &'a Path,
}

impl Git<'_> {
    /// The repository at `dir` of the workspace, made absolute, once checked: its work tree,
    /// git directory and common directory all lie inside the workspace (a `.git` file cannot
    /// point elsewhere), and its own configuration sets nothing that could run a program or
    /// redirect a remote.
    pub async fn repo(&self, ws: &Workspace, dir: &str) -> Result<PathBuf, ToolError> {
        let repo = existing_dir(ws, dir)?;
        let argv = strings(&[
            "rev-parse",
            "--path-format=absolute",
            "--show-toplevel",
            "--git-dir",
            "--git-common-dir",
        ]);
        let ran = self
            .ok(&repo, &argv, &format!("`{dir}` as a git repository"))
            .await?;
        for line in ran.stdout.lines() {
            let inside = Path::new(line)
                .canonicalize()
                .is_ok_and(|p| p.starts_with(self.root));
            if !inside {
                return Err(ToolError::model(format!(
                    "`{dir}` is refused: its repository lies (partly) outside the task's \
                     workspace"
                )));
            }
        }
        let argv = strings(&["config", "--list", "--name-only", "--show-scope"]);
        let ran = self
            .ok(&repo, &argv, "reading the repository's configuration")
            .await?;
        let own = ran
            .stdout
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(scope, _)| *scope != "command")
            .map(|(_, name)| name);
        if let Some(name) = dangerous_setting(own) {
            return Err(ToolError::model(format!(
                "`{dir}` is refused: its configuration sets `{name}`, which the git tools do \
                 not run under (it could run programs or redirect remotes)"
            )));
        }
        Ok(repo)
    }

    /// Runs git outside any repository (cloning, listing a remote): in the runner's private
    /// directory, so no repository's configuration applies.
    pub async fn outside(
        &self,
        argv: &[String],
        what: &str,
    ) -> Result<super::runner::Ran, ToolError> {
        let home = self.runner.home();
        let ceiling = home.parent().unwrap_or(home);
        self.runner.ok(home, ceiling, argv, what).await
    }

    /// Runs git in `cwd`.
    pub async fn run(&self, cwd: &Path, argv: &[String]) -> Result<super::runner::Ran, ToolError> {
        self.runner.run(cwd, self.ceiling, argv).await
    }

    /// Runs git in `cwd`, refusing a non-zero exit.
    pub async fn ok(
        &self,
        cwd: &Path,
        argv: &[String],
        what: &str,
    ) -> Result<super::runner::Ran, ToolError> {
        self.runner.ok(cwd, self.ceiling, argv, what).await
    }

    /// The commit `rev` names.
    pub async fn sha(&self, repo: &Path, rev: &str) -> Result<String, ToolError> {
        let argv = strings(&[
            "rev-parse",
            "--verify",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ]);
        let ran = self.ok(repo, &argv, &format!("resolving `{rev}`")).await?;
        Ok(ran.stdout.trim().to_owned())
    }

    /// `HEAD`'s commit (null in an empty repository) and branch (null when detached).
    pub async fn head(&self, repo: &Path) -> Result<(Value, Value), ToolError> {
        let sha = self
            .run(repo, &strings(&["rev-parse", "--verify", "-q", "HEAD"]))
            .await?;
        let branch = self
            .run(repo, &strings(&["symbolic-ref", "-q", "--short", "HEAD"]))
            .await?;
        let val = |ok: bool, s: &str| {
            if ok && !s.trim().is_empty() {
                Value::String(s.trim().to_owned())
            } else {
                Value::Null
            }
        };
        Ok((val(sha.ok(), &sha.stdout), val(branch.ok(), &branch.stdout)))
    }
}

/// What `refs/heads/<branch>` of `url` points at, if the remote has it; asked from the checked
/// repository `repo` (so a push and its confirmation see the same configuration) or from
/// outside any.
pub async fn remote_sha(
    git: &Git<'_>,
    repo: Option<&Path>,
    url: &str,
    branch: &str,
) -> Result<Option<String>, ToolError> {
    let argv = strings(&[
        "ls-remote",
        "--heads",
        "--",
        url,
        &format!("refs/heads/{branch}"),
    ]);
    let what = format!("listing `{branch}` on the remote");
    let ran = match repo {
        Some(r) => git.ok(r, &argv, &what).await?,
        None => git.outside(&argv, &what).await?,
    };
    Ok(ran
        .stdout
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .find(|(_, r)| *r == format!("refs/heads/{branch}"))
        .map(|(sha, _)| sha.to_owned()))
}

/// `status` as JSON: the branch, each changed path with its two-letter code, and whether the
/// tree is clean.
async fn status(git: &Git<'_>, repo: &Path) -> Result<Value, ToolError> {
    let argv = strings(&[
        "status",
        "--porcelain=v1",
        "--branch",
        "--untracked-files=all",
        "--ignore-submodules=all",
    ]);
    let ran = git.ok(repo, &argv, "status").await?;
    let mut branch = Value::Null;
    let mut changes = Vec::new();
    for line in ran.stdout.lines() {
        if let Some(b) = line.strip_prefix("## ") {
            branch = Value::String(b.to_owned());
        } else if line.len() > 3 {
            changes.push(json!({"code": &line[..2], "path": &line[3..]}));
        }
    }
    Ok(
        json!({"op": "status", "branch": branch, "clean": changes.is_empty(),
              "changes": changes, "truncated": ran.truncated}),
    )
}

/// Owned arguments.
pub fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// A path of the workspace (which need not exist yet), made absolute.
fn absolute(ws: &Workspace, rel: &str) -> Result<std::path::PathBuf, ToolError> {
    let path = ws
        .resolve(rel)
        .map_err(|e| ToolError::model(e.to_string()))?;
    std::path::absolute(&path).map_err(|e| ToolError::model(format!("`{rel}`: {e}")))
}

/// A path as one argument.
fn path_arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
