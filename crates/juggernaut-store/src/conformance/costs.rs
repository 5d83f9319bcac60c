//! The cost ledger: reservations held against the goal's, the day's and the item's budgets and
//! refused naming the budget with no room; settlements that replace a reservation with what the
//! call cost, once; the sums and lines read back by goal, task and day; typed audit events; and
//! concurrent reservations that cannot overrun a budget together.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::audit::Payload;
use crate::capability::costs::{
    BudgetScope, CostFilter, CostId, CostState, Limits, Reservation, Usage,
};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::cost::CostCategory;
use juggernaut_core::goal::Budget;
use juggernaut_core::{EventKind, GoalId, NewGoal, TaskId};

mod race;

pub use race::{
    concurrent_reservations_cannot_overrun_a_goal, concurrent_reservations_cannot_overrun_the_day,
    concurrent_settlements_settle_once,
};

/// Float sums are compared with this much slack.
const EPS: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < EPS
}

/// A reservation of `usd` for `item`, charged to `goal`.
fn ask(goal: Option<GoalId>, item: &str, usd: f64) -> Reservation {
    Reservation {
        goal_id: goal,
        task_id: None,
        category: CostCategory::Llm,
        item: item.into(),
        purpose: "planning".into(),
        amount_usd: usd,
    }
}

fn used(usd: f64, tokens_in: u64, tokens_out: u64) -> Usage {
    Usage {
        tokens_in,
        tokens_out,
        amount_usd: usd,
    }
}

/// A goal with a money budget.
async fn goal_with(store: &S, money_usd: Option<f64>) -> GoalId {
    let g = NewGoal {
        budget: Budget {
            money_usd,
            max_tasks: None,
        },
        ..NewGoal::titled("spend")
    };
    store.add_goal(g, "owner").await.unwrap().id
}

fn by_goal(goal: GoalId) -> CostFilter {
    CostFilter {
        goal_id: Some(goal),
        ..Default::default()
    }
}

fn refused_by(result: Result<CostId, StoreError>, want: &BudgetScope) {
    match result {
        Err(StoreError::BudgetExceeded { scope, .. }) if &scope == want => {}
        other => panic!("expected a refusal by the {want} budget, got {other:?}"),
    }
}

/// A reservation within budget is held at its amount until settled, then counts at what the
/// call cost: settling below the reservation frees room for the next one.
pub async fn reservations_count_until_settled(store: S) {
    let g = goal_with(&store, Some(1.0)).await;
    let first = store
        .reserve(&ask(Some(g), "m", 0.6), &Limits::default(), "w1")
        .await
        .unwrap();
    let held = store.spend(&by_goal(g)).await.unwrap();
    assert!(close(held.reserved_usd, 0.6) && close(held.settled_usd, 0.0));
    assert_eq!(held.calls, 1);
    refused_by(
        store
            .reserve(&ask(Some(g), "m", 0.5), &Limits::default(), "w1")
            .await,
        &BudgetScope::Goal(g),
    );
    let settled = store
        .settle(first, &used(0.2, 100, 50), "w1")
        .await
        .unwrap();
    assert_eq!((settled.id, settled.state), (first, CostState::Settled));
    assert_eq!((settled.tokens_in, settled.tokens_out), (100, 50));
    assert!(close(settled.reserved_usd, 0.6) && close(settled.amount_usd, 0.2));
    assert!(settled.settled_at.is_some());
    store
        .reserve(&ask(Some(g), "m", 0.5), &Limits::default(), "w1")
        .await
        .unwrap();
    let now = store.spend(&by_goal(g)).await.unwrap();
    assert!(close(now.settled_usd, 0.2) && close(now.reserved_usd, 0.5));
    assert!(close(now.total_usd(), 0.7));
    assert_eq!((now.calls, now.tokens_in, now.tokens_out), (2, 100, 50));
    // Exactly filling the budget is allowed; a cent more is not.
    store
        .reserve(&ask(Some(g), "m", 0.3), &Limits::default(), "w1")
        .await
        .unwrap();
    refused_by(
        store
            .reserve(&ask(Some(g), "m", 0.01), &Limits::default(), "w1")
            .await,
        &BudgetScope::Goal(g),
    );
    // A goal without a money budget, and no goal at all, are limited only by the limits given.
    let free = goal_with(&store, None).await;
    store
        .reserve(&ask(Some(free), "m", 500.0), &Limits::default(), "w1")
        .await
        .unwrap();
    store
        .reserve(&ask(None, "m", 500.0), &Limits::default(), "w1")
        .await
        .unwrap();
}

