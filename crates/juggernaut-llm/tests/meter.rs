//! Metered calls against a real SQLite cost ledger and the fake server: what is reserved before
//! a call (the price table's worst case, or the unpriced hold), what is settled after it (the
//! provider's reported cost, else the price table, else nothing), and a budget without room
//! stopping the call before any request is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_core::NewGoal;
use juggernaut_core::goal::Budget;
use juggernaut_llm::{
    Charge, ChatRequest, Client, LlmError, Message, Metered, ModelPrice, Prices, Provider, Purpose,
};
use juggernaut_store::{CostFilter, CostState, Limits, Store};
use juggernaut_testkit::fake_llm::{FakeLlm, Reply};
use juggernaut_testkit::fresh_sqlite;
use std::sync::Arc;

fn prices() -> Prices {
    let mut p = Prices::default();
    p.models.insert(
        "priced".into(),
        ModelPrice {
            input_per_mtok: 1_000.0,
            output_per_mtok: 2_000.0,
        },
    );
    p.unpriced_reserve_usd = 0.05;
    p
}

fn metered(fake: &FakeLlm, store: &Arc<dyn Store>, model: &str, limits: Limits) -> Metered {
    let client = Client::new(Provider::new("fake", &fake.base_url(), model)).unwrap();
    Metered::new(client, store.clone(), prices(), limits)
}

fn ask() -> ChatRequest {
    // 300 characters of prompt: at most 100 tokens at 3 characters a token.
    ChatRequest::new(vec![Message::user("x".repeat(300))], 50)
}

#[tokio::test]
async fn priced_calls_hold_the_worst_case_and_settle_what_they_used() {
    let (fake, store) = (FakeLlm::start().await, fresh_sqlite().await);
    let m = metered(&fake, &store, "priced", Limits::default());
    // Worst case: 100 tokens in, 50 out at $1000/$2000 per million.
    assert!((m.estimate(&ask(), "priced") - 0.2).abs() < 1e-9);
    fake.push(Reply::Text("ok".into()));
    let reply = m
        .chat(&ask(), Purpose::Planning, Charge::default())
        .await
        .unwrap();
    let lines = store.costs(&CostFilter::default(), 10).await.unwrap();
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!((line.id, line.state), (reply.cost, CostState::Settled));
    assert!((line.reserved_usd - 0.2).abs() < 1e-9);
    // The fake used 100 in and 20 out: $0.1 + $0.04.
    assert!((line.amount_usd - 0.14).abs() < 1e-9, "{line:?}");
    assert_eq!((line.tokens_in, line.tokens_out), (100, 20));
    assert_eq!(
        (line.item.as_str(), line.purpose.as_str()),
        ("priced", "planning")
    );
}

#[tokio::test]
async fn reported_costs_win_and_unpriced_models_cost_nothing_otherwise() {
    let (fake, store) = (FakeLlm::start().await, fresh_sqlite().await);
    let m = metered(&fake, &store, "local", Limits::default());
    assert!((m.estimate(&ask(), "local") - 0.05).abs() < 1e-9);
    fake.push(Reply::Costed("ok".into(), 0.0123));
    fake.push(Reply::Text("ok".into()));
    m.chat(&ask(), Purpose::Coding, Charge::default())
        .await
        .unwrap();
    m.chat(&ask(), Purpose::Coding, Charge::default())
        .await
        .unwrap();
    let mut lines = store.costs(&CostFilter::default(), 10).await.unwrap();
    lines.sort_by_key(|l| l.id);
    assert!((lines[0].amount_usd - 0.0123).abs() < 1e-9);
    assert_eq!(lines[1].amount_usd, 0.0);
    // A failed call is settled at nothing: it does not keep holding money.
    fake.push(Reply::Status(400, None, "bad".into()));
    assert!(
        m.chat(&ask(), Purpose::Coding, Charge::default())
            .await
            .is_err()
    );
    let spend = store.spend(&CostFilter::default()).await.unwrap();
    assert_eq!((spend.calls, spend.reserved_usd), (3, 0.0));
}

#[tokio::test]
async fn a_budget_without_room_sends_nothing() {
    let (fake, store) = (FakeLlm::start().await, fresh_sqlite().await);
    let goal = NewGoal {
        budget: Budget {
            money_usd: Some(0.3),
            max_tasks: None,
        },
        ..NewGoal::titled("g")
    };
    let g = store.add_goal(goal, "owner").await.unwrap();
    let charge = Charge {
        goal_id: Some(g.id),
        task_id: None,
    };
    let m = metered(&fake, &store, "priced", Limits::default());
    fake.fallback(Some(Reply::Costed("ok".into(), 0.2)));
    m.chat(&ask(), Purpose::Planning, charge).await.unwrap();
    // $0.2 spent of $0.3; the next call may cost $0.2.
    let err = m.chat(&ask(), Purpose::Planning, charge).await.unwrap_err();
    assert!(matches!(err, LlmError::Budget(_)), "{err}");
    assert!(err.to_string().contains("budget"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(fake.count(), 1);
    // The day limit and the per-model limit stop calls the same way.
    let day = metered(
        &fake,
        &store,
        "priced",
        Limits {
            day_usd: Some(0.3),
            item_day_usd: None,
        },
    );
    assert!(matches!(
        day.chat(&ask(), Purpose::Planning, Charge::default()).await,
        Err(LlmError::Budget(_))
    ));
    let model = metered(
        &fake,
        &store,
        "priced",
        Limits {
            day_usd: None,
            item_day_usd: Some(0.1),
        },
    );
    assert!(matches!(
        model
            .chat(&ask(), Purpose::Planning, Charge::default())
            .await,
        Err(LlmError::Budget(_))
    ));
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn calls_that_may_have_been_billed_keep_their_hold_and_dropped_calls_settle() {
    let (fake, store) = (FakeLlm::start().await, fresh_sqlite().await);
    let mut provider = Provider::new("fake", &fake.base_url(), "priced");
    provider.timeout = std::time::Duration::from_millis(200);
    provider.max_retries = 0;
    let m = Metered::new(
        Client::new(provider).unwrap(),
        store.clone(),
        prices(),
        Limits::default(),
    );
    // A timeout and an unreadable answer may have been billed: settled at the reservation.
    fake.push(Reply::Hang(std::time::Duration::from_secs(2)));
    fake.push(Reply::Raw("{\"choices\": [".into()));
    assert!(matches!(
        m.chat(&ask(), Purpose::Planning, Charge::default()).await,
        Err(LlmError::Timeout { .. })
    ));
    assert!(matches!(
        m.chat(&ask(), Purpose::Planning, Charge::default()).await,
        Err(LlmError::Malformed { .. })
    ));
    let spend = store.spend(&CostFilter::default()).await.unwrap();
    assert_eq!(spend.reserved_usd, 0.0, "both settled");
    assert!((spend.settled_usd - 0.4).abs() < 1e-9, "{spend:?}");
    // A call dropped half-way (a lost lease, shutdown) is settled by its guard.
    fake.push(Reply::Hang(std::time::Duration::from_secs(2)));
    let dropped = tokio::time::timeout(
        std::time::Duration::from_millis(50),
        m.chat(&ask(), Purpose::Planning, Charge::default()),
    )
    .await;
    assert!(dropped.is_err(), "the call was cut short");
    let mut settled = false;
    for _ in 0..100 {
        let s = store.spend(&CostFilter::default()).await.unwrap();
        if s.calls == 3 && s.reserved_usd == 0.0 {
            settled = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(settled, "the dropped call's reservation was settled");
}
