//! Plans: storing a version enqueues its tasks in the same transaction (idempotent per version,
//! refused for a goal that moved on or is not active, or past its task cap); a failed attempt
//! leaves its reason on the goal and holds planning back.

use crate::audit;
use crate::enqueue;
use crate::error::db;
use crate::goals::{self, goal_entry, not_found};
use crate::store::{PostgresStore, finish};
use crate::time::{dur_us, now_plus};
use juggernaut_core::text::clipped;
use juggernaut_core::{DomainError, EventKind, Goal, GoalId, GoalStatus, Plan, TaskId};
use juggernaut_store::audit::{Payload, PlanFailed, Planned};
use juggernaut_store::{MAX_RAW, NewPlan, PlanningFailure, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use std::time::Duration;

const COLUMNS: &str = "goal_id, version, graph, made_by, task_ids, created_at";

fn row(r: &PgRow) -> Result<Plan, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt {
        table: "plans",
        reason: e,
    };
    let get = |c: &str| -> Result<serde_json::Value, StoreError> {
        r.try_get(c)
            .map_err(|e: sqlx::Error| corrupt(e.to_string()))
    };
    Ok(Plan {
        goal_id: GoalId(r.try_get("goal_id").map_err(|e| corrupt(e.to_string()))?),
        version: r.try_get("version").map_err(|e| corrupt(e.to_string()))?,
        graph: serde_json::from_value(get("graph")?).map_err(|e| corrupt(e.to_string()))?,
        made_by: r.try_get("made_by").map_err(|e| corrupt(e.to_string()))?,
        task_ids: serde_json::from_value(get("task_ids")?).map_err(|e| corrupt(e.to_string()))?,
        created_at: r
            .try_get("created_at")
            .map_err(|e| corrupt(e.to_string()))?,
    })
}

fn refused(reason: String) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "plan",
        reason,
    })
}

async fn find(
    conn: &mut PgConnection,
    goal: GoalId,
    version: i64,
) -> Result<Option<Plan>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM plans WHERE goal_id = $1 AND version = $2");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(goal.0)
        .bind(version)
        .fetch_optional(conn)
        .await
        .map_err(db("store_plan"))?;
    r.as_ref().map(row).transpose()
}

/// Stores a plan with its tasks; see [`juggernaut_store::GoalStore::store_plan`].
pub async fn store(store: &PostgresStore, p: NewPlan, actor: &str) -> Result<Plan, StoreError> {
    p.check()?;
    let mut tx = store.begin().await?;
    let stored = insert(&mut tx, &p, actor).await;
    let (plan, created) = finish(tx, stored, "store_plan").await?;
    if created > 0 {
        store.signal.notify_waiters();
        store.note_ready(created);
    }
    Ok(plan)
}

/// Stores the plan; returns it and how many tasks it enqueued (0 if it was there already).
async fn insert(
    conn: &mut PgConnection,
    p: &NewPlan,
    actor: &str,
) -> Result<(Plan, u64), StoreError> {
    let goal = goals::get(&mut *conn, p.goal_id, true)
        .await?
        .ok_or_else(|| not_found(p.goal_id))?;
    if let Some(existing) = find(&mut *conn, p.goal_id, p.version).await? {
        return Ok((existing, 0));
    }
    check(&mut *conn, &goal, p).await?;
    let mut ids: Vec<TaskId> = Vec::with_capacity(p.tasks.len());
    for (task, after) in &p.tasks {
        let mut t = task.clone();
        t.goal_id = Some(p.goal_id);
        t.depends_on
            .extend(after.iter().filter_map(|&i| ids.get(i).copied()));
        ids.push(enqueue::one(&mut *conn, t).await?.task.id);
    }
    let graph = serde_json::to_value(&p.graph).map_err(|e| refused(e.to_string()))?;
    let task_ids = serde_json::to_value(&ids).map_err(|e| refused(e.to_string()))?;
    sqlx::query("INSERT INTO plans (goal_id, version, graph, made_by, task_ids) VALUES ($1, $2, $3, $4, $5)")
        .bind(p.goal_id.0)
        .bind(p.version)
        .bind(graph)
        .bind(&p.made_by)
        .bind(task_ids)
        .execute(&mut *conn)
        .await
        .map_err(db("store_plan"))?;
    sqlx::query(
        "UPDATE goals SET plan_version = $1, planned_at = now(), plan_error = NULL, plan_raw = NULL, plan_after = NULL, \
         updated_at = now() WHERE id = $2",
    )
    .bind(p.version)
    .bind(p.goal_id.0)
    .execute(&mut *conn)
    .await
    .map_err(db("store_plan"))?;
    let data = Payload::Planned(Planned {
        version: p.version,
        made_by: p.made_by.clone(),
        tasks: ids.clone(),
    });
    audit::record(
        &mut *conn,
        goal_entry(EventKind::GoalPlanned, p.goal_id, actor).with(data.to_value()),
    )
    .await?;
    let plan = find(conn, p.goal_id, p.version)
        .await?
        .ok_or_else(|| refused("the stored plan could not be read back".into()))?;
    Ok((plan, ids.len() as u64))
}

