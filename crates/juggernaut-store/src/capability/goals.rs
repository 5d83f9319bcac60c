//! Goals, their metric series and their plans. Every change is one transaction with its audit
//! event; storing a plan enqueues its tasks in the same transaction, so a goal never has a plan
//! without its tasks, nor tasks without the plan that made them.

use super::StoreResult;
use crate::error::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::DomainError;
use juggernaut_core::goal::MetricPoint;
use juggernaut_core::{Goal, GoalId, GoalStatus, NewGoal, NewTask, Plan, PlanGraph};
use std::time::Duration;

/// Which goals to list. Empty vectors match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoalFilter {
    /// Any of these statuses.
    pub statuses: Vec<GoalStatus>,
    /// Carrying this tag.
    pub tag: Option<String>,
    /// Under this parent.
    pub parent: Option<GoalId>,
    /// Ids below this one only (a keyset cursor: the last id of the previous page).
    pub before: Option<GoalId>,
}

/// A plan to store: the graph (its tasks in dependency order, see `PlanGraph::sorted`) and, in
/// the same order, the tasks it makes, each with the positions of the earlier ones it depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlan {
    /// The goal.
    pub goal_id: GoalId,
    /// The version this plan is (the goal's current version + 1); a plan already stored with it
    /// is returned as it is, so a planning attempt that is re-run creates nothing twice.
    pub version: i64,
    /// The graph.
    pub graph: PlanGraph,
    /// Who made it: `playbook:NAME` or `llm:MODEL`.
    pub made_by: String,
    /// The tasks, one per graph task in the same order, with the positions of the earlier ones
    /// each depends on.
    pub tasks: Vec<(NewTask, Vec<usize>)>,
}

impl NewPlan {
    /// Checks the graph, and that there is one valid task per graph task, each depending only
    /// on earlier ones.
    pub fn check(&self) -> Result<(), StoreError> {
        let bad = |reason: String| {
            StoreError::Domain(DomainError::InvalidField {
                field: "plan",
                reason,
            })
        };
        self.graph
            .validate()
            .map_err(|e| StoreError::Domain(DomainError::bad_plan(&e)))?;
        if self.tasks.len() != self.graph.tasks.len() {
            return Err(bad(format!(
                "{} tasks for a graph of {}",
                self.tasks.len(),
                self.graph.tasks.len()
            )));
        }
        for (i, (t, after)) in self.tasks.iter().enumerate() {
            t.validate()?;
            if after.iter().any(|&a| a >= i) {
                return Err(bad(format!(
                    "task {i} depends on a task that does not come before it"
                )));
            }
        }
        Ok(())
    }
}

/// Most bytes of a model's answer kept with a failed planning attempt.
pub const MAX_RAW: usize = 64 * 1024;

/// A failed planning attempt, as the goal keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlanningFailure {
    /// Why it failed.
    pub error: String,
    /// What the model answered, when the failure was about its answer.
    pub raw: Option<String>,
    /// When planning may be tried again, if that is still to come.
    pub retry_at: Option<DateTime<Utc>>,
}

/// What a metric reading did.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The goal after the reading.
    pub goal: Goal,
    /// Whether this reading achieved it.
    pub achieved: bool,
}

/// The field of the refusal of an edit made from a stale read (see [`GoalStore::edit_goal`]).
pub const GOAL_CHANGED: &str = "goal changed";

/// The refusal of an edit whose goal changed after `read_at`.
pub fn goal_changed(id: GoalId) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: GOAL_CHANGED,
        reason: format!("goal {id} changed since it was read; read it again"),
    })
}

/// Goals, metric series, plans.
#[async_trait]
pub trait GoalStore: Send + Sync {
    /// Adds a goal (`active`); its parent, if named, must exist.
    async fn add_goal(&self, goal: NewGoal, actor: &str) -> StoreResult<Goal>;

    /// One goal.
    async fn get_goal(&self, id: GoalId) -> StoreResult<Option<Goal>>;

    /// Goals matching `filter`, newest first, at most `limit` (1-1000).
    async fn list_goals(&self, filter: &GoalFilter, limit: u32) -> StoreResult<Vec<Goal>>;

