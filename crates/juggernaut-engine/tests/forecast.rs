//! Goals at risk by forecast, through the leader's escalator on a SQLite file: a goal whose
//! readings stay flat under its target is forecast to miss (critical: even the top of the
//! interval falls short) and escalates once per day; a goal whose readings rise fast enough does
//! not; a goal with one reading is left to the late-and-low rule. (Deadlines are seconds away:
//! a line is extended at most a hundred times the span of its readings.)

use juggernaut_core::escalation::{EscalationKind, EscalationLevel};
use juggernaut_core::worker::Role;
use juggernaut_core::{GoalId, MetricSource, MetricTarget, NewGoal, WorkerId};
use juggernaut_engine::node::{Escalating, EscalatorConfig};
use juggernaut_engine::{Node, NodeConfig};
use juggernaut_handler::Registry;
use juggernaut_handlers::noop::Noop;
use juggernaut_store::{EscalationPage, Store};
use juggernaut_testkit::fresh_sqlite;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

async fn goal(store: &Arc<dyn Store>, title: &str, readings: &[f64]) -> GoalId {
    let g = NewGoal {
        target: Some(MetricTarget {
            source: MetricSource::Manual,
            target: 100.0,
            unit: "leads".into(),
        }),
        deadline: Some(chrono::Utc::now() + chrono::Duration::seconds(3)),
        ..NewGoal::titled(title)
    };
    let g = store.add_goal(g, "test").await.unwrap();
    for v in readings {
        store.record_metric(g.id, *v, "test").await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    g.id
}

fn node(store: &Arc<dyn Store>) -> Node {
    let reg = Registry::new(vec![Arc::new(Noop)]).unwrap();
    let mut c = NodeConfig::new(
        WorkerId::from("f"),
        "h".into(),
        Role::ALL.to_vec(),
        &reg,
        &["noop".into()],
        1,
    );
    c.leader.tick = Duration::from_millis(50);
    let config = EscalatorConfig {
        scan: Duration::from_millis(100),
        stuck: Duration::from_secs(3600),
        stale_approval: Duration::from_secs(3600),
        failures_per_hour: 100,
        day_budget_usd: None,
    };
    Node::new(store.clone(), reg, c).with_escalations(Escalating { config, sink: None })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_goal_falling_behind_is_forecast_at_risk_and_escalates_once() {
    let store = fresh_sqlite().await;
    let flat = goal(&store, "flat", &[10.0, 10.0, 10.0]).await;
    let rising = goal(&store, "rising", &[10.0, 20.0, 30.0]).await;
    let single = goal(&store, "single", &[10.0]).await;
    let stop = CancellationToken::new();
    let n = node(&store);
    let s = stop.clone();
    let h = tokio::spawn(async move { n.run(s).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.cancel();
    h.await.unwrap();
    let page = EscalationPage {
        before: None,
        limit: 100,
    };
    let raised: Vec<_> = store
        .escalations(false, page)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EscalationKind::GoalAtRisk)
        .collect();
    assert_eq!(raised.len(), 1, "{raised:?}");
    let e = &raised[0];
    assert_eq!(e.goal_id, Some(flat));
    assert_eq!(
        e.level,
        EscalationLevel::Critical,
        "flat at 10 of 100: a certain miss"
    );
    assert!(e.message.contains("forecast to miss"), "{}", e.message);
    assert!(e.count > 1, "raised again each scan, counted on one record");
    assert!(
        raised
            .iter()
            .all(|e| e.goal_id != Some(rising) && e.goal_id != Some(single))
    );
}
