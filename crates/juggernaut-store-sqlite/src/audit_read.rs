//! The filtered read of the audit log: events by task, actor, kinds and time, newest first, one
//! keyset page (ids below a cursor). Only the conditions a filter uses are in the statement, so
//! SQLite can pick the index for each (`events_task`, `events_actor`, `events_kind`,
//! `events_at`).

use crate::error::db;
use crate::row;
use juggernaut_store::{AuditCursor, AuditFilter, AuditPage, StoreError};
use sqlx::SqliteExecutor;

/// One bound value.
enum Bind {
    Text(String),
    Int(i64),
}

/// The `WHERE` clause of `f` below `before`, and its values in placeholder order.
fn where_sql(f: &AuditFilter, before: Option<i64>) -> (String, Vec<Bind>) {
    let (mut conds, mut binds) = (Vec::new(), Vec::new());
    if let Some(t) = f.task_id {
        conds.push("task_id = ?");
        binds.push(Bind::Int(t.0));
    }
    if let Some(a) = &f.actor {
        conds.push("actor = ?");
        binds.push(Bind::Text(a.clone()));
    }
    if !f.kinds.is_empty() {
        let names: Vec<&str> = f.kinds.iter().map(|k| k.as_str()).collect();
        conds.push("kind IN (SELECT value FROM json_each(?))");
        binds.push(Bind::Text(serde_json::Value::from(names).to_string()));
    }
    if let Some(s) = f.since {
        // The id bound is implied by the time bound; it lets the newest-first walk stop at the
        // window's first event instead of reading back to the first event of all (the window's
        // ids come from a covering range of `events_at`).
        conds.push(
            "at >= ? AND id >= (SELECT min(id) FROM events INDEXED BY events_at WHERE at >= ?)",
        );
        binds.push(Bind::Int(s.timestamp_micros()));
        binds.push(Bind::Int(s.timestamp_micros()));
    }
    if let Some(b) = before {
        conds.push("id < ?");
        binds.push(Bind::Int(b));
    }
    let sql = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    (sql, binds)
}

/// One page of the events `f` matches, newest first.
pub async fn page<'e>(
    ex: impl SqliteExecutor<'e>,
    f: &AuditFilter,
    page: AuditCursor,
) -> Result<AuditPage, StoreError> {
    f.check()?;
    let limit = page.clamped_limit();
    let (filter, binds) = where_sql(f, page.before.map(|b| b.0));
    let sql = format!(
        "SELECT id, at, kind, task_id, goal_id, from_status, to_status, actor, data \
         FROM events {filter} ORDER BY id DESC LIMIT {}",
        i64::from(limit) + 1
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t),
            Bind::Int(i) => q.bind(i),
        };
    }
    let rows = q.fetch_all(ex).await.map_err(db("audit"))?;
    let events = rows.iter().map(row::event).collect::<Result<Vec<_>, _>>()?;
    Ok(AuditPage::from_rows(events, limit))
}
