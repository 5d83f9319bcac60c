//! The work signal: a hint that work may have arrived, so idle workers claim at once instead of
//! at their next poll. Every way work becomes ready notifies it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::Decision;
use crate::conformance::support::*;
use juggernaut_core::TaskStatus;
use std::future::Future;
use std::time::Duration;

/// Waits for the store's signal while `act` runs; panics naming `what` if it never comes.
async fn notified_by<F: Future<Output = ()>>(store: &S, what: &str, act: F) {
    let signal = store.work_signal().await.unwrap();
    let waiter = tokio::spawn(async move { signal.notified().await });
    sleep(Duration::from_millis(50)).await;
    act.await;
    tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .unwrap_or_else(|_| panic!("no work signal after {what}"))
        .unwrap();
}

/// Enqueueing notifies the work signal.
pub async fn work_signal_fires_on_enqueue(store: S) {
    notified_by(&store, "an enqueue", async {
        add(&store, task("noop")).await;
    })
    .await;
}

/// Work that comes back notifies too: a release, a rescue, a requeue, an approval.
pub async fn work_signal_fires_when_work_comes_back(store: S) {
    let t = add(&store, task("noop")).await;
    let held = claim(&store, "w", 1).await;
    notified_by(&store, "a release", async {
        store.release(&[lease(&held[0])], "w").await.unwrap();
    })
    .await;
    claim_with(&store, "w", 1, Duration::from_millis(1)).await;
    sleep(Duration::from_millis(20)).await;
    notified_by(&store, "a rescue", async {
        store.rescue_expired("rescuer").await.unwrap();
    })
    .await;
    store.cancel(t.id, "ops", "test").await.unwrap();
    notified_by(&store, "a requeue", async {
        store.requeue(t.id, "ops").await.unwrap();
    })
    .await;
    let held = claim(&store, "w", 1).await;
    let ask = crate::api::ApprovalRequest {
        lease: lease(&held[0]),
        reason: "spends money".into(),
        risk: juggernaut_core::RiskLevel::High,
        assessment: None,
    };
    store.request_approval(ask).await.unwrap();
    assert_eq!(status(&store, t.id).await, TaskStatus::WaitingApproval);
    notified_by(&store, "an approval", async {
        let yes = Decision {
            approve: true,
            actor: "owner".into(),
            reason: "fine".into(),
            seen_at: None,
        };
        store.decide_approval(t.id, yes).await.unwrap();
    })
    .await;
}
