//! Cancel: stop a live task (revoking any lease) and block its dependents.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::now_us;
use crate::{block, read};
use juggernaut_core::{Action, EventKind, Task, TaskId, transition};
use juggernaut_store::StoreError;

/// Cancels a task; see [`juggernaut_store::Store::cancel`].
pub async fn run(
    store: &SqliteStore,
    id: TaskId,
    actor: &str,
    reason: &str,
) -> Result<Task, StoreError> {
    let mut tx = store.write().await?;
    let task = read::get(&mut *tx, id)
        .await?
        .ok_or(StoreError::NotFound(id))?;
    let to = transition::next(task.status, Action::Cancel)?;
    let now = now_us();
    sqlx::query(
        "UPDATE tasks SET status = ?, lease_expires_at = NULL, finished_at = ?, updated_at = ? WHERE id = ?",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(now)
    .bind(id.0)
    .execute(&mut *tx)
    .await
    .map_err(db("cancel"))?;
    let e = Entry::transition(
        EventKind::TaskCancelled,
        (id.0, task.goal_id.map(|g| g.0)),
        Some(task.status),
        to,
        actor,
    )
    .with(serde_json::json!({"reason": juggernaut_core::text::storable(reason)}));
    audit::record(&mut tx, e).await?;
    block::dependents(&mut tx, &[id.0], actor).await?;
    let after = read::get(&mut *tx, id)
        .await?
        .ok_or(StoreError::NotFound(id))?;
    tx.commit().await.map_err(db("cancel"))?;
    Ok(after)
}
