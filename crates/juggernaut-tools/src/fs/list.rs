//! `fs_list`: the entries of a directory in the workspace, optionally recursive, sorted and
//! capped. Symlinks are listed as symlinks and never followed while recursing, so a link cannot
//! lead the listing outside the workspace (or round in a loop).

use super::{blocking, io_error, normalized, refused};
use crate::args::{parse_args, schema_of};
use crate::tool::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use crate::workspace::Workspace;
use async_trait::async_trait;
use juggernaut_core::RiskLevel;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

/// Entries one `fs_list` call returns unless asked otherwise.
pub const LIST_DEFAULT: usize = 500;
/// Most entries one `fs_list` call returns.
pub const LIST_MAX: usize = 5000;

const NAME: &str = "fs_list";

/// Lists a directory of the task's workspace.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsList;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListArgs {
    /// The directory, relative to the workspace (default: the workspace itself).
    #[serde(default)]
    path: Option<String>,
    /// List subdirectories too (default false). Symlinks are not followed.
    #[serde(default)]
    recursive: Option<bool>,
    /// Most entries to return: 1 to 5000 (default 500; larger values are lowered to 5000).
    #[serde(default)]
    max_entries: Option<usize>,
}

#[async_trait]
impl Tool for FsList {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "List a directory of the task's workspace (default: the workspace itself), optionally \
         recursively. Entries are {path, type: file|dir|symlink|other, size}, paths relative to \
         the workspace, sorted; at most 500 by default (`max_entries` up to 5000), with \
         `truncated` when there were more. Symlinks are not followed."
    }

    fn parameters(&self) -> serde_json::Value {
        schema_of::<ListArgs>()
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Low
    }

    fn permission(&self) -> Permission {
        Permission::Read
    }

    async fn call(
        &self,
        ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: ListArgs = parse_args(NAME, args)?;
        let ws = ctx.workspace.clone();
        blocking(move || list(&ws, &args))
            .await
            .map(ToolOutput::new)
    }
}

fn list(ws: &Workspace, args: &ListArgs) -> Result<serde_json::Value, ToolError> {
    let rel = args.path.as_deref().unwrap_or(".");
    let cap = match args.max_entries {
        Some(0) => return Err(ToolError::model("`max_entries` must be at least 1")),
        Some(n) => n.min(LIST_MAX),
        None => LIST_DEFAULT,
    };
    let recursive = args.recursive.unwrap_or(false);
    let dir = ws.resolve(rel).map_err(refused)?;
    let meta = std::fs::metadata(&dir).map_err(|e| io_error(rel, &e))?;
    if !meta.is_dir() {
        return Err(ToolError::model(format!(
            "`{rel}` is not a directory; read a file with fs_read"
        )));
    }
    let prefix = normalized(rel);
    let mut entries = Vec::new();
    let mut truncated = false;
    let mut stack = vec![
        children(&dir, &prefix)
            .map_err(|e| io_error(rel, &e))?
            .into_iter(),
    ];
    while let Some(level) = stack.last_mut() {
        let Some((shown, path)) = level.next() else {
            stack.pop();
            continue;
        };
        if entries.len() == cap {
            truncated = true;
            break;
        }
        let mut entry = match std::fs::symlink_metadata(&path) {
            Ok(m) => describe(&shown, &path, &m),
            Err(e) => json!({"path": shown, "type": "other", "size": null, "error": e.to_string()}),
        };
        if recursive && entry["type"] == "dir" {
            match children(&path, &shown) {
                Ok(c) => stack.push(c.into_iter()),
                Err(e) => entry["error"] = json!(format!("cannot list it: {e}")),
            }
        }
        entries.push(entry);
    }
    Ok(json!({
        "path": if prefix.is_empty() { ".".to_owned() } else { prefix },
        "count": entries.len(),
        "truncated": truncated,
        "entries": entries,
    }))
}

/// A directory's entries, sorted by name: (path as shown, path on disk).
fn children(dir: &Path, prefix: &str) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let shown = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        out.push((shown, e.path()));
    }
    out.sort();
    Ok(out)
}

fn describe(shown: &str, path: &Path, m: &Metadata) -> serde_json::Value {
    let t = m.file_type();
    let kind = if t.is_symlink() {
        "symlink"
    } else if t.is_dir() {
        "dir"
    } else if t.is_file() {
        "file"
    } else {
        "other"
    };
    let mut entry = json!({
        "path": shown,
        "type": kind,
        "size": if t.is_file() { json!(m.len()) } else { json!(null) },
    });
    if t.is_symlink()
        && let Ok(target) = std::fs::read_link(path)
    {
        entry["target"] = json!(target.to_string_lossy());
    }
    entry
}
