//! Claim: promote what is due, then take up to K ready tasks of the worker's kinds under new
//! leases, highest priority then oldest `run_at` first. Each claimed attempt records when it
//! started (`started_at`), for run-time limits.
//!
//! The usual call is one statement, so one round trip and its own transaction: it checks whether
//! any pending task is due and, only if none is, locks and leases the ready tasks and writes their
//! `task.claimed` events. When something is due it claims nothing and says so; the claim then runs
//! again in a transaction that first promotes the due tasks, as a separate statement so that the
//! claim's snapshot sees them.
//!
//! The kinds and the limit are spliced into the SQL as literals rather than bound: the statement
//! stays prepared, yet PostgreSQL can never swap in a generic plan that assumes an unknown
//! `LIMIT`; at a large backlog such a plan reads the whole ready set instead of the first K
//! entries of the `tasks_ready` index. (An unprepared statement would get a fresh plan too, but
//! costs a second round trip and about 0.2 ms of planning per call, measured against 0.3 ms of
//! execution for a claim of 16.) A worker uses a handful of (kinds, limit) pairs, each cached
//! once per connection. Statistics matter as much as the plan cache: see
//! `upkeep` (statistics after bursts, vacuum after many claims).

use crate::audit::INSERT;
use crate::error::db;
use crate::promote;
use crate::row;
use crate::store::{PostgresStore, finish};
use crate::time::{dur_us, now_plus};
use juggernaut_core::Task;
use juggernaut_store::{ClaimRequest, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use std::cmp::Reverse;

/// The claim statement for these kinds and limit. Binds $1 worker, $2 lease in microseconds. With
/// `gated`, claims nothing while a pending task is due. Returns at least one row: `due`, then the
/// claimed task's columns (all null when nothing was claimed).
fn sql(req: &ClaimRequest, gated: bool) -> String {
    // Kinds are validated names ([a-z0-9_.]); quotes are doubled all the same.
    let kinds = req
        .kinds
        .iter()
        .map(|k| format!("'{}'", k.as_str().replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ");
    let limit = req.limit;
    let gate = if gated {
        "AND NOT (SELECT due FROM due)"
    } else {
        ""
    };
    let expires = now_plus(2);
    let cols = row::columns_of("t");
    format!(
        "WITH due AS (SELECT EXISTS (SELECT 1 FROM tasks \
             WHERE status = 'pending' AND pending_deps = 0 AND run_at <= now()) AS due), \
         picked AS (SELECT id FROM tasks WHERE status = 'ready' AND kind IN ({kinds}) {gate} \
             ORDER BY priority DESC, run_at, id LIMIT {limit} FOR NO KEY UPDATE SKIP LOCKED), \
         claimed AS (UPDATE tasks t SET status = 'running', attempts = t.attempts + 1, \
                 lease_token = t.lease_token + 1, lease_holder = $1, lease_expires_at = {expires}, \
                 updated_at = now(), started_at = now() \
             FROM picked WHERE t.id = picked.id RETURNING {cols}), \
         ev AS ({INSERT} SELECT 'task.claimed', id, goal_id, 'ready', 'running', $1, \
                 jsonb_build_object('attempt', attempts, 'lease_token', lease_token) \
             FROM claimed ORDER BY priority DESC, run_at, id) \
         SELECT due.due, claimed.* FROM due LEFT JOIN claimed ON true"
    )
}

/// Whether a pending task was due, and the claimed tasks in claim order.
fn read(rows: &[PgRow]) -> Result<(bool, Vec<Task>), StoreError> {
    let mut due = false;
    let mut tasks = Vec::with_capacity(rows.len());
    for r in rows {
        due |= r.try_get::<bool, _>("due").map_err(db("claim"))?;
        if r.try_get::<Option<i64>, _>("id")
            .map_err(db("claim"))?
            .is_some()
        {
            tasks.push(row::task(r)?);
        }
    }
    tasks.sort_by_key(|t| (Reverse(t.priority), t.run_at, t.id));
    Ok((due, tasks))
}

/// Claims tasks; see [`juggernaut_store::Store::claim`].
pub async fn run(store: &PostgresStore, req: &ClaimRequest) -> Result<Vec<Task>, StoreError> {
    if req.kinds.is_empty() || req.limit == 0 {
        return Ok(Vec::new());
    }
    let lease = dur_us(req.lease);
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql(req, true)))
        .bind(&req.worker.0)
        .bind(lease)
        .fetch_all(store.pool())
        .await
        .map_err(db("claim"))?;
    let (due, tasks) = read(&rows)?;
    if !due {
        store.note_claimed(tasks.len() as u64);
        return Ok(tasks);
    }
    let mut tx = store.begin().await?;
    let claimed = promote_then_claim(&mut tx, req, lease).await;
    let (promoted, tasks) = finish(tx, claimed, "claim").await?;
    store.note_ready(promoted);
    store.note_claimed(tasks.len() as u64);
    Ok(tasks)
}

async fn promote_then_claim(
    conn: &mut PgConnection,
    req: &ClaimRequest,
    lease: i64,
) -> Result<(u64, Vec<Task>), StoreError> {
    let promoted = promote::due(&mut *conn, &req.worker.0)
        .await
        .map_err(db("promote"))?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql(req, false)))
        .bind(&req.worker.0)
        .bind(lease)
        .fetch_all(conn)
        .await
        .map_err(db("claim"))?;
    Ok((u64::try_from(promoted).unwrap_or(0), read(&rows)?.1))
}

/// The plan of the claim statement for `req`; see [`PostgresStore::explain_claim`].
pub async fn explain(store: &PostgresStore, req: &ClaimRequest) -> Result<String, StoreError> {
    let sql = format!("EXPLAIN {}", sql(req, true));
    let lines: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(&req.worker.0)
        .bind(dur_us(req.lease))
        .persistent(false)
        .fetch_all(store.pool())
        .await
        .map_err(db("explain"))?;
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use juggernaut_core::TaskKind;
    use std::time::Duration;

    #[test]
    fn kinds_and_limit_are_literals() {
        let req = ClaimRequest {
            worker: "w".into(),
            kinds: vec![
                TaskKind::new("noop").unwrap(),
                TaskKind::new("a.b").unwrap(),
            ],
            limit: 7,
            lease: Duration::from_secs(1),
        };
        let gated = sql(&req, true);
        assert!(gated.contains("kind IN ('noop', 'a.b')"));
        assert!(gated.contains("LIMIT 7 FOR NO KEY UPDATE SKIP LOCKED"));
        assert!(gated.contains("AND NOT (SELECT due FROM due)"));
        assert!(!sql(&req, false).contains("AND NOT (SELECT due FROM due)"));
    }
}
