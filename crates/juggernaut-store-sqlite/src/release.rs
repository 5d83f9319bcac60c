//! Release and run-time limits: a worker shutting down hands its tasks back without spending an
//! attempt; the watchdog fails attempts that run past their limit.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::fail;
use crate::fence::Held;
use crate::store::SqliteStore;
use crate::time::{dur_us, now_us};
use juggernaut_core::{EventKind, TaskId, TaskStatus};
use juggernaut_store::{Failure, LeaseRef, StoreError};
use std::time::Duration;

/// Hands held tasks (`running` or `verifying`) back to `ready`; the attempt does not count.
pub async fn release(
    store: &SqliteStore,
    leases: &[LeaseRef],
    actor: &str,
) -> Result<Vec<TaskId>, StoreError> {
    if leases.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = store.write().await?;
    let mut out = Vec::new();
    for l in leases {
        // The status it leaves, for its event: the update's answer shows the new one.
        let from: Option<String> = sqlx::query_scalar(
            "SELECT status FROM tasks WHERE id = ? AND lease_token = ? \
             AND status IN ('running', 'verifying')",
        )
        .bind(l.task_id.0)
        .bind(l.token)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("release"))?;
        let Some(from) = from else { continue };
        let from: TaskStatus = from.parse()?;
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "UPDATE tasks SET status = 'ready', attempts = MAX(attempts - 1, 0), lease_expires_at = NULL, \
             started_at = NULL, updated_at = ? WHERE id = ? AND lease_token = ? AND status = ? RETURNING goal_id",
        )
        .bind(now_us())
        .bind(l.task_id.0)
        .bind(l.token)
        .bind(from.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("release"))?;
        if let Some((goal,)) = row {
            let e = Entry::transition(
                EventKind::TaskReleased,
                (l.task_id.0, goal),
                Some(from),
                TaskStatus::Ready,
                actor,
            )
            .with(serde_json::json!({"lease_token": l.token}));
            audit::record(&mut tx, e).await?;
            out.push(l.task_id);
        }
    }
    tx.commit().await.map_err(db("release"))?;
    if !out.is_empty() {
        store.signal.notify_waiters();
    }
    Ok(out)
}

type Row = (
    i64,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    bool,
);

/// Fails the attempts running longer than `limit`.
pub async fn time_out_overdue(
    store: &SqliteStore,
    limit: Duration,
    actor: &str,
) -> Result<Vec<TaskId>, StoreError> {
    let mut tx = store.write().await?;
    let cutoff = now_us().saturating_sub(dur_us(limit));
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, status, lease_token, attempts, max_attempts, lease_holder, goal_id, has_dependents \
         FROM tasks INDEXED BY tasks_holder WHERE status IN ('running', 'verifying') AND started_at < ? \
         ORDER BY id",
    )
    .bind(cutoff)
    .fetch_all(&mut *tx)
    .await
    .map_err(db("time_out_overdue"))?;
    let mut out = Vec::new();
    for (id, status, token, attempts, max_attempts, holder, goal_id, has_dependents) in rows {
        let held = Held {
            status: status.parse()?,
            attempts,
            max_attempts,
            holder: holder.unwrap_or_default(),
            goal_id,
            has_dependents,
        };
        let f = Failure {
            lease: LeaseRef {
                task_id: TaskId(id),
                token,
            },
            error: format!(
                "ran past its run-time limit of {}s (holder {})",
                limit.as_secs(),
                held.holder
            ),
            retryable: true,
            retry_after: None,
        };
        fail::apply(
            &mut tx,
            &store.options.backoff,
            &f,
            &held,
            Some((EventKind::TaskTimedOut, actor)),
        )
        .await?;
        out.push(TaskId(id));
    }
    tx.commit().await.map_err(db("time_out_overdue"))?;
    Ok(out)
}
