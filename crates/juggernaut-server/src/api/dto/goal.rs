//! Goals as the API shows them (one, one with its progress, plan and spend, its metric series)
//! and the body that adds one.

use super::TaskView;
use chrono::{DateTime, Utc};
use juggernaut_app::GoalDetail;
use juggernaut_core::goal::{Budget, MetricPoint};
use juggernaut_core::{Goal, MetricTarget, NewGoal};
use juggernaut_store::Spend;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalView {
    /// Id.
    #[schema(value_type = i64)]
    pub id: juggernaut_core::GoalId,
    /// Title.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// Parent in the hierarchy.
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<juggernaut_core::GoalId>,
    /// The measurable target: source, target value, unit.
    #[schema(value_type = Option<Object>)]
    pub target: Option<MetricTarget>,
    /// Deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// Budget: `money_usd`, `max_tasks`.
    #[schema(value_type = Object)]
    pub budget: Budget,
    /// Tags (playbooks match on them).
    pub tags: Vec<String>,
    /// Owner.
    pub owner: String,
    /// active, paused, achieved, missed or cancelled.
    #[schema(value_type = String)]
    pub status: juggernaut_core::GoalStatus,
    /// The metric's latest value.
    pub current: Option<f64>,
    /// The newest plan's version (0: none yet).
    pub plan_version: i64,
    /// Why the last planning attempt failed.
    pub plan_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Goal> for GoalView {
    fn from(g: Goal) -> Self {
        let s = g.spec;
        Self {
            id: g.id,
            title: s.title,
            description: s.description,
            parent_id: s.parent_id,
            target: s.target,
            deadline: s.deadline,
            budget: s.budget,
            tags: s.tags,
            owner: s.owner,
            status: g.status,
            current: g.current,
            plan_version: g.plan_version,
            plan_error: g.plan_error,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

/// Money counted: settled lines at their cost plus open reservations.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpendView {
    /// Settled lines' cost, USD.
    pub settled_usd: f64,
    /// Open reservations, USD.
    pub reserved_usd: f64,
    /// Lines counted.
    pub calls: u64,
    /// Input tokens of settled lines.
    pub tokens_in: u64,
    /// Output tokens of settled lines.
    pub tokens_out: u64,
}

impl From<Spend> for SpendView {
    fn from(s: Spend) -> Self {
        Self {
            settled_usd: s.settled_usd,
            reserved_usd: s.reserved_usd,
            calls: s.calls,
            tokens_in: s.tokens_in,
            tokens_out: s.tokens_out,
        }
    }
}

/// One goal with what is happening to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalDetailView {
    /// The goal.
    pub goal: GoalView,
    /// Progress in `[0, 1]`, if it has a target and a reading.
    pub progress: Option<f64>,
    /// Its newest plan: version, graph, who made it, its task ids.
    #[schema(value_type = Option<Object>)]
    pub plan: Option<juggernaut_core::Plan>,
    /// Its unfinished tasks (at most 100).
    pub open_tasks: Vec<TaskView>,
    /// Why nothing is happening, when nothing is.
    pub idle: Option<String>,
    /// Money spent and held on its behalf.
    pub spend: SpendView,
    /// Whether it will reach its target by its deadline at the current rate: `status`
    /// (`met`, `on_track`, `at_risk`, `insufficient_data`), `projected`, the 90% interval
    /// `low`..`high`, `rate_per_day`, `eta`, `target`, `deadline`, `points`, `explanation`.
    /// Absent without a target and a deadline.
    #[schema(value_type = Option<Object>)]
    pub forecast: Option<juggernaut_core::forecast::Forecast>,
}

impl From<GoalDetail> for GoalDetailView {
    fn from(d: GoalDetail) -> Self {
        Self {
            goal: d.goal.into(),
            progress: d.progress,
            plan: d.plan,
            open_tasks: d.open_tasks.into_iter().map(TaskView::from).collect(),
            idle: d.idle,
            spend: d.spend.into(),
            forecast: d.forecast,
        }
    }
}

/// One reading of a goal's metric.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricPointView {
    /// The value.
    pub value: f64,
    /// When it was read.
    pub at: DateTime<Utc>,
    /// Who or what read it.
    pub source: String,
}

impl From<MetricPoint> for MetricPointView {
    fn from(p: MetricPoint) -> Self {
        Self {
            value: p.value,
            at: p.at,
            source: p.source,
        }
    }
}

/// A goal to add (`active`), checked like `juggernaut goal add`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGoalBody {
    /// Title (1-500 bytes).
    pub title: String,
    /// Longer description.
    #[serde(default)]
    pub description: String,
    /// Parent goal.
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// Measurable target: `{"source": {...}, "target": 100.0, "unit": "USD"}`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub target: Option<MetricTarget>,
    /// Deadline.
    #[serde(default)]
    pub deadline: Option<DateTime<Utc>>,
    /// Money budget in USD.
    #[serde(default)]
    pub budget_usd: Option<f64>,
    /// Most tasks.
    #[serde(default)]
    pub max_tasks: Option<u32>,
    /// Tags (at most 20; playbooks match on them).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Owner (default: the token's name).
    #[serde(default)]
    pub owner: Option<String>,
}

impl NewGoalBody {
    /// The goal to add; `owner` when the body names none.
    pub fn into_goal(self, owner: &str) -> NewGoal {
        NewGoal {
            title: self.title,
            description: self.description,
            parent_id: self.parent_id.map(juggernaut_core::GoalId),
            target: self.target,
            deadline: self.deadline,
            budget: Budget {
                money_usd: self.budget_usd,
                max_tasks: self.max_tasks,
            },
            tags: self.tags,
            owner: self.owner.unwrap_or_else(|| owner.to_owned()),
        }
    }
}
