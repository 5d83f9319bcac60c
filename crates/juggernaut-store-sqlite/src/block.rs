//! Blocking and unblocking along dependency edges: a task that died, failed or was cancelled
//! blocks its dependents (transitively); requeueing it unblocks those with no other dead
//! dependency. Dependents are found from the dependency edges, never by scanning a status (the
//! unary `+` keeps SQLite off the status indexes, which a large backlog makes long).

use crate::audit::{self, Entry};
use crate::error::db;
use crate::time::now_us;
use juggernaut_core::{EventKind, TaskStatus};
use juggernaut_store::StoreError;
use sqlx::SqliteConnection;

fn json_ids(ids: &[i64]) -> String {
    serde_json::Value::from(ids.to_vec()).to_string()
}

/// Blocks the live dependents of `roots`, and theirs; returns how many.
pub async fn dependents(
    conn: &mut SqliteConnection,
    roots: &[i64],
    actor: &str,
) -> Result<usize, StoreError> {
    let mut frontier = roots.to_vec();
    let mut total = 0;
    while !frontier.is_empty() {
        let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
            "SELECT t.id, t.goal_id, t.status FROM tasks t \
             WHERE +t.status IN ('pending', 'waiting_approval', 'ready') AND t.id IN \
             (SELECT task_id FROM task_deps WHERE depends_on IN (SELECT value FROM json_each(?)))",
        )
        .bind(json_ids(&frontier))
        .fetch_all(&mut *conn)
        .await
        .map_err(db("block"))?;
        let now = now_us();
        frontier.clear();
        for (id, goal, from) in rows {
            sqlx::query(
                "UPDATE tasks SET status = 'blocked', finished_at = ?, updated_at = ? WHERE id = ?",
            )
            .bind(now)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db("block"))?;
            let from: TaskStatus = from.parse()?;
            let e = Entry::transition(
                EventKind::TaskBlocked,
                (id, goal),
                Some(from),
                TaskStatus::Blocked,
                actor,
            )
            .with(serde_json::json!({"because_of": roots}));
            audit::record(conn, e).await?;
            frontier.push(id);
            total += 1;
        }
    }
    Ok(total)
}

/// Unblocks the blocked dependents of `root` (and theirs) that no other dependency blocks.
pub async fn unblock_dependents(
    conn: &mut SqliteConnection,
    root: i64,
    actor: &str,
) -> Result<usize, StoreError> {
    let mut frontier = vec![root];
    let mut total = 0;
    while !frontier.is_empty() {
        let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT t.id, t.goal_id FROM tasks t WHERE +t.status = 'blocked' AND t.id IN \
               (SELECT task_id FROM task_deps WHERE depends_on IN (SELECT value FROM json_each(?))) \
             AND NOT EXISTS (SELECT 1 FROM task_deps d JOIN tasks p ON p.id = d.depends_on \
               WHERE d.task_id = t.id AND p.status IN ('failed', 'dead', 'cancelled', 'blocked'))",
        )
        .bind(json_ids(&frontier))
        .fetch_all(&mut *conn)
        .await
        .map_err(db("unblock"))?;
        let now = now_us();
        frontier.clear();
        for (id, goal) in rows {
            sqlx::query("UPDATE tasks SET status = 'pending', finished_at = NULL, updated_at = ? WHERE id = ?")
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(db("unblock"))?;
            let e = Entry::transition(
                EventKind::TaskUnblocked,
                (id, goal),
                Some(TaskStatus::Blocked),
                TaskStatus::Pending,
                actor,
            )
            .with(serde_json::json!({"requeued": root}));
            audit::record(conn, e).await?;
            frontier.push(id);
            total += 1;
        }
    }
    Ok(total)
}
