//! Requeue: send a dead, failed or cancelled task back to pending with fresh attempts, and
//! unblock the dependents it blocked.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::now_us;
use crate::{block, read};
use juggernaut_core::{Action, EventKind, Task, TaskId, transition};
use juggernaut_store::StoreError;

/// Requeues a task; see [`juggernaut_store::Store::requeue`].
pub async fn run(store: &SqliteStore, id: TaskId, actor: &str) -> Result<Task, StoreError> {
    let mut tx = store.write().await?;
    let task = read::get(&mut *tx, id)
        .await?
        .ok_or(StoreError::NotFound(id))?;
    let to = transition::next(task.status, Action::Requeue)?;
    let now = now_us();
    sqlx::query(
        "UPDATE tasks SET status = ?, attempts = 0, run_at = ?, result = NULL, evidence = '[]', \
         lease_expires_at = NULL, finished_at = NULL, waiting = NULL, check_at = NULL, \
         updated_at = ? WHERE id = ?",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(now)
    .bind(id.0)
    .execute(&mut *tx)
    .await
    .map_err(db("requeue"))?;
    let e = Entry::transition(
        EventKind::TaskRequeued,
        (id.0, task.goal_id.map(|g| g.0)),
        Some(task.status),
        to,
        actor,
    )
    .with(serde_json::json!({"previous_attempts": task.attempts, "last_error": task.last_error}));
    audit::record(&mut tx, e).await?;
    block::unblock_dependents(&mut tx, id.0, actor).await?;
    let after = read::get(&mut *tx, id)
        .await?
        .ok_or(StoreError::NotFound(id))?;
    tx.commit().await.map_err(db("requeue"))?;
    // The requeued task is pending and due: let the next claim promote it without waiting.
    store
        .last_promote_us
        .store(0, std::sync::atomic::Ordering::Relaxed);
    store.signal.notify_waiters();
    Ok(after)
}
