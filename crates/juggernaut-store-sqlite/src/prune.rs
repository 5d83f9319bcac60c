//! Pruning: terminal tasks finished before the retention window go; their events stay (the audit
//! log is append-only and outlives the tasks it describes).

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::{dur_us, now_us};
use juggernaut_core::EventKind;
use juggernaut_store::StoreError;
use std::time::Duration;

/// Deletes old terminal tasks; returns how many.
pub async fn terminal(
    store: &SqliteStore,
    older_than: Duration,
    actor: &str,
) -> Result<u64, StoreError> {
    let cutoff = now_us().saturating_sub(dur_us(older_than));
    let mut tx = store.write().await?;
    let old = "SELECT id FROM tasks INDEXED BY tasks_finished WHERE finished_at < ?1 \
               AND status IN ('completed', 'failed', 'dead', 'cancelled', 'blocked')";
    let n = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM tasks WHERE id IN ({old})"
    )))
    .bind(cutoff)
    .execute(&mut *tx)
    .await
    .map_err(db("prune"))?
    .rows_affected();
    if n > 0 {
        let e = Entry {
            kind: EventKind::TasksPruned,
            task_id: None,
            goal_id: None,
            from: None,
            to: None,
            actor,
            data: serde_json::json!({"count": n, "older_than_s": older_than.as_secs()}),
        };
        audit::record(&mut tx, e).await?;
    }
    tx.commit().await.map_err(db("prune"))?;
    Ok(n)
}
