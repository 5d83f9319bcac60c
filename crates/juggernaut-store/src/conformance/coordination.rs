//! Coordination: the worker registry, leader election, release, run-time limits, schedules,
//! pruning.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::support::*;
use crate::api::{LeaseRef, TaskFilter};
use crate::coordination::WorkerRegistration;
use crate::error::StoreError;
use juggernaut_core::schedule::NewSchedule;
use juggernaut_core::worker::{Role, WorkerState};
use juggernaut_core::{EventKind, Origin, TaskStatus, WorkerId};
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

fn schedule(name: &str, cron: &str) -> NewSchedule {
    NewSchedule {
        name: name.into(),
        cron: cron.into(),
        kind: kind("noop"),
        title: format!("{name} run"),
        input: serde_json::json!({"from": name}),
        priority: 3,
        max_attempts: 2,
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

/// One leader at a time; it renews; another takes over after expiry; resigning frees it.
pub async fn leadership_is_exclusive_and_moves_on_expiry(store: S) {
    let (a, b) = (WorkerId::from("a"), WorkerId::from("b"));
    let ttl = Duration::from_millis(300);
    assert!(store.try_lead("engine", &a, ttl).await.unwrap());
    assert!(!store.try_lead("engine", &b, ttl).await.unwrap());
    assert!(
        store.try_lead("other", &b, ttl).await.unwrap(),
        "leaderships are independent"
    );
    let first = store.leader("engine").await.unwrap().unwrap();
    assert_eq!(first.holder, a);
    sleep(Duration::from_millis(150)).await;
    assert!(
        store.try_lead("engine", &a, ttl).await.unwrap(),
        "the holder renews"
    );
    let renewed = store.leader("engine").await.unwrap().unwrap();
    assert_eq!(renewed.acquired_at, first.acquired_at);
    assert!(renewed.expires_at > first.expires_at);
    sleep(Duration::from_millis(400)).await;
    assert!(
        store.leader("engine").await.unwrap().is_none(),
        "expired leadership is nobody's"
    );
    assert!(store.try_lead("engine", &b, ttl).await.unwrap());
    assert_eq!(store.leader("engine").await.unwrap().unwrap().holder, b);
    store.resign("engine", &a).await.unwrap();
    assert_eq!(
        store.leader("engine").await.unwrap().unwrap().holder,
        b,
        "only the holder resigns"
    );
    store.resign("engine", &b).await.unwrap();
    assert!(store.leader("engine").await.unwrap().is_none());
}

/// Racing candidates: exactly one wins.
pub async fn concurrent_try_lead_elects_one(store: S) {
    let mut handles = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            store
                .try_lead(
                    "engine",
                    &WorkerId(format!("n{i}")),
                    Duration::from_secs(30),
                )
                .await
                .unwrap()
        }));
    }
    let mut winners = 0;
    for h in handles {
        winners += usize::from(h.await.unwrap());
    }
    assert_eq!(winners, 1);
}

/// A released task is ready again at once and the attempt does not count; stale leases are
/// skipped.
pub async fn release_does_not_count_the_attempt(store: S) {
    let t = add(&store, task("noop")).await;
    let held = claim(&store, "w", 1).await.remove(0);
    let stale = LeaseRef {
        task_id: t.id,
        token: lease(&held).token - 1,
    };
    assert!(store.release(&[stale], "w").await.unwrap().is_empty());
    assert_eq!(
        store.release(&[lease(&held)], "w").await.unwrap(),
        vec![t.id]
    );
    let now = store.get(t.id).await.unwrap().unwrap();
    assert_eq!((now.status, now.attempts), (TaskStatus::Ready, 0));
    assert_eq!(
        store.task_events(t.id).await.unwrap().last().unwrap().kind,
        EventKind::TaskReleased
    );
    assert!(matches!(
        store.complete(done(&held)).await,
        Err(StoreError::StaleLease { .. })
    ));
    assert!(store.release(&[], "w").await.unwrap().is_empty());
}

/// An attempt running past the limit fails (and retries); younger ones are left alone.
pub async fn overdue_attempts_time_out(store: S) {
    let t = add(&store, task("noop")).await;
    let held = claim(&store, "w", 1).await.remove(0);
    assert!(
        store
            .time_out_overdue(Duration::from_secs(60), "watchdog")
            .await
            .unwrap()
            .is_empty()
    );
    sleep(Duration::from_millis(300)).await;
    assert_eq!(
        store
            .time_out_overdue(Duration::from_millis(200), "watchdog")
            .await
            .unwrap(),
        vec![t.id]
    );
    let now = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(now.status, TaskStatus::Pending);
    assert!(now.last_error.unwrap().contains("run-time limit"));
    let last = store.task_events(t.id).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.kind, last.actor.as_str()),
        (EventKind::TaskTimedOut, "watchdog")
    );
    assert!(matches!(
        store.complete(done(&held)).await,
        Err(StoreError::StaleLease { .. })
    ));
}

