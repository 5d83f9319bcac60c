//! Cancel: stop a live task (revoking any lease) and block its dependents.

use crate::audit::INSERT;
use crate::error::db;
use crate::store::{PostgresStore, finish};
use crate::{block, fence, row};
use juggernaut_core::{Action, Task, TaskId, transition};
use juggernaut_store::StoreError;
use sqlx::PgConnection;
use std::sync::LazyLock;

/// Binds $1 id, $2 new status, $3 old status, $4 actor, $5 reason.
static CANCEL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH up AS (UPDATE tasks SET status = $2, lease_expires_at = NULL, finished_at = now(), \
                 updated_at = now() WHERE id = $1 RETURNING {cols}), \
         ev AS ({INSERT} SELECT 'task.cancelled', id, goal_id, $3, status, $4, \
                 jsonb_build_object('reason', $5::text) FROM up) \
         SELECT {cols} FROM up",
        cols = row::columns()
    )
});

/// Cancels a task; see [`juggernaut_store::Store::cancel`].
pub async fn run(
    store: &PostgresStore,
    id: TaskId,
    actor: &str,
    reason: &str,
) -> Result<Task, StoreError> {
    let mut tx = store.begin().await?;
    let cancelled = cancel(&mut tx, id, actor, reason).await;
    finish(tx, cancelled, "cancel").await
}

async fn cancel(
    conn: &mut PgConnection,
    id: TaskId,
    actor: &str,
    reason: &str,
) -> Result<Task, StoreError> {
    let task = fence::lock(&mut *conn, id).await?;
    let to = transition::next(task.status, Action::Cancel)?;
    let after = sqlx::query(CANCEL.as_str())
        .bind(id.0)
        .bind(to.as_str())
        .bind(task.status.as_str())
        .bind(actor)
        .bind(juggernaut_core::text::storable(reason).as_ref())
        .fetch_one(&mut *conn)
        .await
        .map_err(db("cancel"))?;
    let after = row::task(&after)?;
    block::dependents(conn, &[id.0], actor).await?;
    Ok(after)
}
