//! Git and GitHub tools.
//!
//! - [`Git`] (`git`, write, low risk): clone an allowed remote, add a worktree, branch, checkout,
//!   status, diff, add, commit, log and `ls_remote`, all inside the task's workspace.
//! - [`GitPush`] (`git_push`, external, high risk): pushes one branch to an allowed remote,
//!   never forced, and confirms the remote holds the commit.
//! - [`GitHub`] (`github`, external, medium risk): opens, reads and comments on pull requests.
//! - [`GitHubMerge`] (`github_merge`, external, high risk): merges a pull request.
//!
//! The `git` CLI runs with a cleared environment, without the user's or the system's git
//! configuration, with repository hooks disabled and terminal prompts off. A token reaches git
//! only through the child's environment, read by an inline credential helper: it is never in
//! argv, in a URL, in the output (which is capped and redacted) or in an error.
//! [`pull_request_state`] is the read verifiers use.

pub mod git;
pub mod github;
mod secret;

pub use git::{Git, GitConfig, GitPush};
pub use github::{GitHub, GitHubConfig, GitHubMerge, PrState, PrStatus, pull_request_state};
pub use secret::REDACTED;
