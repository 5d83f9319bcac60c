//! The worker registry: register, heartbeat, deregister, list, and marking silent workers lost
//! (their running tasks are handed back at once). Silence is measured on the database clock, and
//! several processes may look for lost workers at once: each takes the worker rows it marks with
//! `SKIP LOCKED`, so a worker is found lost once, and a worker heartbeating right then is left
//! alone.

use crate::audit::{self, Entry};
use crate::error::{db, json};
use crate::rescue::{self, Which};
use crate::store::{PostgresStore, finish};
use crate::time::dur_us;
use chrono::{DateTime, Utc};
use juggernaut_core::worker::{Role, WorkerState};
use juggernaut_core::{EventKind, TaskId, WorkerId};
use juggernaut_store::{LostWorker, StoreError, WorkerRecord, WorkerRegistration};
use sqlx::PgConnection;
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
pub async fn register(store: &PostgresStore, w: &WorkerRegistration) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let done = insert(&mut tx, w).await;
    finish(tx, done, "register_worker").await
}

async fn insert(conn: &mut PgConnection, w: &WorkerRegistration) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO workers (id, roles, kinds, concurrency, host, pid, version, state, started_at, heartbeat_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', now(), now()) \
         ON CONFLICT (id) DO UPDATE SET roles = excluded.roles, kinds = excluded.kinds, \
           concurrency = excluded.concurrency, state = 'active', heartbeat_at = excluded.heartbeat_at",
    )
    .bind(&w.id.0)
    .bind(serde_json::to_value(&w.roles).map_err(json("workers"))?)
    .bind(serde_json::to_value(&w.kinds).map_err(json("workers"))?)
    .bind(i32::try_from(w.concurrency).unwrap_or(i32::MAX))
    .bind(&w.host)
    .bind(i64::from(w.pid))
    .bind(&w.version)
    .execute(&mut *conn)
    .await
    .map_err(db("register_worker"))?;
    let data = serde_json::json!({"roles": w.roles, "concurrency": w.concurrency, "host": w.host, "pid": w.pid});
    audit::record(
        conn,
        worker_event(EventKind::WorkerRegistered, &w.id, &w.id.0, data),
    )
    .await
}

/// Records a heartbeat; a lost worker that heartbeats is active again.
pub async fn heartbeat(
    store: &PostgresStore,
    id: &WorkerId,
    state: WorkerState,
    idle: &serde_json::Value,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let done = beat(&mut tx, id, state, idle).await;
    finish(tx, done, "worker_heartbeat").await
}

async fn beat(
    conn: &mut PgConnection,
    id: &WorkerId,
    state: WorkerState,
    idle: &serde_json::Value,
) -> Result<(), StoreError> {
    // Locked first, so that the state it had (lost or not) is the one this heartbeat replaces.
    let before: Option<String> =
        sqlx::query_scalar("SELECT state FROM workers WHERE id = $1 FOR NO KEY UPDATE")
            .bind(&id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("worker_heartbeat"))?;
    let Some(before) = before else {
        return Err(StoreError::Corrupt {
            table: "workers",
            reason: format!("worker {id} is not registered"),
        });
    };
    sqlx::query("UPDATE workers SET heartbeat_at = now(), state = $2, idle = $3 WHERE id = $1")
        .bind(&id.0)
        .bind(state.as_str())
        .bind(idle)
        .execute(&mut *conn)
        .await
        .map_err(db("worker_heartbeat"))?;
    if before.parse::<WorkerState>()? == WorkerState::Lost {
        audit::record(
            conn,
            worker_event(EventKind::WorkerRecovered, id, &id.0, serde_json::json!({})),
        )
        .await?;
    }
    Ok(())
}

/// Removes a worker that stopped cleanly.
pub async fn deregister(store: &PostgresStore, id: &WorkerId) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let done = delete(&mut tx, id).await;
    finish(tx, done, "deregister_worker").await
}

