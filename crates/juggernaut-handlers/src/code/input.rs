//! `code`'s input, checked at enqueue: a remote, the branches, the change's title and
//! description, the edits (exact `changes`, or `instructions` for the configured editor), an
//! optional test command, and the GitHub repository to open a pull request on. The work is
//! always pushed to a branch of its own: a `branch` must start with [`BRANCH_PREFIX`] and
//! differ from `base`, so a task can never push straight to `main`, `develop` or `release` and
//! skip the pull request.

use juggernaut_handler::TaskInput;
use std::path::{Component, Path};

/// What every branch `code` pushes to starts with.
pub const BRANCH_PREFIX: &str = "juggernaut/";

/// Longest test command, in bytes.
pub const MAX_COMMAND: usize = 64 * 1024;

/// Longest description, in bytes (GitHub's limit for a pull request's body).
pub const MAX_DESCRIPTION: usize = 65_536;

/// Longest wait between two looks at the pull request, in seconds (a day).
pub const MAX_CHECK_EVERY_SECS: u64 = 86_400;

/// One file to write, with its whole new content.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The file's path in the repository (relative; never under `.git`).
    pub path: String,
    /// Its new content.
    pub content: String,
}

/// `code`'s input.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeInput {
    /// The repository's remote (one of the git tools' allowed remotes).
    pub repo_url: String,
    /// The branch the work starts from and the pull request targets (default `main`).
    #[serde(default)]
    pub base: Option<String>,
    /// The branch the work is pushed to (default `juggernaut/task-<id>`): under `juggernaut/`
    /// and not `base`.
    #[serde(default)]
    pub branch: Option<String>,
    /// The change's title: the commit's subject and the pull request's title.
    pub title: String,
    /// What and why: the commit's body and the pull request's description.
    pub description: String,
    /// Run in the checkout before committing (through the `shell` tool); a non-zero exit
    /// fails the attempt.
    #[serde(default)]
    pub test_command: Option<String>,
    /// The test command's time limit in seconds (default: the shell tool's).
    #[serde(default)]
    pub test_timeout_secs: Option<u64>,
    /// Exact edits: files written with these contents.
    #[serde(default)]
    pub changes: Vec<Change>,
    /// Edits described in words, made by the configured editor (an LLM with the file tools).
    #[serde(default)]
    pub instructions: Option<String>,
    /// `owner/name` on GitHub: open a pull request there and wait for it to be merged.
    /// Without it, the branch is pushed and that is the work.
    #[serde(default)]
    pub github_repo: Option<String>,
    /// Seconds between looks at the pull request (1-86400, default 60).
    #[serde(default)]
    pub check_every_secs: Option<u64>,
}

impl CodeInput {
    /// The base branch.
    pub fn base(&self) -> &str {
        self.base.as_deref().unwrap_or("main")
    }

    /// Seconds between looks at the pull request.
    pub fn check_every_secs(&self) -> u64 {
        self.check_every_secs.unwrap_or(60)
    }
}

