//! Child tasks spawned by a completing handler, enqueued in the completion's transaction: under
//! the parent, with its goal unless they name one, depending on the siblings they name.

use crate::enqueue;
use crate::error::db;
use juggernaut_core::{GoalId, TaskId};
use juggernaut_store::{Completion, StoreError};
use sqlx::PgConnection;

/// `Ok` if every existing task the children depend on exists; the refusal for the completion
/// otherwise (checked before the completion changes anything).
pub async fn dependencies_exist(
    conn: &mut PgConnection,
    c: &Completion,
) -> Result<Result<(), StoreError>, StoreError> {
    let deps: Vec<i64> = c
        .children
        .iter()
        .flat_map(|ch| ch.task.depends_on.iter().map(|d| d.0))
        .collect();
    if deps.is_empty() {
        return Ok(Ok(()));
    }
    let found: Vec<i64> = sqlx::query_scalar("SELECT id FROM tasks WHERE id = ANY($1)")
        .bind(&deps)
        .fetch_all(conn)
        .await
        .map_err(db("complete"))?;
    Ok(match deps.iter().find(|d| !found.contains(d)) {
        Some(missing) => Err(StoreError::UnknownDependency(TaskId(*missing))),
        None => Ok(()),
    })
}

/// Enqueues the children of a completed task (`goal`: the parent's).
pub async fn enqueue(
    conn: &mut PgConnection,
    c: &Completion,
    goal: Option<i64>,
) -> Result<Vec<TaskId>, StoreError> {
    let mut ids: Vec<TaskId> = Vec::with_capacity(c.children.len());
    for child in &c.children {
        let mut t = child.task.clone();
        t.parent_id = Some(c.lease.task_id);
        t.goal_id = t.goal_id.or(goal.map(GoalId));
        t.depends_on
            .extend(child.after.iter().filter_map(|&i| ids.get(i).copied()));
        ids.push(enqueue::one(&mut *conn, t).await?.task.id);
    }
    Ok(ids)
}
