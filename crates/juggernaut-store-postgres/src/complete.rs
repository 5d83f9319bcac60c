//! Complete: record result and evidence for tasks whose lease is current, in one transaction;
//! then let their dependents move on.
//!
//! The whole batch is one statement: the completions are bound as arrays, their rows locked in id
//! order (see [`LOCK_IN_ID_ORDER`]), joined to the tasks on id, token and a held status
//! (`running` or `verifying`, the event's `from`), and their
//! `task.completed` events are written by a CTE of the same statement. Only when an item was refused does a second query ask why; only when a completed
//! task has dependents does a third count them down (see [`promote::freed`]).

use crate::audit::INSERT;
use crate::error::{db, json};
use crate::fence::LOCK_IN_ID_ORDER;
use crate::store::{PostgresStore, finish};
use crate::{children, fence, promote};
use juggernaut_store::{Completion, StoreError};
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Binds $1 ids, $2 tokens, $3 results, $4 evidence arrays. Returns the completed tasks.
static COMPLETE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH c AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::jsonb[], $4::jsonb[]) \
             AS c(id, token, result, evidence)), \
         {LOCK_IN_ID_ORDER}, \
         done AS (UPDATE tasks t SET status = 'completed', result = c.result, evidence = c.evidence, \
                 lease_expires_at = NULL, finished_at = now(), updated_at = now() \
             FROM c JOIN locked ON locked.id = c.id \
             WHERE t.id = c.id AND t.lease_token = c.token AND t.status IN ('running', 'verifying') \
             RETURNING t.id, t.goal_id, t.lease_holder, t.lease_token, t.has_dependents, \
                 jsonb_array_length(c.evidence) AS n, locked.status AS was), \
         ev AS ({INSERT} SELECT 'task.completed', id, goal_id, was, 'completed', \
                 COALESCE(lease_holder, ''), jsonb_build_object('lease_token', lease_token, 'evidence', n) \
             FROM done ORDER BY id) \
         SELECT id, lease_token, has_dependents, goal_id FROM done"
    )
});

/// Completes tasks; see [`juggernaut_store::Queue::complete_batch`].
pub async fn run(
    store: &PostgresStore,
    completions: Vec<Completion>,
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let mut out: Vec<Option<Result<(), StoreError>>> = completions
        .iter()
        .map(|c| c.check().err().map(Err))
        .collect();
    if out.iter().any(Option::is_none) {
        let mut tx = store.begin().await?;
        let applied = apply(&mut tx, &completions, &mut out).await;
        let promoted = finish(tx, applied, "complete").await?;
        store.note_ready(promoted);
    }
    Ok(out
        .into_iter()
        .zip(&completions)
        .map(|(slot, c)| slot.unwrap_or(Err(StoreError::NotFound(c.lease.task_id))))
        .collect())
}

/// The checked completions, as bound.
#[derive(Default)]
struct Batch {
    ids: Vec<i64>,
    tokens: Vec<i64>,
    results: Vec<serde_json::Value>,
    evidence: Vec<serde_json::Value>,
}

impl Batch {
    /// The completions whose slot in `out` is still open.
    fn of(
        completions: &[Completion],
        out: &[Option<Result<(), StoreError>>],
    ) -> Result<Self, StoreError> {
        let mut b = Self::default();
        for (c, _) in completions
            .iter()
            .zip(out)
            .filter(|(_, slot)| slot.is_none())
        {
            b.ids.push(c.lease.task_id.0);
            b.tokens.push(c.lease.token);
            b.results.push(c.result.clone());
            b.evidence
                .push(serde_json::to_value(&c.evidence).map_err(json("tasks"))?);
        }
        Ok(b)
    }
}

/// Completes the open items of `completions` (with their children) and fills their slots of
/// `out` with the outcome; returns how many dependents it promoted.
async fn apply(
    conn: &mut PgConnection,
    completions: &[Completion],
    out: &mut [Option<Result<(), StoreError>>],
) -> Result<u64, StoreError> {
    for (slot, c) in out.iter_mut().zip(completions) {
        if slot.is_none()
            && !c.children.is_empty()
            && let Err(e) = children::dependencies_exist(&mut *conn, c).await?
        {
            *slot = Some(Err(e));
        }
    }
    let batch = Batch::of(completions, out)?;
    if batch.ids.is_empty() {
        return Ok(0);
    }
    let rows: Vec<(i64, i64, bool, Option<i64>)> = sqlx::query_as(COMPLETE.as_str())
        .bind(&batch.ids)
        .bind(&batch.tokens)
        .bind(&batch.results)
        .bind(&batch.evidence)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("complete"))?;
    let freed: Vec<i64> = rows.iter().filter(|r| r.2).map(|r| r.0).collect();
    let goals: HashMap<i64, Option<i64>> = rows.iter().map(|r| (r.0, r.3)).collect();
    let mut done: HashSet<(i64, i64)> = rows.into_iter().map(|(id, t, ..)| (id, t)).collect();
    // Each completed lease answers the first item that presented it; a repeat is refused, as it
    // would be had it come in a later call.
    let mut refused = Vec::new();
    for (slot, c) in out.iter_mut().zip(completions) {
        if slot.is_none() {
            if done.remove(&(c.lease.task_id.0, c.lease.token)) {
                *slot = Some(Ok(()));
                if !c.children.is_empty() {
                    let goal = goals.get(&c.lease.task_id.0).copied().flatten();
                    children::enqueue(&mut *conn, c, goal).await?;
                }
            } else {
                refused.push(c.lease);
            }
        }
    }
    if !refused.is_empty() {
        let mut why = fence::refusals(&mut *conn, &refused).await?.into_iter();
        for slot in out.iter_mut().filter(|s| s.is_none()) {
            *slot = why.next().map(Err);
        }
    }
    if freed.is_empty() {
        return Ok(0);
    }
    let promoted = promote::freed(conn, &freed, "complete")
        .await
        .map_err(db("complete"))?;
    Ok(u64::try_from(promoted).unwrap_or(0))
}
