//! Enqueue one or many tasks in one transaction: dedupe keys, dependencies, initial status.
//!
//! Tasks without dependencies go in runs: one multi-row `INSERT ... SELECT FROM unnest(...)` per
//! run, which skips keys a live task holds (`ON CONFLICT DO NOTHING`) and writes the
//! `task.enqueued` events in the same statement. Ids are drawn in input order, so a batch's ids
//! rise with its order. A task with dependencies goes alone: it locks its dependencies first, so
//! that a dependency completing or dying at the same moment either sees the new edge or is seen
//! finished by it.

use crate::audit::INSERT;
use crate::error::db;
use crate::row;
use crate::store::{CHANNEL, PostgresStore, finish};
use chrono::{DateTime, Utc};
use juggernaut_core::{NewTask, Task, TaskId, TaskStatus};
use juggernaut_store::{Enqueued, StoreError};
use sqlx::{PgConnection, Row};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The partial unique index's predicate, for `ON CONFLICT` and live-key lookups.
const LIVE: &str = "dedupe_key IS NOT NULL \
     AND status NOT IN ('completed', 'failed', 'dead', 'cancelled', 'blocked')";

/// Enqueues `tasks`; see [`juggernaut_store::Store::enqueue_batch`].
pub async fn run(store: &PostgresStore, tasks: Vec<NewTask>) -> Result<Vec<Enqueued>, StoreError> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    for t in &tasks {
        t.validate()?;
    }
    // A key repeated within the batch: its first occurrence goes to the database, and the later
    // ones answer with the same task.
    let mut first_with_key: HashMap<&str, usize> = HashMap::new();
    let repeat_of: Vec<Option<usize>> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let key = t.dedupe_key.as_deref()?;
            let first = *first_with_key.entry(key).or_insert(i);
            (first != i).then_some(first)
        })
        .collect();
    let mut out: Vec<Option<Enqueued>> = vec![None; tasks.len()];
    let mut tx = store.begin().await?;
    let inserted = insert_all(&mut tx, &tasks, &repeat_of, &mut out).await;
    finish(tx, inserted, "enqueue").await?;
    store.signal.notify_waiters();
    store.note_ready(out.iter().flatten().filter(|e| e.created).count() as u64);
    for (i, first) in repeat_of.iter().enumerate() {
        if let Some(first) = *first {
            out[i] = out[first].as_ref().map(|e| Enqueued {
                task: e.task.clone(),
                created: false,
            });
        }
    }
    out.into_iter()
        .map(|e| e.ok_or_else(|| lost("a task of the batch got no row")))
        .collect()
}

/// Enqueues one task inside the caller's transaction (a schedule's fire); notifies listeners,
/// at commit, if it was created. The caller validates the task, and notes it ready after commit.
pub async fn one(conn: &mut PgConnection, t: NewTask) -> Result<Enqueued, StoreError> {
    let tasks = [t];
    let mut out = [None];
    insert_all(conn, &tasks, &[None], &mut out).await?;
    let [enqueued] = out;
    enqueued.ok_or_else(|| lost("the task got no row"))
}

/// Inserts every task that is not a repeat, in input order, into its slot of `out`; notifies
/// listeners if anything was created.
async fn insert_all(
    conn: &mut PgConnection,
    tasks: &[NewTask],
    repeat_of: &[Option<usize>],
    out: &mut [Option<Enqueued>],
) -> Result<(), StoreError> {
    let mut pending_run: Vec<usize> = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        if repeat_of[i].is_some() {
            continue;
        }
        if t.depends_on.is_empty() {
            pending_run.push(i);
            continue;
        }
        flush(&mut *conn, tasks, &mut pending_run, out).await?;
        out[i] = Some(with_dependencies(&mut *conn, t).await?);
    }
    flush(&mut *conn, tasks, &mut pending_run, out).await?;
    if out.iter().flatten().any(|e| e.created) {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(conn)
            .await
            .map_err(db("enqueue"))?;
    }
    Ok(())
}

fn lost(reason: &str) -> StoreError {
    StoreError::Corrupt {
        table: "tasks",
        reason: format!("enqueue: {reason}"),
    }
}

/// A live task held the key when the insert skipped it, but finished before it could be read.
fn raced(key: &str) -> StoreError {
    StoreError::Database {
        operation: "enqueue",
        message: format!("dedupe key `{key}`: the live task holding it finished meanwhile"),
        transient: true,
    }
}

