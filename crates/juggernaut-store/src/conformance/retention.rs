//! Retention: pruning old terminal tasks, nothing else; their events stay in the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use crate::audit_query::{AuditCursor, AuditFilter};
use crate::conformance::support::*;
use juggernaut_core::{EventKind, TaskStatus};
use std::time::Duration;

/// Pruning deletes old terminal tasks, nothing else: their events stay, read by task.
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
    let kept = store
        .audit(
            &AuditFilter {
                task_id: Some(old.id),
                ..Default::default()
            },
            AuditCursor::default(),
        )
        .await
        .unwrap();
    let kinds: Vec<EventKind> = kept.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::TaskCompleted,
            EventKind::TaskClaimed,
            EventKind::TaskEnqueued
        ]
    );
    assert_eq!(store.task_events(old.id).await.unwrap().len(), 3);
    let pruned = AuditFilter {
        kinds: vec![EventKind::TasksPruned],
        ..Default::default()
    };
    let pruned = store.audit(&pruned, AuditCursor::default()).await.unwrap();
    assert_eq!(pruned.events.len(), 1);
    assert_eq!(pruned.events[0].actor, "janitor");
    assert_eq!(status(&store, live.id).await, TaskStatus::Ready);
}
