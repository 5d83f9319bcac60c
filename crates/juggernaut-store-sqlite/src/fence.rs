//! Fencing: explains why a lease was refused (no such task, or a stale token).

use crate::error::db;
use juggernaut_core::TaskStatus;
use juggernaut_store::{LeaseRef, StoreError};
use sqlx::SqliteConnection;

/// The error for a lease that matched no held (`running` or `verifying`) task.
pub async fn refusal(conn: &mut SqliteConnection, lease: LeaseRef) -> StoreError {
    let row: Result<Option<(String, i64)>, _> =
        sqlx::query_as("SELECT status, lease_token FROM tasks WHERE id = ?")
            .bind(lease.task_id.0)
            .fetch_optional(conn)
            .await;
    match row {
        Err(e) => db("fence")(e),
        Ok(None) => StoreError::NotFound(lease.task_id),
        Ok(Some((status, current))) => match status.parse::<TaskStatus>() {
            Ok(status) => StoreError::StaleLease {
                task_id: lease.task_id,
                token: lease.token,
                status,
                current,
            },
            Err(e) => e.into(),
        },
    }
}

/// A held task's row as fencing needs it: status, attempts, max attempts, holder, goal,
/// has_dependents.
pub struct Held {
    pub status: TaskStatus,
    pub attempts: i64,
    pub max_attempts: i64,
    pub holder: String,
    pub goal_id: Option<i64>,
    pub has_dependents: bool,
}

/// status, attempts, max_attempts, holder, goal, has_dependents.
type HeldRow = (String, i64, i64, Option<String>, Option<i64>, bool);

/// The task if `lease` is its current lease and it is running or verifying; the refusal
/// otherwise.
pub async fn held(conn: &mut SqliteConnection, lease: LeaseRef) -> Result<Held, StoreError> {
    let row: Option<HeldRow> = sqlx::query_as(
        "SELECT status, attempts, max_attempts, lease_holder, goal_id, has_dependents FROM tasks \
         WHERE id = ? AND lease_token = ? AND status IN ('running', 'verifying')",
    )
    .bind(lease.task_id.0)
    .bind(lease.token)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db("fence"))?;
    match row {
        Some((status, attempts, max_attempts, holder, goal_id, has_dependents)) => Ok(Held {
            status: status.parse()?,
            attempts,
            max_attempts,
            holder: holder.unwrap_or_default(),
            goal_id,
            has_dependents,
        }),
        None => Err(refusal(conn, lease).await),
    }
}
