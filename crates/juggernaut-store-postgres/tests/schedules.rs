//! Schedules and pruning across processes: duplicates refused, one task per fire time however
//! many race, pruning only what is old and terminal.

use crate::support::*;
#[allow(unused_imports)]
use chrono::Utc;
use juggernaut_core::{DomainError, NewTask, Origin, TaskStatus};
use juggernaut_store::StoreError;
use juggernaut_store::prelude::*;
use juggernaut_testkit::postgres::TestPostgres;
use std::time::Duration;
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

/// Only terminal tasks finished before the window go, with their dependency edges; their events
/// stay (the audit log is append-only), as do live tasks and recent terminal tasks.
#[tokio::test]
async fn prune_terminal_deletes_only_old_terminal_tasks_and_keeps_their_events() {
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
        assert!(!t.task_events(gone).await.unwrap().is_empty());
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
