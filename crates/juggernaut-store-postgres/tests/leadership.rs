//! Leader election across processes: one winner among racers, takeover after the lease.

use crate::support::*;
#[allow(unused_imports)]
use chrono::Utc;
use juggernaut_core::WorkerId;
use juggernaut_store::prelude::*;
use juggernaut_testkit::postgres::TestPostgres;
use std::time::Duration;
/// Two processes racing for a free leadership: exactly one wins, and one `leader.elected` is
/// written. Repeated on fresh names so that the race is real.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_try_lead_elects_exactly_one() {
    let t = TestPostgres::create().await;
    let peers = peers(&t, 2).await;
    for round in 0..25 {
        let name = format!("engine{round}");
        let handles: Vec<_> = peers
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, p)| {
                let name = name.clone();
                tokio::spawn(async move {
                    let me = WorkerId(format!("n{i}"));
                    let won = p
                        .try_lead(&name, &me, Duration::from_secs(30))
                        .await
                        .unwrap();
                    won.then_some(me)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for h in handles {
            winners.extend(h.await.unwrap());
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        let leader = t.leader(&name).await.unwrap().unwrap();
        assert_eq!(leader.holder, winners[0]);
    }
    close_all(peers).await;
    let elected = events(&t, "leader.elected").await;
    assert_eq!(elected.len(), 25);
    assert_eq!(elected[0].1, serde_json::json!({"leadership": "engine0"}));
    t.close().await;
}

/// The holder renews (no new event); after its ttl expires another takes over (an event),
/// and the old holder is then refused; a race for an expired leadership also elects one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leadership_is_taken_over_after_the_ttl_expires() {
    let t = TestPostgres::create().await;
    let (a, b) = (WorkerId::from("a"), WorkerId::from("b"));
    let ttl = Duration::from_millis(300);
    assert!(t.try_lead("engine", &a, ttl).await.unwrap());
    let first = t.leader("engine").await.unwrap().unwrap();
    assert!(first.expires_at > first.acquired_at);
    assert!(!t.try_lead("engine", &b, ttl).await.unwrap());
    assert!(t.try_lead("engine", &a, ttl).await.unwrap(), "renewal");
    let renewed = t.leader("engine").await.unwrap().unwrap();
    assert_eq!(renewed.acquired_at, first.acquired_at);
    assert!(renewed.expires_at > first.expires_at);
    assert_eq!(events(&t, "leader.elected").await.len(), 1);

    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(t.leader("engine").await.unwrap().is_none());
    assert!(t.try_lead("engine", &b, ttl).await.unwrap(), "takeover");
    assert!(!t.try_lead("engine", &a, ttl).await.unwrap());
    let now = t.leader("engine").await.unwrap().unwrap();
    assert_eq!(now.holder, b);
    assert!(now.acquired_at > first.acquired_at);
    let elected = events(&t, "leader.elected").await;
    assert_eq!(
        elected.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        vec!["a", "b"]
    );

    t.resign("engine", &a).await.unwrap();
    assert_eq!(t.leader("engine").await.unwrap().unwrap().holder, b);
    t.resign("engine", &b).await.unwrap();
    assert!(t.leader("engine").await.unwrap().is_none());

    // Expired, then raced by two processes.
    assert!(
        t.try_lead("engine", &a, Duration::from_millis(50))
            .await
            .unwrap()
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    let peers = peers(&t, 2).await;
    let handles: Vec<_> = peers
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, p)| {
            tokio::spawn(async move {
                p.try_lead(
                    "engine",
                    &WorkerId(format!("c{i}")),
                    Duration::from_secs(30),
                )
                .await
                .unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for h in handles {
        winners += usize::from(h.await.unwrap());
    }
    close_all(peers).await;
    assert_eq!(winners, 1);
    t.close().await;
}
