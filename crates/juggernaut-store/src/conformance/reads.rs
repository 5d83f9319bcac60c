//! Listing, filtering, counting and cursor pagination.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::{PageRequest, TaskFilter};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::{GoalId, NewTask, TaskId, TaskStatus};

async fn seed(store: &S) {
    for i in 0..7 {
        let goal = if i % 2 == 0 { Some(GoalId(1)) } else { None };
        add(
            store,
            NewTask {
                goal_id: goal,
                ..task("noop")
            },
        )
        .await;
    }
    add(store, task("other")).await;
    let c = claim(store, "w", 2).await;
    store.complete(done(&c[0])).await.unwrap();
}

/// Filters combine; pages walk newest first without gaps or repeats.
pub async fn list_filters_and_paginates(store: S) {
    seed(&store).await;
    let all = TaskFilter::default();
    let mut seen: Vec<TaskId> = Vec::new();
    let mut page = PageRequest {
        before: None,
        limit: 3,
    };
    loop {
        let p = store.list(&all, page).await.unwrap();
        assert!(p.items.len() <= 3);
        seen.extend(p.items.iter().map(|t| t.id));
        match p.next_cursor {
            Some(c) => page.before = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    let running = TaskFilter {
        statuses: vec![TaskStatus::Running],
        ..Default::default()
    };
    assert_eq!(
        store
            .list(&running, PageRequest::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let goal = TaskFilter {
        goal_id: Some(GoalId(1)),
        ..Default::default()
    };
    let g = store.list(&goal, PageRequest::default()).await.unwrap();
    assert_eq!(g.items.len(), 4);
    assert!(g.items.iter().all(|t| t.goal_id == Some(GoalId(1))));
    let other = TaskFilter {
        kinds: vec![kind("other")],
        statuses: vec![TaskStatus::Ready, TaskStatus::Completed],
        ..Default::default()
    };
    assert_eq!(
        store
            .list(&other, PageRequest::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

/// `count` and `count_by_status` agree with the data.
pub async fn counts_match_list(store: S) {
    seed(&store).await;
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 8);
    let completed = store.count_events(juggernaut_core::EventKind::TaskCompleted);
    assert_eq!(completed.await.unwrap(), 1, "one accepted completion");
    let enqueued = store.count_events(juggernaut_core::EventKind::TaskEnqueued);
    assert_eq!(enqueued.await.unwrap(), 8);
    let mut by = store.count_by_status().await.unwrap();
    by.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(
        by,
        vec![
            (TaskStatus::Completed, 1),
            (TaskStatus::Ready, 6),
            (TaskStatus::Running, 1)
        ]
    );
    let f = TaskFilter {
        statuses: vec![TaskStatus::Ready],
        goal_id: Some(GoalId(1)),
        ..Default::default()
    };
    let n = store.count(&f).await.unwrap();
    assert_eq!(
        n as usize,
        store
            .list(&f, PageRequest::default())
            .await
            .unwrap()
            .items
            .len()
    );
}

/// A missing task is `None` for reads and `NotFound` for changes.
pub async fn missing_task_is_not_found(store: S) {
    assert!(store.get(TaskId(12345)).await.unwrap().is_none());
    assert!(matches!(
        store.cancel(TaskId(12345), "ops", "x").await,
        Err(StoreError::NotFound(TaskId(12345)))
    ));
    assert!(matches!(
        store.requeue(TaskId(12345), "ops").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.task_events(TaskId(12345)).await.unwrap().is_empty());
}

/// The whole log reads page by page from a cursor, oldest first.
pub async fn events_after_a_cursor_come_oldest_first(store: S) {
    for _ in 0..5 {
        add(&store, task("noop")).await;
    }
    let first = store
        .events_after(juggernaut_core::ids::EventId(0), 3)
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    let rest = store.events_after(first[2].id, 1000).await.unwrap();
    assert_eq!(rest.len(), 2);
    let all: Vec<i64> = first.iter().chain(&rest).map(|e| e.id.0).collect();
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    assert!(store.events_after(rest[1].id, 10).await.unwrap().is_empty());
}

/// Dedupe keys are found in any state, a finished task's too; an oversized ask is refused.
pub async fn used_dedupe_keys_outlive_their_tasks(store: S) {
    add(&store, keyed("noop", "k-open")).await;
    add(&store, keyed("noop", "k-done")).await;
    add(&store, task("noop")).await;
    let c = claim(&store, "w", 10).await;
    let done_one = c
        .iter()
        .find(|t| t.dedupe_key.as_deref() == Some("k-done"))
        .unwrap();
    store.complete(done(done_one)).await.unwrap();
    let asked: Vec<String> = ["k-open", "k-done", "k-never"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut used = store.used_dedupe_keys(&asked).await.unwrap();
    used.sort();
    assert_eq!(used, vec!["k-done".to_owned(), "k-open".to_owned()]);
    assert!(store.used_dedupe_keys(&[]).await.unwrap().is_empty());
    let many: Vec<String> = (0..1001).map(|i| format!("k{i}")).collect();
    assert!(matches!(
        store.used_dedupe_keys(&many).await,
        Err(StoreError::Domain(_))
    ));
}

/// Pages filtered by several statuses and kinds (repeats included) come newest first across
/// all of them, without gaps or repeats, at any page size: the backends read such a filter as
/// one index range per status or (status, kind) pair and merge them.
pub async fn filtered_pages_merge_statuses_and_kinds(store: S) {
    for i in 0..12 {
        add(&store, task(if i % 3 == 0 { "other" } else { "noop" })).await;
    }
    let c = claim(&store, "w", 4).await;
    store.complete(done(&c[0])).await.unwrap();
    store.complete(done(&c[2])).await.unwrap();
    let every = PageRequest {
        before: None,
        limit: 100,
    };
    let all = store
        .list(&TaskFilter::default(), every)
        .await
        .unwrap()
        .items;
    assert_eq!(all.len(), 12);
    let filters = [
        TaskFilter {
            statuses: vec![TaskStatus::Ready, TaskStatus::Completed, TaskStatus::Ready],
            ..Default::default()
        },
        TaskFilter {
            kinds: vec![kind("other"), kind("noop"), kind("other")],
            ..Default::default()
        },
        TaskFilter {
            kinds: vec![kind("noop")],
            statuses: vec![TaskStatus::Running, TaskStatus::Completed],
            ..Default::default()
        },
        TaskFilter {
            kinds: vec![kind("missing")],
            ..Default::default()
        },
        TaskFilter {
            statuses: vec![TaskStatus::Dead],
            ..Default::default()
        },
    ];
    for f in filters {
        let want: Vec<TaskId> = all
            .iter()
            .filter(|t| f.statuses.is_empty() || f.statuses.contains(&t.status))
            .filter(|t| f.kinds.is_empty() || f.kinds.contains(&t.kind))
            .map(|t| t.id)
            .collect();
        for limit in [1, 2, 5, 50] {
            let mut got = Vec::new();
            let mut page = PageRequest {
                before: None,
                limit,
            };
            loop {
                let p = store.list(&f, page).await.unwrap();
                assert!(p.items.len() <= limit as usize);
                got.extend(p.items.iter().map(|t| t.id));
                match p.next_cursor {
                    Some(c) => page.before = Some(c),
                    None => break,
                }
            }
            assert_eq!(got, want, "{f:?} in pages of {limit}");
        }
        assert_eq!(store.count(&f).await.unwrap() as usize, want.len());
    }
}
