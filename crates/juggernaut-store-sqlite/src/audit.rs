//! Appends audit events inside the caller's transaction.

use crate::error::db;
use crate::time::now_us;
use juggernaut_core::{EventKind, TaskStatus};
use juggernaut_store::StoreError;
use sqlx::SqliteConnection;

/// One event to write.
pub struct Entry<'a> {
    pub kind: EventKind,
    pub task_id: Option<i64>,
    pub goal_id: Option<i64>,
    pub from: Option<TaskStatus>,
    pub to: Option<TaskStatus>,
    pub actor: &'a str,
    pub data: serde_json::Value,
}

impl<'a> Entry<'a> {
    /// A transition event for one task.
    pub fn transition(
        kind: EventKind,
        task: (i64, Option<i64>),
        from: Option<TaskStatus>,
        to: TaskStatus,
        actor: &'a str,
    ) -> Self {
        Self {
            kind,
            task_id: Some(task.0),
            goal_id: task.1,
            from,
            to: Some(to),
            actor,
            data: serde_json::Value::Object(Default::default()),
        }
    }

    /// Adds details.
    pub fn with(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }
}

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
