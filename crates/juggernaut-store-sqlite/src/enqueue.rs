//! Enqueue one or many tasks in one transaction: dedupe keys, dependencies, initial status.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::row::{self, TASK_COLUMNS};
use crate::store::SqliteStore;
use crate::time::now_us;
use juggernaut_core::{EventKind, NewTask, Task, TaskId, TaskStatus};
use juggernaut_store::{Enqueued, StoreError};
use sqlx::SqliteConnection;

/// Enqueues `tasks`; see [`juggernaut_store::Store::enqueue_batch`].
pub async fn run(store: &SqliteStore, tasks: Vec<NewTask>) -> Result<Vec<Enqueued>, StoreError> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    for t in &tasks {
        t.validate()?;
    }
    let mut tx = store.write().await?;
    let mut out = Vec::with_capacity(tasks.len());
    let mut plain = Vec::new();
    for t in tasks {
        // Tasks without a dedupe key or dependencies go in bulk; the others one by one, in order.
        if t.dedupe_key.is_none() && t.depends_on.is_empty() {
            plain.push(t);
            continue;
        }
        out.extend(bulk(&mut tx, std::mem::take(&mut plain)).await?);
        out.push(one(&mut tx, t).await?);
    }
    out.extend(bulk(&mut tx, plain).await?);
    tx.commit().await.map_err(db("enqueue"))?;
    store.signal.notify_waiters();
    Ok(out)
}

/// Inserts validated tasks that have no dedupe key and no dependencies with one statement, and
/// their events with another; results in input order.
async fn bulk(
    conn: &mut SqliteConnection,
    tasks: Vec<NewTask>,
) -> Result<Vec<Enqueued>, StoreError> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let now = now_us();
    let rows: Vec<serde_json::Value> = tasks
        .iter()
        .map(|t| {
            serde_json::json!({
                "kind": t.kind.as_str(),
                "title": t.title,
                "input": t.input,
                "goal": t.goal_id.map(|g| g.0),
                "parent": t.parent_id.map(|p| p.0),
                "priority": t.priority,
                "run_at": t.run_at.map_or(now, |r| r.timestamp_micros()),
                "max": t.max_attempts,
                "origin": t.origin.as_str(),
            })
        })
        .collect();
    let sql = format!(
        "INSERT INTO tasks (kind, title, status, input, goal_id, parent_id, priority, run_at, \
         max_attempts, origin, created_at, updated_at) \
         SELECT j.value ->> '$.kind', j.value ->> '$.title', \
           CASE WHEN (j.value ->> '$.run_at') > ?1 THEN 'pending' ELSE 'ready' END, \
           j.value -> '$.input', j.value ->> '$.goal', j.value ->> '$.parent', \
           j.value ->> '$.priority', j.value ->> '$.run_at', j.value ->> '$.max', \
           j.value ->> '$.origin', ?1, ?1 \
         FROM json_each(?2) AS j ORDER BY j.key RETURNING {TASK_COLUMNS}"
    );
    let inserted = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(serde_json::Value::from(rows).to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db("enqueue"))?;
    let mut created = inserted
        .iter()
        .map(row::task)
        .collect::<Result<Vec<_>, _>>()?;
    created.sort_by_key(|t| t.id);
    let entries = created
        .iter()
        .map(|t| {
            Entry::transition(
                EventKind::TaskEnqueued,
                (t.id.0, t.goal_id.map(|g| g.0)),
                None,
                t.status,
                "enqueue",
            )
            .with(serde_json::json!({"kind": t.kind, "origin": t.origin}))
        })
        .collect();
    audit::record_many(conn, entries).await?;
    Ok(created
        .into_iter()
        .map(|task| Enqueued {
            task,
            created: true,
        })
        .collect())
}

