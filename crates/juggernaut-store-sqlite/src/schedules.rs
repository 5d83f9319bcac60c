//! Cron schedules: add, remove, list, and fire. Firing moves `next_fire_at` with a
//! compare-and-set and enqueues the task in the same transaction, so each fire time creates its
//! task once, whichever node fires it.

use crate::audit::{self, Entry};
use crate::enqueue;
use crate::error::{db, json};
use crate::store::SqliteStore;
use crate::time::{from_us, now_us};
use chrono::{DateTime, Utc};
use juggernaut_core::schedule::{NewSchedule, Schedule};
use juggernaut_core::{EventKind, TaskId, TaskKind};
use juggernaut_store::{Schedules, StoreError};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

const COLUMNS: &str = "id, name, cron, kind, title, input, priority, max_attempts, next_fire_at, last_fired_at, last_task_id, created_at";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "schedules",
        reason: e.to_string(),
    }
}

fn row(r: &SqliteRow) -> Result<Schedule, StoreError> {
    let kind: String = r.try_get("kind").map_err(corrupt)?;
    let input: String = r.try_get("input").map_err(corrupt)?;
    let max_attempts: i64 = r.try_get("max_attempts").map_err(corrupt)?;
    Ok(Schedule {
        id: r.try_get("id").map_err(corrupt)?,
        name: r.try_get("name").map_err(corrupt)?,
        cron: r.try_get("cron").map_err(corrupt)?,
        kind: TaskKind::new(&kind)?,
        title: r.try_get("title").map_err(corrupt)?,
        input: serde_json::from_str(&input).map_err(json("schedules"))?,
        priority: r.try_get("priority").map_err(corrupt)?,
        max_attempts: u32::try_from(max_attempts)
            .map_err(|_| corrupt(format!("max_attempts {max_attempts} is negative")))?,
        next_fire_at: from_us(r.try_get("next_fire_at").map_err(corrupt)?),
        last_fired_at: r
            .try_get::<Option<i64>, _>("last_fired_at")
            .map_err(corrupt)?
            .map(from_us),
        last_task_id: r
            .try_get::<Option<i64>, _>("last_task_id")
            .map_err(corrupt)?
            .map(TaskId),
        created_at: from_us(r.try_get("created_at").map_err(corrupt)?),
    })
}

/// Adds a schedule.
pub async fn add(store: &SqliteStore, s: NewSchedule, actor: &str) -> Result<Schedule, StoreError> {
    let now = now_us();
    let first = s.validate(from_us(now))?;
    let mut tx = store.write().await?;
    let sql = format!(
        "INSERT INTO schedules (name, cron, kind, title, input, priority, max_attempts, next_fire_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&s.name)
        .bind(&s.cron)
        .bind(s.kind.as_str())
        .bind(&s.title)
        .bind(s.input.to_string())
        .bind(s.priority)
        .bind(i64::from(s.max_attempts))
        .bind(first.timestamp_micros())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.message().contains("UNIQUE") => {
                StoreError::Domain(juggernaut_core::DomainError::InvalidField {
                    field: "name",
                    reason: format!("a schedule named `{}` already exists", s.name),
                })
            }
            _ => db("add_schedule")(e),
        })?;
    let schedule = row(&r)?;
    audit::record(
        &mut tx,
        Entry::about(
            EventKind::ScheduleAdded,
            actor,
            serde_json::json!({"schedule": schedule.name, "cron": schedule.cron}),
        ),
    )
    .await?;
    tx.commit().await.map_err(db("add_schedule"))?;
    Ok(schedule)
}

/// Removes a schedule by name.
pub async fn remove(store: &SqliteStore, name: &str, actor: &str) -> Result<bool, StoreError> {
    let mut tx = store.write().await?;
    let gone = sqlx::query("DELETE FROM schedules WHERE name = ?")
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(db("remove_schedule"))?
        .rows_affected()
        > 0;
    if gone {
        audit::record(
            &mut tx,
            Entry::about(
                EventKind::ScheduleRemoved,
                actor,
                serde_json::json!({"schedule": name}),
            ),
        )
        .await?;
    }
    tx.commit().await.map_err(db("remove_schedule"))?;
    Ok(gone)
}

/// Every schedule, sorted into those that can fire and those that cannot.
pub async fn list(store: &SqliteStore) -> Result<Schedules, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM schedules ORDER BY name"
    )))
    .fetch_all(store.reader())
    .await
    .map_err(db("list_schedules"))?;
    let mut out = Schedules::default();
    for r in &rows {
        let id: i64 = r.try_get("id").map_err(corrupt)?;
        let name: String = r.try_get("name").map_err(corrupt)?;
        out.push(id, name, row(r));
    }
    Ok(out)
}

/// Fires a schedule once for `fire_at`.
pub async fn fire(
    store: &SqliteStore,
    id: i64,
    fire_at: DateTime<Utc>,
    next: DateTime<Utc>,
    actor: &str,
) -> Result<Option<TaskId>, StoreError> {
    let mut tx = store.write().await?;
    let sql = format!(
        "UPDATE schedules SET next_fire_at = ?, last_fired_at = ? WHERE id = ? AND next_fire_at = ? RETURNING {COLUMNS}"
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(next.timestamp_micros())
        .bind(fire_at.timestamp_micros())
        .bind(id)
        .bind(fire_at.timestamp_micros())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("fire_schedule"))?;
    let Some(r) = r else { return Ok(None) };
    let schedule = row(&r)?;
    let new_task = schedule.task_for(fire_at);
    new_task.validate()?;
    let task = enqueue::one(&mut tx, new_task).await?.task;
    sqlx::query("UPDATE schedules SET last_task_id = ? WHERE id = ?")
        .bind(task.id.0)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db("fire_schedule"))?;
    let data = serde_json::json!({"schedule": schedule.name, "fire_at": fire_at, "task": task.id, "next": next});
    audit::record(&mut tx, Entry::about(EventKind::ScheduleFired, actor, data)).await?;
    tx.commit().await.map_err(db("fire_schedule"))?;
    store.signal.notify_waiters();
    Ok(Some(task.id))
}
