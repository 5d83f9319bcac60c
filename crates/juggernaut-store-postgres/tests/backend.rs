//! What only the PostgreSQL backend has: the schema-version guard, connection errors, the claim
//! plan at a large backlog, cross-process wake-ups, the dependency race the statement split exists
//! for, and id-ordered row locks.

#[allow(unused_imports)]
use chrono::Utc;
use juggernaut_core::{Evidence, NewTask, TaskKind, TaskStatus, WorkerId};
use juggernaut_store::prelude::*;
use juggernaut_store::{ClaimRequest, Completion, LeaseRef, StoreError, StoreOptions};
use juggernaut_store_postgres::PostgresStore;
use juggernaut_testkit::postgres::{TestDatabase, TestPostgres};
use sqlx::Connection;
use std::time::{Duration, Instant};

fn noop() -> NewTask {
    NewTask::new(TaskKind::new("noop").unwrap())
}

fn claim_req(limit: u32) -> ClaimRequest {
    ClaimRequest {
        worker: WorkerId::from("w"),
        kinds: vec![TaskKind::new("noop").unwrap()],
        limit,
        lease: Duration::from_secs(30),
    }
}

fn done(t: &juggernaut_core::Task) -> Completion {
    let lease = LeaseRef::of(t).unwrap();
    Completion {
        lease,
        result: serde_json::json!({}),
        evidence: vec![Evidence::HandlerRun {
            handler: "noop".into(),
            lease_token: lease.token,
            duration_us: 1,
        }],
        children: vec![],
    }
}

/// A database migrated by a newer binary is refused, and nothing is applied to it.
#[tokio::test]
async fn newer_schema_is_refused() {
    let db = TestDatabase::create().await;
    let store = PostgresStore::connect(&db.url, StoreOptions::for_tests())
        .await
        .unwrap();
    let versions: Vec<i64> = juggernaut_store_postgres::MIGRATOR
        .iter()
        .map(|m| m.version)
        .collect();
    let latest = *versions.last().unwrap();
    assert_eq!(store.migrate().await.unwrap().applied, versions);
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', true, '\\x00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let err = store.migrate().await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::SchemaTooNew {
                database: 9999,
                binary
            } if binary == latest
        ),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert_eq!(store.schema_version().await.unwrap(), 9999);
    store.close().await;
    db.remove().await;
}

/// An unreachable server is a `Connect` error within seconds, with the password redacted.
#[tokio::test]
async fn unreachable_server_fails_fast() {
    let started = Instant::now();
    let err = PostgresStore::connect(
        "postgres://postgres:hunter2@127.0.0.1:1/x",
        StoreOptions::default(),
    )
    .await
    .err()
    .expect("port 1 refuses");
    assert!(started.elapsed() < Duration::from_secs(6));
    match &err {
        StoreError::Connect { url, .. } => {
            assert_eq!(url, "postgres://postgres:***@127.0.0.1:1/x")
        }
        other => panic!("expected Connect, got {other}"),
    }
    assert!(err.is_retryable());
    assert!(!err.to_string().contains("hunter2"));
    let bad = PostgresStore::connect("postgres://h:notaport/db", StoreOptions::default())
        .await
        .err()
        .expect("bad port");
    assert!(matches!(bad, StoreError::InvalidUrl { .. }), "{bad}");
}

/// At a backlog of 50,000 ready tasks the claim statement still reads the `tasks_ready`
/// index (no plan that reads and sorts the whole ready set), and repeated claims stay fast.
/// Nothing here runs `ANALYZE`: the store refreshes the statistics it needs by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_plan_uses_ready_index_at_large_backlog() {
    let t = TestPostgres::create().await;
    let store = t.store();
    for chunk in 0..5 {
        let batch: Vec<NewTask> = (0..10_000)
            .map(|i| NewTask {
                priority: (chunk * 10_000 + i) % 7,
                ..noop()
            })
            .collect();
        store.enqueue_batch(batch).await.unwrap();
    }
    let mut conn = sqlx::PgConnection::connect(t.url()).await.unwrap();
    let started = Instant::now();
    loop {
        let analyzed: bool = sqlx::query_scalar(
            "SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL \
             FROM pg_stat_user_tables WHERE relname = 'tasks'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        if analyzed {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the store refreshes statistics after a large enqueue"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    conn.close().await.unwrap();
    let plan = store.explain_claim(&claim_req(100)).await.unwrap();
    assert!(plan.contains("Index Scan using tasks_ready"), "{plan}");
    assert!(!plan.contains("Sort Key: tasks"), "{plan}");
    // Several claims on one connection: a prepared statement switches to a generic plan
    // after five executions; it must stay on the index.
    let mut slowest = Duration::ZERO;
    for _ in 0..8 {
        let started = Instant::now();
        let got = store.claim(&claim_req(100)).await.unwrap();
        slowest = slowest.max(started.elapsed());
        assert_eq!(got.len(), 100);
        assert!(got.iter().all(|t| t.priority == 6));
        assert!(got.windows(2).all(|w| w[0].id < w[1].id));
    }
    println!("slowest claim of 100 at a 50,000 backlog: {slowest:?}");
    t.close().await;
}

/// An enqueue through one store wakes the work signal of another store on the same database
/// (another process), also after the listener's connection was killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_wakes_other_stores_and_survives_reconnect() {
    let a = TestPostgres::create().await;
    let b = PostgresStore::connect(a.url(), StoreOptions::for_tests())
        .await
        .unwrap();
    let signal = b.work_signal().await.unwrap();
    let wait = |signal: std::sync::Arc<tokio::sync::Notify>| {
        tokio::spawn(async move {
            tokio::time::timeout(Duration::from_secs(5), signal.notified())
                .await
                .is_ok()
        })
    };
    // Let the listener connect (it fires once when it has).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let waiter = wait(signal.clone());
    tokio::time::sleep(Duration::from_millis(100)).await;
    a.enqueue(noop()).await.unwrap();
    assert!(waiter.await.unwrap(), "woken by the other store's enqueue");

    let mut conn = sqlx::PgConnection::connect(a.url()).await.unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(killed, vec![true]);
    conn.close().await.unwrap();
    // The listener notices, reconnects, fires once; then it hears enqueues again.
    let mut heard = false;
    for _ in 0..20 {
        let waiter = wait(signal.clone());
        tokio::time::sleep(Duration::from_millis(100)).await;
        a.enqueue(noop()).await.unwrap();
        if waiter.await.unwrap() {
            heard = true;
            break;
        }
    }
    assert!(heard, "the listener came back");
    b.close().await;
    a.close().await;
}

