//! Reads task and event rows into domain types. Unknown values are reported, never guessed.

use crate::error::json;
use chrono::{DateTime, Utc};
use juggernaut_core::event::AuditEvent;
use juggernaut_core::ids::EventId;
use juggernaut_core::task::Lease;
use juggernaut_core::{EventKind, GoalId, Task, TaskId, TaskKind, TaskStatus, WorkerId};
use juggernaut_store::StoreError;
use sqlx::Row;
use sqlx::postgres::PgRow;

/// The columns [`task`] reads.
const NAMES: [&str; 24] = [
    "id",
    "kind",
    "title",
    "status",
    "input",
    "goal_id",
    "parent_id",
    "priority",
    "run_at",
    "attempts",
    "max_attempts",
    "lease_holder",
    "lease_token",
    "lease_expires_at",
    "pending_deps",
    "result",
    "evidence",
    "last_error",
    "dedupe_key",
    "origin",
    "created_at",
    "updated_at",
    "finished_at",
    "waiting",
];

/// Columns selected for a task, in the order [`task`] reads them.
pub fn columns() -> String {
    NAMES.join(", ")
}

/// The same columns qualified by a table alias (`t.id, t.kind, ...`), for joins and `FROM`
/// clauses where a bare name would be ambiguous.
pub fn columns_of(alias: &str) -> String {
    NAMES
        .iter()
        .map(|n| format!("{alias}.{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn corrupt(reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "tasks",
        reason: reason.to_string(),
    }
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    row: &'r PgRow,
    col: &str,
) -> Result<T, StoreError> {
    row.try_get(col).map_err(corrupt)
}

fn count(row: &PgRow, col: &str) -> Result<u32, StoreError> {
    get::<i32>(row, col)?.try_into().map_err(corrupt)
}

/// A task row.
pub fn task(row: &PgRow) -> Result<Task, StoreError> {
    let status: TaskStatus = get::<String>(row, "status")?.parse().map_err(corrupt)?;
    let token: i64 = get(row, "lease_token")?;
    let holder: Option<String> = get(row, "lease_holder")?;
    let expires: Option<DateTime<Utc>> = get(row, "lease_expires_at")?;
    let lease = match (status, holder, expires) {
        (TaskStatus::Running | TaskStatus::Verifying, Some(h), Some(e)) => Some(Lease {
            holder: WorkerId(h),
            token,
            expires_at: e,
        }),
        _ => None,
    };
    Ok(Task {
        id: TaskId(get(row, "id")?),
        kind: TaskKind::new(&get::<String>(row, "kind")?).map_err(corrupt)?,
        title: get(row, "title")?,
        status,
        input: get(row, "input")?,
        goal_id: get::<Option<i64>>(row, "goal_id")?.map(GoalId),
        parent_id: get::<Option<i64>>(row, "parent_id")?.map(TaskId),
        priority: get(row, "priority")?,
        run_at: get(row, "run_at")?,
        attempts: count(row, "attempts")?,
        max_attempts: count(row, "max_attempts")?,
        lease,
        pending_deps: count(row, "pending_deps")?,
        result: get(row, "result")?,
        evidence: serde_json::from_value(get(row, "evidence")?).map_err(json("tasks"))?,
        last_error: get(row, "last_error")?,
        waiting: get::<Option<serde_json::Value>>(row, "waiting")?
            .map(serde_json::from_value)
            .transpose()
            .map_err(json("tasks"))?,
        dedupe_key: get(row, "dedupe_key")?,
        origin: get::<String>(row, "origin")?.parse().map_err(corrupt)?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
        finished_at: get(row, "finished_at")?,
    })
}

/// A status column.
pub fn status(s: &str) -> Result<TaskStatus, StoreError> {
    s.parse().map_err(corrupt)
}

fn status_opt(s: Option<String>) -> Result<Option<TaskStatus>, StoreError> {
    s.map(|s| status(&s)).transpose()
}

/// An event row.
pub fn event(row: &PgRow) -> Result<AuditEvent, StoreError> {
    let kind: String = get(row, "kind")?;
    Ok(AuditEvent {
        id: EventId(get(row, "id")?),
        at: get(row, "at")?,
        kind: EventKind::parse(&kind)
            .ok_or_else(|| corrupt(format!("unknown event kind `{kind}`")))?,
        task_id: get::<Option<i64>>(row, "task_id")?.map(TaskId),
        goal_id: get::<Option<i64>>(row, "goal_id")?.map(GoalId),
        from_status: status_opt(get(row, "from_status")?)?,
        to_status: status_opt(get(row, "to_status")?)?,
        actor: get(row, "actor")?,
        data: get(row, "data")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_lists_agree() {
        assert!(columns().starts_with("id, kind, title"));
        assert!(columns_of("t").starts_with("t.id, t.kind, t.title"));
        assert_eq!(columns_of("t").matches("t.").count(), NAMES.len());
    }
}