/// Binds, per task: $1 kind, $2 title, $3 input, $4 goal, $5 parent, $6 priority, $7 run_at,
/// $8 max_attempts, $9 dedupe_key, $10 origin. Returns `ord` (1-based input position) and the
/// inserted task's columns.
static BULK: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH input AS MATERIALIZED (SELECT nextval('tasks_id_seq') AS id, u.* \
             FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bigint[], $5::bigint[], \
                 $6::int[], $7::timestamptz[], $8::int[], $9::text[], $10::text[]) WITH ORDINALITY \
             AS u(kind, title, input, goal_id, parent_id, priority, run_at, max_attempts, \
                 dedupe_key, origin, ord)), \
         ins AS (INSERT INTO tasks (id, kind, title, status, input, goal_id, parent_id, priority, \
                 run_at, max_attempts, dedupe_key, origin) \
             SELECT id, kind, title, CASE WHEN run_at > now() THEN 'pending' ELSE 'ready' END, \
                 input, goal_id, parent_id, priority, COALESCE(run_at, now()), max_attempts, \
                 dedupe_key, origin \
             FROM input ORDER BY dedupe_key, ord \
             ON CONFLICT (dedupe_key) WHERE {LIVE} DO NOTHING \
             RETURNING {cols}), \
         ev AS ({INSERT} SELECT 'task.enqueued', id, goal_id, NULL, status, 'enqueue', \
                 jsonb_build_object('kind', kind, 'origin', origin) \
             FROM ins ORDER BY id) \
         SELECT input.ord, ins.* FROM ins JOIN input ON input.id = ins.id",
        cols = row::columns()
    )
});

/// Inserts the tasks at `run` (indices into `tasks`, none with dependencies) in one statement and
/// fills their slots of `out`; empties `run`.
async fn flush(
    conn: &mut PgConnection,
    tasks: &[NewTask],
    run: &mut Vec<usize>,
    out: &mut [Option<Enqueued>],
) -> Result<(), StoreError> {
    if run.is_empty() {
        return Ok(());
    }
    let batch: Vec<&NewTask> = run.iter().map(|&i| &tasks[i]).collect();
    let rows = sqlx::query(BULK.as_str())
        .bind(batch.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>())
        .bind(batch.iter().map(|t| t.title.as_str()).collect::<Vec<_>>())
        .bind(batch.iter().map(|t| t.input.clone()).collect::<Vec<_>>())
        .bind(
            batch
                .iter()
                .map(|t| t.goal_id.map(|g| g.0))
                .collect::<Vec<_>>(),
        )
        .bind(
            batch
                .iter()
                .map(|t| t.parent_id.map(|p| p.0))
                .collect::<Vec<_>>(),
        )
        .bind(batch.iter().map(|t| t.priority).collect::<Vec<_>>())
        .bind(
            batch
                .iter()
                .map(|t| t.run_at)
                .collect::<Vec<Option<DateTime<Utc>>>>(),
        )
        .bind(batch.iter().map(|t| max_attempts(t)).collect::<Vec<_>>())
        .bind(
            batch
                .iter()
                .map(|t| t.dedupe_key.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(batch.iter().map(|t| t.origin.as_str()).collect::<Vec<_>>())
        .fetch_all(&mut *conn)
        .await
        .map_err(db("enqueue"))?;
    for r in &rows {
        let ord: i64 = r.try_get("ord").map_err(db("enqueue"))?;
        let i = usize::try_from(ord - 1)
            .ok()
            .and_then(|k| run.get(k))
            .ok_or_else(|| lost("a row came back for no input"))?;
        out[*i] = Some(Enqueued {
            task: row::task(r)?,
            created: true,
        });
    }
    // Skipped rows: a live task holds their key.
    let skipped: Vec<&str> = run
        .iter()
        .filter(|&&i| out[i].is_none())
        .filter_map(|&i| tasks[i].dedupe_key.as_deref())
        .collect();
    if !skipped.is_empty() {
        let holders = live_by_keys(conn, &skipped).await?;
        for &i in run.iter() {
            if out[i].is_some() {
                continue;
            }
            let key = tasks[i].dedupe_key.as_deref().unwrap_or_default();
            let task = holders.get(key).cloned().ok_or_else(|| raced(key))?;
            out[i] = Some(Enqueued {
                task,
                created: false,
            });
        }
    }
    run.clear();
    Ok(())
}

fn max_attempts(t: &NewTask) -> i32 {
    i32::try_from(t.max_attempts).unwrap_or(i32::MAX)
}

/// The live tasks holding `keys`, by key.
async fn live_by_keys(
    conn: &mut PgConnection,
    keys: &[&str],
) -> Result<HashMap<String, Task>, StoreError> {
    let sql = format!(
        "SELECT {} FROM tasks WHERE dedupe_key = ANY($1) AND {LIVE}",
        row::columns()
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(keys)
        .fetch_all(conn)
        .await
        .map_err(db("enqueue"))?;
    rows.iter()
        .map(|r| {
            let t = row::task(r)?;
            Ok((t.dedupe_key.clone().unwrap_or_default(), t))
        })
        .collect()
}

/// Locks the dependencies (in id order, so that two enqueues cannot deadlock), marks them as
/// having dependents, and returns (id, status) of those that exist.
const LOCK_DEPS: &str = "WITH l AS (SELECT id, status, has_dependents FROM tasks \
         WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE), \
     marked AS (UPDATE tasks t SET has_dependents = true FROM l \
         WHERE t.id = l.id AND NOT l.has_dependents) \
     SELECT id, status FROM l";

/// Binds $1 kind, $2 title, $3 blocked, $4 pending_deps, $5 run_at, $6 input, $7 goal,
/// $8 parent, $9 priority, $10 max_attempts, $11 dedupe_key, $12 origin, $13 dependencies.
static ONE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH ins AS (INSERT INTO tasks (kind, title, status, input, goal_id, parent_id, priority, \
                 run_at, max_attempts, pending_deps, dedupe_key, origin, finished_at) \
             VALUES ($1, $2, CASE WHEN $3 THEN 'blocked' \
                     WHEN $4 > 0 OR $5 > now() THEN 'pending' ELSE 'ready' END, \
                 $6, $7, $8, $9, COALESCE($5, now()), $10, $4, $11, $12, \
                 CASE WHEN $3 THEN now() END) \
             ON CONFLICT (dedupe_key) WHERE {LIVE} DO NOTHING \
             RETURNING {cols}), \
         deps AS (INSERT INTO task_deps (task_id, depends_on) \
             SELECT ins.id, d FROM ins, unnest($13::bigint[]) AS d), \
         ev AS ({INSERT} SELECT 'task.enqueued', id, goal_id, NULL, status, 'enqueue', \
                 jsonb_build_object('kind', kind, 'origin', origin) FROM ins) \
         SELECT {cols} FROM ins",
        cols = row::columns()
    )
});

