//! Integration tests of the PostgreSQL store: the shared conformance suite (task store and
//! coordination) on a fresh database per test, then what only this backend has: the schema-version
//! guard, connection errors, the claim plan at a large backlog, cross-process wake-ups, and the
//! dependency race the statement split exists for; then each coordination operation on its own,
//! with the races between processes it must survive, and the schema's lockstep with SQLite's.
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
}

/// Each [`Coordination`](juggernaut_store::Coordination) operation on a fresh database, with the
/// races between processes (several stores on one database) it must survive.
mod coordination {
    use chrono::Utc;
    use juggernaut_core::schedule::NewSchedule;
    use juggernaut_core::worker::{Role, WorkerState};
    use juggernaut_core::{
        DomainError, Evidence, NewTask, Origin, Task, TaskId, TaskKind, TaskStatus, WorkerId,
    };
    use juggernaut_store::{
        ClaimRequest, Completion, Coordination, LeaseRef, Store, StoreError, StoreOptions,
        WorkerRegistration,
    };
    use juggernaut_store_postgres::PostgresStore;
    use juggernaut_testkit::postgres::TestPostgres;
    use sqlx::{Connection, PgConnection};
    use std::collections::HashSet;
    use std::sync::Arc;
    use std::time::Duration;

    fn noop() -> NewTask {
        NewTask::new(TaskKind::new("noop").unwrap())
    }

    fn attempts(n: u32) -> NewTask {
        NewTask {
            max_attempts: n,
            ..noop()
        }
    }

    async fn claim(store: &impl Store, worker: &str, limit: u32) -> Vec<Task> {
        let req = ClaimRequest {
            worker: WorkerId::from(worker),
            kinds: vec![TaskKind::new("noop").unwrap()],
            limit,
            lease: Duration::from_secs(30),
        };
        store.claim(&req).await.unwrap()
    }

    fn lease(t: &Task) -> LeaseRef {
        LeaseRef::of(t).unwrap()
    }

    fn done(t: &Task) -> Completion {
        Completion {
            lease: lease(t),
            result: serde_json::json!({}),
            evidence: vec![Evidence::HandlerRun {
                handler: "noop".into(),
                lease_token: lease(t).token,
                duration_us: 1,
            }],
        }
    }

