//! Rescue: held tasks (`running`, or `verifying` their evidence) whose lease expired (by the
//! database clock), or whose worker was found lost, go back to ready (the attempt counts) or, out of attempts, to the dead-letter queue.
//! Rows are taken with `SKIP LOCKED`, so several processes can rescue at once and each task is
//! rescued once; a row another transaction holds is being changed by it (or, failing that, its
//! lease lapses and a later rescue takes it).

use crate::audit::INSERT;
use crate::block;
use crate::error::db;
use crate::store::{CHANNEL, PostgresStore, finish};
use juggernaut_core::TaskId;
use juggernaut_store::{RescueReport, StoreError};
use sqlx::PgConnection;
use std::sync::LazyLock;

/// Which held tasks to hand back.
pub enum Which<'a> {
    /// Leases expired by the database clock (`lease_expires_at < now()`).
    Expired,
    /// Leases held by this worker.
    HeldBy(&'a str),
}

/// The hand-back statement for the held tasks `selection` (a condition on `tasks`) picks.
/// Binds $1 actor, $2 why (the head of `last_error`), and whatever `selection` binds from $3.
/// Returns id and whether it went dead, in id order.
fn statement(selection: &str) -> String {
    format!(
        "WITH picked AS (SELECT id, status AS was FROM tasks \
             WHERE status IN ('running', 'verifying') AND {selection} \
             ORDER BY id FOR NO KEY UPDATE SKIP LOCKED), \
         taken AS (UPDATE tasks t SET \
                 status = CASE WHEN t.attempts < t.max_attempts THEN 'ready' ELSE 'dead' END, \
                 lease_expires_at = NULL, \
                 last_error = format('%s (holder %s, attempt %s)', $2::text, \
                     COALESCE(t.lease_holder, ''), t.attempts), \
                 finished_at = CASE WHEN t.attempts < t.max_attempts THEN NULL ELSE now() END, \
                 updated_at = now() \
             FROM picked WHERE t.id = picked.id \
             RETURNING t.id, t.goal_id, t.status, t.lease_holder, t.lease_token, t.attempts, \
                 t.last_error, picked.was), \
         ev AS ({INSERT} SELECT CASE WHEN status = 'ready' THEN 'task.rescued' ELSE 'task.dead' END, \
                 id, goal_id, was, status, $1, \
                 jsonb_build_object('holder', COALESCE(lease_holder, ''), 'lease_token', lease_token, \
                     'attempt', attempts, 'error', last_error) \
             FROM taken ORDER BY id) \
         SELECT id, status = 'dead' FROM taken ORDER BY id"
    )
}

static EXPIRED: LazyLock<String> = LazyLock::new(|| statement("lease_expires_at < now()"));
static HELD_BY: LazyLock<String> = LazyLock::new(|| statement("lease_holder = $3"));

/// Rescues expired leases; see [`juggernaut_store::Store::rescue_expired`].
pub async fn run(store: &PostgresStore, actor: &str) -> Result<RescueReport, StoreError> {
    let mut tx = store.begin().await?;
    let rescued = hand_back(&mut tx, Which::Expired, actor, "lease expired").await;
    let report = finish(tx, rescued, "rescue").await?;
    if !report.rescued.is_empty() {
        store.signal.notify_waiters();
    }
    Ok(report)
}

/// Hands back the selected held tasks inside the caller's transaction: blocks the dependents
/// of those that died, and notifies listeners if any went back to ready. `why` heads the tasks'
/// `last_error`.
pub async fn hand_back(
    conn: &mut PgConnection,
    which: Which<'_>,
    actor: &str,
    why: &str,
) -> Result<RescueReport, StoreError> {
    let query = match which {
        Which::Expired => sqlx::query_as(EXPIRED.as_str()).bind(actor).bind(why),
        Which::HeldBy(holder) => sqlx::query_as(HELD_BY.as_str())
            .bind(actor)
            .bind(why)
            .bind(holder),
    };
    let rows: Vec<(i64, bool)> = query.fetch_all(&mut *conn).await.map_err(db("rescue"))?;
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
