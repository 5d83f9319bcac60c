//! `juggernaut playbook ...`'s flags.

use clap::Subcommand;
use std::path::PathBuf;

/// `juggernaut playbook ...`
#[derive(Debug, Subcommand)]
pub enum PlaybookCommand {
    /// The playbooks of the configured folder: name, priority, match rule, tasks (and the files
    /// that failed their checks).
    List,
    /// Check playbook files (default: every file of the configured folder); exit 2 if any has a
    /// problem, each named with its file, task and field.
    Check {
        /// Files to check instead of the folder.
        files: Vec<PathBuf>,
    },
}
