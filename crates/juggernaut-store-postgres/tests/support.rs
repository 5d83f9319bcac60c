//! Helpers the coordination tests share: tasks, claims, completions, peers on one database, raw
//! SQL.

#[allow(unused_imports)]
use chrono::Utc;
use juggernaut_core::schedule::NewSchedule;
use juggernaut_core::worker::Role;
use juggernaut_core::{Evidence, NewTask, Task, TaskId, TaskKind, WorkerId};
pub use juggernaut_store::prelude::*;
use juggernaut_store::{ClaimRequest, Completion, LeaseRef, StoreOptions, WorkerRegistration};
use juggernaut_store_postgres::PostgresStore;
use juggernaut_testkit::postgres::TestPostgres;
use sqlx::{Connection, PgConnection};
use std::sync::Arc;
use std::time::Duration;

pub fn noop() -> NewTask {
    NewTask::new(TaskKind::new("noop").unwrap())
}

pub fn attempts(n: u32) -> NewTask {
    NewTask {
        max_attempts: n,
        ..noop()
    }
}

pub async fn claim(store: &PostgresStore, worker: &str, limit: u32) -> Vec<Task> {
    let req = ClaimRequest {
        worker: WorkerId::from(worker),
        kinds: vec![TaskKind::new("noop").unwrap()],
        limit,
        lease: Duration::from_secs(30),
    };
    store.claim(&req).await.unwrap()
}

pub fn lease(t: &Task) -> LeaseRef {
    LeaseRef::of(t).unwrap()
}

pub fn done(t: &Task) -> Completion {
    Completion {
        lease: lease(t),
        result: serde_json::json!({}),
        evidence: vec![Evidence::HandlerRun {
            handler: "noop".into(),
            lease_token: lease(t).token,
            duration_us: 1,
        }],
        children: vec![],
    }
}

pub fn registration(id: &str) -> WorkerRegistration {
    WorkerRegistration {
        id: WorkerId::from(id),
        roles: vec![Role::Executor],
        kinds: vec!["noop".into()],
        concurrency: 8,
        host: "h1".into(),
        pid: 4242,
        version: "1.0.0".into(),
    }
}

pub fn schedule(name: &str, cron: &str) -> NewSchedule {
    NewSchedule {
        name: name.into(),
        cron: cron.into(),
        kind: TaskKind::new("noop").unwrap(),
        title: format!("{name} run"),
        input: serde_json::json!({"from": name}),
        priority: 2,
        max_attempts: 3,
    }
}

/// `n` more stores on the test database: other processes.
pub async fn peers(t: &TestPostgres, n: usize) -> Vec<Arc<PostgresStore>> {
    let mut out = Vec::new();
    for _ in 0..n {
        let s = PostgresStore::connect(t.url(), StoreOptions::for_tests())
            .await
            .unwrap();
        out.push(Arc::new(s));
    }
    out
}

pub async fn close_all(peers: Vec<Arc<PostgresStore>>) {
    for p in peers {
        p.close().await;
    }
}

pub async fn sql(t: &TestPostgres) -> PgConnection {
    PgConnection::connect(t.url()).await.unwrap()
}

/// (actor, data) of every event of `kind`, in order.
pub async fn events(t: &TestPostgres, kind: &str) -> Vec<(String, serde_json::Value)> {
    let mut conn = sql(t).await;
    let rows = sqlx::query_as("SELECT actor, data FROM events WHERE kind = $1 ORDER BY id")
        .bind(kind)
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    rows
}

pub async fn exec(t: &TestPostgres, statement: &str) {
    let mut conn = sql(t).await;
    sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

pub async fn get(t: &TestPostgres, id: TaskId) -> Task {
    t.get(id).await.unwrap().unwrap()
}
