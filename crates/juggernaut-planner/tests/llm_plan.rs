//! The LLM planner through a real dispatcher, a fresh SQLite store and the fake OpenAI server:
//! what the model is sent (prompt, model, schema of the registered kinds), a valid plan stored
//! with its tasks, one repair attempt that shows the model its mistakes, and each bad answer
//! (prose, unknown kind, cycle, malformed body, a failing or hanging server, no budget) leaving
//! its reason on the goal with nothing enqueued.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_core::goal::Budget;
use juggernaut_core::plan::plan_task;
use juggernaut_core::{GoalId, NewGoal, Origin, Task, TaskStatus};
use juggernaut_handler::Registry;
use juggernaut_llm::retry::RetryPolicy;
use juggernaut_llm::{Client, Prices, Provider, Purpose};
use juggernaut_planner::{LlmPlanner, PlanHandler, Playbooks, PromptTemplate};
use juggernaut_store::{CostFilter, Limits, Store};
use juggernaut_testkit::fake_llm::{FakeLlm, Reply};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{noop_tasks, serve_plan, settled};
use tokio_util::sync::CancellationToken;

struct Rig {
    store: Arc<dyn Store>,
    fake: FakeLlm,
    stop: CancellationToken,
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn planner(fake: &FakeLlm, limits: Limits) -> LlmPlanner {
    let mut p = Provider::new("fake", &fake.base_url(), "default-model");
    p.models.insert(Purpose::Planning, "planner-model".into());
    p.timeout = Duration::from_millis(400);
    p.max_retries = 0;
    let policy = RetryPolicy {
        base: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
        max_wait: Duration::from_secs(1),
    };
    let client = Client::with_policy(p, policy).unwrap();
    LlmPlanner::new(client, Prices::default(), limits, PromptTemplate::builtin())
}

async fn rig_with(limits: Limits) -> Rig {
    let fake = FakeLlm::start().await;
    let catalog = Registry::new(juggernaut_handlers::builtin(
        &juggernaut_handlers::Deps::default(),
    ))
    .unwrap();
    let books = Arc::new(Playbooks::load(
        std::path::Path::new("/nonexistent"),
        &catalog,
    ));
    let plan = PlanHandler::new(books, catalog, Duration::from_secs(60))
        .with_llm(Arc::new(planner(&fake, limits)));
    let (store, stop) = serve_plan(plan).await;
    Rig { store, fake, stop }
}

async fn rig() -> Rig {
    rig_with(Limits::default()).await
}

async fn plan_goal(rig: &Rig, spec: NewGoal) -> (GoalId, Task) {
    let g = rig.store.add_goal(spec, "owner").await.unwrap();
    let id = rig
        .store
        .enqueue(plan_task(&g).unwrap())
        .await
        .unwrap()
        .task
        .id;
    (g.id, settled(&rig.store, id).await)
}

fn good_plan() -> serde_json::Value {
    json!({"tasks": [
        {"key": "look", "kind": "noop", "title": "Look at the numbers", "input": {},
         "acceptance": ["numbers read"]},
        {"key": "act", "kind": "noop", "title": "Act on them", "input": {}, "depends_on": ["look"]}
    ]})
}

async fn failure(rig: &Rig, goal: GoalId) -> juggernaut_store::PlanningFailure {
    rig.store.planning_failure(goal).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_answer_becomes_the_plan_and_its_tasks() {
    let rig = rig().await;
    rig.fake.push(Reply::Text(format!(
        "Sure! Here it is:\n```json\n{}\n```",
        good_plan()
    )));
    let (goal, t) = plan_goal(&rig, NewGoal::titled("Win 10 customers")).await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    let plan = rig.store.plan(goal, 1).await.unwrap().unwrap();
    assert_eq!(plan.made_by, "llm:planner-model");
    let tasks = noop_tasks(&rig.store, goal).await;
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| t.origin == Origin::Planner));
    // What was sent: the planning model, the goal, the kinds (not `plan`) and their schemas.
    let sent = &rig.fake.received()[0];
    assert_eq!(sent.body["model"], "planner-model");
    assert!(sent.prompt().contains("Win 10 customers"));
    assert!(sent.prompt().contains("- `noop`:"));
    let format = &sent.body["response_format"];
    assert_eq!(format["type"], "json_schema");
    let variants = format["json_schema"]["schema"]["properties"]["tasks"]["items"]["anyOf"]
        .as_array()
        .unwrap();
    let kinds: Vec<&str> = variants
        .iter()
        .map(|v| v["properties"]["kind"]["const"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"noop"));
    assert!(!kinds.contains(&"plan"));
    // The call is in the cost ledger, charged to the goal.
    let spend = rig
        .store
        .spend(&CostFilter {
            goal_id: Some(goal),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(spend.calls, 1);
    assert_eq!(spend.tokens_in, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_repair_attempt_shows_the_model_its_mistakes() {
    let rig = rig().await;
    rig.fake
        .push(Reply::Text("I think you should work harder.".into()));
    rig.fake.push(Reply::json(&good_plan()));
    let (goal, t) = plan_goal(&rig, NewGoal::titled("Repair me")).await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    assert_eq!(noop_tasks(&rig.store, goal).await.len(), 2);
    let second = &rig.fake.received()[1];
    let messages = second.body["messages"].as_array().unwrap();
    assert_eq!(messages[2]["role"], "assistant");
    assert_eq!(messages[2]["content"], "I think you should work harder.");
    assert!(
        second.prompt().contains("no JSON object"),
        "{}",
        second.prompt()
    );
}

async fn twice_bad(answer: serde_json::Value, expect: &str) {
    let rig = rig().await;
    rig.fake.fallback(Some(Reply::json(&answer)));
    let (goal, t) = plan_goal(&rig, NewGoal::titled("Doomed")).await;
    assert_eq!(t.status, TaskStatus::Failed);
    let f = failure(&rig, goal).await;
    assert!(f.error.contains("after one repair attempt"), "{}", f.error);
    assert!(f.error.contains(expect), "{}", f.error);
    assert_eq!(f.raw.as_deref(), Some(answer.to_string().as_str()));
    assert!(noop_tasks(&rig.store, goal).await.is_empty());
    assert_eq!(rig.fake.count(), 2, "one answer and one repair");
    assert_eq!(
        rig.store
            .get_goal(goal)
            .await
            .unwrap()
            .unwrap()
            .plan_version,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kinds_never_enqueue() {
    let plan =
        json!({"tasks": [{"key": "x", "kind": "launch_rockets", "title": "Go", "input": {}}]});
    twice_bad(plan, "launch_rockets").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cycles_never_enqueue() {
    let plan = json!({"tasks": [
        {"key": "a", "kind": "noop", "title": "A", "input": {}, "depends_on": ["b"]},
        {"key": "b", "kind": "noop", "title": "B", "input": {}, "depends_on": ["a"]}]});
    twice_bad(plan, "cycle").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_keep_the_raw_answer() {
    let rig = rig().await;
    rig.fake
        .push(Reply::Raw("{\"choices\": [{\"message\": ".into()));
    let (goal, t) = plan_goal(&rig, NewGoal::titled("Garbled")).await;
    assert_eq!(t.status, TaskStatus::Failed);
    let f = failure(&rig, goal).await;
    assert!(f.error.contains("unreadable answer"), "{}", f.error);
    assert_eq!(f.raw.as_deref(), Some("{\"choices\": [{\"message\": "));
    assert!(noop_tasks(&rig.store, goal).await.is_empty());
}

async fn reason_appears(rig: &Rig, goal: GoalId) -> String {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Some(f) = rig.store.planning_failure(goal).await.unwrap() {
                return f.error;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_and_hanging_servers_leave_a_reason_and_no_task() {
    let rig = rig().await;
    rig.fake.push(Reply::Status(503, None, "overloaded".into()));
    let g = rig
        .store
        .add_goal(NewGoal::titled("A"), "owner")
        .await
        .unwrap();
    rig.store.enqueue(plan_task(&g).unwrap()).await.unwrap();
    let reason = reason_appears(&rig, g.id).await;
    assert!(reason.contains("HTTP 503: overloaded"), "{reason}");
    assert!(noop_tasks(&rig.store, g.id).await.is_empty());

    rig.fake.push(Reply::Hang(Duration::from_secs(3)));
    let h = rig
        .store
        .add_goal(NewGoal::titled("B"), "owner")
        .await
        .unwrap();
    rig.store.enqueue(plan_task(&h).unwrap()).await.unwrap();
    let reason = reason_appears(&rig, h.id).await;
    assert!(reason.contains("no answer within"), "{reason}");
    assert!(noop_tasks(&rig.store, h.id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_budget_stops_planning_before_any_request() {
    let rig = rig().await;
    let spec = NewGoal {
        budget: Budget {
            money_usd: Some(0.001),
            max_tasks: None,
        },
        ..NewGoal::titled("Cheap")
    };
    let (goal, t) = plan_goal(&rig, spec).await;
    assert_eq!(t.status, TaskStatus::Failed);
    let f = failure(&rig, goal).await;
    assert!(f.error.contains("planning stopped"), "{}", f.error);
    assert!(f.error.contains("budget"), "{}", f.error);
    assert_eq!(rig.fake.count(), 0, "nothing was sent");
}
