//! Fail: a failed attempt retries after a backoff, dies when out of attempts, or fails for good
//! when not retryable. Dead and failed tasks block their dependents. [`apply`] is shared with the
//! run-time limit (`release.rs`), which fails attempts that ran too long.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::fence::Held;
use crate::store::{PostgresStore, finish};
use crate::time::{dur_us, now_plus};
use crate::{block, fence};
use juggernaut_core::{Backoff, EventKind, Failed, FailureOutcome, transition};
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
    let outcome = record(&mut tx, &store.options.backoff, &f).await;
    finish(tx, outcome, "fail").await
}

async fn record(
    conn: &mut PgConnection,
    backoff: &Backoff,
    f: &Failure,
) -> Result<FailureOutcome, StoreError> {
    let held = fence::held(&mut *conn, f.lease).await?;
    apply(conn, backoff, f, &held, None).await
}

/// Applies a failure to a task known to be held (and locked) under `f.lease`. `as_event`
/// overrides the event kind and actor (a run-time limit writes `task.timed_out` as the watchdog);
/// otherwise the kind follows the outcome and the actor is the lease holder.
pub async fn apply(
    conn: &mut PgConnection,
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
        .bind(error.as_ref())
        .execute(&mut *conn)
        .await
        .map_err(db("fail"))?;
    let delay_ms = delay.map(|d| d.as_millis() as u64);
    let (kind, actor) = as_event.unwrap_or((kind, &held.holder));
    let e = Entry::transition(kind, (f.lease.task_id.0, held.goal_id), Some(held.status), to, actor)
        .with(serde_json::json!({"error": error, "attempt": held.attempts, "retryable": f.retryable, "delay_ms": delay_ms, "holder": held.holder}));
    audit::record(&mut *conn, e).await?;
    if to.blocks_dependents() && held.has_dependents {
        block::dependents(conn, &[f.lease.task_id.0], actor).await?;
    }
    Ok(outcome)
}
