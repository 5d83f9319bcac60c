//! Heartbeat: extend the leases a worker still holds; one statement, one audit event per call. The
//! rows are locked in id order first (see [`LOCK_IN_ID_ORDER`]), as completions lock theirs, so
//! that the two never deadlock on the tasks they share.

use crate::audit::INSERT;
use crate::error::db;
use crate::fence::LOCK_IN_ID_ORDER;
use crate::store::PostgresStore;
use crate::time::{dur_us, now_plus};
use juggernaut_core::WorkerId;
use juggernaut_store::{LeaseRef, StoreError};
use std::collections::HashSet;
use std::sync::LazyLock;
use std::time::Duration;

/// Binds $1 ids, $2 tokens, $3 extension in microseconds, $4 worker, $5 extension in ms.
/// Returns the extended leases.
static HEARTBEAT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH l AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY \
             AS l(id, token, ord)), \
         {LOCK_IN_ID_ORDER}, \
         kept AS (UPDATE tasks t SET lease_expires_at = {expires} FROM l JOIN locked ON locked.id = l.id \
             WHERE t.id = l.id AND t.lease_token = l.token AND t.status IN ('running', 'verifying') \
             RETURNING t.id, t.lease_token), \
         ev AS ({INSERT} SELECT 'lease.extended', NULL, NULL, NULL, NULL, $4, jsonb_build_object( \
                 'tasks', (SELECT COALESCE(jsonb_agg(l.id ORDER BY l.ord), '[]') FROM l \
                     WHERE EXISTS (SELECT 1 FROM kept k WHERE k.id = l.id AND k.lease_token = l.token)), \
                 'lost', (SELECT COALESCE(jsonb_agg(l.id ORDER BY l.ord), '[]') FROM l \
                     WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE k.id = l.id AND k.lease_token = l.token)), \
                 'extend_ms', $5::bigint)) \
         SELECT id, lease_token FROM kept",
        expires = now_plus(3)
    )
});

/// Extends current leases; see [`juggernaut_store::Store::heartbeat`].
pub async fn run(
    store: &PostgresStore,
    worker: &WorkerId,
    leases: &[LeaseRef],
    extend_by: Duration,
) -> Result<Vec<LeaseRef>, StoreError> {
    if leases.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = leases.iter().map(|l| l.task_id.0).collect();
    let tokens: Vec<i64> = leases.iter().map(|l| l.token).collect();
    let rows: Vec<(i64, i64)> = sqlx::query_as(HEARTBEAT.as_str())
        .bind(&ids)
        .bind(&tokens)
        .bind(dur_us(extend_by))
        .bind(&worker.0)
        .bind(i64::try_from(extend_by.as_millis()).unwrap_or(i64::MAX))
        .fetch_all(store.pool())
        .await
        .map_err(db("heartbeat"))?;
    let kept: HashSet<(i64, i64)> = rows.into_iter().collect();
    Ok(leases
        .iter()
        .filter(|l| kept.contains(&(l.task_id.0, l.token)))
        .copied()
        .collect())
}
