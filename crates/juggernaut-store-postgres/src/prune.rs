//! Pruning: terminal tasks finished before the retention window (by the database clock) go, with
//! their dependency edges, in one statement; their events stay (the audit log is append-only and
//! outlives the tasks it describes). The rows are taken with `SKIP LOCKED`:
//! one another transaction holds (a requeue, say) stays for the next prune.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{PostgresStore, finish};
use crate::time::dur_us;
use juggernaut_core::EventKind;
use juggernaut_store::StoreError;
use sqlx::PgConnection;
use std::time::Duration;

/// Binds $1 the retention in microseconds. Returns how many tasks went.
const PRUNE: &str = "WITH old AS (SELECT id FROM tasks \
         WHERE finished_at < now() - $1::bigint * interval '1 microsecond' \
           AND status IN ('completed', 'failed', 'dead', 'cancelled', 'blocked') \
         FOR UPDATE SKIP LOCKED), \
     gone AS (DELETE FROM tasks WHERE id IN (SELECT id FROM old) RETURNING id) \
     SELECT count(*) FROM gone";

/// Deletes old terminal tasks; returns how many.
pub async fn terminal(
    store: &PostgresStore,
    older_than: Duration,
    actor: &str,
) -> Result<u64, StoreError> {
    let mut tx = store.begin().await?;
    let pruned = prune(&mut tx, older_than, actor).await;
    finish(tx, pruned, "prune").await
}

async fn prune(
    conn: &mut PgConnection,
    older_than: Duration,
    actor: &str,
) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar(PRUNE)
        .bind(dur_us(older_than))
        .fetch_one(&mut *conn)
        .await
        .map_err(db("prune"))?;
    let n = u64::try_from(n).unwrap_or(0);
    if n > 0 {
        let e = Entry {
            kind: EventKind::TasksPruned,
            task_id: None,
            goal_id: None,
            from: None,
            to: None,
            actor,
            data: serde_json::json!({"count": n, "older_than_s": older_than.as_secs()}),
        };
        audit::record(conn, e).await?;
    }
    Ok(n)
}
