//! Reads task and event rows into domain types. Unknown values are reported, never guessed.

use crate::error::json;
use crate::time::from_us;
use juggernaut_core::event::AuditEvent;
use juggernaut_core::ids::EventId;
use juggernaut_core::task::Lease;
use juggernaut_core::{EventKind, GoalId, Task, TaskId, TaskKind, TaskStatus, WorkerId};
use juggernaut_store::StoreError;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// Columns selected for a task, in the order [`task`] reads them.
pub const TASK_COLUMNS: &str = "id, kind, title, status, input, goal_id, parent_id, priority, run_at, \
     attempts, max_attempts, lease_holder, lease_token, lease_expires_at, pending_deps, result, \
     evidence, last_error, dedupe_key, origin, created_at, updated_at, finished_at, waiting";

fn corrupt(reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "tasks",
        reason: reason.to_string(),
    }
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(
    row: &'r SqliteRow,
    col: &str,
) -> Result<T, StoreError> {
    row.try_get(col).map_err(corrupt)
}

/// A task row.
pub fn task(row: &SqliteRow) -> Result<Task, StoreError> {
    let status: TaskStatus = get::<String>(row, "status")?.parse().map_err(corrupt)?;
    let token: i64 = get(row, "lease_token")?;
    let holder: Option<String> = get(row, "lease_holder")?;
    let expires: Option<i64> = get(row, "lease_expires_at")?;
    let lease = match (status, holder, expires) {
        (TaskStatus::Running | TaskStatus::Verifying, Some(h), Some(e)) => Some(Lease {
            holder: WorkerId(h),
            token,
            expires_at: from_us(e),
        }),
        _ => None,
    };
    let result: Option<String> = get(row, "result")?;
    Ok(Task {
        id: TaskId(get(row, "id")?),
        kind: TaskKind::new(&get::<String>(row, "kind")?).map_err(corrupt)?,
        title: get(row, "title")?,
        status,
        input: serde_json::from_str(&get::<String>(row, "input")?).map_err(json("tasks"))?,
        goal_id: get::<Option<i64>>(row, "goal_id")?.map(GoalId),
        parent_id: get::<Option<i64>>(row, "parent_id")?.map(TaskId),
        priority: get(row, "priority")?,
        run_at: from_us(get(row, "run_at")?),
        attempts: get::<i64>(row, "attempts")?.try_into().map_err(corrupt)?,
        max_attempts: get::<i64>(row, "max_attempts")?
            .try_into()
            .map_err(corrupt)?,
        lease,
        pending_deps: get::<i64>(row, "pending_deps")?
            .try_into()
            .map_err(corrupt)?,
        result: result
            .map(|r| serde_json::from_str(&r))
            .transpose()
            .map_err(json("tasks"))?,
        evidence: serde_json::from_str(&get::<String>(row, "evidence")?).map_err(json("tasks"))?,
        last_error: get(row, "last_error")?,
        waiting: get::<Option<String>>(row, "waiting")?
            .map(|w| serde_json::from_str(&w))
            .transpose()
            .map_err(json("tasks"))?,
        dedupe_key: get(row, "dedupe_key")?,
        origin: get::<String>(row, "origin")?.parse().map_err(corrupt)?,
        created_at: from_us(get(row, "created_at")?),
        updated_at: from_us(get(row, "updated_at")?),
        finished_at: get::<Option<i64>>(row, "finished_at")?.map(from_us),
    })
}

fn status_opt(s: Option<String>) -> Result<Option<TaskStatus>, StoreError> {
    s.map(|s| s.parse().map_err(corrupt)).transpose()
}

/// An event row.
pub fn event(row: &SqliteRow) -> Result<AuditEvent, StoreError> {
    let kind: String = get(row, "kind")?;
    Ok(AuditEvent {
        id: EventId(get(row, "id")?),
        at: from_us(get(row, "at")?),
        kind: EventKind::parse(&kind)
            .ok_or_else(|| corrupt(format!("unknown event kind `{kind}`")))?,
        task_id: get::<Option<i64>>(row, "task_id")?.map(TaskId),
        goal_id: get::<Option<i64>>(row, "goal_id")?.map(GoalId),
        from_status: status_opt(get(row, "from_status")?)?,
        to_status: status_opt(get(row, "to_status")?)?,
        actor: get(row, "actor")?,
        data: serde_json::from_str(&get::<String>(row, "data")?).map_err(json("events"))?,
    })
}