/// Goal, day and item budgets each refuse a reservation that would overrun them, naming
/// themselves, in the order goal, day, item; a refusal writes no line and no event.
pub async fn budgets_refuse_naming_their_scope(store: S) {
    let g = goal_with(&store, Some(1.0)).await;
    let day = Limits {
        day_usd: Some(2.0),
        item_day_usd: None,
    };
    let item = Limits {
        day_usd: None,
        item_day_usd: Some(0.5),
    };
    store
        .reserve(&ask(None, "a", 0.4), &day, "w")
        .await
        .unwrap();
    store
        .reserve(&ask(None, "b", 1.5), &day, "w")
        .await
        .unwrap();
    let before = store.costs(&CostFilter::default(), 1000).await.unwrap();
    let events = all_events(&store).await.len();
    let err = store.reserve(&ask(None, "c", 0.2), &day, "w").await;
    refused_by(err, &BudgetScope::Day);
    refused_by(
        store.reserve(&ask(None, "a", 0.2), &item, "w").await,
        &BudgetScope::Item("a".into()),
    );
    // Another item has its own room.
    let c = store
        .reserve(&ask(None, "c", 0.2), &item, "w")
        .await
        .unwrap();
    // Goal first, then day, then item.
    let all = Limits {
        day_usd: Some(2.0),
        item_day_usd: Some(0.5),
    };
    refused_by(
        store.reserve(&ask(Some(g), "a", 1.5), &all, "w").await,
        &BudgetScope::Goal(g),
    );
    refused_by(
        store.reserve(&ask(Some(g), "a", 0.9), &all, "w").await,
        &BudgetScope::Day,
    );
    let err = store
        .reserve(&ask(Some(g), "a", 0.2), &item, "w")
        .await
        .unwrap_err();
    assert!(!err.is_retryable() && !err.is_bad_input(), "{err}");
    assert!(
        err.to_string()
            .starts_with("daily `a` budget exhausted: $0.4000 of $0.5000")
    );
    let after = store.costs(&CostFilter::default(), 1000).await.unwrap();
    assert_eq!(
        after.len(),
        before.len() + 1,
        "only the one reservation that fit"
    );
    assert_eq!(after[0].id, c);
    assert_eq!(all_events(&store).await.len(), events + 1);
    // A zero limit refuses everything but nothing.
    let none = Limits {
        day_usd: Some(0.0),
        item_day_usd: None,
    };
    refused_by(
        store.reserve(&ask(None, "z", 0.01), &none, "w").await,
        &BudgetScope::Day,
    );
}

/// Unknown goals, bad amounts, names and limits are refused as bad input and write nothing.
pub async fn bad_reservations_are_refused(store: S) {
    let l = Limits::default();
    let bad = |r: Result<CostId, StoreError>| match r {
        Err(e @ StoreError::Domain(_)) => assert!(e.is_bad_input()),
        other => panic!("expected bad input, got {other:?}"),
    };
    let err = store
        .reserve(&ask(Some(GoalId(999_999)), "m", 0.1), &l, "w")
        .await;
    match &err {
        Err(e) => assert!(e.to_string().contains("999999"), "{e}"),
        Ok(_) => panic!("an unknown goal was charged"),
    }
    bad(err);
    for usd in [f64::NAN, f64::INFINITY, -0.01, 2e6] {
        bad(store.reserve(&ask(None, "m", usd), &l, "w").await);
    }
    bad(store.reserve(&ask(None, "", 0.1), &l, "w").await);
    bad(store
        .reserve(&ask(None, &"m".repeat(201), 0.1), &l, "w")
        .await);
    let long = Reservation {
        purpose: "p".repeat(65),
        ..ask(None, "m", 0.1)
    };
    bad(store.reserve(&long, &l, "w").await);
    for limit in [f64::NAN, -1.0, f64::INFINITY] {
        let day = Limits {
            day_usd: Some(limit),
            item_day_usd: None,
        };
        bad(store.reserve(&ask(None, "m", 0.1), &day, "w").await);
        let item = Limits {
            day_usd: None,
            item_day_usd: Some(limit),
        };
        bad(store.reserve(&ask(None, "m", 0.1), &item, "w").await);
    }
    // The longest item and purpose fit.
    let longest = Reservation {
        purpose: "p".repeat(64),
        ..ask(None, &"m".repeat(200), 0.0)
    };
    store.reserve(&longest, &l, "w").await.unwrap();
    assert_eq!(store.spend(&CostFilter::default()).await.unwrap().calls, 1);
}

/// Settling a line twice is refused and the first settlement stands; an unknown line is
/// refused; bad usage is refused.
pub async fn settling_twice_is_refused(store: S) {
    let l = Limits::default();
    let id = store.reserve(&ask(None, "m", 0.5), &l, "w").await.unwrap();
    assert!(matches!(
        store.settle(id, &used(f64::NAN, 0, 0), "w").await,
        Err(StoreError::Domain(_))
    ));
    let first = store.settle(id, &used(0.3, 10, 20), "w").await.unwrap();
    let again = store.settle(id, &used(0.4, 1, 1), "w").await.unwrap_err();
    assert!(
        again.is_bad_input() && again.to_string().contains("already settled"),
        "{again}"
    );
    let line = store
        .costs(&CostFilter::default(), 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(line, first);
    assert!(close(line.amount_usd, 0.3));
    let unknown = store.settle(CostId(999_999), &used(0.1, 0, 0), "w").await;
    assert!(matches!(unknown, Err(StoreError::Domain(_))), "{unknown:?}");
    let settled = all_events(&store)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::CostSettled)
        .count();
    assert_eq!(settled, 1);
}