    /// Moves a goal to `to` if its status allows it (pause, resume, cancel, achieved, missed).
    async fn set_goal_status(
        &self,
        id: GoalId,
        to: GoalStatus,
        actor: &str,
        reason: &str,
    ) -> StoreResult<Goal>;

    /// Replaces an active or paused goal's title, description, target, deadline, budget and
    /// tags with `spec`'s (its parent and owner stay), marks it changed and lifts a planning
    /// backoff so the planner looks at it again, with a `goal.edited` event carrying `reason`.
    /// Refuses what [`NewGoal::validate`] refuses, an unknown goal and a finished one
    /// (`StoreError::Domain`, nothing written). With `read_at` (the `updated_at` of the goal
    /// `spec` was made from), a goal changed since is refused with [`goal_changed`], so an edit
    /// made from a stale read never undoes another.
    async fn edit_goal(
        &self,
        id: GoalId,
        spec: NewGoal,
        read_at: Option<DateTime<Utc>>,
        actor: &str,
        reason: &str,
    ) -> StoreResult<Goal>;

    /// Asks the planner to look at an active goal again: marks it changed and lifts a planning
    /// backoff, with a `goal.replan_requested` event carrying `reason`. The planner still
    /// waits for the goal's open tasks to end and for its minimum interval. Refuses an unknown
    /// goal and one that is not active.
    async fn request_replan(&self, id: GoalId, actor: &str, reason: &str) -> StoreResult<Goal>;

    /// Records a metric reading; an active goal whose target it meets becomes `achieved` in the
    /// same transaction.
    async fn record_metric(&self, id: GoalId, value: f64, source: &str) -> StoreResult<Recorded>;

    /// A goal's readings, oldest first, at most `limit` (1-10000) of the newest.
    async fn metric_series(&self, id: GoalId, limit: u32) -> StoreResult<Vec<MetricPoint>>;

    /// Active goals past their deadline become `missed`; returns them.
    async fn mark_missed(&self, actor: &str) -> StoreResult<Vec<GoalId>>;

    /// Active goals that need a plan, decided in one query: no open task, not backing off after
    /// a failed attempt, planned no sooner than `min_interval` ago, and something changed since
    /// the last plan (never planned, resumed, a reading moved, a task of the goal ended). At
    /// most `limit`.
    async fn goals_to_plan(&self, limit: u32, min_interval: Duration) -> StoreResult<Vec<Goal>>;

    /// Stores a plan and enqueues its tasks in one transaction (idempotent per version).
    async fn store_plan(&self, plan: NewPlan, actor: &str) -> StoreResult<Plan>;

    /// Records that planning a goal failed: the reason shows on the goal, the model's answer (if
    /// the failure is about it) is kept (at most [`MAX_RAW`] bytes), and the goal is not planned
    /// again before `retry_after` has passed.
    async fn plan_failed(
        &self,
        id: GoalId,
        error: &str,
        raw: Option<&str>,
        retry_after: Duration,
        actor: &str,
    ) -> StoreResult<()>;

    /// A goal's plans, newest first, at most `limit`.
    async fn plans(&self, id: GoalId, limit: u32) -> StoreResult<Vec<Plan>>;

    /// A goal's plan at `version`.
    async fn plan(&self, id: GoalId, version: i64) -> StoreResult<Option<Plan>>;

    /// Active goals whose newest plan was made by a playbook (`made_by` = `playbook:NAME@FP`;
    /// a bare `playbook:NAME` from before fingerprints counts as current) that is not among
    /// `current` (the `made_by` of every playbook as loaded now, fingerprint included)
    /// are marked changed, so the planner looks at them again once they have no open task; one
    /// `goal.replan_requested` event each. A goal already marked is left alone, so calling this
    /// again changes nothing. At most 1000 names. Returns the goals marked.
    async fn replan_outdated(&self, current: &[String], actor: &str) -> StoreResult<Vec<GoalId>>;

    /// The last failed planning attempt, if the goal's newest attempt failed.
    async fn planning_failure(&self, id: GoalId) -> StoreResult<Option<PlanningFailure>>;
}
