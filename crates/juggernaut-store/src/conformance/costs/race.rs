//! Races on the ledger: many reservations at once against a goal's, the day's and one item's
//! budget hold exactly what fits; settlements at once settle a line once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{ask, by_goal, close, goal_with, refused_by, used};
use crate::capability::costs::{BudgetScope, CostFilter, Limits, Reservation};
use crate::conformance::support::*;
use juggernaut_core::EventKind;

/// `n` reservations of `usd` at once; how many were held (the rest must be refused by
/// `scope`).
async fn race(store: &S, n: usize, r: Reservation, limits: Limits, scope: BudgetScope) -> usize {
    let racers: Vec<_> = (0..n)
        .map(|i| {
            let store = store.clone();
            let r = r.clone();
            tokio::spawn(async move { store.reserve(&r, &limits, &format!("w{i}")).await })
        })
        .collect();
    let mut held = 0;
    for h in racers {
        match h.await.unwrap() {
            Ok(_) => held += 1,
            refused => refused_by(refused, &scope),
        }
    }
    held
}

/// 20 workers reserve $0.10 each at once against a $1.00 goal: exactly 10 are held.
pub async fn concurrent_reservations_cannot_overrun_a_goal(store: S) {
    let g = goal_with(&store, Some(1.0)).await;
    let held = race(
        &store,
        20,
        ask(Some(g), "m", 0.1),
        Limits::default(),
        BudgetScope::Goal(g),
    )
    .await;
    assert_eq!(held, 10);
    let spend = store.spend(&by_goal(g)).await.unwrap();
    assert!(close(spend.total_usd(), 1.0), "{spend:?}");
    assert_eq!(spend.calls, 10);
}

/// The same race against the day's budget, then against one item's.
pub async fn concurrent_reservations_cannot_overrun_the_day(store: S) {
    let day = Limits {
        day_usd: Some(1.0),
        item_day_usd: None,
    };
    let held = race(&store, 20, ask(None, "m", 0.1), day, BudgetScope::Day).await;
    assert_eq!(held, 10);
    let spend = store.spend(&CostFilter::default()).await.unwrap();
    assert!(
        close(spend.total_usd(), 1.0) && spend.calls == 10,
        "{spend:?}"
    );
    let item = Limits {
        day_usd: Some(10.0),
        item_day_usd: Some(0.5),
    };
    let scope = BudgetScope::Item("n".into());
    let held = race(&store, 20, ask(None, "n", 0.1), item, scope).await;
    assert_eq!(held, 5);
    let spend = store.spend(&CostFilter::default()).await.unwrap();
    assert!(
        close(spend.total_usd(), 1.5) && spend.calls == 15,
        "{spend:?}"
    );
}

/// Four settlements of one line at once: exactly one wins, the others are refused as bad
/// input, and one `cost.settled` event is written.
pub async fn concurrent_settlements_settle_once(store: S) {
    let l = Limits::default();
    let id = store.reserve(&ask(None, "m", 0.5), &l, "w").await.unwrap();
    let racers: Vec<_> = (0..4u32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(
                async move { store.settle(id, &used(0.1 * f64::from(i), 0, 0), "w").await },
            )
        })
        .collect();
    let mut won = 0;
    for r in racers {
        match r.await.unwrap() {
            Ok(_) => won += 1,
            Err(e) => assert!(e.is_bad_input(), "{e}"),
        }
    }
    assert_eq!(won, 1);
    let settled = all_events(&store)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::CostSettled)
        .count();
    assert_eq!(settled, 1);
}
