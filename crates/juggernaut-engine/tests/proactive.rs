//! The leader's proactive pass on a SQLite file: a slot's proposal is enqueued once however many
//! passes run, even after its task finished; a proposal the store refuses does not hold back
//! the others.

use chrono::{DateTime, Utc};
use juggernaut_core::proactive::{Proposals, slot_key};
use juggernaut_core::worker::Role;
use juggernaut_core::{Goal, NewGoal, NewTask, Origin, TaskKind, WorkerId};
use juggernaut_engine::node::Proactive;
use juggernaut_engine::{Node, NodeConfig};
use juggernaut_handler::Registry;
use juggernaut_handlers::noop::Noop;
use juggernaut_store::{PageRequest, TaskFilter};
use juggernaut_testkit::fresh_sqlite;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Proposes a good task and a bad one (an empty title) for every goal.
struct GoodAndBad;

impl Proposals for GoodAndBad {
    fn propose(&self, goal: &Goal, now: DateTime<Utc>) -> Vec<NewTask> {
        let make = |key: &str, title: &str| NewTask {
            title: title.into(),
            goal_id: Some(goal.id),
            origin: Origin::Proactive,
            dedupe_key: Some(slot_key(goal.id.0, key, 1, now)),
            ..NewTask::new(TaskKind::new("noop").unwrap())
        };
        vec![make("good", "pulse"), make("bad", "")]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_task_per_slot_and_a_refused_proposal_holds_nothing_back() {
    let store = fresh_sqlite().await;
    store.add_goal(NewGoal::titled("g"), "owner").await.unwrap();
    let reg = Registry::new(vec![Arc::new(Noop)]).unwrap();
    let mut c = NodeConfig::new(
        WorkerId::from("p"),
        "h".into(),
        Role::ALL.to_vec(),
        &reg,
        &["noop".into()],
        2,
    );
    c.leader.tick = Duration::from_millis(50);
    let proactive = Proactive {
        interval: Duration::from_millis(50),
        proposals: Arc::new(GoodAndBad),
    };
    let node = Node::new(store.clone(), reg, c).with_proactive(proactive);
    let events = node.events();
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { node.run(s).await.unwrap() });
    // Many passes; the good proposal's task runs and completes in between.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.cancel();
    h.await.unwrap();
    let tasks = store
        .list(&TaskFilter::default(), PageRequest::default())
        .await
        .unwrap()
        .items;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0].title, "pulse");
    assert!(
        tasks[0].status.is_terminal(),
        "it ran: {:?}",
        tasks[0].status
    );
    assert_eq!(events.count("task_proposed"), 1);
    assert!(
        events.count("store_fault") >= 1,
        "the bad proposal is reported"
    );
}
