//! Goals: add, list, show (with progress, current plan, open tasks, and why nothing is
//! happening), pause, resume, cancel, readings by hand, the series, and plans with their diff.

use crate::{App, AppError};
use juggernaut_core::forecast::{self, Forecast};
use juggernaut_core::goal::MetricPoint;
use juggernaut_core::plan::PlanDiff;
use juggernaut_core::{Goal, GoalId, GoalStatus, NewGoal, Plan, Task, TaskStatus};
use juggernaut_store::{CostFilter, GoalFilter, PageRequest, Recorded, Spend, TaskFilter};
use serde::Serialize;

/// One goal with what is happening to it.
#[derive(Debug, Clone, Serialize)]
pub struct GoalDetail {
    /// The goal.
    pub goal: Goal,
    /// Progress in `[0, 1]`, if it has a target and a reading.
    pub progress: Option<f64>,
    /// Its newest plan.
    pub plan: Option<Plan>,
    /// Its tasks that are not finished.
    pub open_tasks: Vec<Task>,
    /// Why nothing is happening, when nothing is.
    pub idle: Option<String>,
    /// Money spent (settled) and held (reserved) on its behalf, with the tokens used.
    pub spend: Spend,
    /// Whether it will reach its target by its deadline at the current rate (goals with both).
    pub forecast: Option<Forecast>,
}

/// A plan with what changed since the one before it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// The plan.
    pub plan: Plan,
    /// The difference from the previous version (none for the first).
    pub diff: Option<PlanDiff>,
}

fn missing(id: GoalId) -> AppError {
    AppError::NotFound(format!("invalid goal: goal {id} not found"))
}

impl App {
    /// Adds a goal.
    pub async fn add_goal(&self, g: NewGoal, actor: &str) -> Result<Goal, AppError> {
        g.validate()?;
        Ok(self.store.add_goal(g, actor).await?)
    }

    /// Goals matching `filter`, newest first.
    pub async fn goals(&self, filter: &GoalFilter, limit: u32) -> Result<Vec<Goal>, AppError> {
        Ok(self.store.list_goals(filter, limit).await?)
    }

    /// One goal (not found: [`AppError::NotFound`]).
    pub async fn goal(&self, id: GoalId) -> Result<Goal, AppError> {
        self.store.get_goal(id).await?.ok_or_else(|| missing(id))
    }

    /// One goal with its progress, newest plan, open tasks and idle reason.
    pub async fn goal_detail(&self, id: GoalId) -> Result<GoalDetail, AppError> {
        let goal = self.goal(id).await?;
        let plan = self.store.plans(id, 1).await?.into_iter().next();
        let live = TaskFilter {
            statuses: TaskStatus::ALL
                .into_iter()
                .filter(|s| !s.is_terminal())
                .collect(),
            goal_id: Some(id),
            ..Default::default()
        };
        let page = PageRequest {
            before: None,
            limit: 100,
        };
        let open_tasks = self.store.list(&live, page).await?.items;
        let idle = if open_tasks.is_empty() {
            Some(self.why_idle(&goal).await?)
        } else {
            None
        };
        let charged = CostFilter {
            goal_id: Some(id),
            ..Default::default()
        };
        let spend = self.store.spend(&charged).await?;
        let forecast = self.forecast(&goal).await?;
        Ok(GoalDetail {
            forecast,
            spend,
            progress: goal.progress(),
            goal,
            plan,
            open_tasks,
            idle,
        })
    }

    /// The goal's forecast from its newest readings, if it has a target and a deadline.
    pub async fn forecast(&self, goal: &Goal) -> Result<Option<Forecast>, AppError> {
        if goal.spec.target.is_none() || goal.spec.deadline.is_none() {
            return Ok(None);
        }
        let series = self
            .store
            .metric_series(goal.id, forecast::MAX_POINTS)
            .await?;
        let now = self.store.now().await?;
        Ok(forecast::for_goal(goal, &series, now))
    }

    /// Why a goal with no open task is quiet.
    async fn why_idle(&self, goal: &Goal) -> Result<String, AppError> {
        if goal.status != GoalStatus::Active {
            return Ok(format!("the goal is {}", goal.status));
        }
        if let Some(failed) = self.store.planning_failure(goal.id).await? {
            let when = match failed.retry_at {
                Some(at) => format!("next attempt at {}", at.to_rfc3339()),
                None => "next attempt at the planner's next pass".to_owned(),
            };
            return Ok(format!("planning failed: {}; {when}", failed.error));
        }
        if let Some(why) = self.planning.as_ref().and_then(|p| p.cannot_plan(goal)) {
            return Ok(why);
        }
        if goal.plan_version > 0 {
            return Ok(format!(
                "the tasks of plan version {} are finished; the planner plans again when something \
                 changes (a reading, a task's end, a resume), at most once per planner.min_interval_secs",
                goal.plan_version
            ));
        }
        Ok("waiting for the planner (the leader looks for goals to plan every pass)".to_owned())
    }

    /// Pauses, resumes or cancels a goal.
    pub async fn set_goal_status(
        &self,
        id: GoalId,
        to: GoalStatus,
        actor: &str,
        reason: &str,
    ) -> Result<Goal, AppError> {
        let goal = self.goal(id).await?;
        if !goal.status.can_become(to) {
            return Err(AppError::Conflict(format!(
                "invalid goal status: goal {id} is {}, it cannot become {to}",
                goal.status
            )));
        }
        Ok(self.store.set_goal_status(id, to, actor, reason).await?)
    }

    /// Records a reading given by hand.
    pub async fn set_progress(
        &self,
        id: GoalId,
        value: f64,
        actor: &str,
    ) -> Result<Recorded, AppError> {
        Ok(self.store.record_metric(id, value, actor).await?)
    }

    /// A goal's readings, oldest first.
    pub async fn progress(&self, id: GoalId, limit: u32) -> Result<Vec<MetricPoint>, AppError> {
        self.goal(id).await?;
        Ok(self.store.metric_series(id, limit).await?)
    }

    /// A goal's newest plan, with its diff from the one before.
    pub async fn current_plan(&self, id: GoalId) -> Result<Option<PlanView>, AppError> {
        self.goal(id).await?;
        let mut two = self.store.plans(id, 2).await?.into_iter();
        let Some(plan) = two.next() else {
            return Ok(None);
        };
        let diff = two.next().map(|before| plan.graph.diff(&before.graph));
        Ok(Some(PlanView { plan, diff }))
    }
}
