//! The arguments of `git` (one operation per call, chosen by `op`) and of `git_push`. Every
//! `dir` and path is relative to the task's workspace.

use schemars::JsonSchema;
use serde::Deserialize;

/// One `git` operation.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum GitArgs {
    /// Clones an allowed remote into a new (or empty) directory of the workspace.
    Clone {
        /// The remote's URL (or local path); must be under an allowed remote.
        url: String,
        /// The directory to clone into.
        dir: String,
        /// The branch to check out (default: the remote's default branch).
        #[serde(default)]
        branch: Option<String>,
        /// Shallow clone of this many commits.
        #[serde(default)]
        depth: Option<u32>,
    },
    /// Adds a worktree of the repository in `dir` at `path`, on a new branch.
    WorktreeAdd {
        /// The repository.
        dir: String,
        /// Where the worktree goes.
        path: String,
        /// The new branch it checks out.
        branch: String,
        /// What the branch starts from (default `HEAD`).
        #[serde(default)]
        start: Option<String>,
    },
    /// Creates a branch (without switching to it).
    Branch {
        /// The repository.
        dir: String,
        /// The branch's name.
        name: String,
        /// What it starts from (default `HEAD`).
        #[serde(default)]
        start: Option<String>,
    },
    /// Switches to a branch or revision; with `create`, creates the branch first.
    Checkout {
        /// The repository.
        dir: String,
        /// The branch (or, without `create`, any revision).
        target: String,
        /// Create `target` as a new branch.
        #[serde(default)]
        create: bool,
        /// With `create`: what the branch starts from (default `HEAD`).
        #[serde(default)]
        start: Option<String>,
    },
    /// The working tree's state.
    Status {
        /// The repository.
        dir: String,
    },
    /// Changes, as a unified diff.
    Diff {
        /// The repository.
        dir: String,
        /// The staged changes instead of the unstaged ones.
        #[serde(default)]
        staged: bool,
        /// Only these paths (relative to `dir`).
        #[serde(default)]
        paths: Vec<String>,
    },
    /// Stages changes.
    Add {
        /// The repository.
        dir: String,
        /// The paths to stage (relative to `dir`).
        #[serde(default)]
        paths: Vec<String>,
        /// Stage every change, new files and deletions included.
        #[serde(default)]
        all: bool,
    },
    /// Commits what is staged, as the configured author.
    Commit {
        /// The repository.
        dir: String,
        /// The commit message.
        message: String,
    },
    /// Recent commits.
    Log {
        /// The repository.
        dir: String,
        /// How many (default 20, at most 200).
        #[serde(default)]
        max_count: Option<u32>,
        /// Where to start (default `HEAD`).
        #[serde(default)]
        rev: Option<String>,
    },
    /// The commit a branch of an allowed remote points at (null when it has no such branch).
    LsRemote {
        /// The remote's URL (or local path); must be under an allowed remote.
        url: String,
        /// The branch.
        branch: String,
    },
}

impl GitArgs {
    /// The operation's name.
    pub fn op(&self) -> &'static str {
        match self {
            Self::Clone { .. } => "clone",
            Self::WorktreeAdd { .. } => "worktree_add",
            Self::Branch { .. } => "branch",
            Self::Checkout { .. } => "checkout",
            Self::Status { .. } => "status",
            Self::Diff { .. } => "diff",
            Self::Add { .. } => "add",
            Self::Commit { .. } => "commit",
            Self::Log { .. } => "log",
            Self::LsRemote { .. } => "ls_remote",
        }
    }
}

/// `git_push`'s arguments.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PushArgs {
    /// The repository (relative to the workspace).
    pub dir: String,
    /// The branch to push; it is pushed to the branch of the same name.
    pub branch: String,
    /// A remote's name in the repository (default `origin`) or a URL; either way its URL must
    /// be under an allowed remote.
    #[serde(default)]
    pub remote: Option<String>,
    /// Always refused: a force-push can destroy others' work.
    #[serde(default)]
    pub force: Option<bool>,
}
