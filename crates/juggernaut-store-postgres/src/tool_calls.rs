//! The tool-call ledger: a call that ended is inserted with its `tool.called` event in one
//! transaction, and read back by ids or by task, oldest first. Arguments are stored as JSONB;
//! times come from the database clock.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{PostgresStore, finish};
use juggernaut_core::{EventKind, TaskId};
use juggernaut_store::audit::{Payload, ToolCalled};
use juggernaut_store::{NewToolCall, StoreError, ToolCallId, ToolCallRecord, ToolCallStatus};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

/// Columns selected for a call, in the order [`row`] reads them.
const COLUMNS: &str = "id, task_id, attempt, lease_token, tool, arguments, result, \
     result_sha256, result_bytes, status, error, duration_us, cost_usd, created_at";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "tool_calls",
        reason: e.to_string(),
    }
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    r: &'r PgRow,
    col: &str,
) -> Result<T, StoreError> {
    r.try_get(col).map_err(corrupt)
}

/// A stored count or duration, which is never negative.
fn unsigned<T: TryFrom<i64>>(r: &PgRow, col: &str) -> Result<T, StoreError>
where
    T::Error: ToString,
{
    T::try_from(get::<i64>(r, col)?).map_err(corrupt)
}

/// A ledger row.
fn row(r: &PgRow) -> Result<ToolCallRecord, StoreError> {
    let status: String = get(r, "status")?;
    Ok(ToolCallRecord {
        id: ToolCallId(get(r, "id")?),
        at: get(r, "created_at")?,
        task_id: get::<Option<i64>>(r, "task_id")?.map(TaskId),
        attempt: unsigned(r, "attempt")?,
        lease_token: get(r, "lease_token")?,
        tool: get(r, "tool")?,
        arguments: get(r, "arguments")?,
        result: get(r, "result")?,
        result_sha256: get(r, "result_sha256")?,
        result_bytes: unsigned(r, "result_bytes")?,
        status: ToolCallStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("unknown status `{status}`")))?,
        error: get(r, "error")?,
        duration_us: unsigned(r, "duration_us")?,
        cost_usd: get(r, "cost_usd")?,
    })
}

/// Records a call that ended, with its event; see
/// [`juggernaut_store::ToolCalls::record_tool_call`].
pub async fn record(
    store: &PostgresStore,
    call: NewToolCall,
    actor: &str,
) -> Result<ToolCallId, StoreError> {
    call.check()?;
    let mut tx = store.begin().await?;
    let recorded = insert(&mut tx, call, actor).await;
    finish(tx, recorded, "record_tool_call").await
}

async fn insert(
    conn: &mut PgConnection,
    call: NewToolCall,
    actor: &str,
) -> Result<ToolCallId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tool_calls (task_id, attempt, lease_token, tool, arguments, result, \
         result_sha256, result_bytes, status, error, duration_us, cost_usd) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(call.task_id.map(|t| t.0))
    .bind(i64::from(call.attempt))
    .bind(call.lease_token)
    .bind(&call.tool)
    .bind(&call.arguments)
    .bind(&call.result)
    .bind(&call.result_sha256)
    .bind(i64::try_from(call.result_bytes).unwrap_or(i64::MAX))
    .bind(call.status.as_str())
    .bind(call.error.as_deref())
    .bind(i64::try_from(call.duration_us).unwrap_or(i64::MAX))
    .bind(call.cost_usd)
    .fetch_one(&mut *conn)
    .await
    .map_err(db("record_tool_call"))?;
    let data = Payload::ToolCalled(ToolCalled {
        call: ToolCallId(id),
        tool: call.tool,
        status: call.status,
        duration_us: call.duration_us,
    });
    let entry = Entry {
        task_id: call.task_id.map(|t| t.0),
        ..Entry::about(EventKind::ToolCalled, actor, data.to_value())
    };
    audit::record(conn, entry).await?;
    Ok(ToolCallId(id))
}

/// The calls with these ids, in id order; see [`juggernaut_store::ToolCalls::tool_calls`].
pub async fn by_ids(
    store: &PostgresStore,
    ids: &[ToolCallId],
) -> Result<Vec<ToolCallRecord>, StoreError> {
    juggernaut_store::check_asked("ids", ids.len())?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
    let sql = format!("SELECT {COLUMNS} FROM tool_calls WHERE id = ANY($1) ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .fetch_all(store.pool())
        .await
        .map_err(db("tool_calls"))?;
    rows.iter().map(row).collect()
}

/// A task's calls, oldest first; see [`juggernaut_store::ToolCalls::task_tool_calls`].
pub async fn of_task(
    store: &PostgresStore,
    task: TaskId,
    limit: u32,
) -> Result<Vec<ToolCallRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM tool_calls WHERE task_id = $1 ORDER BY id LIMIT $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(task.0)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(store.pool())
        .await
        .map_err(db("task_tool_calls"))?;
    rows.iter().map(row).collect()
}
