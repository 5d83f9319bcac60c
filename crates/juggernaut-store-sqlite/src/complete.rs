//! Complete: record result and evidence for tasks whose lease is current, in one transaction;
//! then let their dependents move on.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::now_us;
use crate::{fence, promote};
use juggernaut_core::{EventKind, TaskStatus};
use juggernaut_store::{Completion, StoreError};
use sqlx::SqliteConnection;

/// Completes tasks; see [`juggernaut_store::Store::complete_batch`].
pub async fn run(
    store: &SqliteStore,
    completions: Vec<Completion>,
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    if completions.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = store.write().await?;
    let mut out = Vec::with_capacity(completions.len());
    let mut freed = false;
    for c in &completions {
        out.push(match check(c) {
            Err(e) => Err(e),
            Ok(()) => match one(&mut tx, c).await? {
                Ok(has_dependents) => {
                    freed |= has_dependents;
                    Ok(())
                }
                Err(e) => Err(e),
            },
        });
    }
    if freed {
        promote::due(&mut tx, "complete").await?;
    }
    tx.commit().await.map_err(db("complete"))?;
    Ok(out)
}

/// Evidence is required and must be well-formed.
pub fn check(c: &Completion) -> Result<(), StoreError> {
    if c.evidence.is_empty() {
        return Err(StoreError::NoEvidence(c.lease.task_id));
    }
    for e in &c.evidence {
        e.validate()?;
    }
    Ok(())
}

/// Outer error: the database failed. Inner: this completion was refused.
async fn one(
    conn: &mut SqliteConnection,
    c: &Completion,
) -> Result<Result<bool, StoreError>, StoreError> {
    let evidence = serde_json::to_string(&c.evidence).map_err(crate::error::json("tasks"))?;
    let now = now_us();
    let row: Option<(Option<i64>, Option<String>, bool)> = sqlx::query_as(
        "UPDATE tasks SET status = 'completed', result = ?, evidence = ?, lease_expires_at = NULL, \
         finished_at = ?, updated_at = ? \
         WHERE id = ? AND lease_token = ? AND status = 'running' \
         RETURNING goal_id, lease_holder, has_dependents",
    )
    .bind(c.result.to_string())
    .bind(evidence)
    .bind(now)
    .bind(now)
    .bind(c.lease.task_id.0)
    .bind(c.lease.token)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db("complete"))?;
    let Some((goal, holder, has_dependents)) = row else {
        return Ok(Err(fence::refusal(conn, c.lease).await));
    };
    let holder = holder.unwrap_or_default();
    let e = Entry::transition(
        EventKind::TaskCompleted,
        (c.lease.task_id.0, goal),
        Some(TaskStatus::Running),
        TaskStatus::Completed,
        &holder,
    )
    .with(serde_json::json!({"lease_token": c.lease.token, "evidence": c.evidence.len()}));
    audit::record(conn, e).await?;
    if has_dependents {
        sqlx::query(
            "UPDATE tasks SET pending_deps = pending_deps - 1 \
             WHERE id IN (SELECT task_id FROM task_deps WHERE depends_on = ?)",
        )
        .bind(c.lease.task_id.0)
        .execute(&mut *conn)
        .await
        .map_err(db("complete"))?;
    }
    Ok(Ok(has_dependents))
}
