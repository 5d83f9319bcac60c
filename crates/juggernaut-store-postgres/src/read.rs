//! Reads: one task, its dependencies and events, filtered pages, counts.

use crate::error::db;
use crate::row;
use juggernaut_core::{AuditEvent, EventKind, Task, TaskId, TaskStatus};
use juggernaut_store::{Page, PageRequest, StoreError, TaskFilter};
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

/// The filter's `WHERE` clause; binds $1 statuses, $2 kinds (empty arrays match all), $3 goal,
/// $4 cursor.
const WHERE: &str = "WHERE (cardinality($1::text[]) = 0 OR status = ANY($1)) \
     AND (cardinality($2::text[]) = 0 OR kind = ANY($2)) \
     AND ($3::bigint IS NULL OR goal_id = $3) AND ($4::bigint IS NULL OR id < $4)";

type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

fn bind_filter<'q>(q: Query<'q>, f: &TaskFilter, before: Option<TaskId>) -> Query<'q> {
    let statuses: Vec<&'static str> = f.statuses.iter().map(|s| s.as_str()).collect();
    let kinds: Vec<String> = f.kinds.iter().map(|k| k.as_str().to_owned()).collect();
    q.bind(statuses)
        .bind(kinds)
        .bind(f.goal_id.map(|g| g.0))
        .bind(before.map(|b| b.0))
}

/// One page of matching tasks, newest first.
pub async fn list<'e>(
    ex: impl PgExecutor<'e>,
    f: &TaskFilter,
    page: PageRequest,
) -> Result<Page<Task>, StoreError> {
    let limit = page.clamped_limit();
    let sql = format!(
        "SELECT {} FROM tasks {WHERE} ORDER BY id DESC LIMIT $5",
        row::columns()
    );
    let rows = bind_filter(sqlx::query(sqlx::AssertSqlSafe(sql)), f, page.before)
        .bind(i64::from(limit) + 1)
        .fetch_all(ex)
        .await
        .map_err(db("list"))?;
    let tasks = rows.iter().map(row::task).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(tasks, limit))
}

/// How many tasks match.
pub async fn count<'e>(ex: impl PgExecutor<'e>, f: &TaskFilter) -> Result<u64, StoreError> {
    let sql = format!("SELECT COUNT(*) AS n FROM tasks {WHERE}");
    let row = bind_filter(sqlx::query(sqlx::AssertSqlSafe(sql)), f, None)
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
