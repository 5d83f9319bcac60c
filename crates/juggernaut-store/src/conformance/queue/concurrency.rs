//! Concurrency: many claimers, many rescuers, racing enqueues. Nothing is claimed twice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::TaskFilter;
use crate::conformance::support::*;
use juggernaut_core::{NewTask, TaskId, TaskStatus};
use std::collections::HashSet;
use std::time::Duration;

/// 8 concurrent claimers over 2,000 tasks: every task claimed exactly once, all completed.
pub async fn concurrent_claimers_claim_each_once(store: S) {
    let batch: Vec<NewTask> = (0..2000).map(|_| task("noop")).collect();
    let ids: HashSet<TaskId> = store
        .enqueue_batch(batch)
        .await
        .unwrap()
        .iter()
        .map(|e| e.task.id)
        .collect();
    let mut handles = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = claim(&store, &format!("w{w}"), 25).await;
                if got.is_empty() {
                    break;
                }
                let results = store
                    .complete_batch(got.iter().map(done).collect())
                    .await
                    .unwrap();
                assert!(results.iter().all(|r| r.is_ok()));
                mine.extend(got.iter().map(|t| t.id));
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    assert_eq!(all.len(), 2000, "claimed exactly 2,000 times");
    let unique: HashSet<TaskId> = all.into_iter().collect();
    assert_eq!(unique, ids);
    let done = TaskFilter {
        statuses: vec![TaskStatus::Completed],
        ..Default::default()
    };
    assert_eq!(store.count(&done).await.unwrap(), 2000);
}

/// Several rescuers at once: each expired task is rescued exactly once.
pub async fn concurrent_rescuers_rescue_each_once(store: S) {
    let batch: Vec<NewTask> = (0..200).map(|_| task("noop")).collect();
    store.enqueue_batch(batch).await.unwrap();
    let claimed = claim_with(&store, "w", 200, Duration::from_millis(50)).await;
    assert_eq!(claimed.len(), 200);
    sleep(Duration::from_millis(150)).await;
    let mut handles = Vec::new();
    for i in 0..4 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            store.rescue_expired(&format!("r{i}")).await.unwrap()
        }));
    }
    let mut rescued = Vec::new();
    for h in handles {
        rescued.extend(h.await.unwrap().rescued);
    }
    assert_eq!(rescued.len(), 200);
    assert_eq!(rescued.iter().collect::<HashSet<_>>().len(), 200);
    let ready = TaskFilter {
        statuses: vec![TaskStatus::Ready],
        ..Default::default()
    };
    assert_eq!(store.count(&ready).await.unwrap(), 200);
}

/// Concurrent enqueues of one dedupe key create one task.
pub async fn concurrent_enqueue_same_key_yields_one_task(store: S) {
    let mut handles = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let batch: Vec<NewTask> = (0..20).map(|i| keyed("noop", &format!("k{i}"))).collect();
            store.enqueue_batch(batch).await.unwrap()
        }));
    }
    let mut created = 0;
    for h in handles {
        created += h.await.unwrap().iter().filter(|e| e.created).count();
    }
    assert_eq!(created, 20);
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 20);
}
