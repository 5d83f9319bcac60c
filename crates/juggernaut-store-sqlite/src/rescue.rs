//! Rescue: held tasks (`running`, or `verifying` their evidence) whose lease expired (or whose
//! worker was lost) go back to ready (the attempt counts) or, out of attempts, to the dead-letter
//! queue.

use crate::audit::{self, Entry};
use crate::block;
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::now_us;
use juggernaut_core::{EventKind, TaskId, TaskStatus};
use juggernaut_store::{RescueReport, StoreError};
use sqlx::SqliteConnection;

/// Which held tasks to hand back.
pub enum Which<'a> {
    /// Leases expired before this time.
    ExpiredBefore(i64),
    /// Leases held by this worker.
    HeldBy(&'a str),
}

/// Rescues expired leases; see [`juggernaut_store::Store::rescue_expired`].
pub async fn run(store: &SqliteStore, actor: &str) -> Result<RescueReport, StoreError> {
    let mut tx = store.write().await?;
    let report = hand_back(
        &mut tx,
        Which::ExpiredBefore(now_us()),
        actor,
        "lease expired",
    )
    .await?;
    tx.commit().await.map_err(db("rescue"))?;
    if !report.rescued.is_empty() {
        store.signal.notify_waiters();
    }
    Ok(report)
}

type Row = (i64, Option<i64>, i64, i64, Option<String>, i64, String);

/// Hands back the selected held tasks inside the caller's transaction.
pub async fn hand_back(
    conn: &mut SqliteConnection,
    which: Which<'_>,
    actor: &str,
    why: &str,
) -> Result<RescueReport, StoreError> {
    let select =
        "SELECT id, goal_id, attempts, max_attempts, lease_holder, lease_token, status FROM tasks";
    let rows: Vec<Row> = match which {
        Which::ExpiredBefore(t) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{select} INDEXED BY tasks_leases WHERE status IN ('running', 'verifying') AND lease_expires_at < ? ORDER BY id"
        )))
        .bind(t),
        Which::HeldBy(holder) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{select} INDEXED BY tasks_holder WHERE status IN ('running', 'verifying') AND lease_holder = ? ORDER BY id"
        )))
        .bind(holder.to_owned()),
    }
    .fetch_all(&mut *conn)
    .await
    .map_err(db("rescue"))?;
    let mut report = RescueReport::default();
    for (id, goal, attempts, max_attempts, holder, token, from) in rows {
        let from: TaskStatus = from.parse()?;
        let holder = holder.unwrap_or_default();
        let (to, kind) = if attempts < max_attempts {
            (TaskStatus::Ready, EventKind::TaskRescued)
        } else {
            (TaskStatus::Dead, EventKind::TaskDead)
        };
        let error = format!("{why} (holder {holder}, attempt {attempts})");
        let now = now_us();
        sqlx::query(
            "UPDATE tasks SET status = ?, lease_expires_at = NULL, last_error = ?, \
             finished_at = CASE WHEN ? = 'dead' THEN ? END, updated_at = ? WHERE id = ?",
        )
        .bind(to.as_str())
        .bind(&error)
        .bind(to.as_str())
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db("rescue"))?;
        let e = Entry::transition(kind, (id, goal), Some(from), to, actor)
            .with(serde_json::json!({"holder": holder, "lease_token": token, "attempt": attempts, "error": error}));
        audit::record(conn, e).await?;
        if to == TaskStatus::Dead {
            block::dependents(conn, &[id], actor).await?;
            report.dead.push(TaskId(id));
        } else {
            report.rescued.push(TaskId(id));
        }
    }
    Ok(report)
}
