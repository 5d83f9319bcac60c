//! The application layer: every operation a person or a script can ask for, written once, so
//! that the CLI and the HTTP API call the same functions and enforce the same rules (a kind
//! must have a handler and its input must pass the kind's check; only dead tasks leave the
//! dead-letter queue; only a task waiting for approval can be approved or rejected, and a
//! rejection must say why; a schedule is checked like the task it makes). Interfaces parse and
//! print; they decide nothing.

pub mod approvals;
pub mod error;
pub mod escalations;
pub mod experiments;
pub mod goal_edit;
pub mod goals;
pub mod learnings;
pub mod reads;
pub mod reports;
pub mod schedules;
pub mod status;
pub mod tasks;
pub mod tokens;

pub use error::AppError;
pub use escalations::EscalationList;
pub use experiments::{ExperimentDetail, ExperimentList};
pub use goal_edit::GoalPatch;
pub use goals::{GoalDetail, PlanView};
pub use learnings::{LearningList, LearningQuery};
pub use reports::{MadeReport, ReportList};
pub use schedules::check_schedule;
pub use status::Status;
pub use tasks::{TaskDetail, check_task};
pub use tokens::IssuedToken;

use juggernaut_core::PlanCoverage;
use juggernaut_handler::Registry;
use juggernaut_store::Store;
use std::sync::Arc;

/// The operations, over a store and the handlers that define what can be enqueued.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    registry: Registry,
    planning: Option<Arc<dyn PlanCoverage>>,
    day_budget_usd: Option<f64>,
}

impl App {
    /// The application over `store`, accepting the kinds `registry` serves.
    pub fn new(store: Arc<dyn Store>, registry: Registry) -> Self {
        Self {
            store,
            registry,
            planning: None,
            day_budget_usd: None,
        }
    }

    /// Lets the status say what today's spend counts against (`[budgets] day_usd`).
    pub fn with_day_budget(mut self, usd: Option<f64>) -> Self {
        self.day_budget_usd = usd;
        self
    }

    /// Lets goal views say why the planner cannot plan a goal.
    pub fn with_planning(mut self, info: Arc<dyn PlanCoverage>) -> Self {
        self.planning = Some(info);
        self
    }

    /// The store (for wiring and for reads no operation covers).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The handlers.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}
