//! `fs_write`: writes (or appends to) a file in the workspace. A write replaces the file
//! atomically (a temporary file in the same directory, synced, then renamed over it), so a
//! reader sees the old content or the new, never half. The result carries the file's hash as
//! evidence. Symlinks are never written through, and only regular files are written. Nothing
//! inside a `.git` is written (a path with a `.git` component, as given or once the symlinks of
//! its existing part are resolved): a repository's configuration, hooks and index are the git
//! tools' business, and writing them could make git run a program. `fs_read` and `fs_list` may
//! still look at them.

use super::{blocking, io_error, kind_name, normalized, refused, sha256_file};
use crate::args::{parse_args, schema_of};
use crate::tool::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use crate::workspace::Workspace;
use async_trait::async_trait;
use juggernaut_core::{Evidence, RiskLevel};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path};
use std::sync::atomic::{AtomicU64, Ordering};

/// Largest content one `fs_write` call takes unless constructed otherwise (8 MiB).
pub const WRITE_MAX: usize = 8 * 1024 * 1024;

const NAME: &str = "fs_write";

/// Writes a file of the task's workspace.
#[derive(Debug, Clone, Copy)]
pub struct FsWrite {
    max_bytes: usize,
}

impl FsWrite {
    /// A tool that refuses content over `max_bytes` bytes.
    pub fn new(max_bytes: usize) -> Self {
        Self { max_bytes }
    }

    /// The largest content it takes.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

impl Default for FsWrite {
    fn default() -> Self {
        Self::new(WRITE_MAX)
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct WriteArgs {
    /// The file's path, relative to the workspace. Missing parent directories are created.
    path: String,
    /// The text to write.
    content: String,
    /// Append to the file instead of replacing it (default false).
    #[serde(default)]
    append: Option<bool>,
}

#[async_trait]
impl Tool for FsWrite {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "Write a text file in the task's workspace (paths relative to it), creating missing \
         parent directories. Replaces the file atomically, or appends with `append: true`. \
         Returns the path, the bytes written and the SHA-256 of the file afterwards. Symlinks, \
         special files and anything inside a `.git` directory are refused (use the git tool)."
    }

    fn parameters(&self) -> serde_json::Value {
        schema_of::<WriteArgs>()
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Low
    }

    fn permission(&self) -> Permission {
        Permission::Write
    }

    async fn call(
        &self,
        ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: WriteArgs = parse_args(NAME, args)?;
        if args.content.len() > self.max_bytes {
            return Err(ToolError::model(format!(
                "`content` is {} bytes; fs_write takes at most {} bytes per call (append the \
                 rest in further calls)",
                args.content.len(),
                self.max_bytes
            )));
        }
        let ws = ctx.workspace.clone();
        blocking(move || write(&ws, &args)).await
    }
}

fn write(ws: &Workspace, args: &WriteArgs) -> Result<ToolOutput, ToolError> {
    let rel = args.path.as_str();
    let shown = normalized(rel);
    let path = ws.resolve(rel).map_err(refused)?;
    if shown.is_empty() {
        return Err(ToolError::model(format!(
            "`{rel}` is the workspace itself, not a file"
        )));
    }
    outside_git(ws, &path, rel)?;
    let existing = match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(ToolError::model(format!(
                "`{rel}` is a symlink; fs_write does not write through symlinks (write to the \
                 path it points to instead)"
            )));
        }
        Ok(m) if !m.is_file() => {
            return Err(ToolError::model(format!(
                "`{rel}` is a {}, not a regular file; only regular files can be written",
                kind_name(m.file_type())
            )));
        }
        Ok(m) => Some(m.permissions()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(rel, &e)),
    };
    let Some(dir) = path.parent() else {
        return Err(ToolError::model(format!("`{rel}` has no parent directory")));
    };
    std::fs::create_dir_all(dir).map_err(|e| io_error(rel, &e))?;
    // The directories exist now: check again that nothing on the way leads out or into `.git`.
    ws.resolve(rel).map_err(refused)?;
    outside_git(ws, &path, rel)?;
    let bytes = args.content.as_bytes();
    let append = args.append.unwrap_or(false);
    let sha256 = if append {
        append_to(&path, bytes).map_err(|e| io_error(rel, &e))?;
        sha256_file(&path).map_err(|e| io_error(rel, &e))?
    } else {
        replace(&path, bytes, existing).map_err(|e| io_error(rel, &e))?;
        hex::encode(Sha256::digest(bytes))
    };
    let size = std::fs::metadata(&path)
        .map_err(|e| io_error(rel, &e))?
        .len();
    let evidence = Evidence::File {
        path: ws.evidence_path(&shown),
        sha256: sha256.clone(),
    };
    Ok(ToolOutput::new(json!({
        "path": shown,
        "bytes": bytes.len(),
        "size": size,
        "appended": append,
        "sha256": sha256,
    }))
    .with_evidence(evidence))
}

/// Refuses `path` (`rel` of the workspace) when it lies in a `.git` (any case): as written, or
/// once the symlinks of its longest existing part are resolved.
fn outside_git(ws: &Workspace, path: &Path, rel: &str) -> Result<(), ToolError> {
    let in_git = |p: &Path| {
        p.components()
            .any(|c| matches!(c, Component::Normal(n) if n.eq_ignore_ascii_case(".git")))
    };
    let refuse = || {
        ToolError::model(format!(
            "`{rel}` is refused: file tools do not touch .git; use the git tool"
        ))
    };
    if in_git(Path::new(rel)) {
        return Err(refuse());
    }
    let base = ws.dir().canonicalize().map_err(|e| io_error(rel, &e))?;
    let mut probe = Some(path);
    while let Some(p) = probe {
        match p.canonicalize() {
            Ok(real) if in_git(real.strip_prefix(&base).unwrap_or(&real)) => return Err(refuse()),
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => probe = p.parent(),
            Err(e) => return Err(io_error(rel, &e)),
        }
    }
    Ok(())
}

/// Appends to `path` (created if missing), never following a symlink and never blocking on a
/// special file.
fn append_to(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    file.write_all(bytes)?;
    file.sync_all()
}

/// Replaces `path` with `bytes` atomically, keeping the old file's permissions.
fn replace(path: &Path, bytes: &[u8], permissions: Option<Permissions>) -> io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no parent directory"))?;
    let mut opened = None;
    for _ in 0..100 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".fs_write-{}-{n}.tmp", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)
        {
            Ok(f) => {
                opened = Some((tmp, f));
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    let Some((tmp, mut file)) = opened else {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free name for a temporary file next to it",
        ));
    };
    let done = (|| {
        file.write_all(bytes)?;
        if let Some(p) = permissions {
            file.set_permissions(p)?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return done;
    }
    // Make the rename itself durable; a directory that cannot be synced is not an error.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
