//! Reads: one task, its dependencies and events, filtered pages, counts.

use crate::error::db;
use crate::row::{self, TASK_COLUMNS};
use juggernaut_core::{AuditEvent, EventKind, Task, TaskId, TaskStatus};
use juggernaut_store::{Branch, Page, PageRequest, StoreError, TaskFilter};
use sqlx::{Sqlite, SqliteExecutor};

/// One task by id.
pub async fn get<'e>(ex: impl SqliteExecutor<'e>, id: TaskId) -> Result<Option<Task>, StoreError> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(ex)
        .await
        .map_err(db("get"))?;
    row.as_ref().map(row::task).transpose()
}

/// The ids a task depends on.
pub async fn dependencies<'e>(
    ex: impl SqliteExecutor<'e>,
    id: TaskId,
) -> Result<Vec<TaskId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT depends_on FROM task_deps WHERE task_id = ? ORDER BY depends_on",
    )
    .bind(id.0)
    .fetch_all(ex)
    .await
    .map_err(db("dependencies"))?;
    Ok(ids.into_iter().map(TaskId).collect())
}

/// A task's events, oldest first.
pub async fn events<'e>(
    ex: impl SqliteExecutor<'e>,
    id: TaskId,
) -> Result<Vec<AuditEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, at, kind, task_id, goal_id, from_status, to_status, actor, data \
         FROM events WHERE task_id = ? ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(ex)
    .await
    .map_err(db("events"))?;
    rows.iter().map(row::event).collect()
}

/// One bound value of a filter.
enum Bind {
    Text(String),
    Int(i64),
}

/// The filter's `WHERE` clause with only the conditions it uses (so that SQLite can use the
/// indexes for each combination), and its values in placeholder order.
fn filter_sql(f: &TaskFilter, before: Option<TaskId>) -> (String, Vec<Bind>) {
    let json = |v: Vec<&str>| serde_json::Value::from(v).to_string();
    let (mut conds, mut binds) = (Vec::new(), Vec::new());
    if !f.statuses.is_empty() {
        binds.push(Bind::Text(json(
            f.statuses.iter().map(|s| s.as_str()).collect(),
        )));
        conds.push("status IN (SELECT value FROM json_each(?))");
    }
    if !f.kinds.is_empty() {
        binds.push(Bind::Text(json(
            f.kinds.iter().map(|k| k.as_str()).collect(),
        )));
        conds.push("kind IN (SELECT value FROM json_each(?))");
    }
    if let Some(g) = f.goal_id {
        binds.push(Bind::Int(g.0));
        conds.push("goal_id = ?");
    }
    if let Some(b) = before {
        binds.push(Bind::Int(b.0));
        conds.push("id < ?");
    }
    let sql = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    (sql, binds)
}

type Query<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>;

fn bind_all(mut q: Query<'_>, binds: Vec<Bind>) -> Query<'_> {
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

/// A page read as one index range per branch (`tasks_status_newest` or
/// `tasks_status_kind_newest`, keyed by `-id` as on PostgreSQL), each newest first below the
/// cursor and cut at `take`, then the newest `take` of their union.
fn branch_sql(branches: &[Branch], before: Option<TaskId>, take: i64) -> (String, Vec<Bind>) {
    let mut binds = Vec::new();
    let parts: Vec<String> = branches
        .iter()
        .map(|b| {
            binds.push(Bind::Text(b.status.as_str().to_owned()));
            let mut cond = "status = ?".to_owned();
            if let Some(k) = &b.kind {
                binds.push(Bind::Text(k.as_str().to_owned()));
                cond.push_str(" AND kind = ?");
            }
            if let Some(c) = before {
                binds.push(Bind::Int(c.0));
                cond.push_str(" AND -id > -?");
            }
            format!("SELECT id FROM (SELECT id FROM tasks WHERE {cond} ORDER BY -id LIMIT {take})")
        })
        .collect();
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM tasks WHERE id IN ({}) ORDER BY id DESC LIMIT {take}",
        parts.join(" UNION ALL ")
    );
    (sql, binds)
}

/// One page of matching tasks, newest first.
pub async fn list<'e>(
    ex: impl SqliteExecutor<'e>,
    f: &TaskFilter,
    page: PageRequest,
) -> Result<Page<Task>, StoreError> {
    let limit = page.clamped_limit();
    let take = i64::from(limit) + 1;
    let (sql, binds) = match f.branches() {
        Some(branches) => branch_sql(&branches, page.before, take),
        None => {
            let (filter, binds) = filter_sql(f, page.before);
            let sql =
                format!("SELECT {TASK_COLUMNS} FROM tasks {filter} ORDER BY id DESC LIMIT {take}");
            (sql, binds)
        }
    };
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_all(ex)
        .await
        .map_err(db("list"))?;
    let tasks = rows.iter().map(row::task).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(tasks, limit))
}

/// How many tasks match.
pub async fn count<'e>(ex: impl SqliteExecutor<'e>, f: &TaskFilter) -> Result<u64, StoreError> {
    let (filter, binds) = filter_sql(f, None);
    let sql = format!("SELECT COUNT(*) FROM tasks {filter}");
    let n: i64 = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_one(ex)
        .await
        .map_err(db("count"))
        .and_then(|r| sqlx::Row::try_get(&r, 0).map_err(db("count")))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Counts per status.
pub async fn count_by_status<'e>(
    ex: impl SqliteExecutor<'e>,
) -> Result<Vec<(TaskStatus, u64)>, StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM tasks GROUP BY status ORDER BY status")
            .fetch_all(ex)
            .await
            .map_err(db("count"))?;
    rows.into_iter()
        .map(|(s, n)| Ok((s.parse()?, u64::try_from(n).unwrap_or(0))))
        .collect()
}

/// How many events of `kind` exist.
pub async fn count_events<'e>(
    ex: impl SqliteExecutor<'e>,
    kind: EventKind,
) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = ?")
        .bind(kind.as_str())
        .fetch_one(ex)
        .await
        .map_err(db("count_events"))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Which of `keys` a task carries as its dedupe key, in any state.
pub async fn used_dedupe_keys<'e>(
    ex: impl SqliteExecutor<'e>,
    keys: &[String],
) -> Result<Vec<String>, StoreError> {
    juggernaut_store::check_asked("keys", keys.len())?;
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let json = serde_json::to_string(keys).unwrap_or_default();
    sqlx::query_scalar(
        "SELECT DISTINCT dedupe_key FROM tasks \
         WHERE dedupe_key IS NOT NULL AND dedupe_key IN (SELECT value FROM json_each(?))",
    )
    .bind(json)
    .fetch_all(ex)
    .await
    .map_err(db("used_dedupe_keys"))
}

/// Events with ids above `after`, oldest first.
pub async fn events_after<'e>(
    ex: impl SqliteExecutor<'e>,
    after: juggernaut_core::ids::EventId,
    limit: u32,
) -> Result<Vec<AuditEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, at, kind, task_id, goal_id, from_status, to_status, actor, data \
         FROM events WHERE id > ? ORDER BY id LIMIT ?",
    )
    .bind(after.0)
    .bind(i64::from(limit.clamp(1, 1000)))
    .fetch_all(ex)
    .await
    .map_err(db("events"))?;
    rows.iter().map(row::event).collect()
}
