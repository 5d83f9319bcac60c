//! Appends audit events inside the caller's transaction. Hot paths write their events in the same
//! statement as the change, with a data-modifying CTE that starts with [`INSERT`].

use crate::error::db;
use juggernaut_store::StoreError;
use sqlx::PgConnection;

/// The head of an events insert; a CTE follows it with a `SELECT` of the seven columns.
pub const INSERT: &str =
    "INSERT INTO events (kind, task_id, goal_id, from_status, to_status, actor, data)";

pub use juggernaut_store::entry::Entry;

/// Writes one event.
pub async fn record(conn: &mut PgConnection, e: Entry<'_>) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )))
    .bind(e.kind.as_str())
    .bind(e.task_id)
    .bind(e.goal_id)
    .bind(e.from.map(|s| s.as_str()))
    .bind(e.to.map(|s| s.as_str()))
    .bind(e.actor)
    .bind(e.data)
    .execute(conn)
    .await
    .map_err(db("audit"))?;
    Ok(())
}