async fn delete(conn: &mut PgConnection, id: &WorkerId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM workers WHERE id = $1")
        .bind(&id.0)
        .execute(&mut *conn)
        .await
        .map_err(db("deregister_worker"))?;
    audit::record(
        conn,
        worker_event(EventKind::WorkerStopped, id, &id.0, serde_json::json!({})),
    )
    .await
}

/// Marks silent workers lost and hands their running tasks back; notifies listeners if any went
/// back to ready.
pub async fn mark_lost(
    store: &PostgresStore,
    silent_for: Duration,
    actor: &str,
) -> Result<Vec<LostWorker>, StoreError> {
    let mut tx = store.begin().await?;
    let lost = mark(&mut tx, silent_for, actor).await;
    let lost = finish(tx, lost, "mark_lost_workers").await?;
    if lost.iter().any(|w| !w.rescued.is_empty()) {
        store.signal.notify_waiters();
    }
    Ok(lost)
}

async fn mark(
    conn: &mut PgConnection,
    silent_for: Duration,
    actor: &str,
) -> Result<Vec<LostWorker>, StoreError> {
    let mut ids: Vec<String> = sqlx::query_scalar(
        "UPDATE workers SET state = 'lost' WHERE id IN (SELECT id FROM workers \
             WHERE state <> 'lost' AND heartbeat_at < now() - $1::bigint * interval '1 microsecond' \
             ORDER BY id FOR NO KEY UPDATE SKIP LOCKED) \
         RETURNING id",
    )
    .bind(dur_us(silent_for))
    .fetch_all(&mut *conn)
    .await
    .map_err(db("mark_lost_workers"))?;
    ids.sort();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let report =
            rescue::hand_back(&mut *conn, Which::HeldBy(&id), actor, "worker lost").await?;
        let wid = WorkerId(id);
        let data = serde_json::json!({"rescued": report.rescued, "dead": report.dead, "by": actor});
        audit::record(
            &mut *conn,
            worker_event(EventKind::WorkerLost, &wid, actor, data),
        )
        .await?;
        out.push(LostWorker {
            id: wid,
            rescued: report.rescued,
            dead: report.dead,
        });
    }
    Ok(out)
}

type Row = (
    String,
    serde_json::Value,
    serde_json::Value,
    i32,
    String,
    i64,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    serde_json::Value,
    Vec<i64>,
);

/// Every worker with its in-flight tasks, in one query.
pub async fn list(store: &PostgresStore) -> Result<Vec<WorkerRecord>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT w.id, w.roles, w.kinds, w.concurrency, w.host, w.pid, w.version, w.state, \
             w.started_at, w.heartbeat_at, w.idle, \
             ARRAY(SELECT t.id FROM tasks t WHERE t.status IN ('running', 'verifying') \
                 AND t.lease_holder = w.id \
                 ORDER BY t.id) AS in_flight \
         FROM workers w ORDER BY w.id",
    )
    .fetch_all(store.pool())
    .await
    .map_err(db("list_workers"))?;
    let mut out = Vec::with_capacity(rows.len());
    for (
        id,
        roles,
        kinds,
        concurrency,
        host,
        pid,
        version,
        state,
        started,
        beat,
        idle,
        in_flight,
    ) in rows
    {
        let roles: Vec<Role> = serde_json::from_value(roles).map_err(json("workers"))?;
        out.push(WorkerRecord {
            registration: WorkerRegistration {
                id: WorkerId(id),
                roles,
                kinds: serde_json::from_value(kinds).map_err(json("workers"))?,
                concurrency: u32::try_from(concurrency).unwrap_or(0),
                host,
                pid: u32::try_from(pid).unwrap_or(0),
                version,
            },
            state: state.parse::<WorkerState>()?,
            started_at: started,
            heartbeat_at: beat,
            in_flight: in_flight.into_iter().map(TaskId).collect(),
            idle,
        });
    }
    Ok(out)
}