/// Enqueues one validated task inside the caller's transaction.
pub async fn one(conn: &mut SqliteConnection, t: NewTask) -> Result<Enqueued, StoreError> {
    if let Some(key) = &t.dedupe_key
        && let Some(task) = live_by_key(conn, key).await?
    {
        return Ok(Enqueued {
            task,
            created: false,
        });
    }
    let mut deps = t.depends_on.clone();
    deps.sort();
    deps.dedup();
    let (pending_deps, blocked) = dep_state(conn, &deps).await?;
    let now = now_us();
    let run_at = t.run_at.map_or(now, |r| r.timestamp_micros());
    let status = if blocked {
        TaskStatus::Blocked
    } else if pending_deps > 0 || run_at > now {
        TaskStatus::Pending
    } else {
        TaskStatus::Ready
    };
    let task = insert(conn, &t, status, run_at, pending_deps, now).await?;
    link(conn, task.id, &deps).await?;
    let entry = Entry::transition(
        EventKind::TaskEnqueued,
        (task.id.0, task.goal_id.map(|g| g.0)),
        None,
        status,
        "enqueue",
    )
    .with(serde_json::json!({"kind": task.kind, "origin": task.origin}));
    audit::record(conn, entry).await?;
    Ok(Enqueued {
        task,
        created: true,
    })
}

async fn live_by_key(conn: &mut SqliteConnection, key: &str) -> Result<Option<Task>, StoreError> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM tasks WHERE dedupe_key = ? \
         AND status NOT IN ('completed', 'failed', 'dead', 'cancelled', 'blocked')"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(conn)
        .await
        .map_err(db("enqueue"))?;
    row.as_ref().map(row::task).transpose()
}

/// How many dependencies are unfinished, and whether one blocks the task.
async fn dep_state(
    conn: &mut SqliteConnection,
    deps: &[TaskId],
) -> Result<(i64, bool), StoreError> {
    let mut pending = 0;
    let mut blocked = false;
    for dep in deps {
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM tasks WHERE id = ?")
            .bind(dep.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("enqueue"))?;
        let status: TaskStatus = status.ok_or(StoreError::UnknownDependency(*dep))?.parse()?;
        blocked |= status.blocks_dependents();
        pending += i64::from(status != TaskStatus::Completed);
    }
    Ok((pending, blocked))
}

async fn insert(
    conn: &mut SqliteConnection,
    t: &NewTask,
    status: TaskStatus,
    run_at: i64,
    pending_deps: i64,
    now: i64,
) -> Result<Task, StoreError> {
    let sql = format!(
        "INSERT INTO tasks (kind, title, status, input, goal_id, parent_id, priority, run_at, \
         max_attempts, pending_deps, dedupe_key, origin, created_at, updated_at, finished_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {TASK_COLUMNS}"
    );
    let finished = status.is_terminal().then_some(now);
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(t.kind.as_str())
        .bind(&t.title)
        .bind(status.as_str())
        .bind(t.input.to_string())
        .bind(t.goal_id.map(|g| g.0))
        .bind(t.parent_id.map(|p| p.0))
        .bind(t.priority)
        .bind(run_at)
        .bind(i64::from(t.max_attempts))
        .bind(pending_deps)
        .bind(&t.dedupe_key)
        .bind(t.origin.as_str())
        .bind(now)
        .bind(now)
        .bind(finished)
        .fetch_one(conn)
        .await
        .map_err(db("enqueue"))?;
    row::task(&row)
}

async fn link(conn: &mut SqliteConnection, id: TaskId, deps: &[TaskId]) -> Result<(), StoreError> {
    for dep in deps {
        sqlx::query("INSERT INTO task_deps (task_id, depends_on) VALUES (?, ?)")
            .bind(id.0)
            .bind(dep.0)
            .execute(&mut *conn)
            .await
            .map_err(db("enqueue"))?;
        sqlx::query("UPDATE tasks SET has_dependents = 1 WHERE id = ? AND has_dependents = 0")
            .bind(dep.0)
            .execute(&mut *conn)
            .await
            .map_err(db("enqueue"))?;
    }
    Ok(())
}
