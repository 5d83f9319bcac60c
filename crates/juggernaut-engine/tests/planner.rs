//! The leader's planner loop on a SQLite file: it says when there is no goal, asks one plan per
//! goal and version however many passes run, and leaves a goal nothing can plan alone with its
//! reason (once per backoff, not every pass).

use juggernaut_core::worker::Role;
use juggernaut_core::{Goal, GoalId, NewGoal, PlanCoverage, WorkerId};
use juggernaut_engine::node::{PlannerConfig, Planning};
use juggernaut_engine::{Node, NodeConfig};
use juggernaut_handler::Registry;
use juggernaut_handlers::noop::Noop;
use juggernaut_store::{PageRequest, TaskFilter};
use juggernaut_testkit::fresh_sqlite;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Plans goals titled `plannable` only.
struct ByTitle;

impl PlanCoverage for ByTitle {
    fn cannot_plan(&self, goal: &Goal) -> Option<String> {
        (goal.spec.title != "plannable").then(|| "nothing plans this".to_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planner_asks_once_per_goal_and_version_and_explains_the_rest() {
    let store = fresh_sqlite().await;
    // No `plan` handler here: the plan tasks stay ready, so every pass sees the same goals.
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
    let planning = Planning {
        config: PlannerConfig {
            interval: Duration::from_millis(50),
            batch: 10,
            min_interval: Duration::ZERO,
            backoff: Duration::from_secs(3600),
        },
        coverage: Arc::new(ByTitle),
    };
    let node = Node::new(store.clone(), reg, c).with_planning(planning);
    let (idle, events) = (node.idle_board(), node.events());
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { node.run(s).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(idle.to_json()["planner"], "no active goal");
    let a = store
        .add_goal(NewGoal::titled("plannable"), "owner")
        .await
        .unwrap();
    let b = store
        .add_goal(NewGoal::titled("other"), "owner")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let planner_idle = idle.to_json()["planner"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    stop.cancel();
    h.await.unwrap();
    let tasks = store
        .list(&TaskFilter::default(), PageRequest::default())
        .await
        .unwrap()
        .items;
    assert_eq!(tasks.len(), 1, "one plan task: {tasks:?}");
    assert_eq!(
        (tasks[0].kind.as_str(), tasks[0].goal_id),
        ("plan", Some(a.id))
    );
    let counts: std::collections::BTreeMap<_, _> = events.counts().into_iter().collect();
    assert_eq!(counts["plan_requested"], 1);
    assert_eq!(
        counts["goal_not_plannable"], 1,
        "once per backoff, not every pass"
    );
    let failure = store.planning_failure(b.id).await.unwrap().unwrap();
    assert_eq!(failure.error, "nothing plans this");
    assert!(
        planner_idle.starts_with("every active goal has open tasks"),
        "{planner_idle}"
    );
    assert!(
        store
            .planning_failure(GoalId(a.id.0))
            .await
            .unwrap()
            .is_none()
    );
}

/// The playbooks as loaded now: `x` in a newer text than the one that planned the goal.
struct Edited;

impl PlanCoverage for Edited {
    fn cannot_plan(&self, _: &Goal) -> Option<String> {
        None
    }

    fn playbook_makers(&self) -> Option<Vec<String>> {
        Some(vec!["playbook:x@new".into()])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_leader_marks_goals_planned_by_an_edited_playbook() {
    use juggernaut_core::plan::{PlanGraph, PlanTask};
    let store = fresh_sqlite().await;
    let g = store.add_goal(NewGoal::titled("g"), "owner").await.unwrap();
    let graph = PlanGraph {
        tasks: vec![PlanTask {
            key: "a".into(),
            kind: "noop".into(),
            title: "a".into(),
            input: serde_json::json!({}),
            depends_on: vec![],
            priority: 0,
            acceptance: vec![],
        }],
    };
    let plan = juggernaut_store::NewPlan {
        goal_id: g.id,
        version: 1,
        graph,
        made_by: "playbook:x@old".into(),
        tasks: vec![(
            juggernaut_core::NewTask::new(juggernaut_core::TaskKind::new("noop").unwrap()),
            vec![],
        )],
    };
    store.store_plan(plan, "planner").await.unwrap();
    // No handler serves the plan's task: it stays open, so only the edit marks the goal.
    let reg = Registry::new(vec![Arc::new(Noop)]).unwrap();
    let mut c = NodeConfig::new(WorkerId::from("p"), "h".into(), vec![], &reg, &[], 1);
    c.leader.tick = Duration::from_millis(50);
    let planning = Planning {
        config: PlannerConfig::default(),
        coverage: Arc::new(Edited),
    };
    let node = Node::new(store.clone(), reg, c).with_planning(planning);
    let events = node.events();
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { node.run(s).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.cancel();
    h.await.unwrap();
    assert_eq!(events.count("replan_requested"), 1);
    let audit = store
        .events_after(juggernaut_core::ids::EventId(0), 1000)
        .await
        .unwrap();
    let asked: Vec<_> = audit
        .iter()
        .filter(|e| e.kind == juggernaut_core::EventKind::GoalReplanRequested)
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].goal_id, Some(GoalId(g.id.0)));
}
