//! Leases and fencing: stale tokens are refused and change nothing; expired leases are rescued.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::{Failure, LeaseRef};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::{EventKind, NewTask, TaskStatus, WorkerId};
use std::time::Duration;

const SHORT: Duration = Duration::from_millis(100);

async fn expire_and_reclaim(store: &S) -> (juggernaut_core::Task, juggernaut_core::Task) {
    add(store, task("noop")).await;
    let old = claim_with(store, "slow", 1, SHORT).await.remove(0);
    sleep(SHORT * 2).await;
    let report = store.rescue_expired("test").await.unwrap();
    assert_eq!(report.rescued, vec![old.id]);
    let new = claim(store, "fast", 1).await.remove(0);
    assert_eq!(new.id, old.id);
    (old, new)
}

/// A completion with the token of a lease that expired and was re-claimed is refused with a
/// typed error; the current holder's completion still works.
pub async fn stale_completion_is_refused(store: S) {
    let (old, new) = expire_and_reclaim(&store).await;
    let events_before = store.task_events(old.id).await.unwrap().len();
    let err = store.complete(done(&old)).await.unwrap_err();
    match err {
        StoreError::StaleLease {
            task_id,
            token,
            status,
            current,
        } => {
            assert_eq!(task_id, old.id);
            assert_eq!(token, lease(&old).token);
            assert_eq!(status, TaskStatus::Running);
            assert_eq!(current, lease(&new).token);
        }
        other => panic!("expected StaleLease, got {other}"),
    }
    let t = store.get(old.id).await.unwrap().unwrap();
    assert_eq!(t.status, TaskStatus::Running);
    assert_eq!(t.lease.unwrap().holder, WorkerId::from("fast"));
    assert_eq!(
        store.task_events(old.id).await.unwrap().len(),
        events_before
    );
    store.complete(done(&new)).await.unwrap();
    assert_eq!(status(&store, new.id).await, TaskStatus::Completed);
}

/// A failure report with a stale token is refused and changes nothing.
pub async fn stale_failure_is_refused(store: S) {
    let (old, new) = expire_and_reclaim(&store).await;
    let f = Failure {
        lease: lease(&old),
        error: "late".into(),
        retryable: true,
        retry_after: None,
    };
    assert!(matches!(
        store.fail(f).await.unwrap_err(),
        StoreError::StaleLease { .. }
    ));
    let t = store.get(new.id).await.unwrap().unwrap();
    assert_eq!((t.status, t.attempts), (TaskStatus::Running, 2));
    assert!(
        t.last_error.unwrap().contains("lease expired"),
        "the late report left no trace"
    );
}

/// Heartbeat extends current leases only and reports which it extended.
pub async fn heartbeat_extends_only_current_leases(store: S) {
    let (old, new) = expire_and_reclaim(&store).await;
    add(&store, task("noop")).await;
    let other = claim_with(&store, "fast", 1, SHORT).await.remove(0);
    let before = store
        .get(other.id)
        .await
        .unwrap()
        .unwrap()
        .lease
        .unwrap()
        .expires_at;
    let worker = WorkerId::from("fast");
    let asked = [lease(&old), lease(&new), lease(&other)];
    let mut got = store
        .heartbeat(&worker, &asked, Duration::from_secs(60))
        .await
        .unwrap();
    got.sort_by_key(|l| l.task_id);
    let mut want = vec![lease(&new), lease(&other)];
    want.sort_by_key(|l| l.task_id);
    assert_eq!(got, want);
    let after = store
        .get(other.id)
        .await
        .unwrap()
        .unwrap()
        .lease
        .unwrap()
        .expires_at;
    assert!(after > before + chrono::Duration::seconds(30));
    sleep(SHORT * 2).await;
    assert!(
        store
            .rescue_expired("test")
            .await
            .unwrap()
            .rescued
            .is_empty(),
        "extended leases hold"
    );
    assert!(
        store
            .heartbeat(&worker, &[], Duration::from_secs(1))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Expired leases go back to `ready` with the attempt counted; rescue is idempotent.
pub async fn rescue_returns_expired_to_ready(store: S) {
    let t = add(&store, task("noop")).await;
    add(&store, task("noop")).await;
    let c = claim_with(&store, "w", 1, SHORT).await;
    let _live = claim(&store, "w", 1).await;
    assert!(
        store
            .rescue_expired("test")
            .await
            .unwrap()
            .rescued
            .is_empty()
    );
    sleep(SHORT * 2).await;
    let r = store.rescue_expired("watchdog").await.unwrap();
    assert_eq!(r.rescued, vec![t.id]);
    assert!(
        store
            .rescue_expired("watchdog")
            .await
            .unwrap()
            .rescued
            .is_empty()
    );
    let now = store.get(t.id).await.unwrap().unwrap();
    assert_eq!((now.status, now.attempts), (TaskStatus::Ready, 1));
    assert!(now.lease.is_none());
    let ev = store.task_events(t.id).await.unwrap();
    assert_eq!(ev.last().unwrap().kind, EventKind::TaskRescued);
    assert_eq!(ev.last().unwrap().actor, "watchdog");
    assert_eq!(ev.last().unwrap().data["holder"], "w");
    assert_eq!(c[0].id, t.id);
}

/// A rescue of a task that used its last attempt dead-letters it.
pub async fn rescue_dead_letters_when_out_of_attempts(store: S) {
    let t = add(
        &store,
        NewTask {
            max_attempts: 1,
            ..task("noop")
        },
    )
    .await;
    claim_with(&store, "w", 1, SHORT).await;
    sleep(SHORT * 2).await;
    let r = store.rescue_expired("test").await.unwrap();
    assert_eq!((r.rescued.len(), r.dead.clone()), (0, vec![t.id]));
    let now = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(now.status, TaskStatus::Dead);
    assert!(now.last_error.unwrap().contains("lease expired"));
}

/// Cancelling a running task revokes its lease: the worker's completion is refused.
pub async fn completion_after_cancel_is_refused(store: S) {
    add(&store, task("noop")).await;
    let c = claim(&store, "w", 1).await.remove(0);
    let cancelled = store.cancel(c.id, "ops", "not needed").await.unwrap();
    assert_eq!(cancelled.status, TaskStatus::Cancelled);
    let err = store.complete(done(&c)).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::StaleLease {
                status: TaskStatus::Cancelled,
                ..
            }
        ),
        "{err}"
    );
    let ghost = LeaseRef {
        task_id: juggernaut_core::TaskId(424_242),
        token: 1,
    };
    let err = store
        .complete(done(&c).clone_with(ghost))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

trait CloneWith {
    fn clone_with(&self, lease: LeaseRef) -> Self;
}

impl CloneWith for crate::api::Completion {
    fn clone_with(&self, lease: LeaseRef) -> Self {
        Self {
            lease,
            ..self.clone()
        }
    }
}
