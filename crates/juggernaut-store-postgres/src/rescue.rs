//! Rescue: running tasks whose lease expired (by the database clock) go back to ready (the
//! attempt counts) or, out of attempts, to the dead-letter queue. Rows are taken with
//! `SKIP LOCKED`, so several processes can rescue at once and each task is rescued once.

use crate::audit::INSERT;
use crate::block;
use crate::error::db;
use crate::store::{CHANNEL, PostgresStore, finish};
use juggernaut_core::TaskId;
use juggernaut_store::{RescueReport, StoreError};
use sqlx::PgConnection;
use std::sync::LazyLock;

/// Binds $1 actor. Returns id, whether it went dead, and in id order.
static RESCUE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH expired AS (SELECT id FROM tasks \
             WHERE status = 'running' AND lease_expires_at < now() \
             ORDER BY id FOR NO KEY UPDATE SKIP LOCKED), \
         taken AS (UPDATE tasks t SET \
                 status = CASE WHEN t.attempts < t.max_attempts THEN 'ready' ELSE 'dead' END, \
                 lease_expires_at = NULL, \
                 last_error = format('lease expired (holder %s, attempt %s)', \
                     COALESCE(t.lease_holder, ''), t.attempts), \
                 finished_at = CASE WHEN t.attempts < t.max_attempts THEN NULL ELSE now() END, \
                 updated_at = now() \
             FROM expired WHERE t.id = expired.id \
             RETURNING t.id, t.goal_id, t.status, t.lease_holder, t.lease_token, t.attempts, \
                 t.last_error), \
         ev AS ({INSERT} SELECT CASE WHEN status = 'ready' THEN 'task.rescued' ELSE 'task.dead' END, \
                 id, goal_id, 'running', status, $1, \
                 jsonb_build_object('holder', COALESCE(lease_holder, ''), 'lease_token', lease_token, \
                     'attempt', attempts, 'error', last_error) \
             FROM taken ORDER BY id) \
         SELECT id, status = 'dead' FROM taken ORDER BY id"
    )
});

/// Rescues expired leases; see [`juggernaut_store::Store::rescue_expired`].
pub async fn run(store: &PostgresStore, actor: &str) -> Result<RescueReport, StoreError> {
    let mut tx = store.begin().await?;
    let rescued = rescue(&mut tx, actor).await;
    let report = finish(tx, rescued, "rescue").await?;
    if !report.rescued.is_empty() {
        store.signal.notify_waiters();
    }
    Ok(report)
}

async fn rescue(conn: &mut PgConnection, actor: &str) -> Result<RescueReport, StoreError> {
    let rows: Vec<(i64, bool)> = sqlx::query_as(RESCUE.as_str())
        .bind(actor)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("rescue"))?;
    let mut report = RescueReport::default();
    for (id, dead) in rows {
        if dead {
            report.dead.push(TaskId(id));
        } else {
            report.rescued.push(TaskId(id));
        }
    }
    if !report.dead.is_empty() {
        let dead: Vec<i64> = report.dead.iter().map(|t| t.0).collect();
        block::dependents(&mut *conn, &dead, actor).await?;
    }
    if !report.rescued.is_empty() {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(conn)
            .await
            .map_err(db("rescue"))?;
    }
    Ok(report)
}
