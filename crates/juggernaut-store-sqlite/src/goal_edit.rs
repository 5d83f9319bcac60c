//! Changing a goal by hand: its spec edited (title, description, target, deadline, budget,
//! tags), or the planner asked to look at it again now. Both mark the goal changed and lift a
//! planning backoff, so the planner's next pass considers it, with one audit event each.

use crate::audit;
use crate::error::{db, json};
use crate::goals::{get, goal_entry};
use crate::store::SqliteStore;
use crate::time::now_us;
use chrono::{DateTime, Utc};
use juggernaut_core::{DomainError, EventKind, Goal, GoalId, GoalStatus, NewGoal};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{Payload, Reason};
use juggernaut_store::capability::goals::goal_changed;

fn refused(field: &'static str, reason: String) -> StoreError {
    StoreError::Domain(DomainError::InvalidField { field, reason })
}

fn missing(id: GoalId) -> StoreError {
    refused("goal", format!("goal {id} not found"))
}

/// See [`juggernaut_store::GoalStore::edit_goal`].
pub async fn edit(
    store: &SqliteStore,
    id: GoalId,
    spec: NewGoal,
    read_at: Option<DateTime<Utc>>,
    actor: &str,
    reason: &str,
) -> Result<Goal, StoreError> {
    spec.validate()?;
    juggernaut_core::text::check_text("reason", reason)?;
    let mut tx = store.write().await?;
    let goal = get(&mut *tx, id).await?.ok_or_else(|| missing(id))?;
    if !matches!(goal.status, GoalStatus::Active | GoalStatus::Paused) {
        return Err(refused(
            "goal status",
            format!(
                "goal {id} is {}; only active or paused goals can be edited",
                goal.status
            ),
        ));
    }
    if read_at.is_some_and(|t| t != goal.updated_at) {
        return Err(goal_changed(id));
    }
    let target = spec
        .target
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(json("goals"))?;
    let now = now_us();
    sqlx::query(
        "UPDATE goals SET title = ?1, description = ?2, target = ?3, deadline = ?4, budget = ?5, \
         tags = ?6, changed_at = ?7, updated_at = ?7, plan_after = NULL WHERE id = ?8",
    )
    .bind(&spec.title)
    .bind(&spec.description)
    .bind(target)
    .bind(spec.deadline.map(|d| d.timestamp_micros()))
    .bind(serde_json::to_string(&spec.budget).map_err(json("goals"))?)
    .bind(serde_json::to_string(&spec.tags).map_err(json("goals"))?)
    .bind(now)
    .bind(id.0)
    .execute(&mut *tx)
    .await
    .map_err(db("edit_goal"))?;
    record(&mut tx, EventKind::GoalEdited, id, actor, reason).await?;
    let after = get(&mut *tx, id).await?.ok_or_else(|| missing(id))?;
    tx.commit().await.map_err(db("edit_goal"))?;
    Ok(after)
}

/// See [`juggernaut_store::GoalStore::request_replan`].
pub async fn replan(
    store: &SqliteStore,
    id: GoalId,
    actor: &str,
    reason: &str,
) -> Result<Goal, StoreError> {
    juggernaut_core::text::check_text("reason", reason)?;
    let mut tx = store.write().await?;
    let goal = get(&mut *tx, id).await?.ok_or_else(|| missing(id))?;
    if goal.status != GoalStatus::Active {
        return Err(refused(
            "goal status",
            format!(
                "goal {id} is {}; only an active goal is planned",
                goal.status
            ),
        ));
    }
    sqlx::query(
        "UPDATE goals SET changed_at = ?1, updated_at = ?1, plan_after = NULL WHERE id = ?2",
    )
    .bind(now_us())
    .bind(id.0)
    .execute(&mut *tx)
    .await
    .map_err(db("request_replan"))?;
    record(&mut tx, EventKind::GoalReplanRequested, id, actor, reason).await?;
    let after = get(&mut *tx, id).await?.ok_or_else(|| missing(id))?;
    tx.commit().await.map_err(db("request_replan"))?;
    Ok(after)
}

async fn record(
    conn: &mut sqlx::SqliteConnection,
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
