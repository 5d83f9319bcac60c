//! Cron schedules: add, remove, list, and fire. Firing moves `next_fire_at` with a
//! compare-and-set and enqueues the task in the same transaction, so each fire time creates its
//! task once, whichever node fires it: of two nodes firing the same time, the second waits for the
//! first's row lock, then finds `next_fire_at` moved and fires nothing.

use crate::audit::{self, Entry};
use crate::enqueue;
use crate::error::db;
use crate::store::{PostgresStore, finish};
use crate::time;
use chrono::{DateTime, Utc};
use juggernaut_core::schedule::{NewSchedule, Schedule};
use juggernaut_core::{DomainError, EventKind, TaskId, TaskKind};
use juggernaut_store::{Schedules, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

const COLUMNS: &str = "id, name, cron, kind, title, input, priority, max_attempts, next_fire_at, last_fired_at, last_task_id, created_at";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "schedules",
        reason: e.to_string(),
    }
}

fn row(r: &PgRow) -> Result<Schedule, StoreError> {
    let kind: String = r.try_get("kind").map_err(corrupt)?;
    let max_attempts: i32 = r.try_get("max_attempts").map_err(corrupt)?;
    Ok(Schedule {
        id: r.try_get("id").map_err(corrupt)?,
        name: r.try_get("name").map_err(corrupt)?,
        cron: r.try_get("cron").map_err(corrupt)?,
        kind: TaskKind::new(&kind)?,
        title: r.try_get("title").map_err(corrupt)?,
        input: r.try_get("input").map_err(corrupt)?,
        priority: r.try_get("priority").map_err(corrupt)?,
        max_attempts: u32::try_from(max_attempts)
            .map_err(|_| corrupt(format!("max_attempts {max_attempts} is negative")))?,
        next_fire_at: r.try_get("next_fire_at").map_err(corrupt)?,
        last_fired_at: r.try_get("last_fired_at").map_err(corrupt)?,
        last_task_id: r
            .try_get::<Option<i64>, _>("last_task_id")
            .map_err(corrupt)?
            .map(TaskId),
        created_at: r.try_get("created_at").map_err(corrupt)?,
    })
}

/// Adds a schedule; its first fire time is the first after the database clock's now.
pub async fn add(
    store: &PostgresStore,
    s: NewSchedule,
    actor: &str,
) -> Result<Schedule, StoreError> {
    let now = time::now(store).await?;
    let first = s.validate(now)?;
    let mut tx = store.begin().await?;
    let added = insert(&mut tx, &s, first, now, actor).await;
    finish(tx, added, "add_schedule").await
}

async fn insert(
    conn: &mut PgConnection,
    s: &NewSchedule,
    first: DateTime<Utc>,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<Schedule, StoreError> {
    // A taken name inserts nothing (waiting, if another transaction is adding the same name, for
    // it to commit or roll back) rather than raising an error that would abort the transaction.
    let sql = format!(
        "INSERT INTO schedules (name, cron, kind, title, input, priority, max_attempts, next_fire_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (name) DO NOTHING RETURNING {COLUMNS}"
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&s.name)
        .bind(&s.cron)
        .bind(s.kind.as_str())
        .bind(&s.title)
        .bind(&s.input)
        .bind(s.priority)
        .bind(i32::try_from(s.max_attempts).unwrap_or(i32::MAX))
        .bind(first)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("add_schedule"))?;
    let Some(r) = r else {
        return Err(StoreError::Domain(DomainError::InvalidField {
            field: "name",
            reason: format!("a schedule named `{}` already exists", s.name),
        }));
    };
    let schedule = row(&r)?;
    audit::record(
        conn,
        Entry::about(
            EventKind::ScheduleAdded,
            actor,
            serde_json::json!({"schedule": schedule.name, "cron": schedule.cron}),
        ),
    )
    .await?;
    Ok(schedule)
}

/// Removes a schedule by name.
pub async fn remove(store: &PostgresStore, name: &str, actor: &str) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let removed = delete(&mut tx, name, actor).await;
    finish(tx, removed, "remove_schedule").await
}

async fn delete(conn: &mut PgConnection, name: &str, actor: &str) -> Result<bool, StoreError> {
    let gone = sqlx::query("DELETE FROM schedules WHERE name = $1")
        .bind(name)
        .execute(&mut *conn)
        .await
        .map_err(db("remove_schedule"))?
        .rows_affected()
        > 0;
    if gone {
        audit::record(
            conn,
            Entry::about(
                EventKind::ScheduleRemoved,
                actor,
                serde_json::json!({"schedule": name}),
            ),
        )
        .await?;
    }
    Ok(gone)
}

/// Every schedule, sorted into those that can fire and those that cannot.
pub async fn list(store: &PostgresStore) -> Result<Schedules, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM schedules ORDER BY name"
    )))
    .fetch_all(store.pool())
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

/// Fires a schedule once for `fire_at`; notifies listeners when it enqueued a task.
pub async fn fire(
    store: &PostgresStore,
    id: i64,
    fire_at: DateTime<Utc>,
    next: DateTime<Utc>,
    actor: &str,
) -> Result<Option<TaskId>, StoreError> {
    let mut tx = store.begin().await?;
    let fired = fire_in(&mut tx, id, fire_at, next, actor).await;
    let fired = finish(tx, fired, "fire_schedule").await?;
    if let Some((_, created)) = fired {
        store.signal.notify_waiters();
        store.note_ready(u64::from(created));
    }
    Ok(fired.map(|(task, _)| task))
}

/// The task the fire enqueued (or found live under its dedupe key: `false`).
async fn fire_in(
    conn: &mut PgConnection,
    id: i64,
    fire_at: DateTime<Utc>,
    next: DateTime<Utc>,
    actor: &str,
) -> Result<Option<(TaskId, bool)>, StoreError> {
    let sql = format!(
        "UPDATE schedules SET next_fire_at = $1, last_fired_at = $2 \
         WHERE id = $3 AND next_fire_at = $2 RETURNING {COLUMNS}"
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(next)
        .bind(fire_at)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("fire_schedule"))?;
    let Some(r) = r else { return Ok(None) };
    let schedule = row(&r)?;
    let new_task = schedule.task_for(fire_at);
    new_task.validate()?;
    let enqueued = enqueue::one(&mut *conn, new_task).await?;
    let task = enqueued.task.id;
    sqlx::query("UPDATE schedules SET last_task_id = $1 WHERE id = $2")
        .bind(task.0)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db("fire_schedule"))?;
    let data = serde_json::json!({"schedule": schedule.name, "fire_at": fire_at, "task": task, "next": next});
    audit::record(conn, Entry::about(EventKind::ScheduleFired, actor, data)).await?;
    Ok(Some((task, enqueued.created)))
}
