//! Learnings reach the LLM planner's prompt: a task of a goal tagged `orders` fails with an
//! error, the leader's learner captures it, and planning another `orders` goal sends the model
//! that lesson in its "Lessons from earlier tasks" section; once retired, it is left out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_core::plan::plan_task;
use juggernaut_core::{GoalId, NewGoal, NewTask, TaskKind, TaskStatus, WorkerId};
use juggernaut_engine::LeaderConfig;
use juggernaut_engine::node::learner;
use juggernaut_handler::Registry;
use juggernaut_llm::{Client, Prices, Provider};
use juggernaut_planner::{LlmPlanner, PlanHandler, Playbooks, PromptTemplate};
use juggernaut_store::{ClaimRequest, Failure, LeaseRef, Limits, Store};
use juggernaut_testkit::fake_llm::{FakeLlm, Reply};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{noop_tasks, serve_plan, settled};

const ERROR: &str = "orders API answered 503 for request 4411: rate limited, retry after 60s";

fn orders_goal(title: &str) -> NewGoal {
    NewGoal {
        tags: vec!["orders".into()],
        ..NewGoal::titled(title)
    }
}

/// A `noop` task of an `orders` goal that fails for good with [`ERROR`].
async fn fail_a_task(store: &Arc<dyn Store>) {
    let goal = store
        .add_goal(orders_goal("Sync orders"), "owner")
        .await
        .unwrap();
    let mut t = NewTask::new(TaskKind::new("noop").unwrap());
    t.goal_id = Some(goal.id);
    store.enqueue(t).await.unwrap();
    let req = ClaimRequest {
        worker: WorkerId::from("w"),
        kinds: vec![TaskKind::new("noop").unwrap()],
        limit: 1,
        lease: Duration::from_secs(30),
    };
    let held = store.claim(&req).await.unwrap();
    let f = Failure {
        lease: LeaseRef::of(&held[0]).unwrap(),
        error: ERROR.into(),
        retryable: false,
        retry_after: None,
    };
    store.fail(f).await.unwrap();
}

async fn capture(store: &Arc<dyn Store>) -> u64 {
    let config = LeaderConfig {
        learn_settle: Duration::ZERO,
        ..LeaderConfig::default()
    };
    learner::capture(store.as_ref(), &WorkerId::from("t"), &config)
        .await
        .unwrap()
        .0
}

/// Plans a new `orders` goal; returns what the model was told.
async fn plan_prompt(store: &Arc<dyn Store>, fake: &FakeLlm, title: &str) -> String {
    plan_goal(store, fake, title).await.1
}

async fn plan_goal(store: &Arc<dyn Store>, fake: &FakeLlm, title: &str) -> (GoalId, String) {
    let plan = json!({"tasks": [{"key": "a", "kind": "noop", "title": "Act", "input": {}}]});
    fake.push(Reply::json(&plan));
    let g = store.add_goal(orders_goal(title), "owner").await.unwrap();
    let id = store.enqueue(plan_task(&g).unwrap()).await.unwrap().task.id;
    let t = settled(store, id).await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    (g.id, fake.received().last().unwrap().prompt())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_task_teaches_the_next_plan_until_retired() {
    let fake = FakeLlm::start().await;
    let mut p = Provider::new("fake", &fake.base_url(), "planner-model");
    p.max_retries = 0;
    let llm = LlmPlanner::new(
        Client::new(p).unwrap(),
        Prices::default(),
        Limits::default(),
        PromptTemplate::builtin(),
    );
    let catalog = Registry::new(juggernaut_handlers::builtin(&Default::default())).unwrap();
    let books = Arc::new(Playbooks::load(
        std::path::Path::new("/nonexistent"),
        &catalog,
    ));
    let plan = PlanHandler::new(books, catalog, Duration::from_secs(60)).with_llm(Arc::new(llm));
    let (store, stop) = serve_plan(plan).await;

    let before = plan_prompt(&store, &fake, "Grow orders").await;
    assert!(!before.contains("Lessons from earlier tasks"), "{before}");
    fail_a_task(&store).await;
    // The plan task that completed and the failed task: two learnings.
    assert_eq!(capture(&store).await, 2);
    let prompt = plan_prompt(&store, &fake, "More orders in March").await;
    assert!(
        prompt.contains("=== Lessons from earlier tasks"),
        "{prompt}"
    );
    assert!(
        prompt.contains("noop failed: orders API answered 503"),
        "{prompt}"
    );
    assert!(prompt.contains("=== End of lessons ==="), "{prompt}");

    let failure = store.repeated_failures(1, 10).await.unwrap();
    store
        .retire_learning(failure[0].learning, true, "owner")
        .await
        .unwrap();
    let (goal, after) = plan_goal(&store, &fake, "Orders for April").await;
    assert!(!after.contains("orders API answered 503"), "{after}");
    assert_eq!(
        noop_tasks(&store, goal).await.len(),
        1,
        "the plan was still made"
    );
    stop.cancel();
}
