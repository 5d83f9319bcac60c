//! Requeue: send a dead, failed or cancelled task back to pending with fresh attempts, and
//! unblock the dependents it blocked.

use crate::audit::INSERT;
use crate::error::db;
use crate::store::{CHANNEL, PostgresStore, finish};
use crate::{block, fence, row};
use juggernaut_core::{Action, Task, TaskId, transition};
use juggernaut_store::StoreError;
use sqlx::PgConnection;
use std::sync::LazyLock;

/// Binds $1 id, $2 new status, $3 old status, $4 actor, $5 event data.
static REQUEUE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH up AS (UPDATE tasks SET status = $2, attempts = 0, run_at = now(), result = NULL, \
                 evidence = '[]', lease_expires_at = NULL, finished_at = NULL, waiting = NULL, \
                 check_at = NULL, updated_at = now() \
             WHERE id = $1 RETURNING {cols}), \
         ev AS ({INSERT} SELECT 'task.requeued', id, goal_id, $3, status, $4, $5 FROM up) \
         SELECT {cols} FROM up",
        cols = row::columns()
    )
});

/// Requeues a task; see [`juggernaut_store::Store::requeue`].
pub async fn run(store: &PostgresStore, id: TaskId, actor: &str) -> Result<Task, StoreError> {
    let mut tx = store.begin().await?;
    let requeued = requeue(&mut tx, id, actor).await;
    let after = finish(tx, requeued, "requeue").await?;
    store.signal.notify_waiters();
    Ok(after)
}

async fn requeue(conn: &mut PgConnection, id: TaskId, actor: &str) -> Result<Task, StoreError> {
    let task = fence::lock(&mut *conn, id).await?;
    let to = transition::next(task.status, Action::Requeue)?;
    let data =
        serde_json::json!({"previous_attempts": task.attempts, "last_error": task.last_error});
    let after = sqlx::query(REQUEUE.as_str())
        .bind(id.0)
        .bind(to.as_str())
        .bind(task.status.as_str())
        .bind(actor)
        .bind(data)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("requeue"))?;
    let after = row::task(&after)?;
    block::unblock_dependents(&mut *conn, id.0, actor).await?;
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(CHANNEL)
        .execute(conn)
        .await
        .map_err(db("requeue"))?;
    Ok(after)
}
