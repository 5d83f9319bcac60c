//! Planning: turns a goal into a task graph. Playbooks (an owner's TOML procedures) come first;
//! an LLM planner is used only where no playbook matches. The `plan` handler stores the result as
//! the goal's next plan version with its tasks; [`Coverage`] tells the leader's planner loop,
//! before anything is spent, which goals cannot be planned at all.

pub mod coverage;
pub mod graph;
pub mod handler;
pub mod playbook;

pub use coverage::Coverage;
pub use handler::{PlanFailure, PlanHandler, PlanInput};
pub use playbook::{Playbook, PlaybookError, Playbooks};
