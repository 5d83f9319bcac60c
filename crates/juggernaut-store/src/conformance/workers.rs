//! The worker registry: register, heartbeat with idle reasons, deregister, lost workers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use crate::WorkerRegistration;
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::worker::{Role, WorkerState};
use juggernaut_core::{EventKind, TaskStatus, WorkerId};
use std::time::Duration;

fn registration(id: &str) -> WorkerRegistration {
    WorkerRegistration {
        id: WorkerId::from(id),
        roles: vec![Role::Executor, Role::Watchdog],
        kinds: vec!["noop".into()],
        concurrency: 4,
        host: "test-host".into(),
        pid: 42,
        version: "0.0.0".into(),
    }
}

/// Register, heartbeat with idle reasons, list with in-flight tasks, deregister.
pub async fn workers_register_heartbeat_and_deregister(store: S) {
    let w = registration("w1");
    store.register_worker(&w).await.unwrap();
    add(&store, task("noop")).await;
    let held = claim(&store, "w1", 1).await;
    let idle = serde_json::json!({"dispatcher": "no ready tasks of kinds noop"});
    store
        .worker_heartbeat(&w.id, WorkerState::Active, &idle)
        .await
        .unwrap();
    let list = store.list_workers().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].registration, w);
    assert_eq!(list[0].state, WorkerState::Active);
    assert_eq!(list[0].idle, idle);
    assert_eq!(list[0].in_flight, vec![held[0].id]);
    assert!(list[0].heartbeat_at >= list[0].started_at);
    store.register_worker(&w).await.unwrap();
    assert_eq!(
        store.list_workers().await.unwrap().len(),
        1,
        "re-registering is an upsert"
    );
    store.deregister_worker(&w.id).await.unwrap();
    assert!(store.list_workers().await.unwrap().is_empty());
    let unknown = store
        .worker_heartbeat(&"ghost".into(), WorkerState::Active, &idle)
        .await;
    assert!(
        unknown.is_err(),
        "a heartbeat from an unregistered worker is refused"
    );
}

/// A silent worker is marked lost; its running task is ready again at once and its old lease is
/// fenced; a later heartbeat brings the worker back.
pub async fn lost_worker_tasks_are_handed_back_and_fenced(store: S) {
    let w = registration("w1");
    store.register_worker(&w).await.unwrap();
    store.register_worker(&registration("w2")).await.unwrap();
    let t = add(&store, task("noop")).await;
    let held = claim(&store, "w1", 1).await.remove(0);
    sleep(Duration::from_millis(300)).await;
    store
        .worker_heartbeat(&"w2".into(), WorkerState::Active, &serde_json::json!({}))
        .await
        .unwrap();
    let lost = store
        .mark_lost_workers(Duration::from_millis(200), "watchdog")
        .await
        .unwrap();
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].id, w.id);
    assert_eq!(lost[0].rescued, vec![t.id]);
    assert!(
        store
            .mark_lost_workers(Duration::from_millis(200), "watchdog")
            .await
            .unwrap()
            .is_empty()
    );
    let now = store.get(t.id).await.unwrap().unwrap();
    assert_eq!((now.status, now.attempts), (TaskStatus::Ready, 1));
    assert_eq!(
        store.task_events(t.id).await.unwrap().last().unwrap().kind,
        EventKind::TaskRescued
    );
    let err = store.complete(done(&held)).await.unwrap_err();
    assert!(matches!(err, StoreError::StaleLease { .. }), "{err}");
    let states: Vec<_> = store
        .list_workers()
        .await
        .unwrap()
        .iter()
        .map(|r| r.state)
        .collect();
    assert_eq!(states, vec![WorkerState::Lost, WorkerState::Active]);
    store
        .worker_heartbeat(&w.id, WorkerState::Active, &serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(
        store.list_workers().await.unwrap()[0].state,
        WorkerState::Active
    );
}
