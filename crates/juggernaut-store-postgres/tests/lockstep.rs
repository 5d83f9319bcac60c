//! Wake-ups across processes for hand-backs and fires, and the schema's lockstep with SQLite's.

use crate::support::*;
#[allow(unused_imports)]
use chrono::Utc;
use juggernaut_store::StoreOptions;
use juggernaut_store::prelude::*;
use juggernaut_store_postgres::PostgresStore;
use juggernaut_testkit::postgres::TestPostgres;
use sqlx::Connection;
use std::sync::Arc;
use std::time::Duration;

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

    let path = std::env::temp_dir().join(format!("jg_lockstep_{:016x}.db", rand::random::<u64>()));
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
