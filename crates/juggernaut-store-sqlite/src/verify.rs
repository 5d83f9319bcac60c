//! Verifying: a running task whose handler finished is marked `verifying` while its evidence is
//! re-checked. The lease still holds (heartbeats extend it, rescue takes it back when it
//! expires), and the task leaves by any way a running task does.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::fence;
use crate::store::SqliteStore;
use crate::time::now_us;
use juggernaut_core::{EventKind, TaskStatus};
use juggernaut_store::audit::{Payload, Released};
use juggernaut_store::{LeaseRef, StoreError};

/// Marks a running task `verifying`; see [`juggernaut_store::Queue::begin_verify`].
pub async fn begin(store: &SqliteStore, lease: LeaseRef, actor: &str) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    let row: Option<(Option<i64>,)> = sqlx::query_as(
        "UPDATE tasks SET status = 'verifying', updated_at = ? \
         WHERE id = ? AND lease_token = ? AND status = 'running' RETURNING goal_id",
    )
    .bind(now_us())
    .bind(lease.task_id.0)
    .bind(lease.token)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db("begin_verify"))?;
    let Some((goal,)) = row else {
        return Err(fence::refusal(&mut tx, lease).await);
    };
    let e = Entry::transition(
        EventKind::TaskVerifying,
        (lease.task_id.0, goal),
        Some(TaskStatus::Running),
        TaskStatus::Verifying,
        actor,
    )
    .with(
        Payload::Released(Released {
            lease_token: lease.token,
        })
        .to_value(),
    );
    audit::record(&mut tx, e).await?;
    tx.commit().await.map_err(db("begin_verify"))
}
