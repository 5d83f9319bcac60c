//! The worker registry: register, heartbeat, deregister, list, and marking silent workers lost
//! (their running tasks are handed back at once).

use crate::audit::{self, Entry};
use crate::error::{db, json};
use crate::rescue;
use crate::store::SqliteStore;
use crate::time::{dur_us, from_us, now_us};
use juggernaut_core::worker::{Role, WorkerState};
use juggernaut_core::{EventKind, TaskId, WorkerId};
use juggernaut_store::{LostWorker, StoreError, WorkerRecord, WorkerRegistration};
use std::time::Duration;

fn worker_event<'a>(
    kind: EventKind,
    id: &WorkerId,
    actor: &'a str,
    data: serde_json::Value,
) -> Entry<'a> {
    Entry::about(
        kind,
        actor,
        serde_json::json!({"worker": id.0, "details": data}),
    )
}

/// Registers a worker as active.
pub async fn register(store: &SqliteStore, w: &WorkerRegistration) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    let now = now_us();
    sqlx::query(
        "INSERT INTO workers (id, roles, kinds, concurrency, host, pid, version, state, started_at, heartbeat_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) \
         ON CONFLICT (id) DO UPDATE SET roles = excluded.roles, kinds = excluded.kinds, \
           concurrency = excluded.concurrency, state = 'active', heartbeat_at = excluded.heartbeat_at",
    )
    .bind(&w.id.0)
    .bind(serde_json::to_string(&w.roles).map_err(json("workers"))?)
    .bind(serde_json::to_string(&w.kinds).map_err(json("workers"))?)
    .bind(i64::from(w.concurrency))
    .bind(&w.host)
    .bind(i64::from(w.pid))
    .bind(&w.version)
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(db("register_worker"))?;
    let data = serde_json::json!({"roles": w.roles, "concurrency": w.concurrency, "host": w.host, "pid": w.pid});
    audit::record(
        &mut tx,
        worker_event(EventKind::WorkerRegistered, &w.id, &w.id.0, data),
    )
    .await?;
    tx.commit().await.map_err(db("register_worker"))
}

/// Records a heartbeat; a lost worker that heartbeats is active again.
pub async fn heartbeat(
    store: &SqliteStore,
    id: &WorkerId,
    state: WorkerState,
    idle: &serde_json::Value,
) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    let before: Option<String> = sqlx::query_scalar("SELECT state FROM workers WHERE id = ?")
        .bind(&id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("worker_heartbeat"))?;
    let Some(before) = before else {
        return Err(StoreError::Corrupt {
            table: "workers",
            reason: format!("worker {id} is not registered"),
        });
    };
    sqlx::query("UPDATE workers SET heartbeat_at = ?, state = ?, idle = ? WHERE id = ?")
        .bind(now_us())
        .bind(state.as_str())
        .bind(idle.to_string())
        .bind(&id.0)
        .execute(&mut *tx)
        .await
        .map_err(db("worker_heartbeat"))?;
    if before.parse::<WorkerState>()? == WorkerState::Lost {
        audit::record(
            &mut tx,
            worker_event(EventKind::WorkerRecovered, id, &id.0, serde_json::json!({})),
        )
        .await?;
    }
    tx.commit().await.map_err(db("worker_heartbeat"))
}

/// Removes a worker that stopped cleanly.
pub async fn deregister(store: &SqliteStore, id: &WorkerId) -> Result<(), StoreError> {
    let mut tx = store.write().await?;
    sqlx::query("DELETE FROM workers WHERE id = ?")
        .bind(&id.0)
        .execute(&mut *tx)
        .await
        .map_err(db("deregister_worker"))?;
    audit::record(
        &mut tx,
        worker_event(EventKind::WorkerStopped, id, &id.0, serde_json::json!({})),
    )
    .await?;
    tx.commit().await.map_err(db("deregister_worker"))
}

/// Marks silent workers lost and hands their running tasks back.
pub async fn mark_lost(
    store: &SqliteStore,
    silent_for: Duration,
    actor: &str,
) -> Result<Vec<LostWorker>, StoreError> {
    let mut tx = store.write().await?;
    let cutoff = now_us().saturating_sub(dur_us(silent_for));
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM workers WHERE state <> 'lost' AND heartbeat_at < ? ORDER BY id",
    )
    .bind(cutoff)
    .fetch_all(&mut *tx)
    .await
    .map_err(db("mark_lost_workers"))?;
    let mut out = Vec::new();
    for id in ids {
        sqlx::query("UPDATE workers SET state = 'lost' WHERE id = ?")
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(db("mark_lost_workers"))?;
        let report =
            rescue::hand_back(&mut tx, rescue::Which::HeldBy(&id), actor, "worker lost").await?;
        let wid = WorkerId(id);
        let data = serde_json::json!({"rescued": report.rescued, "dead": report.dead, "by": actor});
        audit::record(
            &mut tx,
            worker_event(EventKind::WorkerLost, &wid, actor, data),
        )
        .await?;
        out.push(LostWorker {
            id: wid,
            rescued: report.rescued,
            dead: report.dead,
        });
    }
    tx.commit().await.map_err(db("mark_lost_workers"))?;
    Ok(out)
}

type Row = (
    String,
    String,
    String,
    i64,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    String,
);

/// Every worker with its in-flight tasks.
pub async fn list(store: &SqliteStore) -> Result<Vec<WorkerRecord>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, roles, kinds, concurrency, host, pid, version, state, started_at, heartbeat_at, idle \
         FROM workers ORDER BY id",
    )
    .fetch_all(store.reader())
    .await
    .map_err(db("list_workers"))?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, roles, kinds, concurrency, host, pid, version, state, started, beat, idle) in rows {
        let in_flight: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM tasks WHERE status IN ('running', 'verifying') AND lease_holder = ? \
             ORDER BY id",
        )
        .bind(&id)
        .fetch_all(store.reader())
        .await
        .map_err(db("list_workers"))?;
        let roles: Vec<Role> = serde_json::from_str(&roles).map_err(json("workers"))?;
        out.push(WorkerRecord {
            registration: WorkerRegistration {
                id: WorkerId(id),
                roles,
                kinds: serde_json::from_str(&kinds).map_err(json("workers"))?,
                concurrency: u32::try_from(concurrency).unwrap_or(0),
                host,
                pid: u32::try_from(pid).unwrap_or(0),
                version,
            },
            state: state.parse::<WorkerState>()?,
            started_at: from_us(started),
            heartbeat_at: from_us(beat),
            in_flight: in_flight.into_iter().map(TaskId).collect(),
            idle: serde_json::from_str(&idle).map_err(json("workers"))?,
        });
    }
    Ok(out)
}