impl TaskInput for CodeInput {
    fn validate(&self) -> Result<(), String> {
        let url = self.repo_url.trim();
        if url.is_empty() || url.len() > 2048 || url.chars().any(char::is_whitespace) {
            return Err(
                "`repo_url` must be a URL or path of 1-2048 characters without spaces".into(),
            );
        }
        if let Some(b) = &self.base {
            branch("base", b)?;
        }
        if let Some(b) = &self.branch {
            branch("branch", b)?;
            if !b.starts_with(BRANCH_PREFIX) {
                return Err(format!(
                    "`branch` `{b}` is refused: the work is pushed to a branch of its own, whose \
                     name starts with `{BRANCH_PREFIX}` (never to an existing branch such as \
                     `main`); leave it out for `{BRANCH_PREFIX}task-<id>`"
                ));
            }
            if b == self.base() {
                return Err(format!(
                    "`branch` `{b}` is refused: it is the base branch; the work goes to a \
                     branch of its own and reaches `{b}` through the pull request"
                ));
            }
        }
        let title = self.title.trim().chars().count();
        if title == 0 || title > 256 || self.title.contains(['\0', '\n']) {
            return Err("`title` must be one line of 1-256 characters".into());
        }
        if self.description.len() > MAX_DESCRIPTION || self.description.contains('\0') {
            return Err(format!(
                "`description` must be at most {MAX_DESCRIPTION} bytes without NUL"
            ));
        }
        if let Some(c) = &self.test_command
            && (c.trim().is_empty() || c.len() > MAX_COMMAND || c.contains('\0'))
        {
            return Err(format!(
                "`test_command` must be 1-{MAX_COMMAND} bytes, not blank, without NUL"
            ));
        }
        if self
            .test_timeout_secs
            .is_some_and(|t| !(1..=3600).contains(&t))
        {
            return Err("`test_timeout_secs` must be 1-3600".into());
        }
        if self.changes.is_empty() && self.instructions.is_none() {
            return Err("give the edits: `changes` (files and contents) or `instructions`".into());
        }
        if let Some(i) = &self.instructions
            && (i.trim().is_empty() || i.chars().count() > 20_000)
        {
            return Err("`instructions` must be 1-20000 characters".into());
        }
        for (i, c) in self.changes.iter().enumerate() {
            repo_path(&c.path).map_err(|why| format!("`changes[{i}].path` `{}` {why}", c.path))?;
            if c.content.contains('\0') {
                return Err(format!("`changes[{i}].content` holds NUL"));
            }
        }
        if let Some(r) = &self.github_repo {
            let ok = |p: &str| {
                !p.is_empty()
                    && p != "."
                    && p != ".."
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            };
            if !r.split_once('/').is_some_and(|(o, n)| ok(o) && ok(n)) {
                return Err(format!("`github_repo` `{r}` is not `owner/name`"));
            }
        }
        if self
            .check_every_secs
            .is_some_and(|s| !(1..=MAX_CHECK_EVERY_SECS).contains(&s))
        {
            return Err(format!(
                "`check_every_secs` must be 1-{MAX_CHECK_EVERY_SECS}"
            ));
        }
        Ok(())
    }
}

/// A branch name the git tools take.
fn branch(field: &str, name: &str) -> Result<(), String> {
    let plain = !name.is_empty()
        && name.len() <= 200
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c))
        && !name.starts_with(['-', '/', '.'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("/.");
    if plain {
        Ok(())
    } else {
        Err(format!(
            "`{field}` `{name}` is not a plain branch name (letters, digits, `.`, `_`, `/`, `-`)"
        ))
    }
}

/// A path inside the repository's work tree: relative, no `..`, not under `.git`.
fn repo_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() || path.contains('\0') {
        return Err("is empty or holds NUL");
    }
    let mut any = false;
    for c in Path::new(path).components() {
        match c {
            Component::Normal(p) if p == ".git" => return Err("is inside `.git`"),
            Component::Normal(_) => any = true,
            Component::CurDir => {}
            Component::ParentDir => return Err("climbs out with `..`"),
            Component::RootDir | Component::Prefix(_) => return Err("is absolute"),
        }
    }
    if any { Ok(()) } else { Err("names no file") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use juggernaut_handler::InputSpec;
    use serde_json::json;

    #[test]
    fn bad_inputs_are_refused_by_name() {
        let spec = InputSpec::of::<CodeInput>();
        let ok = json!({"repo_url": "/srv/app.git", "title": "T", "description": "D",
                        "changes": [{"path": "a.txt", "content": "a"}]});
        assert!(spec.check(&ok).is_ok());
        let with = |k: &str, v: serde_json::Value| {
            let mut i = ok.clone();
            i[k] = v;
            spec.check(&i).unwrap_err().to_string()
        };
        assert!(
            with("changes", json!([{"path": "../x", "content": ""}])).contains("changes[0].path")
        );
        assert!(with("changes", json!([{"path": ".git/config", "content": ""}])).contains(".git"));
        assert!(with("changes", json!([])).contains("`changes`"));
        assert!(with("github_repo", json!("nope")).contains("owner/name"));
        assert!(with("branch", json!("+main")).contains("`branch`"));
        assert!(with("branch", json!("main")).contains("starts with `juggernaut/`"));
        assert!(with("branch", json!("release/1.2")).contains("starts with `juggernaut/`"));
        let mut same = ok.clone();
        same["base"] = json!("juggernaut/next");
        same["branch"] = json!("juggernaut/next");
        let e = spec.check(&same).unwrap_err().to_string();
        assert!(e.contains("it is the base branch"), "{e}");
        same["branch"] = json!("juggernaut/next-fix");
        assert!(spec.check(&same).is_ok());
        assert!(with("check_every_secs", json!(0)).contains("check_every_secs"));
        assert!(with("title", json!("")).contains("`title`"));
        assert!(with("extra", json!(1)).contains("unknown field"));
    }
}
