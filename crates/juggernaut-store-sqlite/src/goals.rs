//! Goals: add, read, list, status changes, metric readings, deadlines, and the one query that
//! decides which goals need a plan. Plans themselves are in `plans.rs`.

use crate::audit::{self, Entry};
use crate::error::{db, json};
use crate::store::SqliteStore;
use crate::time::{dur_us, from_us, now_us};
use juggernaut_core::goal::{Budget, MetricPoint};
use juggernaut_core::{DomainError, EventKind, Goal, GoalId, GoalStatus, NewGoal};
use juggernaut_store::audit::{GoalChange, GoalEvent, MetricReading, Payload};
use juggernaut_store::{GoalFilter, Recorded, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqliteExecutor};
use std::time::Duration;

/// Columns selected for a goal, in the order [`row`] reads them.
pub const COLUMNS: &str = "id, title, description, parent_id, target, deadline, budget, tags, owner, \
     status, current, plan_version, plan_error, created_at, updated_at";

/// The terminal statuses of a task, as the partial index `tasks_goal_live` names them.
const TERMINAL: &str = "('completed', 'failed', 'dead', 'cancelled', 'blocked')";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "goals",
        reason: e.to_string(),
    }
}

/// A goal row.
pub fn row(r: &SqliteRow) -> Result<Goal, StoreError> {
    let get_json =
        |col: &str| -> Result<Option<String>, StoreError> { r.try_get(col).map_err(corrupt) };
    let target = get_json("target")?
        .map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(json("goals"))?;
    let budget: Budget =
        serde_json::from_str(&get_json("budget")?.unwrap_or_default()).map_err(json("goals"))?;
    let tags =
        serde_json::from_str(&get_json("tags")?.unwrap_or_default()).map_err(json("goals"))?;
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
            target,
            deadline: r
                .try_get::<Option<i64>, _>("deadline")
                .map_err(corrupt)?
                .map(from_us),
            budget,
            tags,
            owner: r.try_get("owner").map_err(corrupt)?,
        },
        status: status.parse().map_err(corrupt)?,
        current: r.try_get("current").map_err(corrupt)?,
        plan_version: r.try_get("plan_version").map_err(corrupt)?,
        plan_error: r.try_get("plan_error").map_err(corrupt)?,
        created_at: from_us(r.try_get("created_at").map_err(corrupt)?),
        updated_at: from_us(r.try_get("updated_at").map_err(corrupt)?),
    })
}

/// One goal by id.
pub async fn get<'e>(ex: impl SqliteExecutor<'e>, id: GoalId) -> Result<Option<Goal>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM goals WHERE id = ?");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(ex)
        .await
        .map_err(db("get_goal"))?;
    found.as_ref().map(row).transpose()
}

fn not_found(id: GoalId) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "goal",
        reason: format!("goal {id} not found"),
    })
}

/// Adds a goal.
pub async fn add(store: &SqliteStore, g: NewGoal, actor: &str) -> Result<Goal, StoreError> {
    g.validate()?;
    let mut tx = store.write().await?;
    if let Some(parent) = g.parent_id
        && get(&mut *tx, parent).await?.is_none()
    {
        return Err(not_found(parent));
    }
    let now = now_us();
    let sql = format!(
        "INSERT INTO goals (title, description, parent_id, target, deadline, budget, tags, owner, \
         status, changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?) \
         RETURNING {COLUMNS}"
    );
    let target = g
        .target
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(json("goals"))?;
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&g.title)
        .bind(&g.description)
        .bind(g.parent_id.map(|p| p.0))
        .bind(target)
        .bind(g.deadline.map(|d| d.timestamp_micros()))
        .bind(serde_json::to_string(&g.budget).map_err(json("goals"))?)
        .bind(serde_json::to_string(&g.tags).map_err(json("goals"))?)
        .bind(&g.owner)
        .bind(now)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("add_goal"))?;
    let goal = row(&r)?;
    let data = Payload::Goal(GoalEvent {
        title: goal.spec.title.clone(),
    });
    audit::record(
        &mut tx,
        goal_entry(EventKind::GoalAdded, goal.id, actor).with(data.to_value()),
    )
    .await?;
    tx.commit().await.map_err(db("add_goal"))?;
    Ok(goal)
}

/// An event about a goal.
pub fn goal_entry(kind: EventKind, id: GoalId, actor: &str) -> Entry<'_> {
    Entry::about(kind, actor, serde_json::json!({})).for_goal(id.0)
}

/// Goals matching `f`, newest first.
pub async fn list(
    store: &SqliteStore,
    f: &GoalFilter,
    limit: u32,
) -> Result<Vec<Goal>, StoreError> {
    let statuses: Vec<&str> = f.statuses.iter().map(|s| s.as_str()).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM goals \
         WHERE (?1 = '[]' OR status IN (SELECT value FROM json_each(?1))) \
           AND (?2 IS NULL OR EXISTS (SELECT 1 FROM json_each(goals.tags) WHERE value = ?2)) \
           AND (?3 IS NULL OR parent_id = ?3) AND (?5 IS NULL OR id < ?5) \
         ORDER BY id DESC LIMIT ?4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(serde_json::Value::from(statuses).to_string())
        .bind(f.tag.as_deref())
        .bind(f.parent.map(|p| p.0))
        .bind(i64::from(limit.clamp(1, 1000)))
        .bind(f.before.map(|b| b.0))
        .fetch_all(store.reader())
        .await
        .map_err(db("list_goals"))?;
    rows.iter().map(row).collect()
}

