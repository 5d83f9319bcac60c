//! Fail: a failed attempt retries after a backoff, dies when out of attempts, or fails for good
//! when not retryable. Dead and failed tasks block their dependents.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::fence::Held;
use crate::store::SqliteStore;
use crate::time::{dur_us, now_us};
use crate::{block, fence};
use juggernaut_core::{Backoff, EventKind, Failed, FailureOutcome, transition};
use juggernaut_store::{Failure, StoreError};
use sqlx::SqliteConnection;

/// Records a failed attempt; see [`juggernaut_store::Store::fail`].
pub async fn run(store: &SqliteStore, f: Failure) -> Result<FailureOutcome, StoreError> {
    let mut tx = store.write().await?;
    let held = fence::held(&mut tx, f.lease).await?;
    let outcome = apply(&mut tx, &store.options.backoff, &f, &held, None).await?;
    tx.commit().await.map_err(db("fail"))?;
    Ok(outcome)
}

/// Applies a failure to a task known to be held under `f.lease`. `kind` overrides the event kind
/// (a run-time limit writes `task.timed_out`); the actor is the lease holder unless given.
pub async fn apply(
    conn: &mut SqliteConnection,
    backoff: &Backoff,
    f: &Failure,
    held: &Held,
    as_event: Option<(EventKind, &str)>,
) -> Result<FailureOutcome, StoreError> {
    let failed = Failed {
        attempts: u32::try_from(held.attempts).unwrap_or(u32::MAX),
        max_attempts: u32::try_from(held.max_attempts).unwrap_or(1),
        retryable: f.retryable,
        retry_after: f.retry_after,
    };
    let outcome = FailureOutcome::decide(failed, backoff, rand::random::<f64>());
    let to = transition::next(held.status, outcome.action())?;
    let error = juggernaut_core::text::storable(&f.error);
    let now = now_us();
    let (run_at, finished, kind, delay_ms) = match outcome {
        FailureOutcome::Retry { delay } => (
            Some(now.saturating_add(dur_us(delay))),
            None,
            EventKind::TaskRetryScheduled,
            Some(delay.as_millis() as u64),
        ),
        FailureOutcome::Dead => (None, Some(now), EventKind::TaskDead, None),
        FailureOutcome::Failed => (None, Some(now), EventKind::TaskFailed, None),
    };
    sqlx::query(
        "UPDATE tasks SET status = ?, run_at = COALESCE(?, run_at), finished_at = ?, last_error = ?, \
         lease_expires_at = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(to.as_str())
    .bind(run_at)
    .bind(finished)
    .bind(error.as_ref())
    .bind(now)
    .bind(f.lease.task_id.0)
    .execute(&mut *conn)
    .await
    .map_err(db("fail"))?;
    let (kind, actor) = as_event.unwrap_or((kind, &held.holder));
    let e = Entry::transition(kind, (f.lease.task_id.0, held.goal_id), Some(held.status), to, actor)
        .with(serde_json::json!({"error": error, "attempt": held.attempts, "retryable": f.retryable, "delay_ms": delay_ms, "holder": held.holder}));
    audit::record(conn, e).await?;
    if to.blocks_dependents() && held.has_dependents {
        block::dependents(conn, &[f.lease.task_id.0], actor).await?;
    }
    Ok(outcome)
}
