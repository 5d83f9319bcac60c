//! Crash safety with real `juggernaut` processes on a fresh PostgreSQL database per test: a worker
//! killed with SIGKILL mid-run loses no task and none completes twice; a silent worker's task is
//! run again within seconds, long before its lease lapses; an engine whose database connections
//! are all killed reconnects and finishes the work.
//!
//! Every child process is SIGKILLed and reaped when its guard drops (also when a test panics, in
//! which case the tail of its log is printed), and the database is dropped afterwards.

use juggernaut_core::worker::Role;
use juggernaut_core::{EventKind, NewTask, TaskStatus, WorkerId};
use juggernaut_store::prelude::*;
use juggernaut_store::{ClaimRequest, TaskFilter, WorkerRegistration};
use sqlx::Connection;
use std::time::{Duration, Instant};

use crate::cluster::*;

/// Tasks the two processes share in the kill test.
const TASKS: usize = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_process_shares_the_work_of_up_and_a_killed_worker_loses_nothing() {
    let began = Instant::now();
    let c = Cluster::new().await;
    let (up_port, worker_port) = (free_port(), free_port());
    let mut up = c.spawn(
        "up",
        &["up", "--listen", &listen(up_port), "--concurrency", "4"],
    );
    let mut worker = c.spawn(
        "worker",
        &[
            "worker",
            "--roles",
            "executor",
            "--concurrency",
            "4",
            "--listen",
            &listen(worker_port),
        ],
    );
    for port in [up_port, worker_port] {
        eventually("/healthz", 30, async || healthy(port).then_some(())).await;
    }
    let store = c.store().await;
    let worker_pid = worker.pid();
    let worker_id = eventually("the worker's registration", 30, async || {
        let all = store.list_workers().await.ok()?;
        all.into_iter()
            .find(|w| w.registration.pid == worker_pid)
            .map(|w| w.registration.id)
    })
    .await;

    // Enough that a backlog is left when both have started: a worker finishes a result while
    // its batch is written, so a small backlog could be drained before the kill.
    let ids = enqueue_noops(&store, TASKS, 500).await;
    eventually("both processes completing tasks", 30, async || {
        (completed_by(up_port)? > 0 && completed_by(worker_port)? > 0).then_some(())
    })
    .await;
    worker.kill_hard();
    let killed = Instant::now();
    let held = store
        .list_workers()
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.registration.id == worker_id)
        .map(|w| w.in_flight.len())
        .unwrap_or(0);
    assert!(held > 0, "the worker was killed holding tasks");

    eventually("every task completed", 30, async || {
        (count(&store, TaskStatus::Completed).await? == TASKS as u64).then_some(())
    })
    .await;
    let recovered = killed.elapsed();
    assert_eq!(
        store.count(&TaskFilter::default()).await.unwrap(),
        TASKS as u64,
        "no task appeared or vanished"
    );
    let by = completions_by_worker(&store, &ids).await;
    assert!(
        by.get(&worker_id.0).is_some_and(|n| *n > 0),
        "the worker process shared the work: {by:?}"
    );
    assert_eq!(by.values().sum::<usize>(), TASKS);
    eventually("the killed worker shown as lost", 20, async || {
        (worker_state(&c, &worker_id)? == "lost").then_some(())
    })
    .await;
    assert!(up.alive(), "up kept running");
    eprintln!(
        "killed worker held {held} tasks; all {TASKS} completed {recovered:?} after the kill; \
         completions by worker: {by:?}; test took {:?}",
        began.elapsed()
    );
    store.close().await;
    drop((up, worker));
    c.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_workers_task_is_rerun_within_seconds() {
    let began = Instant::now();
    let c = Cluster::new().await;
    let store = c.store().await;
    let ghost = WorkerId("ghost-that-never-heartbeats".into());
    store
        .register_worker(&WorkerRegistration {
            id: ghost.clone(),
            roles: vec![Role::Executor],
            kinds: vec!["noop".into()],
            concurrency: 1,
            host: "nowhere".into(),
            pid: 1,
            version: "0.0.0".into(),
        })
        .await
        .unwrap();
    let id = store.enqueue(NewTask::new(noop())).await.unwrap().task.id;
    let held = store
        .claim(&ClaimRequest {
            worker: ghost.clone(),
            kinds: vec![noop()],
            limit: 1,
            lease: Duration::from_secs(3600),
        })
        .await
        .unwrap();
    assert_eq!(held.iter().map(|t| t.id).collect::<Vec<_>>(), vec![id]);

    let started = Instant::now();
    let port = free_port();
    let mut up = c.spawn("up", &["up", "--listen", &listen(port)]);
    eventually("the held task completed", 20, async || {
        let t = store.get(id).await.ok()??;
        (t.status == TaskStatus::Completed).then_some(())
    })
    .await;
    let took = started.elapsed();

    let events = store.task_events(id).await.unwrap();
    let done: Vec<_> = events
        .iter()
        .filter(|e| e.kind == EventKind::TaskCompleted)
        .collect();
    assert_eq!(done.len(), 1, "{events:?}");
    assert_ne!(done[0].actor, ghost.0, "completed by the live process");
    assert_eq!(worker_state(&c, &ghost).as_deref(), Some("lost"));
    assert!(up.alive());
    eprintln!(
        "task held under a 1 h lease completed {took:?} after up started; test took {:?}",
        began.elapsed()
    );
    store.close().await;
    drop(up);
    c.remove().await;
}

