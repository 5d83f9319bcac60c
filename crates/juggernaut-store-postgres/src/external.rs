//! External waits: a running task parks until something outside happens (`awaiting_external`),
//! with what it waits for and its progress; at the check time (by the database clock) it is made
//! ready again so that its handler runs to look, and that look does not spend an attempt.

use crate::audit::INSERT;
use crate::error::db;
use crate::fence;
use crate::store::{CHANNEL, PostgresStore, finish};
use crate::time::{dur_us, now_plus};
use juggernaut_core::TaskId;
use juggernaut_store::{ExternalWait, StoreError};
use sqlx::PgConnection;
use std::sync::LazyLock;

/// Binds $1 id, $2 what, $3 check delay in microseconds, $4 progress, $5 holder, $6 the status
/// it leaves.
static PARK: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH up AS (UPDATE tasks SET status = 'awaiting_external', lease_expires_at = NULL, \
                 check_at = {at}, waiting = jsonb_build_object('type', 'external', 'what', $2::text, \
                     'check_at', to_jsonb({at})), \
                 result = $4, updated_at = now() WHERE id = $1 RETURNING id, goal_id), \
         ev AS ({INSERT} SELECT 'task.awaiting_external', id, goal_id, $6::text, \
                 'awaiting_external', $5, jsonb_build_object('what', $2::text) FROM up) \
         SELECT count(*) FROM up",
        at = now_plus(3)
    )
});

/// Parks a running task; see [`juggernaut_store::Queue::await_external`].
pub async fn park(store: &PostgresStore, w: ExternalWait) -> Result<(), StoreError> {
    w.check()?;
    let mut tx = store.begin().await?;
    let parked = park_held(&mut tx, &w).await;
    finish(tx, parked, "await_external").await
}

async fn park_held(conn: &mut PgConnection, w: &ExternalWait) -> Result<(), StoreError> {
    let held = fence::held(&mut *conn, w.lease).await?;
    sqlx::query_scalar::<_, i64>(PARK.as_str())
        .bind(w.lease.task_id.0)
        .bind(&w.what)
        .bind(dur_us(w.check_after))
        .bind(&w.progress)
        .bind(&held.holder)
        .bind(held.status.as_str())
        .fetch_one(conn)
        .await
        .map_err(db("await_external"))?;
    Ok(())
}

/// Binds $1 actor. Skips rows another transaction holds.
static RECHECK: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH due AS (SELECT id, waiting ->> 'what' AS what FROM tasks \
             WHERE status = 'awaiting_external' AND check_at <= now() \
             ORDER BY id FOR NO KEY UPDATE SKIP LOCKED), \
         up AS (UPDATE tasks t SET status = 'ready', attempts = GREATEST(t.attempts - 1, 0), \
                 check_at = NULL, waiting = NULL, updated_at = now() \
             FROM due WHERE t.id = due.id RETURNING t.id, t.goal_id, due.what), \
         ev AS ({INSERT} SELECT 'task.rechecked', id, goal_id, 'awaiting_external', 'ready', $1, \
                 jsonb_build_object('what', COALESCE(what, '')) FROM up ORDER BY id) \
         SELECT id FROM up ORDER BY id"
    )
});

/// Makes due external waits ready; see [`juggernaut_store::Queue::recheck_external`].
pub async fn recheck(store: &PostgresStore, actor: &str) -> Result<Vec<TaskId>, StoreError> {
    let mut tx = store.begin().await?;
    let done = recheck_due(&mut tx, actor).await;
    let ids = finish(tx, done, "recheck_external").await?;
    if !ids.is_empty() {
        store.signal.notify_waiters();
        store.note_ready(ids.len() as u64);
    }
    Ok(ids)
}

async fn recheck_due(conn: &mut PgConnection, actor: &str) -> Result<Vec<TaskId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(RECHECK.as_str())
        .bind(actor)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("recheck_external"))?;
    if !ids.is_empty() {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(conn)
            .await
            .map_err(db("recheck_external"))?;
    }
    Ok(ids.into_iter().map(TaskId).collect())
}
