//! Rescue: running tasks whose lease expired go back to ready (the attempt counts) or, out of
//! attempts, to the dead-letter queue.

use crate::audit::{self, Entry};
use crate::block;
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::now_us;
use juggernaut_core::{EventKind, TaskId, TaskStatus};
use juggernaut_store::{RescueReport, StoreError};

/// Rescues expired leases; see [`juggernaut_store::Store::rescue_expired`].
pub async fn run(store: &SqliteStore, actor: &str) -> Result<RescueReport, StoreError> {
    let mut tx = store.write().await?;
    let now = now_us();
    let rows: Vec<(i64, Option<i64>, i64, i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, goal_id, attempts, max_attempts, lease_holder, lease_token FROM tasks INDEXED BY tasks_leases \
         WHERE status = 'running' AND lease_expires_at < ? ORDER BY id",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await
    .map_err(db("rescue"))?;
    let mut report = RescueReport::default();
    for (id, goal, attempts, max_attempts, holder, token) in rows {
        let holder = holder.unwrap_or_default();
        let (to, kind) = if attempts < max_attempts {
            (TaskStatus::Ready, EventKind::TaskRescued)
        } else {
            (TaskStatus::Dead, EventKind::TaskDead)
        };
        let error = format!("lease expired (holder {holder}, attempt {attempts})");
        sqlx::query(
            "UPDATE tasks SET status = ?, lease_expires_at = NULL, last_error = ?, \
             finished_at = CASE WHEN ? = 'dead' THEN ? END, updated_at = ? WHERE id = ?",
        )
        .bind(to.as_str())
        .bind(&error)
        .bind(to.as_str())
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db("rescue"))?;
        let e = Entry::transition(kind, (id, goal), Some(TaskStatus::Running), to, actor)
            .with(serde_json::json!({"holder": holder, "lease_token": token, "attempt": attempts, "error": error}));
        audit::record(&mut tx, e).await?;
        if to == TaskStatus::Dead {
            block::dependents(&mut tx, &[id], actor).await?;
            report.dead.push(TaskId(id));
        } else {
            report.rescued.push(TaskId(id));
        }
    }
    tx.commit().await.map_err(db("rescue"))?;
    if !report.rescued.is_empty() {
        store.signal.notify_waiters();
    }
    Ok(report)
}
