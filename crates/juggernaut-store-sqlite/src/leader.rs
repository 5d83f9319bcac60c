//! Leader election with a lease row: whoever holds an unexpired row for a name leads; the holder
//! renews it, anyone may take it once it has expired.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::{dur_us, from_us, now_us};
use juggernaut_core::{EventKind, WorkerId};
use juggernaut_store::{LeaderInfo, StoreError};
use std::time::Duration;

/// Takes or renews leadership; true if `holder` leads.
pub async fn try_lead(
    store: &SqliteStore,
    name: &str,
    holder: &WorkerId,
    ttl: Duration,
) -> Result<bool, StoreError> {
    let mut tx = store.write().await?;
    let now = now_us();
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO leaders (name, holder, acquired_at, expires_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (name) DO UPDATE SET \
           acquired_at = CASE WHEN leaders.holder = excluded.holder THEN leaders.acquired_at ELSE excluded.acquired_at END, \
           holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE leaders.holder = excluded.holder OR leaders.expires_at < ?3 \
         RETURNING acquired_at",
    )
    .bind(name)
    .bind(&holder.0)
    .bind(now)
    .bind(now.saturating_add(dur_us(ttl)))
    .fetch_optional(&mut *tx)
    .await
    .map_err(db("try_lead"))?;
    let leads = row.is_some();
    if row.is_some_and(|(acquired,)| acquired == now) {
        let e = Entry {
            kind: EventKind::LeaderElected,
            task_id: None,
            goal_id: None,
            from: None,
            to: None,
            actor: &holder.0,
            data: serde_json::json!({"leadership": name}),
        };
        audit::record(&mut tx, e).await?;
    }
    tx.commit().await.map_err(db("try_lead"))?;
    Ok(leads)
}

/// Gives up leadership.
pub async fn resign(store: &SqliteStore, name: &str, holder: &WorkerId) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    sqlx::query("DELETE FROM leaders WHERE name = ? AND holder = ?")
        .bind(name)
        .bind(&holder.0)
        .execute(&mut *tx)
        .await
        .map_err(db("resign"))?;
    tx.commit().await.map_err(db("resign"))
}

/// The current, unexpired leader.
pub async fn leader(store: &SqliteStore, name: &str) -> Result<Option<LeaderInfo>, StoreError> {
    let row: Option<(String, i64, i64)> = sqlx::query_as(
        "SELECT holder, acquired_at, expires_at FROM leaders WHERE name = ? AND expires_at >= ?",
    )
    .bind(name)
    .bind(now_us())
    .fetch_optional(store.reader())
    .await
    .map_err(db("leader"))?;
    Ok(row.map(|(holder, acquired, expires)| LeaderInfo {
        name: name.to_owned(),
        holder: WorkerId(holder),
        acquired_at: from_us(acquired),
        expires_at: from_us(expires),
    }))
}