/// Enqueues one task that has dependencies.
async fn with_dependencies(conn: &mut PgConnection, t: &NewTask) -> Result<Enqueued, StoreError> {
    if let Some(key) = t.dedupe_key.as_deref()
        && let Some(task) = live_by_keys(conn, &[key]).await?.remove(key)
    {
        return Ok(Enqueued {
            task,
            created: false,
        });
    }
    let mut deps: Vec<i64> = t.depends_on.iter().map(|d| d.0).collect();
    deps.sort_unstable();
    deps.dedup();
    let found: Vec<(i64, String)> = sqlx::query_as(LOCK_DEPS)
        .bind(&deps)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("enqueue"))?;
    let statuses: HashMap<i64, String> = found.into_iter().collect();
    let mut pending: i32 = 0;
    let mut blocked = false;
    for dep in &deps {
        let status = statuses
            .get(dep)
            .ok_or(StoreError::UnknownDependency(TaskId(*dep)))?;
        let status = row::status(status)?;
        blocked |= status.blocks_dependents();
        pending += i32::from(status != TaskStatus::Completed);
    }
    let inserted = sqlx::query(ONE.as_str())
        .bind(t.kind.as_str())
        .bind(&t.title)
        .bind(blocked)
        .bind(pending)
        .bind(t.run_at)
        .bind(&t.input)
        .bind(t.goal_id.map(|g| g.0))
        .bind(t.parent_id.map(|p| p.0))
        .bind(t.priority)
        .bind(max_attempts(t))
        .bind(t.dedupe_key.as_deref())
        .bind(t.origin.as_str())
        .bind(&deps)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("enqueue"))?;
    match (inserted, t.dedupe_key.as_deref()) {
        (Some(r), _) => Ok(Enqueued {
            task: row::task(&r)?,
            created: true,
        }),
        (None, Some(key)) => {
            let task = live_by_keys(conn, &[key])
                .await?
                .remove(key)
                .ok_or_else(|| raced(key))?;
            Ok(Enqueued {
                task,
                created: false,
            })
        }
        (None, None) => Err(lost("insert returned no row")),
    }
}
