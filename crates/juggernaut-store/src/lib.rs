//! The storage boundary. [`capability`] has one trait per capability (queue, reads, workers,
//! leadership, schedules, retention, goals, costs, tool calls, admin) and the umbrella [`Store`]
//! every backend implements (SQLite embedded, PostgreSQL shared); `conformance` (feature
//! `conformance`, for tests) is the one suite every backend must pass. Nothing here knows SQL:
//! the backends own that, with the same file names and one operation per file.

pub mod api;
pub mod audit;
pub mod audit_query;
pub mod capability;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod entry;
pub mod error;
pub mod list_plan;
pub mod url;

/// Every capability trait, for callers that use a whole store: `use juggernaut_store::prelude::*`.
pub mod prelude {
    pub use crate::{
        Admin, CostStore, Escalations, Experiments, Leadership, Learnings, Queue, Reports,
        Retention, ScheduleStore, Store, TaskReads, Tokens, ToolCalls, Workers,
    };
}

pub use api::*;
pub use audit_query::{AuditCursor, AuditFilter, AuditPage, MAX_AUDIT_PAGE};
pub use capability::admin::Admin;
pub use capability::costs::{
    BudgetScope, CostFilter, CostId, CostRecord, CostState, CostStore, Limits, Reservation, Spend,
    Usage,
};
pub use capability::escalations::{
    EscalationPage, Escalations, FailingKind, GoalSpend, MAX_ESCALATIONS, OverdueTask,
};
pub use capability::experiments::{ExperimentPage, Experiments, MAX_EXPERIMENTS, NewPoint};
pub use capability::goals::{GoalFilter, GoalStore, MAX_RAW, NewPlan, PlanningFailure, Recorded};
pub use capability::leadership::{self, LeaderInfo, Leadership};
pub use capability::learnings::{
    CaptureBatch, LearningFilter, LearningPage, Learnings, MAX_LEARNINGS, RepeatedFailure,
};
pub use capability::queue::Queue;
pub use capability::reads::TaskReads;
pub use capability::reports::{NewReport, ReportId, ReportInfo, ReportPage, Reports, StoredReport};
pub use capability::retention::Retention;
pub use capability::schedules::{BadSchedule, ScheduleStore, Schedules};
pub use capability::tokens::{NewToken, TokenId, TokenRecord, Tokens};
pub use capability::tool_calls::{
    NewToolCall, ToolCallId, ToolCallRecord, ToolCallStatus, ToolCalls,
};
pub use capability::workers::{LostWorker, WorkerRecord, WorkerRegistration, Workers};
pub use capability::{MAX_ASKED, Store, StoreResult, check_asked};
pub use error::StoreError;
pub use list_plan::{Branch, MAX_BRANCHES};
