//! Changing a goal by hand: its spec edited (title, description, target, deadline, budget,
//! tags), or the planner asked to look at it again now. Both mark the goal changed and lift a
//! planning backoff, so the planner's next pass considers it, with one audit event each. The
//! goal's row is locked first, as status changes lock it.

use crate::audit;
use crate::error::db;
use crate::goals::{get, goal_entry, not_found};
use crate::store::{PostgresStore, finish};
use chrono::{DateTime, Utc};
use juggernaut_core::{DomainError, EventKind, Goal, GoalId, GoalStatus, NewGoal};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{Payload, Reason};
use juggernaut_store::capability::goals::goal_changed;
use sqlx::PgConnection;

fn refused(reason: String) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "goal status",
        reason,
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(v).map_err(|e| StoreError::Corrupt {
        table: "goals",
        reason: e.to_string(),
    })
}

/// See [`juggernaut_store::GoalStore::edit_goal`].
pub async fn edit(
    store: &PostgresStore,
    id: GoalId,
    spec: NewGoal,
    read_at: Option<DateTime<Utc>>,
    actor: &str,
    reason: &str,
) -> Result<Goal, StoreError> {
    spec.validate()?;
    juggernaut_core::text::check_text("reason", reason)?;
    let mut tx = store.begin().await?;
    let edited = async {
        let goal = get(&mut *tx, id, true)
            .await?
            .ok_or_else(|| not_found(id))?;
        if !matches!(goal.status, GoalStatus::Active | GoalStatus::Paused) {
            return Err(refused(format!(
                "goal {id} is {}; only active or paused goals can be edited",
                goal.status
            )));
        }
        if read_at.is_some_and(|t| t != goal.updated_at) {
            return Err(goal_changed(id));
        }
        sqlx::query(
            "UPDATE goals SET title = $1, description = $2, target = $3, deadline = $4, \
             budget = $5, tags = $6, changed_at = now(), updated_at = now(), plan_after = NULL \
             WHERE id = $7",
        )
        .bind(&spec.title)
        .bind(&spec.description)
        .bind(spec.target.as_ref().map(to_json).transpose()?)
        .bind(spec.deadline)
        .bind(to_json(&spec.budget)?)
        .bind(to_json(&spec.tags)?)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(db("edit_goal"))?;
        record(&mut tx, EventKind::GoalEdited, id, actor, reason).await?;
        get(&mut *tx, id, false).await?.ok_or_else(|| not_found(id))
    }
    .await;
    finish(tx, edited, "edit_goal").await
}

/// See [`juggernaut_store::GoalStore::request_replan`].
pub async fn replan(
    store: &PostgresStore,
    id: GoalId,
    actor: &str,
    reason: &str,
) -> Result<Goal, StoreError> {
    juggernaut_core::text::check_text("reason", reason)?;
    let mut tx = store.begin().await?;
    let asked = async {
        let goal = get(&mut *tx, id, true)
            .await?
            .ok_or_else(|| not_found(id))?;
        if goal.status != GoalStatus::Active {
            return Err(refused(format!(
                "goal {id} is {}; only an active goal is planned",
                goal.status
            )));
        }
        sqlx::query(
            "UPDATE goals SET changed_at = now(), updated_at = now(), plan_after = NULL \
             WHERE id = $1",
        )
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(db("request_replan"))?;
        record(&mut tx, EventKind::GoalReplanRequested, id, actor, reason).await?;
        get(&mut *tx, id, false).await?.ok_or_else(|| not_found(id))
    }
    .await;
    finish(tx, asked, "request_replan").await
}

async fn record(
    conn: &mut PgConnection,
    kind: EventKind,
    id: GoalId,
    actor: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let data = Payload::Reason(Reason {
        reason: reason.to_owned(),
    });
    audit::record(conn, goal_entry(kind, id, actor).with(data.to_value())).await
}
