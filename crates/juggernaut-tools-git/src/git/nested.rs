//! Refusing a work tree that holds another repository. Only the top repository's configuration
//! is checked ([`Git::repo`]), but git reads a nested one's own (`sub/.git/config`) when it
//! looks into it: a sandboxed command that can write the workspace could `git init` one with a
//! clean filter, and the host-side `status`, `diff`, `add` or `commit` would run that program.
//! Every call already keeps git out of submodules (see the runner); on top of that the
//! operations that look at the work tree refuse a repository with a `.git` (directory, file or
//! link) anywhere below its top, found by a walk that never follows symlinks, or with a gitlink
//! (mode `160000`, a submodule) in its index.

use super::ops::{Git, strings};
use juggernaut_tools::{ToolError, Workspace};
use std::path::{Path, PathBuf};

/// Most directory entries walked looking for a nested repository.
const MAX_ENTRIES: usize = 2_000_000;

/// Most bytes of the index's listing read looking for a gitlink.
const MAX_LISTING: usize = 128 * 1024 * 1024;

impl Git<'_> {
    /// The repository at `dir`, checked as [`Git::repo`] does, then refused if its work tree
    /// holds another repository or its index a gitlink.
    pub async fn work_tree(&self, ws: &Workspace, dir: &str) -> Result<PathBuf, ToolError> {
        let repo = self.repo(ws, dir).await?;
        let argv = strings(&["rev-parse", "--path-format=absolute", "--show-toplevel"]);
        let ran = self
            .ok(&repo, &argv, &format!("finding the work tree of `{dir}`"))
            .await?;
        let top = ran.stdout.strip_suffix('\n').unwrap_or(&ran.stdout);
        let top = Path::new(top)
            .canonicalize()
            .map_err(|e| ToolError::model(format!("the work tree of `{dir}`: {e}")))?;
        if !top.starts_with(self.root) {
            return Err(ToolError::model(format!(
                "`{dir}` is refused: its work tree lies outside the task's workspace"
            )));
        }
        let walked = top.clone();
        let found = tokio::task::spawn_blocking(move || nested_git(&walked))
            .await
            .map_err(|e| ToolError::transient(format!("looking for nested repositories: {e}")))?
            .map_err(|why| ToolError::model(format!("`{dir}` is refused: {why}")))?;
        if let Some(inner) = found {
            return Err(ToolError::model(format!(
                "`{dir}` is refused: it holds a nested git repository at `{}` (an embedded \
                 repository or a submodule's checkout); git would read that repository's own \
                 configuration, which is not checked, so the git tools do not work on it. \
                 Remove it (or move it out of the repository) first",
                inner.display()
            )));
        }
        let argv = strings(&["ls-files", "--stage", "-z"]);
        let ran = self
            .runner
            .run_capped(&top, self.ceiling, &argv, MAX_LISTING)
            .await?;
        if !ran.ok() {
            return Err(ToolError::model(format!(
                "listing the index of `{dir}` failed (git exited {}): {}",
                ran.code,
                ran.tail()
            )));
        }
        if ran.truncated {
            return Err(ToolError::model(format!(
                "`{dir}` is refused: its index is too large to check for submodules"
            )));
        }
        if let Some(entry) = ran.stdout.split('\0').find(|e| e.starts_with("160000 ")) {
            let path = entry.split_once('\t').map_or(entry, |(_, p)| p);
            return Err(ToolError::model(format!(
                "`{dir}` is refused: its index holds a gitlink (a submodule) at `{path}`; the \
                 git tools do not work on repositories with submodules"
            )));
        }
        Ok(repo)
    }
}

/// The first `.git` (any type, any case) below `top`, relative to it, skipping `top/.git`
/// itself; symlinks are never followed. `Err` when a directory cannot be read or the tree is
/// too large to walk.
pub fn nested_git(top: &Path) -> Result<Option<PathBuf>, String> {
    let mut stack = vec![top.to_path_buf()];
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| format!("`{}` cannot be read: {e}", shown(top, &dir).display()))?;
        for entry in entries {
            let entry = entry
                .map_err(|e| format!("`{}` cannot be read: {e}", shown(top, &dir).display()))?;
            seen += 1;
            if seen > MAX_ENTRIES {
                return Err(format!(
                    "its work tree has more than {MAX_ENTRIES} entries, too many to check for \
                     nested repositories"
                ));
            }
            let name = entry.file_name();
            let path = entry.path();
            if name.eq_ignore_ascii_case(".git") {
                if dir == top && name == ".git" {
                    continue;
                }
                return Ok(Some(shown(top, &path).to_path_buf()));
            }
            // `file_type` does not follow a symlink: a link to a directory is not walked.
            let kind = entry
                .file_type()
                .map_err(|e| format!("`{}` cannot be read: {e}", shown(top, &path).display()))?;
            if kind.is_dir() {
                stack.push(path);
            }
        }
    }
    Ok(None)
}

/// `path` relative to `top` (itself when it is not below it).
fn shown<'a>(top: &Path, path: &'a Path) -> &'a Path {
    path.strip_prefix(top).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_finds_nested_git_but_not_the_top_one_nor_through_links() {
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path().join("top");
        std::fs::create_dir_all(top.join(".git/objects")).unwrap();
        std::fs::create_dir_all(top.join("src/deep")).unwrap();
        std::fs::write(top.join("src/deep/f.rs"), "").unwrap();
        assert_eq!(nested_git(&top).unwrap(), None);
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(elsewhere.join(".git")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, top.join("src/link")).unwrap();
        assert_eq!(nested_git(&top).unwrap(), None, "a symlink was followed");
        std::fs::write(top.join("src/deep/.GIT"), "gitdir: x").unwrap();
        assert_eq!(
            nested_git(&top).unwrap(),
            Some(PathBuf::from("src/deep/.GIT"))
        );
        std::fs::remove_file(top.join("src/deep/.GIT")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, top.join("src/.git")).unwrap();
        assert_eq!(nested_git(&top).unwrap(), Some(PathBuf::from("src/.git")));
    }
}
