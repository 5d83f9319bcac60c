//! Goals: add, read, list, status changes, metric readings, deadlines, and the one query that
//! decides which goals need a plan. Plans themselves are in `plans.rs`. Times come from the
//! database clock.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{PostgresStore, finish};
use crate::time::dur_us;
use juggernaut_core::goal::MetricPoint;
use juggernaut_core::{DomainError, EventKind, Goal, GoalId, GoalStatus, NewGoal};
use juggernaut_store::audit::{GoalChange, GoalEvent, MetricReading, Payload};
use juggernaut_store::{GoalFilter, Recorded, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgExecutor, Row};
use std::time::Duration;

/// Columns selected for a goal, in the order [`row`] reads them.
pub const COLUMNS: &str = "id, title, description, parent_id, target, deadline, budget, tags, owner, \
     status, current, plan_version, plan_error, created_at, updated_at";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "goals",
        reason: e.to_string(),
    }
}

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, StoreError> {
    serde_json::from_value(v).map_err(corrupt)
}

/// A goal row.
pub fn row(r: &PgRow) -> Result<Goal, StoreError> {
    let target: Option<serde_json::Value> = r.try_get("target").map_err(corrupt)?;
    let status: String = r.try_get("status").map_err(corrupt)?;
    Ok(Goal {
        id: GoalId(r.try_get("id").map_err(corrupt)?),
        spec: NewGoal {
            title: r.try_get("title").map_err(corrupt)?,
            description: r.try_get("description").map_err(corrupt)?,
            parent_id: r
                .try_get::<Option<i64>, _>("parent_id")
                .map_err(corrupt)?
                .map(GoalId),
            target: target.map(from_json).transpose()?,
            deadline: r.try_get("deadline").map_err(corrupt)?,
            budget: from_json(r.try_get("budget").map_err(corrupt)?)?,
            tags: from_json(r.try_get("tags").map_err(corrupt)?)?,
            owner: r.try_get("owner").map_err(corrupt)?,
        },
        status: status.parse().map_err(corrupt)?,
        current: r.try_get("current").map_err(corrupt)?,
        plan_version: r.try_get("plan_version").map_err(corrupt)?,
        plan_error: r.try_get("plan_error").map_err(corrupt)?,
        created_at: r.try_get("created_at").map_err(corrupt)?,
        updated_at: r.try_get("updated_at").map_err(corrupt)?,
    })
}

/// One goal by id; with `lock`, its row is locked for the caller's transaction.
pub async fn get<'e>(
    ex: impl PgExecutor<'e>,
    id: GoalId,
    lock: bool,
) -> Result<Option<Goal>, StoreError> {
    let tail = if lock { " FOR NO KEY UPDATE" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM goals WHERE id = $1{tail}");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(ex)
        .await
        .map_err(db("get_goal"))?;
    found.as_ref().map(row).transpose()
}

/// The refusal for a goal that does not exist.
pub fn not_found(id: GoalId) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "goal",
        reason: format!("goal {id} not found"),
    })
}

/// An event about a goal.
pub fn goal_entry(kind: EventKind, id: GoalId, actor: &str) -> Entry<'_> {
    Entry::about(kind, actor, serde_json::json!({})).for_goal(id.0)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(v).map_err(corrupt)
}

/// Adds a goal.
pub async fn add(store: &PostgresStore, g: NewGoal, actor: &str) -> Result<Goal, StoreError> {
    g.validate()?;
    let mut tx = store.begin().await?;
    let added = insert(&mut tx, &g, actor).await;
    finish(tx, added, "add_goal").await
}

