//! Heartbeat: extend the leases a worker still holds; one audit event per call.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::{dur_us, now_us};
use juggernaut_core::{EventKind, WorkerId};
use juggernaut_store::{LeaseRef, StoreError};
use std::time::Duration;

/// Extends current leases; see [`juggernaut_store::Store::heartbeat`].
pub async fn run(
    store: &SqliteStore,
    worker: &WorkerId,
    leases: &[LeaseRef],
    extend_by: Duration,
) -> Result<Vec<LeaseRef>, StoreError> {
    if leases.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = store.write().await?;
    let expires = now_us().saturating_add(dur_us(extend_by));
    let mut kept = Vec::new();
    for lease in leases {
        let done = sqlx::query(
            "UPDATE tasks SET lease_expires_at = ? \
             WHERE id = ? AND lease_token = ? AND status IN ('running', 'verifying')",
        )
        .bind(expires)
        .bind(lease.task_id.0)
        .bind(lease.token)
        .execute(&mut *tx)
        .await
        .map_err(db("heartbeat"))?;
        if done.rows_affected() == 1 {
            kept.push(*lease);
        }
    }
    let ids: Vec<i64> = kept.iter().map(|l| l.task_id.0).collect();
    let lost: Vec<i64> = leases
        .iter()
        .filter(|l| !kept.contains(l))
        .map(|l| l.task_id.0)
        .collect();
    let entry = Entry {
        kind: EventKind::LeaseExtended,
        task_id: None,
        goal_id: None,
        from: None,
        to: None,
        actor: &worker.0,
        data: serde_json::json!({"tasks": ids, "lost": lost, "extend_ms": extend_by.as_millis() as u64}),
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await.map_err(db("heartbeat"))?;
    Ok(kept)
}
