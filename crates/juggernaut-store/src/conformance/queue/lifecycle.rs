//! The main path: claim order and filters, delayed tasks, completion, failure, retry, requeue.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::{ClaimRequest, Completion, Failure};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::{DomainError, EventKind, FailureOutcome, NewTask, TaskStatus};
use std::time::Duration;

/// Highest priority first, then oldest `run_at`, then oldest id.
pub async fn claim_orders_by_priority_then_run_at(store: S) {
    let past = chrono::Utc::now() - chrono::Duration::seconds(60);
    let low = add(&store, task("noop")).await;
    let high = add(
        &store,
        NewTask {
            priority: 10,
            ..task("noop")
        },
    )
    .await;
    let old = add(
        &store,
        NewTask {
            run_at: Some(past),
            ..task("noop")
        },
    )
    .await;
    let high2 = add(
        &store,
        NewTask {
            priority: 10,
            ..task("noop")
        },
    )
    .await;
    let got: Vec<_> = claim(&store, "w", 10).await.iter().map(|t| t.id).collect();
    assert_eq!(got, vec![high.id, high2.id, old.id, low.id]);
}

/// Only the requested kinds are claimed, at most `limit` of them.
pub async fn claim_filters_kinds_and_respects_limit(store: S) {
    for _ in 0..5 {
        add(&store, task("noop")).await;
    }
    let other = add(&store, task("other")).await;
    assert_eq!(claim(&store, "w", 3).await.len(), 3);
    assert_eq!(claim(&store, "w", 10).await.len(), 2);
    assert!(claim(&store, "w", 10).await.is_empty());
    assert_eq!(status(&store, other.id).await, TaskStatus::Ready);
    let req = ClaimRequest {
        kinds: vec![kind("other"), kind("absent")],
        ..claim_req("w", 10)
    };
    let got = store.claim(&req).await.unwrap();
    assert_eq!(got.iter().map(|t| t.id).collect::<Vec<_>>(), vec![other.id]);
    let none = ClaimRequest {
        kinds: vec![],
        ..claim_req("w", 10)
    };
    assert!(store.claim(&none).await.unwrap().is_empty());
}

/// A task with a future `run_at` is `pending` and is promoted once due.
pub async fn future_run_at_waits_until_due(store: S) {
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(400);
    let t = add(
        &store,
        NewTask {
            run_at: Some(at),
            ..task("noop")
        },
    )
    .await;
    assert_eq!(t.status, TaskStatus::Pending);
    assert!(claim(&store, "w", 1).await.is_empty());
    sleep(Duration::from_millis(600)).await;
    let got = claim(&store, "w", 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, t.id);
    let kinds: Vec<_> = store
        .task_events(t.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::TaskEnqueued,
            EventKind::TaskPromoted,
            EventKind::TaskClaimed
        ]
    );
}

/// A claim sets holder, expiry and a token that grows with every claim.
pub async fn claim_sets_lease_and_new_token(store: S) {
    let t = add(&store, task("noop")).await;
    let before = chrono::Utc::now();
    let c = claim_with(&store, "w1", 1, Duration::from_millis(50)).await;
    let l1 = c[0].lease.clone().unwrap();
    assert_eq!(c[0].status, TaskStatus::Running);
    assert_eq!(c[0].attempts, 1);
    assert_eq!(l1.holder.0, "w1");
    assert!(l1.expires_at > before - chrono::Duration::seconds(5));
    sleep(Duration::from_millis(150)).await;
    store.rescue_expired("test").await.unwrap();
    let c2 = claim(&store, "w2", 1).await;
    let l2 = c2[0].lease.clone().unwrap();
    assert_eq!(c2[0].id, t.id);
    assert_eq!(c2[0].attempts, 2);
    assert!(l2.token > l1.token);
    assert!(l2.expires_at > l1.expires_at + chrono::Duration::seconds(10));
}

/// A completion without evidence, or with malformed evidence, is refused.
pub async fn complete_requires_evidence(store: S) {
    add(&store, task("noop")).await;
    let c = claim(&store, "w", 1).await;
    let mut empty = done(&c[0]);
    empty.evidence.clear();
    let err = store.complete(empty).await.unwrap_err();
    assert!(
        matches!(err, StoreError::NoEvidence(id) if id == c[0].id),
        "{err}"
    );
    let mut bad = done(&c[0]);
    bad.evidence = vec![juggernaut_core::Evidence::File {
        path: "x".into(),
        sha256: "nope".into(),
    }];
    assert!(matches!(
        store.complete(bad).await.unwrap_err(),
        StoreError::Domain(_)
    ));
    assert_eq!(status(&store, c[0].id).await, TaskStatus::Running);
}

/// Completion stores result and evidence, clears the lease, sets `finished_at`.
pub async fn complete_stores_result_and_evidence(store: S) {
    add(&store, task("noop")).await;
    add(&store, task("noop")).await;
    let c = claim(&store, "w", 2).await;
    let batch: Vec<Completion> = c.iter().map(done).collect();
    let out = store.complete_batch(batch.clone()).await.unwrap();
    assert!(out.iter().all(|r| r.is_ok()));
    let t = store.get(c[1].id).await.unwrap().unwrap();
    assert_eq!(t.status, TaskStatus::Completed);
    assert_eq!(t.result, Some(serde_json::json!({"ok": true})));
    assert_eq!(t.evidence, batch[1].evidence);
    assert!(t.lease.is_none() && t.finished_at.is_some());
    let again = store.complete_batch(batch).await.unwrap();
    assert!(
        again
            .iter()
            .all(|r| matches!(r, Err(StoreError::StaleLease { .. })))
    );
}