async fn insert(conn: &mut PgConnection, g: &NewGoal, actor: &str) -> Result<Goal, StoreError> {
    if let Some(parent) = g.parent_id
        && get(&mut *conn, parent, false).await?.is_none()
    {
        return Err(not_found(parent));
    }
    let sql = format!(
        "INSERT INTO goals (title, description, parent_id, target, deadline, budget, tags, owner, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active') RETURNING {COLUMNS}"
    );
    let target = g.target.as_ref().map(to_json).transpose()?;
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&g.title)
        .bind(&g.description)
        .bind(g.parent_id.map(|p| p.0))
        .bind(target)
        .bind(g.deadline)
        .bind(to_json(&g.budget)?)
        .bind(to_json(&g.tags)?)
        .bind(&g.owner)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("add_goal"))?;
    let goal = row(&r)?;
    let data = Payload::Goal(GoalEvent {
        title: goal.spec.title.clone(),
    });
    audit::record(
        conn,
        goal_entry(EventKind::GoalAdded, goal.id, actor).with(data.to_value()),
    )
    .await?;
    Ok(goal)
}

/// Goals matching `f`, newest first.
pub async fn list(
    store: &PostgresStore,
    f: &GoalFilter,
    limit: u32,
) -> Result<Vec<Goal>, StoreError> {
    let statuses: Vec<&str> = f.statuses.iter().map(|s| s.as_str()).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM goals \
         WHERE (cardinality($1::text[]) = 0 OR status = ANY($1)) \
           AND ($2::text IS NULL OR tags ? $2) AND ($3::bigint IS NULL OR parent_id = $3) \
           AND ($5::bigint IS NULL OR id < $5) \
         ORDER BY id DESC LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(statuses)
        .bind(f.tag.as_deref())
        .bind(f.parent.map(|p| p.0))
        .bind(i64::from(limit.clamp(1, 1000)))
        .bind(f.before.map(|b| b.0))
        .persistent(false)
        .fetch_all(store.pool())
        .await
        .map_err(db("list_goals"))?;
    rows.iter().map(row).collect()
}

/// Moves a goal to `to`.
pub async fn set_status(
    store: &PostgresStore,
    id: GoalId,
    to: GoalStatus,
    actor: &str,
    reason: &str,
) -> Result<Goal, StoreError> {
    let mut tx = store.begin().await?;
    let changed = async {
        let goal = get(&mut *tx, id, true)
            .await?
            .ok_or_else(|| not_found(id))?;
        change(&mut tx, &goal, to, actor, reason).await?;
        get(&mut *tx, id, false).await?.ok_or_else(|| not_found(id))
    }
    .await;
    finish(tx, changed, "set_goal_status").await
}

/// Changes a locked goal's status inside the caller's transaction.
async fn change(
    conn: &mut PgConnection,
    goal: &Goal,
    to: GoalStatus,
    actor: &str,
    reason: &str,
) -> Result<(), StoreError> {
    if !goal.status.can_become(to) {
        return Err(StoreError::Domain(DomainError::InvalidField {
            field: "goal status",
            reason: format!("goal {} is {}, it cannot become {to}", goal.id, goal.status),
        }));
    }
    sqlx::query(
        "UPDATE goals SET status = $1, updated_at = now(), changed_at = now() WHERE id = $2",
    )
    .bind(to.as_str())
    .bind(goal.id.0)
    .execute(&mut *conn)
    .await
    .map_err(db("set_goal_status"))?;
    let data = Payload::GoalChange(GoalChange {
        from: goal.status,
        to,
        reason: juggernaut_core::text::storable(reason).into_owned(),
    });
    audit::record(
        conn,
        goal_entry(EventKind::GoalStatusChanged, goal.id, actor).with(data.to_value()),
    )
    .await
}

/// Records a reading.
pub async fn record_metric(
    store: &PostgresStore,
    id: GoalId,
    value: f64,
    source: &str,
) -> Result<Recorded, StoreError> {
    if !value.is_finite() {
        return Err(StoreError::Domain(DomainError::InvalidField {
            field: "value",
            reason: format!("{value} is not a finite number"),
        }));
    }
    juggernaut_core::text::check_text("source", source)?;
    let mut tx = store.begin().await?;
    let recorded = record(&mut tx, id, value, source).await;
    finish(tx, recorded, "record_metric").await
}

