//! External waits: a running task parks until something outside happens (`awaiting_external`),
//! with what it waits for and its progress; at the check time it is made ready again so that its
//! handler runs to look, and that look does not spend an attempt.

use crate::audit::{self, Entry};
use crate::error::{db, json};
use crate::fence;
use crate::store::SqliteStore;
use crate::time::{dur_us, from_us, now_us};
use juggernaut_core::{EventKind, TaskId, TaskStatus, Waiting};
use juggernaut_store::audit::{External, Payload};
use juggernaut_store::{ExternalWait, StoreError};

/// Parks a running task; see [`juggernaut_store::Queue::await_external`].
pub async fn park(store: &SqliteStore, w: ExternalWait) -> Result<(), StoreError> {
    w.check()?;
    let mut tx = store.write().await?;
    let held = fence::held(&mut tx, w.lease).await?;
    let now = now_us();
    let check_at = now.saturating_add(dur_us(w.check_after));
    let waiting = Waiting::External {
        what: w.what.clone(),
        check_at: from_us(check_at),
    };
    sqlx::query(
        "UPDATE tasks SET status = 'awaiting_external', lease_expires_at = NULL, waiting = ?, \
         check_at = ?, result = ?, updated_at = ? WHERE id = ?",
    )
    .bind(serde_json::to_string(&waiting).map_err(json("tasks"))?)
    .bind(check_at)
    .bind(w.progress.to_string())
    .bind(now)
    .bind(w.lease.task_id.0)
    .execute(&mut *tx)
    .await
    .map_err(db("await_external"))?;
    let e = Entry::transition(
        EventKind::TaskAwaitingExternal,
        (w.lease.task_id.0, held.goal_id),
        Some(held.status),
        TaskStatus::AwaitingExternal,
        &held.holder,
    )
    .with(Payload::External(External { what: w.what }).to_value());
    audit::record(&mut tx, e).await?;
    tx.commit().await.map_err(db("await_external"))
}

/// Makes due external waits ready; see [`juggernaut_store::Queue::recheck_external`].
pub async fn recheck(store: &SqliteStore, actor: &str) -> Result<Vec<TaskId>, StoreError> {
    let mut tx = store.write().await?;
    let now = now_us();
    let rows: Vec<(i64, Option<i64>, Option<String>)> = sqlx::query_as(
        "UPDATE tasks INDEXED BY tasks_recheck SET status = 'ready', attempts = MAX(attempts - 1, 0), \
         check_at = NULL, updated_at = ?1 \
         WHERE status = 'awaiting_external' AND check_at <= ?1 RETURNING id, goal_id, waiting",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await
    .map_err(db("recheck_external"))?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut entries = Vec::with_capacity(rows.len());
    for (id, goal, waiting) in rows {
        let what = match waiting.map(|w| serde_json::from_str::<Waiting>(&w)) {
            Some(Ok(Waiting::External { what, .. })) => what,
            _ => String::new(),
        };
        let e = Entry::transition(
            EventKind::TaskRechecked,
            (id, goal),
            Some(TaskStatus::AwaitingExternal),
            TaskStatus::Ready,
            actor,
        )
        .with(Payload::External(External { what }).to_value());
        entries.push(e);
        ids.push(TaskId(id));
    }
    sqlx::query("UPDATE tasks SET waiting = NULL WHERE id IN (SELECT value FROM json_each(?))")
        .bind(serde_json::Value::from(ids.iter().map(|i| i.0).collect::<Vec<_>>()).to_string())
        .execute(&mut *tx)
        .await
        .map_err(db("recheck_external"))?;
    audit::record_many(&mut tx, entries).await?;
    tx.commit().await.map_err(db("recheck_external"))?;
    if !ids.is_empty() {
        store.signal.notify_waiters();
    }
    Ok(ids)
}
