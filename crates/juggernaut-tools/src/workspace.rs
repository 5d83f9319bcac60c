//! Task workspaces: one directory per task under a configured root. File tools may touch only
//! paths inside their task's workspace: a path is relative, has no `..`, and resolves (through
//! any symlinks) to somewhere inside the workspace, or it is refused.

use juggernaut_core::TaskId;
use std::path::{Component, Path, PathBuf};

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkspaceError {
    /// The path is absolute, climbs with `..`, is empty or holds NUL.
    #[error("path `{path}` is refused: {reason}")]
    Refused {
        /// The path as given.
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// The path resolves (through a symlink) outside the workspace.
    #[error("path `{0}` leads outside the task's workspace")]
    Escapes(String),
    /// The file system said no.
    #[error("{path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The error.
        message: String,
    },
}

/// Where every task's workspace lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspaces {
    root: PathBuf,
}

impl Workspaces {
    /// Workspaces under `root` (created on first use).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The workspace of task `id` (its directory is created by [`Workspace::ensure`]).
    pub fn for_task(&self, id: TaskId) -> Workspace {
        Workspace {
            dir: self.root.join(format!("task-{}", id.0)),
            name: format!("task-{}", id.0),
        }
    }

    /// A workspace with a name of its own (calls outside any task).
    pub fn named(&self, name: &str) -> Workspace {
        Workspace {
            dir: self.root.join(name),
            name: name.to_owned(),
        }
    }

    /// The file an evidence path (`task-N/…`, as [`Workspace::evidence_path`] wrote it) names,
    /// refused if it leads outside the root.
    pub fn locate(&self, evidence_path: &str) -> Result<PathBuf, WorkspaceError> {
        let rel = checked(evidence_path)?;
        let path = self.root.join(rel);
        inside(&self.root, &path, evidence_path)?;
        Ok(path)
    }
}

/// One task's workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    dir: PathBuf,
    name: String,
}

impl Workspace {
    /// A workspace at `dir` (tests and one-off calls).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self { dir, name }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the directory if it is not there.
    pub fn ensure(&self) -> Result<&Path, WorkspaceError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| WorkspaceError::Io {
            path: self.dir.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(&self.dir)
    }

    /// Resolves a relative path inside the workspace, refusing any that leads out (now or
    /// through a symlink that exists). The directory is created first.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, WorkspaceError> {
        let clean = checked(rel)?;
        self.ensure()?;
        let path = self.dir.join(clean);
        inside(&self.dir, &path, rel)?;
        Ok(path)
    }

    /// How evidence names a file of this workspace: relative to the workspaces' root.
    pub fn evidence_path(&self, rel: &str) -> String {
        let rel = rel.trim_start_matches("./");
        if self.name.is_empty() {
            rel.to_owned()
        } else {
            format!("{}/{rel}", self.name)
        }
    }
}

/// Refuses absolute paths, `..`, empty paths and NUL; returns the path without `.` parts.
fn checked(rel: &str) -> Result<PathBuf, WorkspaceError> {
    let refuse = |reason| WorkspaceError::Refused {
        path: rel.to_owned(),
        reason,
    };
    if rel.is_empty() {
        return Err(refuse("it is empty"));
    }
    if rel.contains('\0') {
        return Err(refuse("it holds NUL"));
    }
    let mut out = PathBuf::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => return Err(refuse("`..` is not allowed")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(refuse("absolute paths are not allowed"));
            }
        }
    }
    if out.as_os_str().is_empty() {
        return Ok(PathBuf::from("."));
    }
    Ok(out)
}

/// Whether `path`'s longest existing ancestor (the path itself if it exists) resolves inside
/// `base`.
fn inside(base: &Path, path: &Path, shown: &str) -> Result<(), WorkspaceError> {
    let io = |e: std::io::Error| WorkspaceError::Io {
        path: shown.to_owned(),
        message: e.to_string(),
    };
    let base = match base.canonicalize() {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e)),
    };
    let mut probe = Some(path);
    while let Some(p) = probe {
        if std::fs::symlink_metadata(p).is_ok() {
            let real = match p.canonicalize() {
                Ok(r) => r,
                // A dangling symlink: where it points cannot be checked, so it is refused.
                Err(_) => return Err(WorkspaceError::Escapes(shown.to_owned())),
            };
            return if real.starts_with(&base) {
                Ok(())
            } else {
                Err(WorkspaceError::Escapes(shown.to_owned()))
            };
        }
        probe = p.parent();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_lead_out_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspaces::new(tmp.path().join("ws")).for_task(TaskId(7));
        assert!(ws.resolve("a/b.txt").unwrap().ends_with("task-7/a/b.txt"));
        assert!(ws.resolve("./a").is_ok());
        for bad in ["../x", "a/../../x", "/etc/passwd", "", "a\0b"] {
            assert!(
                matches!(ws.resolve(bad), Err(WorkspaceError::Refused { .. })),
                "{bad}"
            );
        }
        std::os::unix::fs::symlink("/etc", ws.dir().join("out")).unwrap();
        assert_eq!(
            ws.resolve("out/passwd").unwrap_err(),
            WorkspaceError::Escapes("out/passwd".into())
        );
        std::os::unix::fs::symlink("/nonexistent/x", ws.dir().join("dangling")).unwrap();
        assert!(ws.resolve("dangling").is_err());
        std::fs::create_dir(ws.dir().join("in")).unwrap();
        std::os::unix::fs::symlink(ws.dir().join("in"), ws.dir().join("link")).unwrap();
        assert!(ws.resolve("link/new.txt").is_ok());
        assert_eq!(ws.evidence_path("r.md"), "task-7/r.md");
    }
}
