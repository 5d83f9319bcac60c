//! Promotion: pending tasks whose dependencies completed and whose `run_at` has come become ready.
//! Two ways in: a claim promotes everything that is due; a completion counts down its dependents'
//! unfinished dependencies and promotes those it freed.
//!
//! Due means `run_at <= statement_timestamp()`, not `now()`: inside a transaction `now()` is when
//! it began, which can be before a dependent enqueued meanwhile (with `run_at` = its own `now()`)
//! committed; that dependent would wrongly look not yet due.

use crate::audit::INSERT;
use sqlx::PgConnection;
use std::sync::LazyLock;

/// Binds $1 actor. Skips rows another transaction holds: that one is promoting or changing them.
static DUE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH due AS (SELECT id FROM tasks \
             WHERE status = 'pending' AND pending_deps = 0 AND run_at <= statement_timestamp() \
             ORDER BY run_at FOR NO KEY UPDATE SKIP LOCKED), \
         promoted AS (UPDATE tasks t SET status = 'ready', updated_at = now() \
             FROM due WHERE t.id = due.id RETURNING t.id, t.goal_id), \
         ev AS ({INSERT} SELECT 'task.promoted', id, goal_id, 'pending', 'ready', $1, '{{}}' \
             FROM promoted ORDER BY id) \
         SELECT count(*) FROM promoted"
    )
});

/// Promotes every due pending task; returns how many.
pub async fn due(conn: &mut PgConnection, actor: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(DUE.as_str())
        .bind(actor)
        .fetch_one(conn)
        .await
}

/// Binds $1 completed task ids, $2 actor. Dependents are locked in id order so that two
/// completions sharing dependents cannot deadlock; one dependent may count several of the
/// completed tasks.
static FREED: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH edges AS (SELECT task_id, count(*)::int AS n FROM task_deps \
             WHERE depends_on = ANY($1) GROUP BY task_id), \
         locked AS (SELECT t.id, t.status, edges.n FROM tasks t JOIN edges ON t.id = edges.task_id \
             ORDER BY t.id FOR NO KEY UPDATE OF t), \
         counted AS (UPDATE tasks t SET pending_deps = t.pending_deps - locked.n, \
                 status = CASE WHEN t.status = 'pending' AND t.pending_deps - locked.n <= 0 \
                     AND t.run_at <= statement_timestamp() THEN 'ready' ELSE t.status END, \
                 updated_at = now() \
             FROM locked WHERE t.id = locked.id \
             RETURNING t.id, t.goal_id, locked.status AS was, t.status), \
         ev AS ({INSERT} SELECT 'task.promoted', id, goal_id, 'pending', 'ready', $2, '{{}}' \
             FROM counted WHERE was = 'pending' AND status = 'ready' ORDER BY id) \
         SELECT count(*) FROM counted WHERE was = 'pending' AND status = 'ready'"
    )
});

/// After `completed` tasks completed: counts them off their dependents' unfinished dependencies
/// and promotes the dependents that are now due. Must run as its own statement after the
/// completion's: its fresh snapshot then sees the dependency edges of any enqueue that held a
/// completed task's row lock while the completion waited for it.
pub async fn freed(
    conn: &mut PgConnection,
    completed: &[i64],
    actor: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(FREED.as_str())
        .bind(completed)
        .bind(actor)
        .fetch_one(conn)
        .await
}