/// A dependency completing while a dependent is being enqueued: whichever wins the row lock,
/// the dependent ends up ready with no unfinished dependency.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn completion_racing_a_dependent_enqueue_frees_it() {
    let t = std::sync::Arc::new(TestPostgres::create().await);
    for _ in 0..40 {
        let dep = t.enqueue(noop()).await.unwrap().task;
        let claimed = t.claim(&claim_req(1)).await.unwrap().remove(0);
        assert_eq!(claimed.id, dep.id);
        let (t1, t2) = (t.clone(), t.clone());
        let completing = tokio::spawn(async move { t1.complete(done(&claimed)).await });
        let enqueuing = tokio::spawn(async move {
            t2.enqueue(NewTask {
                depends_on: vec![dep.id],
                ..noop()
            })
            .await
        });
        completing.await.unwrap().unwrap();
        let child = enqueuing.await.unwrap().unwrap().task;
        let now = t.get(child.id).await.unwrap().unwrap();
        assert_eq!((now.status, now.pending_deps), (TaskStatus::Ready, 0));
        let c = t.claim(&claim_req(1)).await.unwrap().remove(0);
        t.complete(done(&c)).await.unwrap();
    }
    t.close().await;
}

/// One worker's completer and lease keeper touch the same running tasks at once, each in an
/// order of its own (arrival order, a hash map's order). Both lock in id order, so they queue
/// behind each other: no call may fail with `deadlock detected`, and the server counts none.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batch_completion_and_lease_extension_never_deadlock() {
    let t = std::sync::Arc::new(TestPostgres::create().await);
    let tasks: Vec<_> = (0..3000).map(|_| noop()).collect();
    t.enqueue_batch(tasks).await.unwrap();
    let mut claimed = Vec::new();
    while claimed.len() < 3000 {
        claimed.extend(t.claim(&claim_req(1000)).await.unwrap());
    }
    // Completions arrive newest first; heartbeats name the leases in a scrambled order.
    claimed.sort_by_key(|c| std::cmp::Reverse(c.id));
    let mut leases: Vec<LeaseRef> = claimed.iter().map(|c| LeaseRef::of(c).unwrap()).collect();
    leases.sort_by_key(|l| (l.task_id.0 * 7919) % 3001);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut beats = Vec::new();
    for k in 0..2 {
        let (t, stop, mut leases) = (t.clone(), stop.clone(), leases.clone());
        if k == 1 {
            leases.reverse();
        }
        beats.push(tokio::spawn(async move {
            let mut calls = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                t.heartbeat(&WorkerId::from("w"), &leases, Duration::from_secs(30))
                    .await
                    .unwrap_or_else(|e| panic!("heartbeat: {e}"));
                calls += 1;
            }
            calls
        }));
    }
    for chunk in claimed.chunks(60) {
        let results = t
            .complete_batch(chunk.iter().map(done).collect())
            .await
            .unwrap_or_else(|e| panic!("complete: {e}"));
        assert!(results.iter().all(Result::is_ok));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for b in beats {
        assert!(b.await.unwrap() > 0, "the heartbeats ran alongside");
    }
    let mut conn = sqlx::PgConnection::connect(t.url()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let deadlocks: i64 = sqlx::query_scalar(
        "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(deadlocks, 0, "the server counted deadlocks");
    conn.close().await.unwrap();
    t.close().await;
}
