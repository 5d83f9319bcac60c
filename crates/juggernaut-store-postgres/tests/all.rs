//! Integration tests of the PostgreSQL store: the shared conformance suite on a fresh database per
//! test, then what only this backend has: the schema-version guard, connection errors, the claim
//! plan at a large backlog, cross-process wake-ups, and the dependency race the statement split
//! exists for.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_testkit::fresh_postgres;

juggernaut_store::conformance_suite!(fresh_postgres);

mod backend {
    use juggernaut_core::{Evidence, NewTask, TaskKind, TaskStatus, WorkerId};
    use juggernaut_store::{ClaimRequest, Completion, LeaseRef, Store, StoreError, StoreOptions};
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
        }
    }

    /// A database migrated by a newer binary is refused, and nothing is applied to it.
    #[tokio::test]
    async fn newer_schema_is_refused() {
        let db = TestDatabase::create().await;
        let store = PostgresStore::connect(&db.url, StoreOptions::for_tests())
            .await
            .unwrap();
        assert_eq!(store.migrate().await.unwrap().applied, vec![1]);
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
                    binary: 1
                }
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
}