    fn registration(id: &str) -> WorkerRegistration {
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

    fn schedule(name: &str, cron: &str) -> NewSchedule {
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
    async fn peers(t: &TestPostgres, n: usize) -> Vec<Arc<PostgresStore>> {
        let mut out = Vec::new();
        for _ in 0..n {
            let s = PostgresStore::connect(t.url(), StoreOptions::for_tests())
                .await
                .unwrap();
            out.push(Arc::new(s));
        }
        out
    }

    async fn close_all(peers: Vec<Arc<PostgresStore>>) {
        for p in peers {
            p.close().await;
        }
    }

    async fn sql(t: &TestPostgres) -> PgConnection {
        PgConnection::connect(t.url()).await.unwrap()
    }

    /// (actor, data) of every event of `kind`, in order.
    async fn events(t: &TestPostgres, kind: &str) -> Vec<(String, serde_json::Value)> {
        let mut conn = sql(t).await;
        let rows = sqlx::query_as("SELECT actor, data FROM events WHERE kind = $1 ORDER BY id")
            .bind(kind)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        rows
    }

    async fn exec(t: &TestPostgres, statement: &str) {
        let mut conn = sql(t).await;
        sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }

    async fn get(t: &TestPostgres, id: TaskId) -> Task {
        t.get(id).await.unwrap().unwrap()
    }

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

    /// Two processes racing for a free leadership: exactly one wins, and one `leader.elected` is
    /// written. Repeated on fresh names so that the race is real.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_try_lead_elects_exactly_one() {
        let t = TestPostgres::create().await;
        let peers = peers(&t, 2).await;
        for round in 0..25 {
            let name = format!("engine{round}");
            let handles: Vec<_> = peers
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, p)| {
                    let name = name.clone();
                    tokio::spawn(async move {
                        let me = WorkerId(format!("n{i}"));
                        let won = p
                            .try_lead(&name, &me, Duration::from_secs(30))
                            .await
                            .unwrap();
                        won.then_some(me)
                    })
                })
                .collect();
            let mut winners = Vec::new();
            for h in handles {
                winners.extend(h.await.unwrap());
            }
            assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
            let leader = t.leader(&name).await.unwrap().unwrap();
            assert_eq!(leader.holder, winners[0]);
        }
        close_all(peers).await;
        let elected = events(&t, "leader.elected").await;
        assert_eq!(elected.len(), 25);
        assert_eq!(elected[0].1, serde_json::json!({"leadership": "engine0"}));
        t.close().await;
    }

    /// The holder renews (no new event); after its ttl expires another takes over (an event),
    /// and the old holder is then refused; a race for an expired leadership also elects one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn leadership_is_taken_over_after_the_ttl_expires() {
        let t = TestPostgres::create().await;
        let (a, b) = (WorkerId::from("a"), WorkerId::from("b"));
        let ttl = Duration::from_millis(300);
        assert!(t.try_lead("engine", &a, ttl).await.unwrap());
        let first = t.leader("engine").await.unwrap().unwrap();
        assert!(first.expires_at > first.acquired_at);
        assert!(!t.try_lead("engine", &b, ttl).await.unwrap());
        assert!(t.try_lead("engine", &a, ttl).await.unwrap(), "renewal");
        let renewed = t.leader("engine").await.unwrap().unwrap();
        assert_eq!(renewed.acquired_at, first.acquired_at);
        assert!(renewed.expires_at > first.expires_at);
        assert_eq!(events(&t, "leader.elected").await.len(), 1);

        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(t.leader("engine").await.unwrap().is_none());
        assert!(t.try_lead("engine", &b, ttl).await.unwrap(), "takeover");
        assert!(!t.try_lead("engine", &a, ttl).await.unwrap());
        let now = t.leader("engine").await.unwrap().unwrap();
        assert_eq!(now.holder, b);
        assert!(now.acquired_at > first.acquired_at);
        let elected = events(&t, "leader.elected").await;
        assert_eq!(
            elected.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );

        t.resign("engine", &a).await.unwrap();
        assert_eq!(t.leader("engine").await.unwrap().unwrap().holder, b);
        t.resign("engine", &b).await.unwrap();
        assert!(t.leader("engine").await.unwrap().is_none());

        // Expired, then raced by two processes.
        assert!(
            t.try_lead("engine", &a, Duration::from_millis(50))
                .await
                .unwrap()
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
        let peers = peers(&t, 2).await;
        let handles: Vec<_> = peers
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, p)| {
                tokio::spawn(async move {
                    p.try_lead(
                        "engine",
                        &WorkerId(format!("c{i}")),
                        Duration::from_secs(30),
                    )
                    .await
                    .unwrap()
                })
            })
            .collect();
        let mut winners = 0;
        for h in handles {
            winners += usize::from(h.await.unwrap());
        }
        close_all(peers).await;
        assert_eq!(winners, 1);
        t.close().await;
    }

    /// A released task is ready at once and its attempt does not count: a task with a single
    /// attempt can be claimed again after a release. Stale and repeated leases are skipped.
    #[tokio::test]
    async fn release_does_not_count_the_attempt() {
        let t = TestPostgres::create().await;
        let one = t.enqueue(attempts(1)).await.unwrap().task;
        let held = claim(&t, "w1", 1).await.remove(0);
        let stale = LeaseRef {
            task_id: one.id,
            token: lease(&held).token + 1,
        };
        assert!(t.release(&[stale], "w1").await.unwrap().is_empty());
        assert_eq!(
            t.release(&[lease(&held), lease(&held)], "w1")
                .await
                .unwrap(),
            vec![one.id]
        );
        let back = get(&t, one.id).await;
        assert_eq!((back.status, back.attempts), (TaskStatus::Ready, 0));
        assert!(back.lease.is_none());
        let mut conn = sql(&t).await;
        let started: Option<chrono::DateTime<Utc>> =
            sqlx::query_scalar("SELECT started_at FROM tasks WHERE id = $1")
                .bind(one.id.0)
                .fetch_one(&mut conn)
                .await
                .unwrap();
        conn.close().await.unwrap();
        assert!(started.is_none(), "no attempt is running");
        assert!(matches!(
            t.complete(done(&held)).await,
            Err(StoreError::StaleLease { .. })
        ));
        let released = t.task_events(one.id).await.unwrap().pop().unwrap();
        assert_eq!(
            (
                released.kind.as_str(),
                released.actor.as_str(),
                released.from_status,
                released.to_status
            ),
            (
                "task.released",
                "w1",
                Some(TaskStatus::Running),
                Some(TaskStatus::Ready)
            )
        );
        assert_eq!(
            released.data,
            serde_json::json!({"lease_token": lease(&held).token})
        );
        let again = claim(&t, "w2", 1).await.remove(0);
        assert_eq!((again.id, again.attempts), (one.id, 1));
        t.complete(done(&again)).await.unwrap();
        assert!(t.release(&[], "w2").await.unwrap().is_empty());
        t.close().await;
    }

    /// Claim records when the attempt started; an attempt running past the limit fails as the
    /// watchdog (retry, or dead when out of attempts), a younger one is left alone, and several
    /// watchdogs at once time each attempt out once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn time_out_overdue_fails_attempts_past_the_limit() {
        let t = TestPostgres::create().await;
        let retried = t.enqueue(attempts(3)).await.unwrap().task;
        let last_try = t.enqueue(attempts(1)).await.unwrap().task;
        let held = claim(&t, "w1", 2).await;
        let mut conn = sql(&t).await;
        let started: Vec<Option<chrono::DateTime<Utc>>> =
            sqlx::query_scalar("SELECT started_at FROM tasks ORDER BY id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        conn.close().await.unwrap();
        assert!(started.iter().all(Option::is_some), "claim sets started_at");
        assert!(
            t.time_out_overdue(Duration::from_secs(60), "watchdog")
                .await
                .unwrap()
                .is_empty()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        let young = t.enqueue(noop()).await.unwrap().task;
        let young_held = claim(&t, "w2", 1).await.remove(0);
        assert_eq!(young_held.id, young.id);
        let timed_out = t
            .time_out_overdue(Duration::from_millis(200), "watchdog")
            .await
            .unwrap();
        assert_eq!(timed_out, vec![retried.id, last_try.id]);

        let r = get(&t, retried.id).await;
        assert_eq!((r.status, r.attempts), (TaskStatus::Pending, 1));
        assert_eq!(
            r.last_error.as_deref(),
            Some("ran past its run-time limit of 0s (holder w1)")
        );
        assert_eq!(get(&t, last_try.id).await.status, TaskStatus::Dead);
        assert_eq!(get(&t, young.id).await.status, TaskStatus::Running);
        let ev = t.task_events(retried.id).await.unwrap().pop().unwrap();
        assert_eq!(
            (ev.kind.as_str(), ev.actor.as_str(), ev.to_status),
            ("task.timed_out", "watchdog", Some(TaskStatus::Pending))
        );
        assert_eq!(ev.data["holder"], "w1");
        assert_eq!(ev.data["attempt"], 1);
        for h in &held {
            assert!(matches!(
                t.complete(done(h)).await,
                Err(StoreError::StaleLease { .. })
            ));
        }
        t.complete(done(&young_held)).await.unwrap();

        // Several watchdogs at once.
        t.enqueue_batch((0..12).map(|_| noop()).collect())
            .await
            .unwrap();
        let mut running: Vec<TaskId> = claim(&t, "w3", 12).await.iter().map(|c| c.id).collect();
        assert_eq!(running.len(), 12);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let peers = peers(&t, 4).await;
        let handles: Vec<_> = peers
            .iter()
            .cloned()
            .map(|p| {
                tokio::spawn(async move {
                    p.time_out_overdue(Duration::from_millis(200), "watchdog")
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.await.unwrap());
        }
        close_all(peers).await;
        all.sort();
        running.sort();
        assert_eq!(all, running, "each overdue attempt timed out once");
        assert_eq!(events(&t, "task.timed_out").await.len(), 14);
        t.close().await;
    }

    /// Adding a schedule sets its first fire time from the database clock; a taken name is an
    /// invalid `name` field and changes nothing; remove says whether there was one.
    #[tokio::test]
    async fn schedules_add_list_remove_and_refuse_duplicate_names() {
        let t = TestPostgres::create().await;
        let before = t.now().await.unwrap();
        let s = t
            .add_schedule(schedule("hourly", "0 * * * *"), "ops")
            .await
            .unwrap();
        assert!(s.next_fire_at > before);
        assert!(s.next_fire_at <= before + chrono::Duration::hours(1));
        assert_eq!(
            (
                s.kind.as_str(),
                s.title.as_str(),
                s.priority,
                s.max_attempts
            ),
            ("noop", "hourly run", 2, 3)
        );
        assert_eq!(
            (s.last_fired_at, s.last_task_id, &s.input),
            (None, None, &serde_json::json!({"from": "hourly"}))
        );
        let dup = t
            .add_schedule(schedule("hourly", "* * * * *"), "ops")
            .await
            .unwrap_err();
        match &dup {
            StoreError::Domain(DomainError::InvalidField { field, reason }) => {
                assert_eq!(*field, "name");
                assert_eq!(reason, "a schedule named `hourly` already exists");
            }
            other => panic!("expected an invalid name, got {other}"),
        }
        assert!(!dup.is_retryable());
        let listed = t.list_schedules().await.unwrap();
        assert_eq!(listed.valid, vec![s.clone()]);
        assert_eq!(
            events(&t, "schedule.added").await,
            vec![(
                "ops".to_owned(),
                serde_json::json!({"schedule": "hourly", "cron": "0 * * * *"})
            )]
        );
        assert!(t.remove_schedule("hourly", "ops").await.unwrap());
        assert!(!t.remove_schedule("hourly", "ops").await.unwrap());
        assert_eq!(t.list_schedules().await.unwrap(), Default::default());
        assert_eq!(events(&t, "schedule.removed").await.len(), 1);
        // The name is free again.
        t.add_schedule(schedule("hourly", "0 * * * *"), "ops")
            .await
            .unwrap();
        t.close().await;
    }

    /// Four processes fire the same fire time: exactly one task is created, with the schedule's
    /// template, and the schedule moves on once. Repeated over several fire times.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn fire_schedule_raced_from_four_tasks_creates_one_task() {
        let t = TestPostgres::create().await;
        let s = t
            .add_schedule(schedule("tick", "* * * * * *"), "ops")
            .await
            .unwrap();
        let peers = peers(&t, 4).await;
        let mut fire_at = s.next_fire_at;
        let mut created = Vec::new();
        for _ in 0..10 {
            let next = fire_at + chrono::Duration::seconds(1);
            let handles: Vec<_> = peers
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, p)| {
                    tokio::spawn(async move {
                        p.fire_schedule(s.id, fire_at, next, &format!("node{i}"))
                            .await
                            .unwrap()
                    })
                })
                .collect();
            let mut fired = Vec::new();
            for h in handles {
                fired.extend(h.await.unwrap());
            }
            assert_eq!(fired.len(), 1, "exactly one fire for {fire_at}");
            let task = get(&t, fired[0]).await;
            assert_eq!(
                (task.origin, task.priority, task.max_attempts, task.status),
                (Origin::Schedule, 2, 3, TaskStatus::Ready)
            );
            assert_eq!(
                task.dedupe_key.as_deref(),
                Some(format!("schedule:{}:{}", s.id, fire_at.timestamp_millis()).as_str())
            );
            let after = t.list_schedules().await.unwrap().valid.remove(0);
            assert_eq!(
                (after.next_fire_at, after.last_fired_at, after.last_task_id),
                (next, Some(fire_at), Some(task.id))
            );
            created.push(task.id);
            fire_at = next;
        }
        close_all(peers).await;
        assert_eq!(t.count(&Default::default()).await.unwrap(), 10);
        assert!(
            t.fire_schedule(s.id, s.next_fire_at, fire_at, "late")
                .await
                .unwrap()
                .is_none(),
            "a past fire time fires nothing"
        );
        assert!(
            t.fire_schedule(s.id + 1, fire_at, fire_at, "x")
                .await
                .unwrap()
                .is_none(),
            "no such schedule"
        );
        let fired = events(&t, "schedule.fired").await;
        assert_eq!(fired.len(), 10);
        assert_eq!(fired[0].1["schedule"], "tick");
        assert_eq!(fired[0].1["task"], created[0].0);
        assert_eq!(
            fired[0].1["fire_at"],
            serde_json::to_value(s.next_fire_at).unwrap()
        );
        t.close().await;
    }

    /// Only terminal tasks finished before the window go, with their events (and dependency
    /// edges); live tasks, recent terminal tasks and other events stay.
    #[tokio::test]
    async fn prune_terminal_deletes_only_old_terminal_tasks_and_their_events() {
        let t = TestPostgres::create().await;
        let old_done = t.enqueue(noop()).await.unwrap().task;
        let c = claim(&t, "w", 1).await.remove(0);
        t.complete(done(&c)).await.unwrap();
        let old_cancelled = t.enqueue(noop()).await.unwrap().task;
        t.cancel(old_cancelled.id, "ops", "no").await.unwrap();
        let dependent = t
            .enqueue(NewTask {
                depends_on: vec![old_done.id],
                ..noop()
            })
            .await
            .unwrap()
            .task;
        assert_eq!(dependent.status, TaskStatus::Ready);
        exec(
            &t,
            "UPDATE tasks SET finished_at = now() - interval '2 days' WHERE finished_at IS NOT NULL",
        )
        .await;
        let recent = t.enqueue(noop()).await.unwrap().task;
        t.cancel(recent.id, "ops", "no").await.unwrap();
        let live = t.enqueue(noop()).await.unwrap().task;

        assert_eq!(
            t.prune_terminal(Duration::from_secs(3 * 86_400), "janitor")
                .await
                .unwrap(),
            0
        );
        assert!(events(&t, "tasks.pruned").await.is_empty());
        assert_eq!(
            t.prune_terminal(Duration::from_secs(86_400), "janitor")
                .await
                .unwrap(),
            2
        );
        for gone in [old_done.id, old_cancelled.id] {
            assert!(t.get(gone).await.unwrap().is_none());
            assert!(t.task_events(gone).await.unwrap().is_empty());
        }
        for kept in [dependent.id, recent.id, live.id] {
            assert!(t.get(kept).await.unwrap().is_some());
            assert!(!t.task_events(kept).await.unwrap().is_empty());
        }
        assert_eq!(get(&t, dependent.id).await.status, TaskStatus::Ready);
        assert!(t.dependencies(dependent.id).await.unwrap().is_empty());
        assert_eq!(
            events(&t, "tasks.pruned").await,
            vec![(
                "janitor".to_owned(),
                serde_json::json!({"count": 2, "older_than_s": 86_400})
            )]
        );
        assert_eq!(
            t.prune_terminal(Duration::from_secs(86_400), "janitor")
                .await
                .unwrap(),
            0
        );
        t.close().await;
    }

    /// What becomes ready through coordination (a release, a lost worker's tasks, a schedule's
    /// fire) wakes idle workers in other processes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hand_backs_and_fires_wake_other_processes() {
        let t = TestPostgres::create().await;
        let other = PostgresStore::connect(t.url(), StoreOptions::for_tests())
            .await
            .unwrap();
        let signal = other.work_signal().await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let woken = |signal: Arc<tokio::sync::Notify>| {
            tokio::spawn(async move {
                tokio::time::timeout(Duration::from_secs(5), signal.notified())
                    .await
                    .is_ok()
            })
        };
        // Setup (enqueue, claim) notifies too: let that pass before each wait.
        let settle = || tokio::time::sleep(Duration::from_millis(200));

        t.enqueue(noop()).await.unwrap();
        let held = claim(&t, "w1", 1).await.remove(0);
        settle().await;
        let waiter = woken(signal.clone());
        settle().await;
        assert_eq!(t.release(&[lease(&held)], "w1").await.unwrap().len(), 1);
        assert!(waiter.await.unwrap(), "release wakes");

        t.register_worker(&registration("w1")).await.unwrap();
        assert_eq!(claim(&t, "w1", 1).await.len(), 1);
        exec(
            &t,
            "UPDATE workers SET heartbeat_at = now() - interval '1 hour'",
        )
        .await;
        settle().await;
        let waiter = woken(signal.clone());
        settle().await;
        let lost = t
            .mark_lost_workers(Duration::from_secs(60), "watchdog")
            .await
            .unwrap();
        assert_eq!(lost[0].rescued.len(), 1);
        assert!(waiter.await.unwrap(), "a lost worker's hand-back wakes");

        let s = t
            .add_schedule(schedule("tick", "* * * * * *"), "ops")
            .await
            .unwrap();
        settle().await;
        let waiter = woken(signal.clone());
        settle().await;
        let next = s.next_fire_at + chrono::Duration::seconds(1);
        assert!(
            t.fire_schedule(s.id, s.next_fire_at, next, "node")
                .await
                .unwrap()
                .is_some()
        );
        assert!(waiter.await.unwrap(), "a fire wakes");
        other.close().await;
        t.close().await;
    }

    /// Both backends know the same migrations, and their schemas have the same tables, columns
    /// and indexes.
    #[tokio::test]
    async fn migrations_and_schema_are_in_lockstep_with_sqlite() {
        let pg: Vec<(i64, String)> = juggernaut_store_postgres::MIGRATOR
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect();
        let lite: Vec<(i64, String)> = juggernaut_store_sqlite::MIGRATOR
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect();
        assert_eq!(pg, lite);
        assert!(pg.len() >= 2);

        let path =
            std::env::temp_dir().join(format!("jg_lockstep_{:016x}.db", rand::random::<u64>()));
        let url = format!("sqlite://{}", path.display());
        let lite = juggernaut_store_sqlite::SqliteStore::open(&url, StoreOptions::for_tests())
            .await
            .unwrap();
        lite.migrate().await.unwrap();
        lite.close().await;
        let mut lc = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let t = TestPostgres::create().await;
        let mut pc = sql(&t).await;

        let mut lite_tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT IN ('_sqlx_migrations', 'sqlite_sequence') ORDER BY name",
        )
        .fetch_all(&mut lc)
        .await
        .unwrap();
        let pg_tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
             AND tablename <> '_sqlx_migrations' ORDER BY tablename",
        )
        .fetch_all(&mut pc)
        .await
        .unwrap();
        lite_tables.sort();
        assert_eq!(pg_tables, lite_tables);
        for table in &pg_tables {
            let mut lite_cols: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
                    .bind(table)
                    .fetch_all(&mut lc)
                    .await
                    .unwrap();
            let mut pg_cols: Vec<String> = sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind(table)
            .fetch_all(&mut pc)
            .await
            .unwrap();
            lite_cols.sort();
            pg_cols.sort();
            assert_eq!(pg_cols, lite_cols, "columns of {table}");
        }
        let mut lite_indexes: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
        )
        .fetch_all(&mut lc)
        .await
        .unwrap();
        let mut pg_indexes: Vec<String> = sqlx::query_scalar(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() \
             AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        )
        .fetch_all(&mut pc)
        .await
        .unwrap();
        lite_indexes.sort();
        pg_indexes.sort();
        assert_eq!(pg_indexes, lite_indexes);
        assert!(pg_indexes.contains(&"tasks_holder".to_owned()));

        lc.close().await.unwrap();
        pc.close().await.unwrap();
        t.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
