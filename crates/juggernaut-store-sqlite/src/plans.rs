//! Plans: storing a version enqueues its tasks in the same transaction (idempotent per version,
//! refused for a goal that moved on or is not active, or past its task cap); a failed attempt
//! leaves its reason on the goal and holds planning back.

use crate::audit;
use crate::enqueue;
use crate::error::{db, json};
use crate::goals::{self, goal_entry};
use crate::store::SqliteStore;
use crate::time::{dur_us, from_us, now_us};
use juggernaut_core::text::clipped;
use juggernaut_core::{DomainError, EventKind, GoalId, GoalStatus, Plan, TaskId};
use juggernaut_store::audit::{Payload, PlanFailed, Planned};
use juggernaut_store::{MAX_RAW, NewPlan, PlanningFailure, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use std::time::Duration;

const COLUMNS: &str = "goal_id, version, graph, made_by, task_ids, created_at";

fn row(r: &SqliteRow) -> Result<Plan, StoreError> {
    let corrupt = |e: sqlx::Error| StoreError::Corrupt {
        table: "plans",
        reason: e.to_string(),
    };
    let graph: String = r.try_get("graph").map_err(corrupt)?;
    let ids: String = r.try_get("task_ids").map_err(corrupt)?;
    Ok(Plan {
        goal_id: GoalId(r.try_get("goal_id").map_err(corrupt)?),
        version: r.try_get("version").map_err(corrupt)?,
        graph: serde_json::from_str(&graph).map_err(json("plans"))?,
        made_by: r.try_get("made_by").map_err(corrupt)?,
        task_ids: serde_json::from_str(&ids).map_err(json("plans"))?,
        created_at: from_us(r.try_get("created_at").map_err(corrupt)?),
    })
}

fn refused(reason: String) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "plan",
        reason,
    })
}

async fn find(
    conn: &mut SqliteConnection,
    goal: GoalId,
    version: i64,
) -> Result<Option<Plan>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM plans WHERE goal_id = ? AND version = ?");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(goal.0)
        .bind(version)
        .fetch_optional(conn)
        .await
        .map_err(db("store_plan"))?;
    r.as_ref().map(row).transpose()
}

/// Stores a plan with its tasks; see [`juggernaut_store::GoalStore::store_plan`].
pub async fn store(store: &SqliteStore, p: NewPlan, actor: &str) -> Result<Plan, StoreError> {
    p.check()?;
    let mut tx = store.write().await?;
    if let Some(existing) = find(&mut tx, p.goal_id, p.version).await? {
        return Ok(existing);
    }
    let goal = goals::get(&mut *tx, p.goal_id)
        .await?
        .ok_or_else(|| refused(format!("goal {} not found", p.goal_id)))?;
    check(&mut tx, &goal, &p).await?;
    let mut ids: Vec<TaskId> = Vec::with_capacity(p.tasks.len());
    for (task, after) in &p.tasks {
        let mut t = task.clone();
        t.goal_id = Some(p.goal_id);
        t.depends_on
            .extend(after.iter().filter_map(|&i| ids.get(i).copied()));
        ids.push(enqueue::one(&mut tx, t).await?.task.id);
    }
    let now = now_us();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO plans ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
    )))
    .bind(p.goal_id.0)
    .bind(p.version)
    .bind(serde_json::to_string(&p.graph).map_err(json("plans"))?)
    .bind(&p.made_by)
    .bind(serde_json::to_string(&ids).map_err(json("plans"))?)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(db("store_plan"))?;
    sqlx::query(
        "UPDATE goals SET plan_version = ?, planned_at = ?, plan_error = NULL, plan_raw = NULL, plan_after = NULL, \
         updated_at = ? WHERE id = ?",
    )
    .bind(p.version)
    .bind(now)
    .bind(now)
    .bind(p.goal_id.0)
    .execute(&mut *tx)
    .await
    .map_err(db("store_plan"))?;
    let data = Payload::Planned(Planned {
        version: p.version,
        made_by: p.made_by.clone(),
        tasks: ids.clone(),
    });
    audit::record(
        &mut tx,
        goal_entry(EventKind::GoalPlanned, p.goal_id, actor).with(data.to_value()),
    )
    .await?;
    let plan = find(&mut tx, p.goal_id, p.version)
        .await?
        .ok_or_else(|| refused("the stored plan could not be read back".into()))?;
    tx.commit().await.map_err(db("store_plan"))?;
    store.signal.notify_waiters();
    Ok(plan)
}

