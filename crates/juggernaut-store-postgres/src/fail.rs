//! Fail: a failed attempt retries after a backoff, dies when out of attempts, or fails for good
//! when not retryable. Dead and failed tasks block their dependents.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{PostgresStore, finish};
use crate::time::{dur_us, now_plus};
use crate::{block, fence};
use juggernaut_core::{EventKind, FailureOutcome, TaskStatus, transition};
use juggernaut_store::{Failure, StoreError};
use sqlx::PgConnection;
use std::sync::LazyLock;

/// Binds $1 id, $2 status, $3 retry delay in microseconds (null: keep `run_at`), $4 finished,
/// $5 error.
static FAIL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE tasks SET status = $2, run_at = COALESCE({}, run_at), \
             finished_at = CASE WHEN $4 THEN now() END, last_error = $5, \
             lease_expires_at = NULL, updated_at = now() WHERE id = $1",
        now_plus(3)
    )
});

/// Records a failed attempt; see [`juggernaut_store::Store::fail`].
pub async fn run(store: &PostgresStore, f: Failure) -> Result<FailureOutcome, StoreError> {
    let mut tx = store.begin().await?;
    let outcome = record(&mut tx, store, &f).await;
    finish(tx, outcome, "fail").await
}

async fn record(
    conn: &mut PgConnection,
    store: &PostgresStore,
    f: &Failure,
) -> Result<FailureOutcome, StoreError> {
    let held = fence::held(&mut *conn, f.lease).await?;
    let outcome = FailureOutcome::decide(
        u32::try_from(held.attempts).unwrap_or(u32::MAX),
        u32::try_from(held.max_attempts).unwrap_or(1),
        f.retryable,
        &store.options.backoff,
        rand::random::<f64>(),
    );
    let to = transition::next(TaskStatus::Running, outcome.action())?;
    let (delay, kind) = match outcome {
        FailureOutcome::Retry { delay } => (Some(delay), EventKind::TaskRetryScheduled),
        FailureOutcome::Dead => (None, EventKind::TaskDead),
        FailureOutcome::Failed => (None, EventKind::TaskFailed),
    };
    sqlx::query(FAIL.as_str())
        .bind(f.lease.task_id.0)
        .bind(to.as_str())
        .bind(delay.map(dur_us))
        .bind(delay.is_none())
        .bind(&f.error)
        .execute(&mut *conn)
        .await
        .map_err(db("fail"))?;
    let delay_ms = delay.map(|d| d.as_millis() as u64);
    let e = Entry::transition(kind, (f.lease.task_id.0, held.goal_id), Some(TaskStatus::Running), to, &held.holder)
        .with(serde_json::json!({"error": f.error, "attempt": held.attempts, "retryable": f.retryable, "delay_ms": delay_ms}));
    audit::record(&mut *conn, e).await?;
    if to.blocks_dependents() && held.has_dependents {
        block::dependents(conn, &[f.lease.task_id.0], &held.holder).await?;
    }
    Ok(outcome)
}
