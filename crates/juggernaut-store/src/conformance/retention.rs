//! Retention: pruning old terminal tasks and their events, nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use crate::conformance::support::*;
use juggernaut_core::TaskStatus;
use std::time::Duration;

/// Pruning deletes old terminal tasks and their events, nothing else.
pub async fn prune_removes_only_old_terminal_tasks(store: S) {
    let old = add(&store, task("noop")).await;
    let c = claim(&store, "w", 1).await;
    store.complete(done(&c[0])).await.unwrap();
    let live = add(&store, task("noop")).await;
    assert_eq!(
        store
            .prune_terminal(Duration::from_secs(3600), "janitor")
            .await
            .unwrap(),
        0
    );
    sleep(Duration::from_millis(100)).await;
    assert_eq!(
        store
            .prune_terminal(Duration::from_millis(50), "janitor")
            .await
            .unwrap(),
        1
    );
    assert!(store.get(old.id).await.unwrap().is_none());
    assert!(store.task_events(old.id).await.unwrap().is_empty());
    assert_eq!(status(&store, live.id).await, TaskStatus::Ready);
}