/// Refuses a plan for a goal that is not active, has moved on to another version, or whose
/// task cap the plan would pass.
async fn check(
    conn: &mut SqliteConnection,
    goal: &juggernaut_core::Goal,
    p: &NewPlan,
) -> Result<(), StoreError> {
    if goal.status != GoalStatus::Active {
        return Err(refused(format!(
            "goal {} is {}, not active",
            goal.id, goal.status
        )));
    }
    if goal.plan_version + 1 != p.version {
        return Err(refused(format!(
            "goal {} is at plan version {}; this plan is version {}",
            goal.id, goal.plan_version, p.version
        )));
    }
    if let Some(cap) = goal.spec.budget.max_tasks {
        let so_far: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE goal_id = ?")
            .bind(goal.id.0)
            .fetch_one(conn)
            .await
            .map_err(db("store_plan"))?;
        let after = so_far.saturating_add(p.tasks.len() as i64);
        if after > i64::from(cap) {
            return Err(refused(format!(
                "goal {} may have at most {cap} tasks; it has {so_far} and the plan adds {}",
                goal.id,
                p.tasks.len()
            )));
        }
    }
    Ok(())
}

/// Records a failed planning attempt.
pub async fn failed(
    store: &SqliteStore,
    id: GoalId,
    error: &str,
    raw: Option<&str>,
    retry_after: Duration,
    actor: &str,
) -> Result<(), StoreError> {
    let error = juggernaut_core::text::storable(error).into_owned();
    let raw = raw.map(|r| clipped(r, MAX_RAW));
    let mut tx = store.write().await?;
    let now = now_us();
    let done = sqlx::query(
        "UPDATE goals SET plan_error = ?, plan_raw = ?, plan_after = ?, updated_at = ? WHERE id = ?",
    )
            .bind(&error)
            .bind(&raw)
            .bind(now.saturating_add(dur_us(retry_after)))
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(db("plan_failed"))?;
    if done.rows_affected() == 0 {
        return Err(refused(format!("goal {id} not found")));
    }
    let data = Payload::PlanFailed(PlanFailed {
        error,
        raw,
        retry_after_s: retry_after.as_secs(),
    });
    audit::record(
        &mut tx,
        goal_entry(EventKind::GoalPlanFailed, id, actor).with(data.to_value()),
    )
    .await?;
    tx.commit().await.map_err(db("plan_failed"))
}

/// A goal's plans, newest first.
pub async fn list(store: &SqliteStore, id: GoalId, limit: u32) -> Result<Vec<Plan>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM plans WHERE goal_id = ? ORDER BY version DESC LIMIT ?");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(store.reader())
        .await
        .map_err(db("plans"))?;
    rows.iter().map(row).collect()
}

/// A goal's plan at one version.
pub async fn get(
    store: &SqliteStore,
    id: GoalId,
    version: i64,
) -> Result<Option<Plan>, StoreError> {
    let mut conn = store.reader().acquire().await.map_err(db("plan"))?;
    find(&mut conn, id, version).await
}

/// The goal's failed planning attempt, if its newest attempt failed.
pub async fn failure(
    store: &SqliteStore,
    id: GoalId,
) -> Result<Option<PlanningFailure>, StoreError> {
    let r = sqlx::query("SELECT plan_error, plan_raw, plan_after FROM goals WHERE id = ? AND plan_error IS NOT NULL")
        .bind(id.0)
        .fetch_optional(store.reader())
        .await
        .map_err(db("planning_failure"))?;
    let Some(r) = r else { return Ok(None) };
    let corrupt = |e: sqlx::Error| StoreError::Corrupt {
        table: "goals",
        reason: e.to_string(),
    };
    let after: Option<i64> = r.try_get("plan_after").map_err(corrupt)?;
    Ok(Some(PlanningFailure {
        error: r.try_get("plan_error").map_err(corrupt)?,
        raw: r.try_get("plan_raw").map_err(corrupt)?,
        retry_at: after.filter(|&a| a > now_us()).map(from_us),
    }))
}
