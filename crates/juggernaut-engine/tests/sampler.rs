//! The leader's sampler loop on a SQLite file with a fake metric reader: readings go into the
//! series, the one that meets the target achieves the goal, a goal past its deadline is missed
//! (and never read), a manual goal is never read, and a failing source is reported once per
//! distinct error, not every pass.

use async_trait::async_trait;
use juggernaut_core::goal::{MetricSource, MetricTarget};
use juggernaut_core::worker::Role;
use juggernaut_core::{Goal, GoalStatus, NewGoal, WorkerId};
use juggernaut_engine::node::{MetricReader, SamplerConfig, Sampling};
use juggernaut_engine::{Node, NodeConfig};
use juggernaut_handler::Registry;
use juggernaut_handlers::noop::Noop;
use juggernaut_testkit::fresh_sqlite;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Reads `revenue` from a value the test moves, fails `broken` with a reason the test moves, and
/// counts every read by title.
#[derive(Default)]
struct Fake {
    revenue: Mutex<f64>,
    broken: Mutex<String>,
    reads: Mutex<HashMap<String, usize>>,
}

#[async_trait]
impl MetricReader for Fake {
    async fn read(&self, goal: &Goal) -> Result<Option<f64>, String> {
        *self
            .reads
            .lock()
            .unwrap()
            .entry(goal.spec.title.clone())
            .or_default() += 1;
        match goal.spec.title.as_str() {
            "revenue" => Ok(Some(*self.revenue.lock().unwrap())),
            "broken" => Err(self.broken.lock().unwrap().clone()),
            _ => Ok(Some(1.0)),
        }
    }
}

impl Fake {
    fn reads(&self, title: &str) -> usize {
        self.reads.lock().unwrap().get(title).copied().unwrap_or(0)
    }
}

/// Waits (at most 10 s) until `ok` holds.
async fn until(what: &str, mut ok: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !ok().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn goal(title: &str, source: MetricSource, target: f64) -> NewGoal {
    NewGoal {
        target: Some(MetricTarget {
            source,
            target,
            unit: "USD".into(),
        }),
        ..NewGoal::titled(title)
    }
}

fn sql() -> MetricSource {
    MetricSource::Sql {
        source: "shop".into(),
        query: "SELECT sum(amount) FROM orders".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readings_achieve_goals_deadlines_miss_them_and_failures_are_reported_once() {
    let store = fresh_sqlite().await;
    let revenue = store
        .add_goal(goal("revenue", sql(), 100.0), "owner")
        .await
        .unwrap();
    let late = NewGoal {
        deadline: Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
        ..goal("late", sql(), 10.0)
    };
    let late = store.add_goal(late, "owner").await.unwrap();
    let manual = store
        .add_goal(goal("manual", MetricSource::Manual, 5.0), "owner")
        .await
        .unwrap();
    let broken = store
        .add_goal(goal("broken", sql(), 5.0), "owner")
        .await
        .unwrap();
    let fake = Arc::new(Fake::default());
    *fake.revenue.lock().unwrap() = 40.0;
    *fake.broken.lock().unwrap() = "data source `crm`: connection refused".into();
    let reg = Registry::new(vec![Arc::new(Noop)]).unwrap();
    let mut c = NodeConfig::new(
        WorkerId::from("s"),
        "h".into(),
        Role::ALL.to_vec(),
        &reg,
        &["noop".into()],
        2,
    );
    c.leader.tick = Duration::from_millis(50);
    let sampling = Sampling {
        config: SamplerConfig {
            interval: Duration::from_millis(100),
            concurrency: 2,
        },
        reader: fake.clone(),
    };
    let node = Node::new(store.clone(), reg, c).with_sampling(sampling);
    let (idle, events) = (node.idle_board(), node.events());
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { node.run(s).await.unwrap() });

    until("three passes", async || {
        fake.reads("revenue") >= 3 && fake.reads("broken") >= 3
    })
    .await;
    let g = store.get_goal(revenue.id).await.unwrap().unwrap();
    assert_eq!((g.status, g.current), (GoalStatus::Active, Some(40.0)));
    let missed = store.get_goal(late.id).await.unwrap().unwrap();
    assert_eq!(missed.status, GoalStatus::Missed);
    assert_eq!(fake.reads("late"), 0, "a missed goal is not read");
    assert_eq!(fake.reads("manual"), 0, "a manual goal is not read");
    assert_eq!(
        events.count("metric_read_failed"),
        1,
        "once, not every pass"
    );
    let sampler_idle = idle.to_json()["sampler"].as_str().unwrap().to_owned();
    assert!(
        sampler_idle.contains(&format!("goal {}: data source `crm`", broken.id)),
        "{sampler_idle}"
    );
    *fake.broken.lock().unwrap() = "data source `crm`: no such table: orders".into();
    *fake.revenue.lock().unwrap() = 150.0;

    until("the goal achieved", async || {
        let g = store.get_goal(revenue.id).await.unwrap().unwrap();
        g.status == GoalStatus::Achieved
    })
    .await;
    let g = store.get_goal(revenue.id).await.unwrap().unwrap();
    assert_eq!(g.current, Some(150.0));
    let (reads_when_achieved, broken_reads) = (fake.reads("revenue"), fake.reads("broken"));
    until("two more passes", async || {
        fake.reads("broken") >= broken_reads + 2
    })
    .await;
    assert_eq!(
        fake.reads("revenue"),
        reads_when_achieved,
        "an achieved goal is not read"
    );
    stop.cancel();
    h.await.unwrap();

    let series = store.metric_series(revenue.id, 1000).await.unwrap();
    assert!(series.len() >= 4, "{series:?}");
    assert!(series.iter().all(|p| p.source == "sampler"));
    assert_eq!(series.last().unwrap().value, 150.0);
    assert_eq!(events.count("goal_achieved"), 1);
    assert_eq!(events.count("goals_missed"), 1);
    assert_eq!(
        events.count("metric_read_failed"),
        2,
        "again when the error changed"
    );
    assert!(events.count("metric_sampled") >= 4);
    let still = store.get_goal(manual.id).await.unwrap().unwrap();
    assert_eq!((still.status, still.current), (GoalStatus::Active, None));
}
