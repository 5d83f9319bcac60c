//! Blocking and unblocking along dependency edges: a task that died, failed or was cancelled
//! blocks its dependents (transitively); requeueing it unblocks those with no other dead
//! dependency.
//!
//! Each step is its own statement, run after the statement that changed the root: its fresh
//! snapshot then sees the edges of an enqueue that held the root's row lock meanwhile.

use crate::audit::INSERT;
use crate::error::db;
use juggernaut_store::StoreError;
use sqlx::PgConnection;
use std::sync::LazyLock;

/// Binds $1 frontier ids, $2 actor, $3 roots. Blocks the frontier's live dependents.
static BLOCK: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH hit AS (SELECT t.id, t.status FROM tasks t \
             WHERE t.status IN ('pending', 'waiting_approval', 'ready') \
               AND t.id IN (SELECT task_id FROM task_deps WHERE depends_on = ANY($1)) \
             ORDER BY t.id FOR NO KEY UPDATE OF t), \
         blocked AS (UPDATE tasks t SET status = 'blocked', finished_at = now(), updated_at = now() \
             FROM hit WHERE t.id = hit.id RETURNING t.id, t.goal_id, hit.status AS was), \
         ev AS ({INSERT} SELECT 'task.blocked', id, goal_id, was, 'blocked', $2, \
                 jsonb_build_object('because_of', to_jsonb($3::bigint[])) \
             FROM blocked ORDER BY id) \
         SELECT id FROM blocked ORDER BY id"
    )
});

/// Blocks the live dependents of `roots`, and theirs; returns how many.
pub async fn dependents(
    conn: &mut PgConnection,
    roots: &[i64],
    actor: &str,
) -> Result<usize, StoreError> {
    let mut frontier = roots.to_vec();
    let mut total = 0;
    while !frontier.is_empty() {
        frontier = sqlx::query_scalar(BLOCK.as_str())
            .bind(&frontier)
            .bind(actor)
            .bind(roots)
            .fetch_all(&mut *conn)
            .await
            .map_err(db("block"))?;
        total += frontier.len();
    }
    Ok(total)
}

/// Binds $1 frontier ids, $2 actor, $3 the requeued root. Unblocks the frontier's blocked
/// dependents that no other dependency blocks.
static UNBLOCK: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH hit AS (SELECT t.id FROM tasks t WHERE t.status = 'blocked' \
               AND t.id IN (SELECT task_id FROM task_deps WHERE depends_on = ANY($1)) \
               AND NOT EXISTS (SELECT 1 FROM task_deps d JOIN tasks p ON p.id = d.depends_on \
                   WHERE d.task_id = t.id AND p.status IN ('failed', 'dead', 'cancelled', 'blocked')) \
             ORDER BY t.id FOR NO KEY UPDATE OF t), \
         unblocked AS (UPDATE tasks t SET status = 'pending', finished_at = NULL, updated_at = now() \
             FROM hit WHERE t.id = hit.id RETURNING t.id, t.goal_id), \
         ev AS ({INSERT} SELECT 'task.unblocked', id, goal_id, 'blocked', 'pending', $2, \
                 jsonb_build_object('requeued', $3::bigint) \
             FROM unblocked ORDER BY id) \
         SELECT id FROM unblocked ORDER BY id"
    )
});

/// Unblocks the blocked dependents of `root` (and theirs) that no other dependency blocks.
pub async fn unblock_dependents(
    conn: &mut PgConnection,
    root: i64,
    actor: &str,
) -> Result<usize, StoreError> {
    let mut frontier = vec![root];
    let mut total = 0;
    while !frontier.is_empty() {
        frontier = sqlx::query_scalar(UNBLOCK.as_str())
            .bind(&frontier)
            .bind(actor)
            .bind(root)
            .fetch_all(&mut *conn)
            .await
            .map_err(db("unblock"))?;
        total += frontier.len();
    }
    Ok(total)
}
