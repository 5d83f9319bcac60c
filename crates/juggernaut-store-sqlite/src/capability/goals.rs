//! [`GoalStore`] for SQLite.

use crate::store::SqliteStore;
use crate::{goal_edit, goals, plans};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::goal::MetricPoint;
use juggernaut_core::{Goal, GoalId, GoalStatus, NewGoal, Plan};
use juggernaut_store::{GoalFilter, GoalStore, NewPlan, PlanningFailure, Recorded, StoreResult};
use std::time::Duration;

#[async_trait]
impl GoalStore for SqliteStore {
    async fn add_goal(&self, goal: NewGoal, actor: &str) -> StoreResult<Goal> {
        goals::add(self, goal, actor).await
    }

    async fn get_goal(&self, id: GoalId) -> StoreResult<Option<Goal>> {
        goals::get(self.reader(), id).await
    }

    async fn list_goals(&self, filter: &GoalFilter, limit: u32) -> StoreResult<Vec<Goal>> {
        goals::list(self, filter, limit).await
    }

    async fn set_goal_status(
        &self,
        id: GoalId,
        to: GoalStatus,
        actor: &str,
        reason: &str,
    ) -> StoreResult<Goal> {
        goals::set_status(self, id, to, actor, reason).await
    }

    async fn edit_goal(
        &self,
        id: GoalId,
        spec: NewGoal,
        read_at: Option<DateTime<Utc>>,
        actor: &str,
        reason: &str,
    ) -> StoreResult<Goal> {
        goal_edit::edit(self, id, spec, read_at, actor, reason).await
    }

    async fn request_replan(&self, id: GoalId, actor: &str, reason: &str) -> StoreResult<Goal> {
        goal_edit::replan(self, id, actor, reason).await
    }

    async fn record_metric(&self, id: GoalId, value: f64, source: &str) -> StoreResult<Recorded> {
        goals::record_metric(self, id, value, source).await
    }

    async fn metric_series(&self, id: GoalId, limit: u32) -> StoreResult<Vec<MetricPoint>> {
        goals::series(self, id, limit).await
    }

    async fn mark_missed(&self, actor: &str) -> StoreResult<Vec<GoalId>> {
        goals::mark_missed(self, actor).await
    }

    async fn goals_to_plan(&self, limit: u32, min_interval: Duration) -> StoreResult<Vec<Goal>> {
        goals::to_plan(self, limit, min_interval).await
    }

    async fn store_plan(&self, plan: NewPlan, actor: &str) -> StoreResult<Plan> {
        plans::store(self, plan, actor).await
    }

    async fn plan_failed(
        &self,
        id: GoalId,
        error: &str,
        raw: Option<&str>,
        retry_after: Duration,
        actor: &str,
    ) -> StoreResult<()> {
        plans::failed(self, id, error, raw, retry_after, actor).await
    }

    async fn plans(&self, id: GoalId, limit: u32) -> StoreResult<Vec<Plan>> {
        plans::list(self, id, limit).await
    }

    async fn plan(&self, id: GoalId, version: i64) -> StoreResult<Option<Plan>> {
        plans::get(self, id, version).await
    }

    async fn replan_outdated(&self, current: &[String], actor: &str) -> StoreResult<Vec<GoalId>> {
        crate::replan::outdated(self, current, actor).await
    }

    async fn planning_failure(&self, id: GoalId) -> StoreResult<Option<PlanningFailure>> {
        plans::failure(self, id).await
    }
}