/// Sums and lines follow the filter (goal, task, day); lines come newest first, at most the
/// limit (1-1000).
pub async fn spend_and_costs_follow_the_filter(store: S) {
    let l = Limits::default();
    let g = goal_with(&store, None).await;
    let t = add(&store, task("noop")).await.id;
    let on_task = |usd| Reservation {
        task_id: Some(t),
        ..ask(Some(g), "m", usd)
    };
    let a = store.reserve(&on_task(0.1), &l, "w").await.unwrap();
    let b = store
        .reserve(&ask(Some(g), "m", 0.2), &l, "w")
        .await
        .unwrap();
    let c = store.reserve(&ask(None, "n", 0.4), &l, "w").await.unwrap();
    store.settle(a, &used(0.05, 7, 3), "w").await.unwrap();
    let all = store.costs(&CostFilter::default(), 10).await.unwrap();
    assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), vec![c, b, a]);
    assert_eq!((all[2].goal_id, all[2].task_id), (Some(g), Some(t)));
    assert_eq!((all[0].goal_id, all[0].task_id), (None, None));
    assert_eq!(all[1].purpose, "planning");
    assert_eq!(all[0].category, CostCategory::Llm);
    assert!(all[0].settled_at.is_none() && all[0].amount_usd == 0.0);
    let page = store.costs(&CostFilter::default(), 2).await.unwrap();
    assert_eq!(page.iter().map(|r| r.id).collect::<Vec<_>>(), vec![c, b]);
    let goal = store.spend(&by_goal(g)).await.unwrap();
    assert!(close(goal.settled_usd, 0.05) && close(goal.reserved_usd, 0.2));
    assert_eq!((goal.calls, goal.tokens_in, goal.tokens_out), (2, 7, 3));
    let by_task = CostFilter {
        task_id: Some(t),
        ..Default::default()
    };
    assert_eq!(store.costs(&by_task, 10).await.unwrap().len(), 1);
    assert_eq!(store.spend(&by_task).await.unwrap().calls, 1);
    let day = all[0].day;
    let today = CostFilter {
        day: Some(day),
        ..Default::default()
    };
    let total = store.spend(&today).await.unwrap();
    assert!(close(total.total_usd(), 0.65) && total.calls == 3);
    let yesterday = CostFilter {
        day: day.pred_opt(),
        ..Default::default()
    };
    assert_eq!(store.spend(&yesterday).await.unwrap().calls, 0);
    assert!(store.costs(&yesterday, 10).await.unwrap().is_empty());
    let both = CostFilter {
        goal_id: Some(g),
        task_id: Some(t),
        day: Some(day),
    };
    assert_eq!(store.costs(&both, 10).await.unwrap()[0].id, a);
    let other = CostFilter {
        task_id: Some(TaskId(t.0 + 1000)),
        ..by_goal(g)
    };
    assert_eq!(store.spend(&other).await.unwrap(), Default::default());
    for limit in [0, 1001] {
        assert!(matches!(
            store.costs(&CostFilter::default(), limit).await,
            Err(StoreError::Domain(_))
        ));
    }
}

/// Reservations and settlements are audited with typed details, naming the goal and task.
pub async fn cost_events_are_typed(store: S) {
    let g = goal_with(&store, Some(5.0)).await;
    let t = add(&store, task("noop")).await.id;
    let r = Reservation {
        task_id: Some(t),
        category: CostCategory::Tool,
        ..ask(Some(g), "search", 0.25)
    };
    let id = store.reserve(&r, &Limits::default(), "w7").await.unwrap();
    store.settle(id, &used(0.2, 0, 0), "w8").await.unwrap();
    let events: Vec<_> = all_events(&store)
        .await
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::CostReserved | EventKind::CostSettled))
        .collect();
    assert_eq!(events.len(), 2);
    for e in &events {
        assert_eq!((e.goal_id, e.task_id), (Some(g), Some(t)));
    }
    match Payload::parse(events[0].kind, &events[0].data).unwrap() {
        Payload::CostReserved(p) => {
            assert_eq!(
                (p.cost, p.category, p.item.as_str()),
                (id, CostCategory::Tool, "search")
            );
            assert!(close(p.amount_usd, 0.25) && p.purpose == "planning");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        (events[0].actor.as_str(), events[1].actor.as_str()),
        ("w7", "w8")
    );
    match Payload::parse(events[1].kind, &events[1].data).unwrap() {
        Payload::CostSettled(p) => {
            assert_eq!(p.cost, id);
            assert!(close(p.reserved_usd, 0.25) && close(p.amount_usd, 0.2));
        }
        other => panic!("{other:?}"),
    }
}
