//! The filtered read of the audit log ([`crate::TaskReads::audit`]): each filter alone and
//! combined, keyset pages newest first, refused input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::audit_query::{AuditCursor, AuditFilter, MAX_AUDIT_PAGE};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::ids::EventId;
use juggernaut_core::{AuditEvent, EventKind, TaskId};
use std::time::Duration;

/// Every event `f` matches, at most 1000.
async fn read(store: &S, f: AuditFilter) -> Vec<AuditEvent> {
    let page = AuditCursor {
        before: None,
        limit: MAX_AUDIT_PAGE,
    };
    let p = store.audit(&f, page).await.unwrap();
    assert!(p.next_before.is_none());
    p.events
}

fn kinds(events: &[AuditEvent]) -> Vec<EventKind> {
    events.iter().map(|e| e.kind).collect()
}

/// Task, actor, kinds and time each narrow the log, and they combine.
pub async fn audit_filters_by_task_actor_kind_and_time(store: S) {
    let a = add(&store, task("noop")).await;
    let b = add(&store, task("noop")).await;
    store.cancel(b.id, "alice", "not needed").await.unwrap();
    sleep(Duration::from_millis(20)).await;
    let cutoff = store.now().await.unwrap();
    sleep(Duration::from_millis(20)).await;
    let claimed = claim(&store, "w1", 1).await;
    assert_eq!(claimed[0].id, a.id);
    store.complete(done(&claimed[0])).await.unwrap();

    let of_a = read(&store, by_task(a.id)).await;
    assert_eq!(
        kinds(&of_a),
        [
            EventKind::TaskCompleted,
            EventKind::TaskClaimed,
            EventKind::TaskEnqueued
        ]
    );
    assert!(of_a.windows(2).all(|w| w[0].id > w[1].id), "newest first");

    let alice = AuditFilter {
        actor: Some("alice".into()),
        ..Default::default()
    };
    let by_alice = read(&store, alice.clone()).await;
    assert_eq!(kinds(&by_alice), [EventKind::TaskCancelled]);
    assert_eq!(by_alice[0].task_id, Some(b.id));
    assert_eq!(by_alice[0].data["reason"], "not needed");
    let not_exact = AuditFilter {
        actor: Some("alic".into()),
        ..Default::default()
    };
    assert!(read(&store, not_exact).await.is_empty(), "exact actor");

    let some_kinds = AuditFilter {
        kinds: vec![EventKind::TaskCancelled, EventKind::TaskClaimed],
        ..Default::default()
    };
    let found = read(&store, some_kinds.clone()).await;
    assert_eq!(
        kinds(&found),
        [EventKind::TaskClaimed, EventKind::TaskCancelled]
    );

    let recent = AuditFilter {
        since: Some(cutoff),
        ..Default::default()
    };
    let after = read(&store, recent).await;
    assert_eq!(
        kinds(&after),
        [EventKind::TaskCompleted, EventKind::TaskClaimed]
    );
    assert!(after.iter().all(|e| e.at >= cutoff));
    let future = AuditFilter {
        since: Some(cutoff + chrono::Duration::hours(1)),
        ..Default::default()
    };
    assert!(read(&store, future).await.is_empty());

    let combined = AuditFilter {
        task_id: Some(a.id),
        since: Some(cutoff),
        ..some_kinds
    };
    assert_eq!(
        kinds(&read(&store, combined).await),
        [EventKind::TaskClaimed]
    );
    let nobody = AuditFilter {
        task_id: Some(a.id),
        ..alice
    };
    assert!(read(&store, nobody).await.is_empty());
    assert_eq!(read(&store, AuditFilter::default()).await.len(), 5);
}

fn by_task(id: TaskId) -> AuditFilter {
    AuditFilter {
        task_id: Some(id),
        ..Default::default()
    }
}

/// Pages walk the log newest first with no gaps or repeats; the limit is clamped.
pub async fn audit_pages_walk_newest_first(store: S) {
    for _ in 0..7 {
        add(&store, task("noop")).await;
    }
    let all = AuditFilter::default();
    let (mut seen, mut before, mut pages) = (Vec::new(), None, 0);
    loop {
        let p = store
            .audit(&all, AuditCursor { before, limit: 3 })
            .await
            .unwrap();
        assert!(p.events.len() <= 3);
        pages += 1;
        seen.extend(p.events.iter().map(|e| e.id));
        match p.next_before {
            Some(c) => before = Some(c),
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (7, 3));
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seen:?}"
    );
    let below = store
        .audit(
            &all,
            AuditCursor {
                before: Some(seen[2]),
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        below.events.iter().map(|e| e.id).collect::<Vec<_>>(),
        seen[3..5]
    );
    assert_eq!(below.next_before, Some(seen[4]));
    let one = store
        .audit(
            &all,
            AuditCursor {
                before: None,
                limit: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(one.events.len(), 1, "a limit of 0 is clamped to 1");
    let none = store
        .audit(
            &all,
            AuditCursor {
                before: Some(EventId(1)),
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(none.events.is_empty() && none.next_before.is_none());
}

/// An actor no store can keep is refused as bad input, not searched for.
pub async fn audit_refuses_an_actor_with_nul(store: S) {
    let bad = AuditFilter {
        actor: Some("a\0b".into()),
        ..Default::default()
    };
    assert!(matches!(
        store.audit(&bad, AuditCursor::default()).await,
        Err(StoreError::Domain(_))
    ));
}
