//! Leader election: one leader at a time, renewal, takeover after expiry, races.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use crate::conformance::support::*;
use juggernaut_core::WorkerId;
use std::time::Duration;

/// One leader at a time; it renews; another takes over after expiry; resigning frees it.
pub async fn leadership_is_exclusive_and_moves_on_expiry(store: S) {
    let (a, b) = (WorkerId::from("a"), WorkerId::from("b"));
    let ttl = Duration::from_millis(300);
    assert!(store.try_lead("engine", &a, ttl).await.unwrap());
    assert!(!store.try_lead("engine", &b, ttl).await.unwrap());
    assert!(
        store.try_lead("other", &b, ttl).await.unwrap(),
        "leaderships are independent"
    );
    let first = store.leader("engine").await.unwrap().unwrap();
    assert_eq!(first.holder, a);
    sleep(Duration::from_millis(150)).await;
    assert!(
        store.try_lead("engine", &a, ttl).await.unwrap(),
        "the holder renews"
    );
    let renewed = store.leader("engine").await.unwrap().unwrap();
    assert_eq!(renewed.acquired_at, first.acquired_at);
    assert!(renewed.expires_at > first.expires_at);
    sleep(Duration::from_millis(400)).await;
    assert!(
        store.leader("engine").await.unwrap().is_none(),
        "expired leadership is nobody's"
    );
    assert!(store.try_lead("engine", &b, ttl).await.unwrap());
    assert_eq!(store.leader("engine").await.unwrap().unwrap().holder, b);
    store.resign("engine", &a).await.unwrap();
    assert_eq!(
        store.leader("engine").await.unwrap().unwrap().holder,
        b,
        "only the holder resigns"
    );
    store.resign("engine", &b).await.unwrap();
    assert!(store.leader("engine").await.unwrap().is_none());
}

/// Racing candidates: exactly one wins.
pub async fn concurrent_try_lead_elects_one(store: S) {
    let mut handles = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            store
                .try_lead(
                    "engine",
                    &WorkerId(format!("n{i}")),
                    Duration::from_secs(30),
                )
                .await
                .unwrap()
        }));
    }
    let mut winners = 0;
    for h in handles {
        winners += usize::from(h.await.unwrap());
    }
    assert_eq!(winners, 1);
}
