//! Tools: what a handler (or an agent's model) may do to the world. One [`Tool`] trait, one
//! [`ToolRegistry`] that yields both the specs shown to a model and the dispatch table, and one
//! [`Toolbox`] that every call goes through: it checks the name, runs the tool under the task's
//! cancellation, and records the call in the tool-call ledger (arguments with secrets redacted,
//! the result truncated and hashed, status, duration, cost). The ledger id of a call that
//! succeeded is the basic evidence a verifier re-reads.

pub mod args;
pub mod fs;
pub mod redact;
pub mod registry;
pub mod shell;
pub mod tool;
pub mod toolbox;
pub mod workspace;

pub use args::parse_args;
pub use fs::{FsList, FsRead, FsWrite, sha256_file};
pub use redact::Redactor;
pub use registry::{RegistryError, ToolRegistry};
pub use shell::{SandboxMode, Shell, ShellConfig};
pub use tool::{Permission, Tool, ToolContext, ToolError, ToolOutput};
pub use toolbox::{CalledTool, Toolbox};
pub use workspace::{Workspace, WorkspaceError, Workspaces};

use std::sync::Arc;

/// The tools that work on the task's workspace: `fs_read`, `fs_write`, `fs_list` and `shell`
/// (configured by `shell`).
pub fn local_tools(shell: ShellConfig) -> Vec<Arc<dyn Tool>> {
    vec![
        Arc::new(FsRead),
        Arc::new(FsWrite::default()),
        Arc::new(FsList),
        Arc::new(Shell::new(shell)),
    ]
}