/// Moves a goal to `to`.
pub async fn set_status(
    store: &SqliteStore,
    id: GoalId,
    to: GoalStatus,
    actor: &str,
    reason: &str,
) -> Result<Goal, StoreError> {
    let mut tx = store.write().await?;
    let goal = get(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
    change(&mut tx, &goal, to, actor, reason).await?;
    let after = get(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
    tx.commit().await.map_err(db("set_goal_status"))?;
    Ok(after)
}

/// Changes a goal's status inside the caller's transaction (refused if the move is not allowed).
async fn change(
    conn: &mut SqliteConnection,
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
    let now = now_us();
    sqlx::query("UPDATE goals SET status = ?, updated_at = ?, changed_at = ? WHERE id = ?")
        .bind(to.as_str())
        .bind(now)
        .bind(now)
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
    store: &SqliteStore,
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
    let mut tx = store.write().await?;
    let goal = get(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
    let now = now_us();
    sqlx::query("INSERT INTO goal_metrics (goal_id, value, at, source) VALUES (?, ?, ?, ?)")
        .bind(id.0)
        .bind(value)
        .bind(now)
        .bind(source)
        .execute(&mut *tx)
        .await
        .map_err(db("record_metric"))?;
    sqlx::query(
        "UPDATE goals SET current = ?1, updated_at = ?2, \
         changed_at = CASE WHEN current IS ?1 THEN changed_at ELSE ?2 END WHERE id = ?3",
    )
    .bind(value)
    .bind(now)
    .bind(id.0)
    .execute(&mut *tx)
    .await
    .map_err(db("record_metric"))?;
    let data = Payload::MetricReading(MetricReading {
        value,
        source: source.to_owned(),
    });
    audit::record(
        &mut tx,
        goal_entry(EventKind::MetricRecorded, id, source).with(data.to_value()),
    )
    .await?;
    let met = goal.status == GoalStatus::Active
        && goal.spec.target.as_ref().is_some_and(|t| t.is_met(value));
    if met {
        let why = format!(
            "the metric reached {value} (target {})",
            goal.spec.target.as_ref().map_or(0.0, |t| t.target)
        );
        change(&mut tx, &goal, GoalStatus::Achieved, source, &why).await?;
    }
    let after = get(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
    tx.commit().await.map_err(db("record_metric"))?;
    Ok(Recorded {
        goal: after,
        achieved: met,
    })
}

/// A goal's newest readings, oldest first.
pub async fn series(
    store: &SqliteStore,
    id: GoalId,
    limit: u32,
) -> Result<Vec<MetricPoint>, StoreError> {
    let rows: Vec<(f64, i64, String)> = sqlx::query_as(
        "SELECT value, at, source FROM (SELECT id, value, at, source FROM goal_metrics \
         WHERE goal_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
    )
    .bind(id.0)
    .bind(i64::from(limit.clamp(1, 10_000)))
    .fetch_all(store.reader())
    .await
    .map_err(db("metric_series"))?;
    Ok(rows
        .into_iter()
        .map(|(value, at, source)| MetricPoint {
            value,
            at: from_us(at),
            source,
        })
        .collect())
}

/// Active goals past their deadline become missed.
pub async fn mark_missed(store: &SqliteStore, actor: &str) -> Result<Vec<GoalId>, StoreError> {
    let mut tx = store.write().await?;
    let sql =
        format!("SELECT {COLUMNS} FROM goals WHERE status = 'active' AND deadline < ? ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now_us())
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
    tx.commit().await.map_err(db("mark_missed"))?;
    Ok(out)
}

/// The goals that need a plan; see [`juggernaut_store::GoalStore::goals_to_plan`].
pub async fn to_plan(
    store: &SqliteStore,
    limit: u32,
    min_interval: Duration,
) -> Result<Vec<Goal>, StoreError> {
    let now = now_us();
    let sql = format!(
        "SELECT {COLUMNS} FROM goals g WHERE g.status = 'active' \
           AND (g.plan_after IS NULL OR g.plan_after <= ?1) \
           AND (g.planned_at IS NULL OR g.planned_at <= ?2) \
           AND NOT EXISTS (SELECT 1 FROM tasks t INDEXED BY tasks_goal_live \
               WHERE t.goal_id = g.id AND t.status NOT IN {TERMINAL}) \
           AND (g.planned_at IS NULL OR g.changed_at > g.planned_at \
               OR EXISTS (SELECT 1 FROM tasks t INDEXED BY tasks_goal_finished \
                   WHERE t.goal_id = g.id AND t.kind <> 'plan' AND t.finished_at > g.planned_at)) \
         ORDER BY g.id LIMIT ?3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(now.saturating_sub(dur_us(min_interval)))
        .bind(i64::from(limit.clamp(1, 10_000)))
        .fetch_all(store.reader())
        .await
        .map_err(db("goals_to_plan"))?;
    rows.iter().map(row).collect()
}
