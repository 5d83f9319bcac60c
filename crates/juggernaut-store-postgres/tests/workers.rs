//! The worker registry across processes: the database clock, registration, lost workers and
//! their fenced leases, racing watchdogs.

use crate::support::*;
#[allow(unused_imports)]
use chrono::Utc;
use juggernaut_core::worker::WorkerState;
use juggernaut_core::{NewTask, TaskStatus, WorkerId};
use juggernaut_store::StoreError;
use juggernaut_testkit::postgres::TestPostgres;
use sqlx::Connection;
use std::collections::HashSet;
use std::time::Duration;
/// `now` is the database's clock, not this process's.
#[tokio::test]
async fn now_is_the_database_clock() {
    let t = TestPostgres::create().await;
    let mut conn = sql(&t).await;
    let before: chrono::DateTime<Utc> = sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let now = t.now().await.unwrap();
    let after: chrono::DateTime<Utc> = sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    assert!(
        before <= now && now <= after,
        "{before} <= {now} <= {after}"
    );
    t.close().await;
}

/// Register, re-register (an upsert that keeps `started_at`), heartbeat with a state and idle
/// reasons, list with in-flight tasks, deregister; each audited as SQLite does.
#[tokio::test]
async fn workers_register_heartbeat_list_and_deregister() {
    let t = TestPostgres::create().await;
    let w = registration("w1");
    t.register_worker(&w).await.unwrap();
    let a = t.enqueue(noop()).await.unwrap().task;
    let held = claim(&t, "w1", 1).await;
    assert_eq!(held[0].id, a.id);
    let first = t.list_workers().await.unwrap().remove(0);
    assert_eq!(first.registration, w);
    assert_eq!(first.state, WorkerState::Active);
    assert_eq!(first.in_flight, vec![a.id]);
    assert_eq!(first.idle, serde_json::json!({}));

    let idle = serde_json::json!({"dispatcher": "draining"});
    t.worker_heartbeat(&w.id, WorkerState::Draining, &idle)
        .await
        .unwrap();
    let beat = t.list_workers().await.unwrap().remove(0);
    assert_eq!((beat.state, &beat.idle), (WorkerState::Draining, &idle));
    assert!(beat.heartbeat_at > first.heartbeat_at);

    t.register_worker(&w).await.unwrap();
    let again = t.list_workers().await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].state, WorkerState::Active);
    assert_eq!(again[0].started_at, first.started_at);

    let err = t
        .worker_heartbeat(&"ghost".into(), WorkerState::Active, &idle)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ghost"), "{err}");

    t.deregister_worker(&w.id).await.unwrap();
    assert!(t.list_workers().await.unwrap().is_empty());
    let registered = events(&t, "worker.registered").await;
    assert_eq!(registered.len(), 2);
    assert_eq!(registered[0].0, "w1");
    assert_eq!(
        registered[0].1,
        serde_json::json!({"worker": "w1", "details": {
            "roles": ["executor"], "concurrency": 8, "host": "h1", "pid": 4242}})
    );
    let stopped = events(&t, "worker.stopped").await;
    assert_eq!(
        stopped,
        vec![(
            "w1".to_owned(),
            serde_json::json!({"worker": "w1", "details": {}})
        )]
    );
    assert!(events(&t, "worker.recovered").await.is_empty());
    t.close().await;
}

