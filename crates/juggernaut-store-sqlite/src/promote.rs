//! Promotion: pending tasks whose dependencies completed and whose `run_at` has come become ready.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::time::now_us;
use juggernaut_core::{EventKind, TaskStatus};
use juggernaut_store::StoreError;
use sqlx::SqliteConnection;

/// Promotes every due pending task; returns how many.
pub async fn due(conn: &mut SqliteConnection, actor: &str) -> Result<usize, StoreError> {
    let now = now_us();
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "UPDATE tasks INDEXED BY tasks_due SET status = 'ready', updated_at = ?1 \
         WHERE status = 'pending' AND pending_deps = 0 AND run_at <= ?1 RETURNING id, goal_id",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await
    .map_err(db("promote"))?;
    let entries = rows
        .iter()
        .map(|(id, goal)| {
            Entry::transition(
                EventKind::TaskPromoted,
                (*id, *goal),
                Some(TaskStatus::Pending),
                TaskStatus::Ready,
                actor,
            )
        })
        .collect();
    audit::record_many(conn, entries).await?;
    Ok(rows.len())
}