async fn record(
    conn: &mut PgConnection,
    id: GoalId,
    value: f64,
    source: &str,
) -> Result<Recorded, StoreError> {
    let goal = get(&mut *conn, id, true)
        .await?
        .ok_or_else(|| not_found(id))?;
    sqlx::query("INSERT INTO goal_metrics (goal_id, value, source) VALUES ($1, $2, $3)")
        .bind(id.0)
        .bind(value)
        .bind(source)
        .execute(&mut *conn)
        .await
        .map_err(db("record_metric"))?;
    sqlx::query(
        "UPDATE goals SET current = $1, updated_at = now(), \
         changed_at = CASE WHEN current IS NOT DISTINCT FROM $1 THEN changed_at ELSE now() END \
         WHERE id = $2",
    )
    .bind(value)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(db("record_metric"))?;
    let data = Payload::MetricReading(MetricReading {
        value,
        source: source.to_owned(),
    });
    audit::record(
        &mut *conn,
        goal_entry(EventKind::MetricRecorded, id, source).with(data.to_value()),
    )
    .await?;
    let met = goal.status == GoalStatus::Active
        && goal.spec.target.as_ref().is_some_and(|t| t.is_met(value));
    if met {
        let target = goal.spec.target.as_ref().map_or(0.0, |t| t.target);
        let why = format!("the metric reached {value} (target {target})");
        change(&mut *conn, &goal, GoalStatus::Achieved, source, &why).await?;
    }
    let after = get(&mut *conn, id, false)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Recorded {
        goal: after,
        achieved: met,
    })
}

/// A goal's newest readings, oldest first.
pub async fn series(
    store: &PostgresStore,
    id: GoalId,
    limit: u32,
) -> Result<Vec<MetricPoint>, StoreError> {
    let rows: Vec<(f64, chrono::DateTime<chrono::Utc>, String)> = sqlx::query_as(
        "SELECT value, at, source FROM (SELECT id, value, at, source FROM goal_metrics \
         WHERE goal_id = $1 ORDER BY id DESC LIMIT $2) s ORDER BY id",
    )
    .bind(id.0)
    .bind(i64::from(limit.clamp(1, 10_000)))
    .fetch_all(store.pool())
    .await
    .map_err(db("metric_series"))?;
    Ok(rows
        .into_iter()
        .map(|(value, at, source)| MetricPoint { value, at, source })
        .collect())
}

/// Active goals past their deadline become missed.
pub async fn mark_missed(store: &PostgresStore, actor: &str) -> Result<Vec<GoalId>, StoreError> {
    let mut tx = store.begin().await?;
    let missed = async {
        let sql = format!(
            "SELECT {COLUMNS} FROM goals WHERE status = 'active' AND deadline < now() \
             ORDER BY id FOR NO KEY UPDATE SKIP LOCKED"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *tx)
            .await
            .map_err(db("mark_missed"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let goal = row(r)?;
            change(
                &mut tx,
                &goal,
                GoalStatus::Missed,
                actor,
                "the deadline passed short of the target",
            )
            .await?;
            out.push(goal.id);
        }
        Ok(out)
    }
    .await;
    finish(tx, missed, "mark_missed").await
}

/// The goals that need a plan; see [`juggernaut_store::GoalStore::goals_to_plan`].
pub async fn to_plan(
    store: &PostgresStore,
    limit: u32,
    min_interval: Duration,
) -> Result<Vec<Goal>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM goals g WHERE g.status = 'active' \
           AND (g.plan_after IS NULL OR g.plan_after <= now()) \
           AND (g.planned_at IS NULL OR g.planned_at <= now() - $1::bigint * interval '1 microsecond') \
           AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.goal_id = g.id \
               AND t.status NOT IN ('completed', 'failed', 'dead', 'cancelled', 'blocked')) \
           AND (g.planned_at IS NULL OR g.changed_at > g.planned_at \
               OR EXISTS (SELECT 1 FROM tasks t WHERE t.goal_id = g.id AND t.kind <> 'plan' AND t.finished_at > g.planned_at)) \
         ORDER BY g.id LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(dur_us(min_interval))
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(store.pool())
        .await
        .map_err(db("goals_to_plan"))?;
    rows.iter().map(row).collect()
}
