//! Hand-backs across processes: release at shutdown and run-time limits.

use crate::support::*;
#[allow(unused_imports)]
use chrono::Utc;
use juggernaut_core::{TaskId, TaskStatus};
use juggernaut_store::prelude::*;
use juggernaut_store::{LeaseRef, StoreError};
use juggernaut_testkit::postgres::TestPostgres;
use sqlx::Connection;
use std::time::Duration;
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
