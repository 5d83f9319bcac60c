//! Hand-backs: release at shutdown (the attempt does not count) and run-time limits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use crate::api::LeaseRef;
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::{EventKind, TaskStatus};
use std::time::Duration;

/// A released task is ready again at once and the attempt does not count; stale leases are
/// skipped.
pub async fn release_does_not_count_the_attempt(store: S) {
    let t = add(&store, task("noop")).await;
    let held = claim(&store, "w", 1).await.remove(0);
    let stale = LeaseRef {
        task_id: t.id,
        token: lease(&held).token - 1,
    };
    assert!(store.release(&[stale], "w").await.unwrap().is_empty());
    assert_eq!(
        store.release(&[lease(&held)], "w").await.unwrap(),
        vec![t.id]
    );
    let now = store.get(t.id).await.unwrap().unwrap();
    assert_eq!((now.status, now.attempts), (TaskStatus::Ready, 0));
    assert_eq!(
        store.task_events(t.id).await.unwrap().last().unwrap().kind,
        EventKind::TaskReleased
    );
    assert!(matches!(
        store.complete(done(&held)).await,
        Err(StoreError::StaleLease { .. })
    ));
    assert!(store.release(&[], "w").await.unwrap().is_empty());
}

/// An attempt running past the limit fails (and retries); younger ones are left alone.
pub async fn overdue_attempts_time_out(store: S) {
    let t = add(&store, task("noop")).await;
    let held = claim(&store, "w", 1).await.remove(0);
    assert!(
        store
            .time_out_overdue(Duration::from_secs(60), "watchdog")
            .await
            .unwrap()
            .is_empty()
    );
    sleep(Duration::from_millis(300)).await;
    assert_eq!(
        store
            .time_out_overdue(Duration::from_millis(200), "watchdog")
            .await
            .unwrap(),
        vec![t.id]
    );
    let now = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(now.status, TaskStatus::Pending);
    assert!(now.last_error.unwrap().contains("run-time limit"));
    let last = store.task_events(t.id).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.kind, last.actor.as_str()),
        (EventKind::TaskTimedOut, "watchdog")
    );
    assert!(matches!(
        store.complete(done(&held)).await,
        Err(StoreError::StaleLease { .. })
    ));
}