/// A silent worker is marked lost: its running tasks go back to ready (or dead when out of
/// attempts, blocking their dependents) at once, its old leases are fenced, and other
/// workers are left alone. A heartbeat brings it back; its old lease stays fenced.
#[tokio::test]
async fn mark_lost_workers_hands_tasks_back_and_fences_old_leases() {
    let t = TestPostgres::create().await;
    t.register_worker(&registration("w1")).await.unwrap();
    t.register_worker(&registration("w2")).await.unwrap();
    let retried = t.enqueue(attempts(3)).await.unwrap().task;
    let last_try = t.enqueue(attempts(1)).await.unwrap().task;
    let held = claim(&t, "w1", 2).await;
    assert_eq!(held.len(), 2);
    let dependent = t
        .enqueue(NewTask {
            depends_on: vec![last_try.id],
            ..noop()
        })
        .await
        .unwrap()
        .task;
    let other = t.enqueue(noop()).await.unwrap().task;
    let others = claim(&t, "w2", 1).await;
    assert_eq!(others[0].id, other.id);
    exec(
        &t,
        "UPDATE workers SET heartbeat_at = now() - interval '1 hour' WHERE id = 'w1'",
    )
    .await;

    let lost = t
        .mark_lost_workers(Duration::from_secs(60), "watchdog")
        .await
        .unwrap();
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].id, WorkerId::from("w1"));
    assert_eq!(lost[0].rescued, vec![retried.id]);
    assert_eq!(lost[0].dead, vec![last_try.id]);
    assert!(
        t.mark_lost_workers(Duration::from_secs(60), "watchdog")
            .await
            .unwrap()
            .is_empty(),
        "a lost worker is found lost once"
    );

    let back = get(&t, retried.id).await;
    assert_eq!((back.status, back.attempts), (TaskStatus::Ready, 1));
    assert!(back.lease.is_none());
    assert!(
        back.last_error
            .as_deref()
            .unwrap()
            .starts_with("worker lost (holder w1, attempt 1)")
    );
    assert_eq!(get(&t, last_try.id).await.status, TaskStatus::Dead);
    assert_eq!(get(&t, dependent.id).await.status, TaskStatus::Blocked);
    assert_eq!(get(&t, other.id).await.status, TaskStatus::Running);

    let old = held.iter().find(|h| h.id == retried.id).unwrap();
    let err = t.complete(done(old)).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::StaleLease {
                status: TaskStatus::Ready,
                ..
            }
        ),
        "{err}"
    );
    let rescued = t.task_events(retried.id).await.unwrap();
    let last = rescued.last().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.actor.as_str()),
        ("task.rescued", "watchdog")
    );
    assert_eq!(
        events(&t, "worker.lost").await,
        vec![(
            "watchdog".to_owned(),
            serde_json::json!({"worker": "w1", "details": {
                "rescued": [retried.id], "dead": [last_try.id], "by": "watchdog"}})
        )]
    );
    let states: Vec<_> = t
        .list_workers()
        .await
        .unwrap()
        .into_iter()
        .map(|w| (w.registration.id.0, w.state, w.in_flight))
        .collect();
    assert_eq!(
        states,
        vec![
            ("w1".to_owned(), WorkerState::Lost, vec![]),
            ("w2".to_owned(), WorkerState::Active, vec![other.id]),
        ]
    );

    t.worker_heartbeat(&"w1".into(), WorkerState::Active, &serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(
        t.list_workers().await.unwrap()[0].state,
        WorkerState::Active
    );
    assert_eq!(events(&t, "worker.recovered").await.len(), 1);
    assert!(matches!(
        t.complete(done(old)).await,
        Err(StoreError::StaleLease { .. })
    ));
    t.close().await;
}

/// Several processes look for lost workers at once: each lost worker is reported once, each
/// of its tasks handed back once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_mark_lost_reports_each_worker_once() {
    let t = TestPostgres::create().await;
    for round in 0..5 {
        let ids: Vec<String> = (0..6).map(|i| format!("r{round}w{i}")).collect();
        for id in &ids {
            t.register_worker(&registration(id)).await.unwrap();
            t.enqueue(noop()).await.unwrap();
            assert_eq!(claim(&t, id, 1).await.len(), 1);
        }
        exec(
            &t,
            "UPDATE workers SET heartbeat_at = now() - interval '1 hour' WHERE state <> 'lost'",
        )
        .await;
        let peers = peers(&t, 4).await;
        let handles: Vec<_> = peers
            .iter()
            .cloned()
            .map(|p| {
                tokio::spawn(async move {
                    p.mark_lost_workers(Duration::from_secs(60), "watchdog")
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut workers = Vec::new();
        let mut tasks = Vec::new();
        for h in handles {
            for lost in h.await.unwrap() {
                workers.push(lost.id.0);
                tasks.extend(lost.rescued);
            }
        }
        close_all(peers).await;
        workers.sort();
        assert_eq!(workers, ids, "each lost worker reported once");
        assert_eq!(tasks.len(), 6);
        assert_eq!(tasks.iter().collect::<HashSet<_>>().len(), 6);
        for task in tasks {
            assert_eq!(get(&t, task).await.status, TaskStatus::Ready);
        }
        // Finish them, so that the next round starts from an empty ready queue.
        let reclaimed = claim(&t, "sweeper", 10).await;
        assert_eq!(reclaimed.len(), 6);
        for c in &reclaimed {
            t.complete(done(c)).await.unwrap();
        }
    }
    assert_eq!(events(&t, "task.rescued").await.len(), 30);
    assert_eq!(events(&t, "worker.lost").await.len(), 30);
    t.close().await;
}
