//! The storage API, one trait per capability, one file each: what a caller may do with the
//! store, so that each part of the system is handed only what it uses (a handler's context gets
//! no scheduler, the HTTP API no lease operations). [`Store`] is the umbrella every backend
//! implements through its capabilities; it exists for wiring only. Approvals and escalations
//! arrive as capability files of their own, as goals, plans, costs and tool calls did.

pub mod admin;
pub mod costs;
pub mod escalations;
pub mod experiments;
pub mod goals;
pub mod leadership;
pub mod learnings;
pub mod queue;
pub mod reads;
pub mod reports;
pub mod retention;
pub mod schedules;
pub mod tokens;
pub mod tool_calls;
pub mod workers;

use crate::error::StoreError;

/// Result alias for store calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// Most values one call may ask about at once (dedupe keys, playbook names).
pub const MAX_ASKED: usize = 1000;

/// Refuses a list of more than [`MAX_ASKED`] values, naming it: the same check on every backend.
pub fn check_asked(field: &'static str, n: usize) -> StoreResult<()> {
    if n > MAX_ASKED {
        return Err(StoreError::Domain(
            juggernaut_core::DomainError::InvalidField {
                field,
                reason: format!("{n} asked at once; at most {MAX_ASKED}"),
            },
        ));
    }
    Ok(())
}

/// A whole store: every capability. Implemented by the SQLite and PostgreSQL backends (both pass
/// the conformance suite); callers that need less take the capability trait instead
/// (`Arc<dyn Store>` coerces to `Arc<dyn Queue>` and the others).
pub trait Store:
    admin::Admin
    + costs::CostStore
    + goals::GoalStore
    + queue::Queue
    + reads::TaskReads
    + workers::Workers
    + leadership::Leadership
    + schedules::ScheduleStore
    + retention::Retention
    + tool_calls::ToolCalls
    + tokens::Tokens
    + escalations::Escalations
    + experiments::Experiments
    + reports::Reports
    + learnings::Learnings
    + 'static
{
}

impl<T> Store for T where
    T: admin::Admin
        + costs::CostStore
        + goals::GoalStore
        + queue::Queue
        + reads::TaskReads
        + workers::Workers
        + leadership::Leadership
        + schedules::ScheduleStore
        + retention::Retention
        + tool_calls::ToolCalls
        + tokens::Tokens
        + escalations::Escalations
        + experiments::Experiments
        + reports::Reports
        + learnings::Learnings
        + 'static
{
}