/// Terminates every other connection to the database; returns how many.
async fn kill_connections(conn: &mut sqlx::PgConnection) -> usize {
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    killed.into_iter().filter(|k| *k).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_reconnect_after_their_database_connections_are_killed() {
    let began = Instant::now();
    let c = Cluster::new().await;
    let port = free_port();
    let mut up = c.spawn("up", &["up", "--listen", &listen(port)]);
    eventually("/healthz", 30, async || healthy(port).then_some(())).await;
    let mut killer = sqlx::PgConnection::connect(&c.db.url).await.unwrap();
    let mut ids = Vec::new();
    let mut kills = Vec::new();
    let mut outstanding = Vec::new();
    for batch in 0..6 {
        // A pool of its own per batch: the kills would take the test's connections too.
        let store = c.store().await;
        ids.extend(enqueue_noops(&store, 500, 500).await);
        store.close().await;
        if batch % 2 == 0 {
            // Right after the enqueue, so the engine is mid-batch when its connections go.
            let done_before = completed_by(port).unwrap_or(0);
            kills.push(kill_connections(&mut killer).await);
            outstanding.push(ids.len() as u64 - done_before.min(ids.len() as u64));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        kills.iter().all(|n| *n > 0),
        "each kill hit the engine's connections: {kills:?}"
    );
    let last_kill = Instant::now();

    let store = c.store().await;
    eventually("every task completed", 40, async || {
        (count(&store, TaskStatus::Completed).await? == 3_000).then_some(())
    })
    .await;
    let recovered = last_kill.elapsed();
    assert!(up.alive(), "up survived losing its connections");
    let by = completions_by_worker(&store, &ids).await;
    assert_eq!(by.values().sum::<usize>(), 3_000);
    eventually("/healthz after the kills", 10, async || {
        healthy(port).then_some(())
    })
    .await;
    let log = std::fs::read_to_string(&up.log).unwrap_or_default();
    eprintln!(
        "connections killed {kills:?} with {outstanding:?} tasks not yet completed; all 3000 \
         completed {recovered:?} after the last kill; up logged {} warnings; test took {:?}",
        log.matches("WARN").count(),
        began.elapsed()
    );
    store.close().await;
    killer.close().await.unwrap();
    drop(up);
    c.remove().await;
}
