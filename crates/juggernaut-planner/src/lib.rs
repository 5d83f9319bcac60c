//! Planning: turns a goal into a task graph. Playbooks (an owner's TOML procedures) come first;
//! an LLM planner ([`llm`], prompted from [`prompt`], answering to [`schema`]) is used only
//! where no playbook matches. The `plan` handler stores the result as
//! the goal's next plan version with its tasks; [`Coverage`] tells the leader's planner loop,
//! before anything is spent, which goals cannot be planned at all.

pub mod coverage;
pub mod experiment;
pub mod graph;
pub mod handler;
pub mod llm;
pub mod playbook;
pub mod proactive;
pub mod prompt;
pub mod schema;

pub use coverage::Coverage;
pub use handler::{PlanFailure, PlanHandler, PlanInput};
pub use llm::LlmPlanner;
pub use playbook::{Playbook, PlaybookError, Playbooks};
pub use prompt::PromptTemplate;
