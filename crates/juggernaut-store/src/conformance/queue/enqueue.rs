//! Enqueueing: single, batch, dedupe keys, refusals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::TaskFilter;
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::{EventKind, GoalId, NewTask, TaskStatus};

/// A new task is `ready`, with no lease, no attempts and one `task.enqueued` event.
pub async fn returns_ready_task_with_event(store: S) {
    let mut t = task("noop");
    t.title = "say hello".into();
    t.input = serde_json::json!({"to": "world"});
    t.goal_id = Some(GoalId(9));
    let e = store.enqueue(t).await.unwrap();
    assert!(e.created);
    let got = store.get(e.task.id).await.unwrap().unwrap();
    assert_eq!(got, e.task);
    assert_eq!(got.status, TaskStatus::Ready);
    assert_eq!(got.title, "say hello");
    assert_eq!(got.input["to"], "world");
    assert_eq!(got.goal_id, Some(GoalId(9)));
    assert_eq!((got.attempts, got.lease.is_none()), (0, true));
    assert!(got.evidence.is_empty());
    let events = store.task_events(got.id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::TaskEnqueued);
    assert_eq!(events[0].to_status, Some(TaskStatus::Ready));
}

/// Batch results come back in input order with increasing ids.
pub async fn batch_keeps_input_order(store: S) {
    let batch: Vec<NewTask> = (0..50)
        .map(|i| NewTask {
            title: format!("t{i}"),
            ..task("noop")
        })
        .collect();
    let out = store.enqueue_batch(batch).await.unwrap();
    assert_eq!(out.len(), 50);
    for (i, e) in out.iter().enumerate() {
        assert_eq!(e.task.title, format!("t{i}"));
        assert!(e.created);
    }
    assert!(out.windows(2).all(|w| w[0].task.id < w[1].task.id));
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 50);
    assert!(store.enqueue_batch(vec![]).await.unwrap().is_empty());
}

/// A second enqueue with a live task's key returns that task and creates nothing.
pub async fn dedupe_returns_live_task(store: S) {
    let a = store.enqueue(keyed("noop", "k1")).await.unwrap();
    let mut again = keyed("noop", "k1");
    again.title = "other title".into();
    let b = store.enqueue(again).await.unwrap();
    assert!(a.created && !b.created);
    assert_eq!(a.task.id, b.task.id);
    assert_eq!(b.task.title, "noop");
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 1);
    // A running task still holds its key.
    claim(&store, "w", 1).await;
    assert!(!store.enqueue(keyed("noop", "k1")).await.unwrap().created);
}

/// Once the holder is terminal, the key makes a new task.
pub async fn dedupe_key_is_free_after_terminal(store: S) {
    let a = add(&store, keyed("noop", "k")).await;
    let c = claim(&store, "w", 1).await;
    store.complete(done(&c[0])).await.unwrap();
    let b = store.enqueue(keyed("noop", "k")).await.unwrap();
    assert!(b.created);
    assert_ne!(a.id, b.task.id);
    store.cancel(b.task.id, "test", "no").await.unwrap();
    assert!(store.enqueue(keyed("noop", "k")).await.unwrap().created);
}

/// A batch with repeated keys makes one task per key; every input maps to its key's task.
pub async fn batch_duplicate_keys_yield_one_task_per_key(store: S) {
    let pre = add(&store, keyed("noop", "k0")).await;
    let batch: Vec<NewTask> = (0..30)
        .map(|i| keyed("noop", &format!("k{}", i % 5)))
        .collect();
    let out = store.enqueue_batch(batch).await.unwrap();
    assert_eq!(out.len(), 30);
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 5);
    for (i, e) in out.iter().enumerate() {
        assert_eq!(
            e.task.dedupe_key.as_deref(),
            Some(format!("k{}", i % 5).as_str())
        );
        let first_of_key = i < 5 && i != 0;
        assert_eq!(e.created, first_of_key, "item {i}");
    }
    assert_eq!(out[0].task.id, pre.id);
    assert!(out.iter().filter(|e| e.created).count() == 4);
}

/// Invalid input is refused with a named field, and a batch is all-or-nothing.
pub async fn invalid_task_is_refused_and_changes_nothing(store: S) {
    let mut bad = task("noop");
    bad.max_attempts = 0;
    let err = store
        .enqueue_batch(vec![task("noop"), bad])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Domain(_)), "{err}");
    assert!(err.to_string().contains("max_attempts"));
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 0);
}
