//! Verifying: a running task whose handler finished is marked `verifying` while its evidence is
//! re-checked. The lease still holds (heartbeats extend it, rescue takes it back when it
//! expires), and the task leaves by any way a running task does. One statement writes the change
//! and its `task.verifying` event; only a refusal asks a second query why.

use crate::audit::INSERT;
use crate::error::db;
use crate::fence;
use crate::store::PostgresStore;
use juggernaut_store::{LeaseRef, StoreError};
use std::sync::LazyLock;

/// Binds $1 id, $2 token, $3 actor. Returns the task's id when it was running under the lease.
static BEGIN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH v AS (UPDATE tasks SET status = 'verifying', updated_at = now() \
             WHERE id = $1 AND lease_token = $2 AND status = 'running' \
             RETURNING id, goal_id, lease_token), \
         ev AS ({INSERT} SELECT 'task.verifying', id, goal_id, 'running', 'verifying', $3, \
                 jsonb_build_object('lease_token', lease_token) FROM v) \
         SELECT id FROM v"
    )
});

/// Marks a running task `verifying`; see [`juggernaut_store::Queue::begin_verify`].
pub async fn begin(store: &PostgresStore, lease: LeaseRef, actor: &str) -> Result<(), StoreError> {
    let mut conn = store.pool().acquire().await.map_err(db("begin_verify"))?;
    let marked: Option<i64> = sqlx::query_scalar(BEGIN.as_str())
        .bind(lease.task_id.0)
        .bind(lease.token)
        .bind(actor)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("begin_verify"))?;
    match marked {
        Some(_) => Ok(()),
        None => Err(fence::refusal(&mut conn, lease).await),
    }
}
