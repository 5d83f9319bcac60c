//! The filtered read of the audit log: events by task, actor, kinds and time, newest first, one
//! keyset page (ids below a cursor). Only the conditions a filter uses are in the statement, so
//! every combination has a plain plan over its index (`events_task`, `events_actor`,
//! `events_kind`, the BRIN `events_at`).

use crate::error::db;
use crate::row;
use chrono::{DateTime, Utc};
use juggernaut_store::{AuditCursor, AuditFilter, AuditPage, StoreError};
use sqlx::PgExecutor;

/// One bound value.
enum Bind {
    Text(String),
    Texts(Vec<String>),
    Int(i64),
    Time(DateTime<Utc>),
}

/// The `WHERE` clause of `f` below `before`, and its values in placeholder order.
fn where_sql(f: &AuditFilter, before: Option<i64>) -> (String, Vec<Bind>) {
    let (mut conds, mut binds) = (Vec::new(), Vec::new());
    if let Some(t) = f.task_id {
        binds.push(Bind::Int(t.0));
        conds.push(format!("task_id = ${}", binds.len()));
    }
    if let Some(a) = &f.actor {
        binds.push(Bind::Text(a.clone()));
        conds.push(format!("actor = ${}", binds.len()));
    }
    if !f.kinds.is_empty() {
        binds.push(Bind::Texts(
            f.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        ));
        conds.push(format!("kind = ANY(${})", binds.len()));
    }
    if let Some(s) = f.since {
        binds.push(Bind::Time(s));
        conds.push(format!("at >= ${}", binds.len()));
    }
    if let Some(b) = before {
        binds.push(Bind::Int(b));
        conds.push(format!("id < ${}", binds.len()));
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
    ex: impl PgExecutor<'e>,
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
            Bind::Texts(v) => q.bind(v),
            Bind::Int(i) => q.bind(i),
            Bind::Time(t) => q.bind(t),
        };
    }
    let rows = q.fetch_all(ex).await.map_err(db("audit"))?;
    let events = rows.iter().map(row::event).collect::<Result<Vec<_>, _>>()?;
    Ok(AuditPage::from_rows(events, limit))
}
