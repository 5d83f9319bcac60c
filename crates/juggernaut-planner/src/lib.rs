//! Planning: turns a goal into a task graph. Playbooks (an owner's TOML procedures) come first;
//! an LLM planner is used only where no playbook matches.

pub mod playbook;

pub use playbook::{Playbook, PlaybookError, Playbooks};
