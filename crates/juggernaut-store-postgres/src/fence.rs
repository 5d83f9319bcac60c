//! Fencing: explains why a lease was refused (no such task, or a stale token), and locks the task
//! a current lease holds.

use crate::error::db;
use crate::row;
use juggernaut_core::{TaskId, TaskStatus};
use juggernaut_store::{LeaseRef, StoreError};
use sqlx::PgConnection;
use std::collections::HashMap;

/// A CTE named `locked` that locks the tasks whose ids are bound as `$1` in id order, before a
/// statement updates them, with the status each has once locked (an event's `from`). Every statement that changes several task rows at once and may wait
/// for their locks takes them in this one order (claims, rescues and time-outs skip locked rows
/// and never wait), so that two of them sharing tasks (a batch completion and a lease extension
/// of the same worker) queue behind each other instead of deadlocking. `MATERIALIZED` keeps the
/// locking a step of its own, before the update's join.
pub const LOCK_IN_ID_ORDER: &str = "locked AS MATERIALIZED (SELECT id, status FROM tasks \
     WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE)";

/// The errors for leases that matched no held (`running` or `verifying`) task, one per lease, in
/// order; one query.
pub async fn refusals(
    conn: &mut PgConnection,
    leases: &[LeaseRef],
) -> Result<Vec<StoreError>, StoreError> {
    let ids: Vec<i64> = leases.iter().map(|l| l.task_id.0).collect();
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, status, lease_token FROM tasks WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(conn)
            .await
            .map_err(db("fence"))?;
    let found: HashMap<i64, (String, i64)> =
        rows.into_iter().map(|(id, s, t)| (id, (s, t))).collect();
    leases
        .iter()
        .map(|lease| {
            Ok(match found.get(&lease.task_id.0) {
                None => StoreError::NotFound(lease.task_id),
                Some((status, current)) => StoreError::StaleLease {
                    task_id: lease.task_id,
                    token: lease.token,
                    status: row::status(status)?,
                    current: *current,
                },
            })
        })
        .collect()
}

/// The error for one lease that matched no held task.
pub async fn refusal(conn: &mut PgConnection, lease: LeaseRef) -> StoreError {
    match refusals(conn, &[lease]).await {
        Ok(mut v) => v.pop().unwrap_or(StoreError::NotFound(lease.task_id)),
        Err(e) => e,
    }
}

/// A held task's row as fencing needs it: status, attempts, max attempts, holder, goal,
/// has_dependents.
pub struct Held {
    pub status: TaskStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub holder: String,
    pub goal_id: Option<i64>,
    pub has_dependents: bool,
}

/// Locks the task if `lease` is its current lease and it is running or verifying; the refusal
/// otherwise.
pub async fn held(conn: &mut PgConnection, lease: LeaseRef) -> Result<Held, StoreError> {
    type Row = (String, i32, i32, Option<String>, Option<i64>, bool);
    let row: Option<Row> = sqlx::query_as(
        "SELECT status, attempts, max_attempts, lease_holder, goal_id, has_dependents FROM tasks \
         WHERE id = $1 AND lease_token = $2 AND status IN ('running', 'verifying') \
         FOR NO KEY UPDATE",
    )
    .bind(lease.task_id.0)
    .bind(lease.token)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db("fence"))?;
    match row {
        Some((status, attempts, max_attempts, holder, goal_id, has_dependents)) => Ok(Held {
            status: row::status(&status)?,
            attempts,
            max_attempts,
            holder: holder.unwrap_or_default(),
            goal_id,
            has_dependents,
        }),
        None => Err(refusal(conn, lease).await),
    }
}

/// Locks a task of any status for a change by id (cancel, requeue); `NotFound` if missing.
pub async fn lock(
    conn: &mut PgConnection,
    id: TaskId,
) -> Result<juggernaut_core::Task, StoreError> {
    let sql = format!(
        "SELECT {} FROM tasks WHERE id = $1 FOR NO KEY UPDATE",
        row::columns()
    );
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db("lock"))?;
    found
        .as_ref()
        .map(row::task)
        .transpose()?
        .ok_or(StoreError::NotFound(id))
}
