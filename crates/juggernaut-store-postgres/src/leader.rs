//! Leader election with a lease row: whoever holds an unexpired row for a name leads; the holder
//! renews it, anyone may take it once it has expired (by the database clock).
//!
//! Taking and renewing is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE` statement: the row
//! lock on the leadership's name serialises contenders, and each re-checks the condition against
//! the row as the one before it left it, so of several processes racing for a free or expired
//! leadership exactly one wins. The same statement writes `leader.elected` when the leadership
//! changed hands (a renewal, or the same holder taking it back after it expired, writes nothing).

use crate::audit::INSERT;
use crate::error::db;
use crate::store::PostgresStore;
use crate::time::{dur_us, now_plus};
use chrono::{DateTime, Utc};
use juggernaut_core::WorkerId;
use juggernaut_store::{LeaderInfo, StoreError};
use std::sync::LazyLock;
use std::time::Duration;

/// Binds $1 name, $2 holder, $3 ttl in microseconds. Returns a row when `holder` leads.
static TRY_LEAD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH led AS (INSERT INTO leaders (name, holder, acquired_at, expires_at) \
                 VALUES ($1, $2, now(), {expires}) \
             ON CONFLICT (name) DO UPDATE SET \
                 acquired_at = CASE WHEN leaders.holder = excluded.holder \
                     THEN leaders.acquired_at ELSE excluded.acquired_at END, \
                 holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leaders.holder = excluded.holder OR leaders.expires_at < now() \
             RETURNING acquired_at = now() AS elected), \
         ev AS ({INSERT} SELECT 'leader.elected', NULL, NULL, NULL, NULL, $2, \
                 jsonb_build_object('leadership', $1::text) FROM led WHERE elected) \
         SELECT elected FROM led",
        expires = now_plus(3)
    )
});

/// Takes or renews leadership; true if `holder` leads.
pub async fn try_lead(
    store: &PostgresStore,
    name: &str,
    holder: &WorkerId,
    ttl: Duration,
) -> Result<bool, StoreError> {
    let row: Option<bool> = sqlx::query_scalar(TRY_LEAD.as_str())
        .bind(name)
        .bind(&holder.0)
        .bind(dur_us(ttl))
        .fetch_optional(store.pool())
        .await
        .map_err(db("try_lead"))?;
    Ok(row.is_some())
}

/// Gives up leadership.
pub async fn resign(
    store: &PostgresStore,
    name: &str,
    holder: &WorkerId,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM leaders WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(&holder.0)
        .execute(store.pool())
        .await
        .map_err(db("resign"))?;
    Ok(())
}

/// The current, unexpired leader.
pub async fn leader(store: &PostgresStore, name: &str) -> Result<Option<LeaderInfo>, StoreError> {
    let row: Option<(String, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT holder, acquired_at, expires_at FROM leaders WHERE name = $1 AND expires_at >= now()",
    )
    .bind(name)
    .fetch_optional(store.pool())
    .await
    .map_err(db("leader"))?;
    Ok(row.map(|(holder, acquired_at, expires_at)| LeaderInfo {
        name: name.to_owned(),
        holder: WorkerId(holder),
        acquired_at,
        expires_at,
    }))
}