/// Schedules: add with a first fire time, list, refuse duplicates and bad cron, remove.
pub async fn schedules_are_added_listed_and_removed(store: S) {
    let before = store.now().await.unwrap();
    let s = store
        .add_schedule(schedule("nightly", "0 3 * * *"), "ops")
        .await
        .unwrap();
    assert!(s.next_fire_at > before);
    assert_eq!(
        (s.name.as_str(), s.priority, s.max_attempts),
        ("nightly", 3, 2)
    );
    let dup = store
        .add_schedule(schedule("nightly", "* * * * *"), "ops")
        .await
        .unwrap_err();
    assert!(
        dup.to_string()
            .contains("a schedule named `nightly` already exists"),
        "{dup}"
    );
    let bad = store
        .add_schedule(schedule("bad", "every day"), "ops")
        .await
        .unwrap_err();
    assert!(
        matches!(bad, StoreError::Domain(_)) && bad.to_string().contains("every day"),
        "{bad}"
    );
    store
        .add_schedule(schedule("a-first", "*/5 * * * *"), "ops")
        .await
        .unwrap();
    let names: Vec<_> = store
        .list_schedules()
        .await
        .unwrap()
        .valid
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, vec!["a-first", "nightly"]);
    let poison = NewSchedule {
        max_attempts: 0,
        ..schedule("poison", "* * * * * *")
    };
    let refused = store.add_schedule(poison, "ops").await.unwrap_err();
    assert!(refused.to_string().contains("max_attempts"), "{refused}");
    assert!(store.remove_schedule("nightly", "ops").await.unwrap());
    assert!(!store.remove_schedule("nightly", "ops").await.unwrap());
    let left = store.list_schedules().await.unwrap();
    assert_eq!((left.valid.len(), left.invalid.len()), (1, 0));
}

/// A fire time creates its task once, however many callers race for it.
pub async fn schedule_fires_once_per_fire_time(store: S) {
    let s = store
        .add_schedule(schedule("tick", "* * * * * *"), "ops")
        .await
        .unwrap();
    let fire_at = s.next_fire_at;
    let next = fire_at + chrono::Duration::seconds(1);
    let mut handles = Vec::new();
    for i in 0..4 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            store
                .fire_schedule(s.id, fire_at, next, &format!("node{i}"))
                .await
                .unwrap()
        }));
    }
    let mut fired = Vec::new();
    for h in handles {
        fired.extend(h.await.unwrap());
    }
    assert_eq!(fired.len(), 1, "exactly one node fired");
    let t = store.get(fired[0]).await.unwrap().unwrap();
    assert_eq!(
        (t.origin, t.priority, t.title.as_str()),
        (Origin::Schedule, 3, "tick run")
    );
    assert_eq!(t.input["from"], "tick");
    let after = store.list_schedules().await.unwrap().valid.remove(0);
    assert_eq!(
        (after.next_fire_at, after.last_fired_at, after.last_task_id),
        (next, Some(fire_at), Some(t.id))
    );
    assert!(
        store
            .fire_schedule(s.id, fire_at, next, "late")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .fire_schedule(s.id, next, next + chrono::Duration::seconds(1), "n")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 2);
}

/// Pruning deletes old terminal tasks and their events, nothing else.
pub async fn prune_removes_only_old_terminal_tasks(store: S) {
    let old = add(&store, task("noop")).await;
    let c = claim(&store, "w", 1).await;
    store.complete(done(&c[0])).await.unwrap();
    let live = add(&store, task("noop")).await;
    assert_eq!(
        store
            .prune_terminal(Duration::from_secs(3600), "janitor")
            .await
            .unwrap(),
        0
    );
    sleep(Duration::from_millis(100)).await;
    assert_eq!(
        store
            .prune_terminal(Duration::from_millis(50), "janitor")
            .await
            .unwrap(),
        1
    );
    assert!(store.get(old.id).await.unwrap().is_none());
    assert!(store.task_events(old.id).await.unwrap().is_empty());
    assert_eq!(status(&store, live.id).await, TaskStatus::Ready);
}
