//! Claim: promote what is due, then take up to K ready tasks of the worker's kinds under new
//! leases, highest priority then oldest `run_at` first.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::promote;
use crate::row::{self, TASK_COLUMNS};
use crate::store::SqliteStore;
use crate::time::{dur_us, now_us};
use juggernaut_core::{EventKind, Task, TaskStatus};
use juggernaut_store::{ClaimRequest, StoreError};
use std::sync::atomic::Ordering;

/// Least time between two promotions by this store's claims.
const PROMOTE_EVERY_US: i64 = 20_000;

/// Claims tasks; see [`juggernaut_store::Store::claim`].
pub async fn run(store: &SqliteStore, req: &ClaimRequest) -> Result<Vec<Task>, StoreError> {
    if req.kinds.is_empty() || req.limit == 0 {
        return Ok(Vec::new());
    }
    let kinds = serde_json::Value::from(req.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    let mut tx = store.write().await?;
    let now = now_us();
    // Promotion is a statement of its own; on a busy queue once per interval is enough (a
    // completion promotes the dependents it frees at once).
    let last = store.last_promote_us.load(Ordering::Relaxed);
    if now.saturating_sub(last) >= PROMOTE_EVERY_US {
        promote::due(&mut tx, &req.worker.0).await?;
        store.last_promote_us.store(now, Ordering::Relaxed);
    }
    let sql = format!(
        "UPDATE tasks SET status = 'running', attempts = attempts + 1, lease_token = lease_token + 1, \
         lease_holder = ?1, lease_expires_at = ?2, updated_at = ?3, started_at = ?3 \
         WHERE id IN (SELECT id FROM tasks INDEXED BY tasks_ready WHERE status = 'ready' \
             AND kind IN (SELECT value FROM json_each(?4)) \
             ORDER BY priority DESC, run_at, id LIMIT ?5) \
         RETURNING {TASK_COLUMNS}"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&req.worker.0)
        .bind(now.saturating_add(dur_us(req.lease)))
        .bind(now)
        .bind(kinds.to_string())
        .bind(i64::from(req.limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db("claim"))?;
    let mut tasks = rows.iter().map(row::task).collect::<Result<Vec<_>, _>>()?;
    tasks.sort_by_key(|t| (std::cmp::Reverse(t.priority), t.run_at, t.id));
    let entries = tasks
        .iter()
        .map(|t| {
            Entry::transition(
                EventKind::TaskClaimed,
                (t.id.0, t.goal_id.map(|g| g.0)),
                Some(TaskStatus::Ready),
                TaskStatus::Running,
                &req.worker.0,
            )
            .with(serde_json::json!({"attempt": t.attempts, "lease_token": t.lease.as_ref().map(|l| l.token)}))
        })
        .collect();
    audit::record_many(&mut tx, entries).await?;
    tx.commit().await.map_err(db("claim"))?;
    Ok(tasks)
}