/// Refuses a plan for a goal that is not active, has moved on to another version, or whose
/// task cap the plan would pass.
async fn check(conn: &mut PgConnection, goal: &Goal, p: &NewPlan) -> Result<(), StoreError> {
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
        let so_far: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE goal_id = $1")
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
    store: &PostgresStore,
    id: GoalId,
    error: &str,
    raw: Option<&str>,
    retry_after: Duration,
    actor: &str,
) -> Result<(), StoreError> {
    let error = juggernaut_core::text::storable(error).into_owned();
    let raw = raw.map(|r| clipped(r, MAX_RAW));
    let mut tx = store.begin().await?;
    let recorded = async {
        let sql = format!(
            "UPDATE goals SET plan_error = $1, plan_after = {}, plan_raw = $4, updated_at = now() \
             WHERE id = $2",
            now_plus(3)
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&error)
            .bind(id.0)
            .bind(dur_us(retry_after))
            .bind(&raw)
            .execute(&mut *tx)
            .await
            .map_err(db("plan_failed"))?;
        if done.rows_affected() == 0 {
            return Err(not_found(id));
        }
        let data = Payload::PlanFailed(PlanFailed {
            error: error.clone(),
            raw: raw.clone(),
            retry_after_s: retry_after.as_secs(),
        });
        audit::record(
            &mut tx,
            goal_entry(EventKind::GoalPlanFailed, id, actor).with(data.to_value()),
        )
        .await
    }
    .await;
    finish(tx, recorded, "plan_failed").await
}

/// A goal's plans, newest first.
pub async fn list(store: &PostgresStore, id: GoalId, limit: u32) -> Result<Vec<Plan>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM plans WHERE goal_id = $1 ORDER BY version DESC LIMIT $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(store.pool())
        .await
        .map_err(db("plans"))?;
    rows.iter().map(row).collect()
}

/// A goal's plan at one version.
pub async fn get(
    store: &PostgresStore,
    id: GoalId,
    version: i64,
) -> Result<Option<Plan>, StoreError> {
    let mut conn = store.pool().acquire().await.map_err(db("plan"))?;
    find(&mut conn, id, version).await
}

/// The goal's failed planning attempt, if its newest attempt failed.
pub async fn failure(
    store: &PostgresStore,
    id: GoalId,
) -> Result<Option<PlanningFailure>, StoreError> {
    let r = sqlx::query(
        "SELECT plan_error, plan_raw, CASE WHEN plan_after > now() THEN plan_after END AS retry_at \
         FROM goals WHERE id = $1 AND plan_error IS NOT NULL",
    )
    .bind(id.0)
    .fetch_optional(store.pool())
    .await
    .map_err(db("planning_failure"))?;
    let Some(r) = r else { return Ok(None) };
    let corrupt = |e: sqlx::Error| StoreError::Corrupt {
        table: "goals",
        reason: e.to_string(),
    };
    Ok(Some(PlanningFailure {
        error: r.try_get("plan_error").map_err(corrupt)?,
        raw: r.try_get("plan_raw").map_err(corrupt)?,
        retry_at: r.try_get("retry_at").map_err(corrupt)?,
    }))
}
