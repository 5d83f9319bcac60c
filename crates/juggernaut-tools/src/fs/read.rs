//! `fs_read`: a window of a text file in the workspace, with the hash of the whole file. Big
//! files are paged with `offset`; a window never ends inside a UTF-8 character, so pages
//! concatenate to the file. Bytes that are not UTF-8 are replaced (and the result says so).

use super::{blocking, io_error, kind_name, normalized, open_regular, refused};
use crate::args::{parse_args, schema_of};
use crate::tool::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use crate::workspace::Workspace;
use async_trait::async_trait;
use juggernaut_core::RiskLevel;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{self, Read};

/// Most bytes one `fs_read` call returns (and the default).
pub const READ_MAX: u64 = 256 * 1024;

const NAME: &str = "fs_read";

/// Reads a file of the task's workspace.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsRead;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReadArgs {
    /// The file's path, relative to the workspace.
    path: String,
    /// Byte offset to start reading at (default 0). To page through a big file, pass the
    /// `next_offset` of the previous result.
    #[serde(default)]
    offset: Option<u64>,
    /// Most bytes to return: 1 to 262144 (the default; larger values are lowered to it).
    #[serde(default)]
    max_bytes: Option<u64>,
}

#[async_trait]
impl Tool for FsRead {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "Read a text file in the task's workspace (paths relative to it). Returns at most 256 KiB \
         per call: when the file is bigger, `truncated` is true and `next_offset` says where to \
         continue. Also returns the file's size and the SHA-256 of the whole file. Bytes that are \
         not UTF-8 are replaced with U+FFFD and `lossy` is true. Directories and special files \
         are refused."
    }

    fn parameters(&self) -> serde_json::Value {
        schema_of::<ReadArgs>()
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
        let args: ReadArgs = parse_args(NAME, args)?;
        let ws = ctx.workspace.clone();
        blocking(move || read(&ws, &args))
            .await
            .map(ToolOutput::new)
    }
}

fn read(ws: &Workspace, args: &ReadArgs) -> Result<serde_json::Value, ToolError> {
    let rel = args.path.as_str();
    let offset = args.offset.unwrap_or(0);
    let max = match args.max_bytes {
        Some(0) => return Err(ToolError::model("`max_bytes` must be at least 1")),
        Some(n) => n.min(READ_MAX),
        None => READ_MAX,
    };
    let path = ws.resolve(rel).map_err(refused)?;
    let meta = std::fs::metadata(&path).map_err(|e| io_error(rel, &e))?;
    if meta.is_dir() {
        return Err(ToolError::model(format!(
            "`{rel}` is a directory; list it with fs_list"
        )));
    }
    if !meta.is_file() {
        return Err(ToolError::model(format!(
            "`{rel}` is a {}, not a regular file; only regular files can be read",
            kind_name(meta.file_type())
        )));
    }
    let mut file = open_regular(&path).map_err(|e| io_error(rel, &e))?;
    let scan = scan(&mut file, offset, max).map_err(|e| io_error(rel, &e))?;
    if offset > scan.size {
        return Err(ToolError::model(format!(
            "`offset` {offset} is past the end of `{rel}` ({} bytes)",
            scan.size
        )));
    }
    let mut window = scan.window;
    let at_end = offset + window.len() as u64 >= scan.size;
    if !at_end {
        let cut = incomplete_tail(&window);
        if cut < window.len() {
            window.truncate(window.len() - cut);
        }
    }
    let returned = window.len() as u64;
    let (content, lossy) = match String::from_utf8(window) {
        Ok(s) => (s, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    };
    let truncated = offset + returned < scan.size;
    let mut out = json!({
        "path": normalized(rel),
        "size": scan.size,
        "offset": offset,
        "bytes": returned,
        "truncated": truncated,
        "sha256": scan.sha256,
        "lossy": lossy,
        "content": content,
    });
    if truncated {
        out["next_offset"] = json!(offset + returned);
    }
    if lossy {
        out["note"] =
            json!("the file is not valid UTF-8 text (binary?): invalid bytes are shown as U+FFFD");
    }
    Ok(out)
}

/// The whole file hashed in one pass, keeping the bytes in `[offset, offset + max)`.
struct Scan {
    size: u64,
    sha256: String,
    window: Vec<u8>,
}

fn scan(file: &mut impl Read, offset: u64, max: u64) -> io::Result<Scan> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; super::CHUNK];
    let mut window = Vec::new();
    let end = offset.saturating_add(max);
    let mut pos = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        let (start, stop) = (pos, pos + n as u64);
        let (from, to) = (offset.max(start), end.min(stop));
        if from < to {
            window.extend_from_slice(&buf[(from - start) as usize..(to - start) as usize]);
        }
        pos = stop;
    }
    Ok(Scan {
        size: pos,
        sha256: hex::encode(hasher.finalize()),
        window,
    })
}

/// How many bytes at the end of `bytes` are the start of a UTF-8 character that the window cut.
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back for the lead byte
        }
        let want = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return 0,
        };
        return if want > back { back } else { 0 };
    }
    0
}