/// A retryable failure waits out the backoff in `pending`, runs again, and dies at max attempts.
pub async fn fail_retries_with_backoff_then_dead(store: S) {
    let t = add(
        &store,
        NewTask {
            max_attempts: 2,
            ..task("noop")
        },
    )
    .await;
    let c = claim(&store, "w", 1).await;
    let f = |t: &juggernaut_core::Task| Failure {
        lease: lease(t),
        error: "flaky".into(),
        retryable: true,
        retry_after: None,
    };
    let out = store.fail(f(&c[0])).await.unwrap();
    assert_eq!(
        out,
        FailureOutcome::Retry {
            delay: Duration::from_millis(100)
        }
    );
    let now = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(now.status, TaskStatus::Pending);
    assert_eq!(now.last_error.as_deref(), Some("flaky"));
    assert!(now.lease.is_none());
    assert!(
        claim(&store, "w", 1).await.is_empty(),
        "backoff not yet over"
    );
    sleep(Duration::from_millis(250)).await;
    let c2 = claim(&store, "w", 1).await;
    assert_eq!(c2[0].attempts, 2);
    assert_eq!(store.fail(f(&c2[0])).await.unwrap(), FailureOutcome::Dead);
    assert_eq!(status(&store, t.id).await, TaskStatus::Dead);
}

/// A failure that retrying cannot help ends in `failed` at once.
pub async fn fail_not_retryable_is_failed(store: S) {
    let t = add(&store, task("noop")).await;
    let c = claim(&store, "w", 1).await;
    let f = Failure {
        lease: lease(&c[0]),
        error: "bad input".into(),
        retryable: false,
        retry_after: None,
    };
    assert_eq!(store.fail(f).await.unwrap(), FailureOutcome::Failed);
    let now = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(now.status, TaskStatus::Failed);
    assert!(now.finished_at.is_some());
}

/// Requeue of a dead task: `pending`→`ready`, attempts reset, runs again.
pub async fn requeue_gives_fresh_attempts(store: S) {
    let t = add(
        &store,
        NewTask {
            max_attempts: 1,
            ..task("noop")
        },
    )
    .await;
    let c = claim(&store, "w", 1).await;
    let f = Failure {
        lease: lease(&c[0]),
        error: "x".into(),
        retryable: true,
        retry_after: None,
    };
    assert_eq!(store.fail(f).await.unwrap(), FailureOutcome::Dead);
    let r = store.requeue(t.id, "ops").await.unwrap();
    assert_eq!((r.status, r.attempts), (TaskStatus::Pending, 0));
    assert!(r.finished_at.is_none());
    let c2 = claim(&store, "w", 1).await;
    assert_eq!(c2[0].id, t.id);
    store.complete(done(&c2[0])).await.unwrap();
}

/// Requeueing a live or completed task, and cancelling a terminal one, are refused.
pub async fn requeue_and_cancel_refuse_wrong_status(store: S) {
    let t = add(&store, task("noop")).await;
    let err = store.requeue(t.id, "ops").await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Domain(DomainError::Transition {
                from: TaskStatus::Ready,
                ..
            })
        ),
        "{err}"
    );
    let c = claim(&store, "w", 1).await;
    store.complete(done(&c[0])).await.unwrap();
    assert!(store.requeue(t.id, "ops").await.is_err());
    let err = store.cancel(t.id, "ops", "late").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "task in status `completed` cannot be cancelled"
    );
    assert_eq!(store.task_events(t.id).await.unwrap().len(), 3);
}

/// Every transition leaves one event naming from, to and actor.
pub async fn every_transition_is_audited(store: S) {
    let t = add(
        &store,
        NewTask {
            max_attempts: 3,
            ..task("noop")
        },
    )
    .await;
    let c = claim(&store, "w1", 1).await;
    store
        .fail(Failure {
            lease: lease(&c[0]),
            error: "e".into(),
            retryable: true,
            retry_after: None,
        })
        .await
        .unwrap();
    sleep(Duration::from_millis(250)).await;
    let c = claim(&store, "w2", 1).await;
    store.complete(done(&c[0])).await.unwrap();
    let ev = store.task_events(t.id).await.unwrap();
    let got: Vec<_> = ev
        .iter()
        .map(|e| (e.kind, e.from_status, e.to_status))
        .collect();
    use TaskStatus::*;
    assert_eq!(
        got,
        vec![
            (EventKind::TaskEnqueued, None, Some(Ready)),
            (EventKind::TaskClaimed, Some(Ready), Some(Running)),
            (EventKind::TaskRetryScheduled, Some(Running), Some(Pending)),
            (EventKind::TaskPromoted, Some(Pending), Some(Ready)),
            (EventKind::TaskClaimed, Some(Ready), Some(Running)),
            (EventKind::TaskCompleted, Some(Running), Some(Completed)),
        ]
    );
    assert_eq!(ev[1].actor, "w1");
    assert_eq!(ev[4].actor, "w2");
    assert_eq!(ev[2].data["error"], "e");
    assert!(
        ev.windows(2)
            .all(|w| w[0].id < w[1].id && w[0].at <= w[1].at)
    );
}
