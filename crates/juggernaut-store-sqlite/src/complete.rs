//! Complete: record result and evidence for tasks whose lease is current, all in one statement
//! and one transaction; then let their dependents move on.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::now_us;
use crate::{children, fence, promote};
use juggernaut_core::{EventKind, TaskStatus};
use juggernaut_store::{Completion, StoreError};
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// Completes tasks; see [`juggernaut_store::Store::complete_batch`].
pub async fn run(
    store: &SqliteStore,
    completions: Vec<Completion>,
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    if completions.is_empty() {
        return Ok(Vec::new());
    }
    let mut checked: Vec<Result<(), StoreError>> =
        completions.iter().map(Completion::check).collect();
    let mut tx = store.write().await?;
    for (c, r) in completions.iter().zip(checked.iter_mut()) {
        if r.is_ok() && !c.children.is_empty() {
            *r = children::dependencies_exist(&mut tx, c).await?;
        }
    }
    let valid: Vec<&Completion> = completions
        .iter()
        .zip(&checked)
        .filter(|(_, r)| r.is_ok())
        .map(|(c, _)| c)
        .collect();
    // Running tasks first (every one on the hot path); only what is left can be verifying.
    let mut done = update(&mut tx, &valid, TaskStatus::Running).await?;
    let rest: Vec<&Completion> = valid
        .iter()
        .filter(|c| !done.contains_key(&c.lease.task_id.0))
        .copied()
        .collect();
    done.extend(update(&mut tx, &rest, TaskStatus::Verifying).await?);
    for c in valid.iter().filter(|c| !c.children.is_empty()) {
        if let Some((goal, ..)) = done.get(&c.lease.task_id.0) {
            children::enqueue(&mut tx, c, *goal).await?;
        }
    }
    let mut out = Vec::with_capacity(completions.len());
    for (c, pre) in completions.iter().zip(checked) {
        out.push(match pre {
            Err(e) => Err(e),
            Ok(()) if done.contains_key(&c.lease.task_id.0) => Ok(()),
            Ok(()) => Err(fence::refusal(&mut tx, c.lease).await),
        });
    }
    let freed: Vec<i64> = done
        .iter()
        .filter(|(_, row)| row.2)
        .map(|(id, _)| *id)
        .collect();
    if !freed.is_empty() {
        release_dependents(&mut tx, &freed).await?;
    }
    tx.commit().await.map_err(db("complete"))?;
    Ok(out)
}

/// id, goal, holder, has_dependents, token.
type CompletedRow = (i64, Option<i64>, Option<String>, bool, i64);

/// Completes every item whose lease is current and whose task is in status `from` (`running` or
/// `verifying`); returns them by id with (goal, holder, has_dependents, token), after writing
/// their events. The unary `+` keeps SQLite from driving the update by the status index (a walk
/// over every running task per batch): each item is found by its id.
async fn update(
    conn: &mut SqliteConnection,
    items: &[&Completion],
    from: TaskStatus,
) -> Result<HashMap<i64, (Option<i64>, String, bool, i64)>, StoreError> {
    if items.is_empty() {
        return Ok(HashMap::new());
    }
    let payload: Vec<serde_json::Value> = items
        .iter()
        .map(|c| serde_json::json!({"id": c.lease.task_id.0, "t": c.lease.token, "r": c.result, "e": c.evidence}))
        .collect();
    let now = now_us();
    let rows: Vec<CompletedRow> = sqlx::query_as(
        "UPDATE tasks SET status = 'completed', result = c.value -> '$.r', evidence = c.value -> '$.e', \
         lease_expires_at = NULL, finished_at = ?1, updated_at = ?1 \
         FROM json_each(?2) AS c \
         WHERE tasks.id = c.value ->> '$.id' AND +tasks.lease_token = c.value ->> '$.t' \
           AND +tasks.status = ?3 \
         RETURNING tasks.id, tasks.goal_id, tasks.lease_holder, tasks.has_dependents, tasks.lease_token",
    )
    .bind(now)
    .bind(serde_json::Value::from(payload).to_string())
    .bind(from.as_str())
    .fetch_all(&mut *conn)
    .await
    .map_err(db("complete"))?;
    let done: HashMap<i64, (Option<i64>, String, bool, i64)> = rows
        .into_iter()
        .map(|(id, goal, holder, deps, token)| {
            (id, (goal, holder.unwrap_or_default(), deps, token))
        })
        .collect();
    let evidence_counts: HashMap<i64, usize> = items
        .iter()
        .map(|c| (c.lease.task_id.0, c.evidence.len()))
        .collect();
    let entries = done
        .iter()
        .map(|(id, (goal, holder, _, token))| {
            Entry::transition(
                EventKind::TaskCompleted,
                (*id, *goal),
                Some(from),
                TaskStatus::Completed,
                holder,
            )
            .with(serde_json::json!({"lease_token": token, "evidence": evidence_counts.get(id)}))
        })
        .collect();
    audit::record_many(conn, entries).await?;
    Ok(done)
}

/// One dependency fewer for each dependent of `ids`; those now due become ready.
async fn release_dependents(conn: &mut SqliteConnection, ids: &[i64]) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE tasks SET pending_deps = pending_deps - d.n \
         FROM (SELECT task_id, COUNT(*) AS n FROM task_deps \
               WHERE depends_on IN (SELECT value FROM json_each(?)) GROUP BY task_id) AS d \
         WHERE tasks.id = d.task_id",
    )
    .bind(serde_json::Value::from(ids.to_vec()).to_string())
    .execute(&mut *conn)
    .await
    .map_err(db("complete"))?;
    promote::due(conn, "complete").await?;
    Ok(())
}
