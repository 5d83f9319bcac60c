//! The API's response and request bodies: the shapes the OpenAPI document describes
//! (`utoipa::ToSchema`), kept in this crate so the domain does not depend on utoipa. Each
//! response type is built from its domain type by `From`, moving the fields; a nested domain
//! value keeps its own serialisation and is described as a JSON object.

mod experiment;
mod goal;
mod goal_patch;
mod learning;
mod other;
mod report;
mod task;

pub use experiment::{ExperimentDetailView, ExperimentPageView, ExperimentView, NewExperimentBody};
pub use goal::{GoalDetailView, GoalView, MetricPointView, NewGoalBody, SpendView};
pub use goal_patch::GoalPatchBody;
pub use learning::{LearningEditBody, LearningPageView, LearningView};
pub use other::{
    AuditPageView, CostsView, EscalationPageView, EscalationView, ScheduleListView, StatusView,
    WhoAmI, WorkerView,
};
pub use report::{NewReportBody, ReportDetailView, ReportPageView, ReportView};
pub use task::{
    EnqueuedView, EventView, NewTaskBody, ReasonBody, TaskDetailView, TaskPage, TaskView,
};

use serde::Serialize;
use utoipa::ToSchema;

/// The one error shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `method_not_allowed`, `unavailable` or `internal`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
}
