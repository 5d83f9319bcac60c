//! Appends audit events inside the caller's transaction.

use crate::error::db;
use crate::time::now_us;
use juggernaut_store::StoreError;
use sqlx::SqliteConnection;

pub use juggernaut_store::entry::Entry;

/// Writes one event.
pub async fn record(conn: &mut SqliteConnection, e: Entry<'_>) -> Result<(), StoreError> {
    record_many(conn, vec![e]).await
}

/// Writes many events with one statement.
pub async fn record_many(
    conn: &mut SqliteConnection,
    entries: Vec<Entry<'_>>,
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows: Vec<serde_json::Value> = entries
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "k": e.kind.as_str(),
                "t": e.task_id,
                "g": e.goal_id,
                "f": e.from.map(|s| s.as_str()),
                "s": e.to.map(|s| s.as_str()),
                "a": e.actor,
                "d": e.data,
            })
        })
        .collect();
    sqlx::query(
        "INSERT INTO events (at, kind, task_id, goal_id, from_status, to_status, actor, data) \
         SELECT ?1, e.value ->> '$.k', e.value ->> '$.t', e.value ->> '$.g', e.value ->> '$.f', \
                e.value ->> '$.s', e.value ->> '$.a', e.value -> '$.d' \
         FROM json_each(?2) AS e",
    )
    .bind(now_us())
    .bind(serde_json::Value::from(rows).to_string())
    .execute(conn)
    .await
    .map_err(db("audit"))?;
    Ok(())
}
