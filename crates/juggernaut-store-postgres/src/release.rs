//! Release and run-time limits: a worker shutting down hands its tasks back without spending an
//! attempt; the watchdog fails attempts that run past their limit.
//!
//! Release is one statement for the whole batch (leases bound as arrays, `task.released` events
//! written by a CTE of the same statement). The run-time limit takes the overdue rows with
//! `SKIP LOCKED`, so several watchdogs may run at once and each attempt times out once; each is
//! then failed by [`fail::apply`], as a failure reported by its worker would be.

use crate::audit::INSERT;
use crate::error::db;
use crate::fail;
use crate::fence::Held;
use crate::fence::LOCK_IN_ID_ORDER;
use crate::store::{CHANNEL, PostgresStore, finish};
use crate::time::dur_us;
use juggernaut_core::{Backoff, EventKind, TaskId};
use juggernaut_store::{Failure, LeaseRef, StoreError};
use sqlx::PgConnection;
use std::collections::HashSet;
use std::sync::LazyLock;
use std::time::Duration;

/// Binds $1 ids, $2 tokens, $3 actor. Returns the released tasks' ids.
static RELEASE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH l AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS l(id, token)), \
         {LOCK_IN_ID_ORDER}, \
         released AS (UPDATE tasks t SET status = 'ready', attempts = GREATEST(t.attempts - 1, 0), \
                 lease_expires_at = NULL, started_at = NULL, updated_at = now() \
             FROM l JOIN locked ON locked.id = l.id WHERE t.id = l.id AND t.lease_token = l.token \
                 AND t.status IN ('running', 'verifying') \
             RETURNING t.id, t.goal_id, t.lease_token, locked.status AS was), \
         ev AS ({INSERT} SELECT 'task.released', id, goal_id, was, 'ready', $3, \
                 jsonb_build_object('lease_token', lease_token) \
             FROM released ORDER BY id) \
         SELECT id FROM released"
    )
});

/// Hands held tasks (`running` or `verifying`) back to `ready`; the attempt does not count. Returns the released tasks
/// in the order of `leases`; stale leases are skipped.
pub async fn release(
    store: &PostgresStore,
    leases: &[LeaseRef],
    actor: &str,
) -> Result<Vec<TaskId>, StoreError> {
    if leases.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = store.begin().await?;
    let released = hand_back(&mut tx, leases, actor).await;
    let released = finish(tx, released, "release").await?;
    let mut seen = HashSet::new();
    let out: Vec<TaskId> = leases
        .iter()
        .filter(|l| released.contains(&l.task_id.0) && seen.insert(l.task_id))
        .map(|l| l.task_id)
        .collect();
    if !out.is_empty() {
        store.signal.notify_waiters();
    }
    Ok(out)
}

async fn hand_back(
    conn: &mut PgConnection,
    leases: &[LeaseRef],
    actor: &str,
) -> Result<HashSet<i64>, StoreError> {
    let ids: Vec<i64> = leases.iter().map(|l| l.task_id.0).collect();
    let tokens: Vec<i64> = leases.iter().map(|l| l.token).collect();
    let released: Vec<i64> = sqlx::query_scalar(RELEASE.as_str())
        .bind(&ids)
        .bind(&tokens)
        .bind(actor)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("release"))?;
    if !released.is_empty() {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(conn)
            .await
            .map_err(db("release"))?;
    }
    Ok(released.into_iter().collect())
}

/// id, status, lease_token, attempts, max_attempts, lease_holder, goal_id, has_dependents.
type Row = (
    i64,
    String,
    i64,
    i32,
    i32,
    Option<String>,
    Option<i64>,
    bool,
);

/// Fails the attempts running longer than `limit`.
pub async fn time_out_overdue(
    store: &PostgresStore,
    limit: Duration,
    actor: &str,
) -> Result<Vec<TaskId>, StoreError> {
    let mut tx = store.begin().await?;
    let timed_out = time_out(&mut tx, &store.options.backoff, limit, actor).await;
    finish(tx, timed_out, "time_out_overdue").await
}

async fn time_out(
    conn: &mut PgConnection,
    backoff: &Backoff,
    limit: Duration,
    actor: &str,
) -> Result<Vec<TaskId>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, status, lease_token, attempts, max_attempts, lease_holder, goal_id, has_dependents \
         FROM tasks WHERE status IN ('running', 'verifying') \
           AND started_at < now() - $1::bigint * interval '1 microsecond' \
         ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
    )
    .bind(dur_us(limit))
    .fetch_all(&mut *conn)
    .await
    .map_err(db("time_out_overdue"))?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, status, token, attempts, max_attempts, holder, goal_id, has_dependents) in rows {
        let held = Held {
            status: crate::row::status(&status)?,
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
            &mut *conn,
            backoff,
            &f,
            &held,
            Some((EventKind::TaskTimedOut, actor)),
        )
        .await?;
        out.push(TaskId(id));
    }
    Ok(out)
}
