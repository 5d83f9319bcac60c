//! Reads: one task, its dependencies and events, filtered pages, counts.

use crate::error::db;
use crate::row;
use juggernaut_core::{AuditEvent, EventKind, Task, TaskId, TaskStatus};
use juggernaut_store::{Branch, Page, PageRequest, StoreError, TaskFilter};
use sqlx::postgres::PgArguments;
use sqlx::{PgExecutor, Postgres};

/// One task by id.
pub async fn get<'e>(ex: impl PgExecutor<'e>, id: TaskId) -> Result<Option<Task>, StoreError> {
    let sql = format!("SELECT {} FROM tasks WHERE id = $1", row::columns());
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(ex)
        .await
        .map_err(db("get"))?;
    found.as_ref().map(row::task).transpose()
}

/// The ids a task depends on.
pub async fn dependencies<'e>(
    ex: impl PgExecutor<'e>,
    id: TaskId,
) -> Result<Vec<TaskId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT depends_on FROM task_deps WHERE task_id = $1 ORDER BY depends_on",
    )
    .bind(id.0)
    .fetch_all(ex)
    .await
    .map_err(db("dependencies"))?;
    Ok(ids.into_iter().map(TaskId).collect())
}

/// A task's events, oldest first.
pub async fn events<'e>(
    ex: impl PgExecutor<'e>,
    id: TaskId,
) -> Result<Vec<AuditEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, at, kind, task_id, goal_id, from_status, to_status, actor, data \
         FROM events WHERE task_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(ex)
    .await
    .map_err(db("events"))?;
    rows.iter().map(row::event).collect()
}

/// One bound value of a filter.
enum Bind {
    Texts(Vec<String>),
    Int(i64),
}

/// The filter's `WHERE` clause with only the conditions it uses (so that every combination has a
/// plain plan that can use the indexes), and its values in placeholder order.
fn filter_sql(f: &TaskFilter, before: Option<TaskId>) -> (String, Vec<Bind>) {
    let (mut conds, mut binds) = (Vec::new(), Vec::new());
    if !f.statuses.is_empty() {
        binds.push(Bind::Texts(
            f.statuses.iter().map(|s| s.as_str().to_owned()).collect(),
        ));
        conds.push(format!("status = ANY(${})", binds.len()));
    }
    if !f.kinds.is_empty() {
        binds.push(Bind::Texts(
            f.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        ));
        conds.push(format!("kind = ANY(${})", binds.len()));
    }
    if let Some(g) = f.goal_id {
        binds.push(Bind::Int(g.0));
        conds.push(format!("goal_id = ${}", binds.len()));
    }
    if let Some(b) = before {
        binds.push(Bind::Int(b.0));
        conds.push(format!("id < ${}", binds.len()));
    }
    let sql = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    (sql, binds)
}

type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

fn bind_all(mut q: Query<'_>, binds: Vec<Bind>) -> Query<'_> {
    for b in binds {
        q = match b {
            Bind::Texts(v) => q.bind(v),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

/// A page read as one index range per branch, each newest first below the cursor and cut at
/// `take` (a lateral join over the branches' statuses and kinds), then the newest `take` of
/// their union. Each range is ordered by `-id` so that only `tasks_status_newest` or
/// `tasks_status_kind_newest` can give its order: ordered by `id`, the planner may walk the
/// primary key backwards instead and read the whole table to find a page of rare tasks.
fn branch_sql(branches: &[Branch], before: Option<TaskId>, take: i64) -> (String, Vec<Bind>) {
    let statuses = branches
        .iter()
        .map(|b| b.status.as_str().to_owned())
        .collect();
    let mut binds = vec![Bind::Texts(statuses)];
    let (mut from, mut cond) = (
        "unnest($1::text[]) AS b(status)",
        "t.status = b.status".to_owned(),
    );
    let kinds: Vec<String> = branches
        .iter()
        .filter_map(|b| b.kind.as_ref().map(|k| k.as_str().to_owned()))
        .collect();
    if kinds.len() == branches.len() {
        binds.push(Bind::Texts(kinds));
        from = "unnest($1::text[], $2::text[]) AS b(status, kind)";
        cond.push_str(" AND t.kind = b.kind");
    }
    if let Some(c) = before {
        binds.push(Bind::Int(c.0));
        cond.push_str(&format!(" AND -t.id > -${}::bigint", binds.len()));
    }
    let sql = format!(
        "SELECT {} FROM tasks WHERE id IN (SELECT p.id FROM {from} CROSS JOIN LATERAL \
         (SELECT t.id FROM tasks t WHERE {cond} ORDER BY -t.id LIMIT {take}) p) \
         ORDER BY id DESC LIMIT {take}",
        row::columns()
    );
    (sql, binds)
}

/// One page of matching tasks, newest first.
pub async fn list<'e>(
    ex: impl PgExecutor<'e>,
    f: &TaskFilter,
    page: PageRequest,
) -> Result<Page<Task>, StoreError> {
    let limit = page.clamped_limit();
    let take = i64::from(limit) + 1;
    let (sql, binds) = match f.branches() {
        Some(branches) => branch_sql(&branches, page.before, take),
        None => {
            let (filter, binds) = filter_sql(f, page.before);
            let sql = format!(
                "SELECT {} FROM tasks {filter} ORDER BY id DESC LIMIT {take}",
                row::columns()
            );
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
pub async fn count<'e>(ex: impl PgExecutor<'e>, f: &TaskFilter) -> Result<u64, StoreError> {
    let (filter, binds) = filter_sql(f, None);
    let sql = format!("SELECT COUNT(*) AS n FROM tasks {filter}");
    let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_one(ex)
        .await
        .map_err(db("count"))?;
    let n: i64 = sqlx::Row::try_get(&row, "n").map_err(db("count"))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Counts per status.
pub async fn count_by_status<'e>(
    ex: impl PgExecutor<'e>,
) -> Result<Vec<(TaskStatus, u64)>, StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM tasks GROUP BY status ORDER BY status")
            .fetch_all(ex)
            .await
            .map_err(db("count"))?;
    rows.into_iter()
        .map(|(s, n)| Ok((row::status(&s)?, u64::try_from(n).unwrap_or(0))))
        .collect()
}

/// How many events of `kind` exist.
pub async fn count_events<'e>(ex: impl PgExecutor<'e>, kind: EventKind) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = $1")
        .bind(kind.as_str())
        .fetch_one(ex)
        .await
        .map_err(db("count_events"))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Which of `keys` a task carries as its dedupe key, in any state.
pub async fn used_dedupe_keys<'e>(
    ex: impl PgExecutor<'e>,
    keys: &[String],
) -> Result<Vec<String>, StoreError> {
    juggernaut_store::check_asked("keys", keys.len())?;
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_scalar(
        "SELECT DISTINCT dedupe_key FROM tasks WHERE dedupe_key = ANY($1) AND dedupe_key IS NOT NULL",
    )
    .bind(keys)
    .fetch_all(ex)
    .await
    .map_err(db("used_dedupe_keys"))
}

/// Events with ids above `after`, oldest first.
pub async fn events_after<'e>(
    ex: impl PgExecutor<'e>,
    after: juggernaut_core::ids::EventId,
    limit: u32,
) -> Result<Vec<AuditEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, at, kind, task_id, goal_id, from_status, to_status, actor, data \
         FROM events WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after.0)
    .bind(i64::from(limit.clamp(1, 1000)))
    .fetch_all(ex)
    .await
    .map_err(db("events"))?;
    rows.iter().map(row::event).collect()
}
