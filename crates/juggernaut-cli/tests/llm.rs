//! The LLM planner through the binary, against the fake OpenAI server: a goal no playbook matches
//! gets a validated plan whose tasks `up` runs to completion; bad answers leave a reason and no
//! task; an idle minute costs no request; a day budget holds with two processes racing for it.

use crate::support::{Cwd, Engine, free_port, spawn, wait_for};
use juggernaut_testkit::fake_llm::{FakeLlm, Reply};
use serde_json::{Value, json};
use std::time::Duration;

/// The fake server on a runtime of its own (these tests are synchronous).
struct Fake {
    server: FakeLlm,
    _rt: tokio::runtime::Runtime,
}

fn fake() -> Fake {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(FakeLlm::start());
    Fake { server, _rt: rt }
}

fn good_plan() -> Value {
    json!({"tasks": [
        {"key": "survey", "kind": "noop", "title": "Survey customers", "input": {}},
        {"key": "follow", "kind": "noop", "title": "Follow up", "input": {}, "depends_on": ["survey"]}
    ]})
}

fn up(cwd: &Cwd, fake: &Fake, extra: &[&str]) -> Engine {
    let listen = format!("127.0.0.1:{}", free_port());
    let mut args = vec!["up", "--listen", listen.as_str(), "--concurrency", "4"];
    args.extend_from_slice(extra);
    let url = fake.server.base_url();
    spawn(
        cwd,
        &args,
        &[
            ("JUGGERNAUT_LLM_BASE_URL", url.as_str()),
            ("JUGGERNAUT_LLM_MODEL", "fake-planner"),
            ("JUGGERNAUT_LLM_API_KEY", "sk-fake-secret"),
        ],
        false,
    )
}

fn goal_tasks(cwd: &Cwd, goal: i64, kind: &str) -> Vec<Value> {
    cwd.json(&["task", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["goal_id"] == goal && t["kind"] == kind)
        .cloned()
        .collect()
}

fn config(cwd: &Cwd, text: &str) {
    std::fs::write(cwd.dir.path().join("juggernaut.toml"), text).unwrap();
}

#[test]
fn an_unmatched_goal_is_planned_by_the_llm_and_run_and_an_idle_minute_costs_nothing() {
    let cwd = Cwd::new();
    config(&cwd, "[planner]\ninterval_ms = 50\n");
    let fake = fake();
    fake.server.push(Reply::json(&good_plan()));
    let g = cwd.json(&["goal", "add", "Win ten customers", "--tag", "sales"]);
    let id = g["id"].as_i64().unwrap();
    let _engine = up(&cwd, &fake, &[]);
    wait_for("the LLM plan's tasks to complete", 40, || {
        let tasks = goal_tasks(&cwd, id, "noop");
        tasks.len() == 2 && tasks.iter().all(|t| t["status"] == "completed")
    });
    let plan = cwd.json(&["goal", "plan", &id.to_string()]);
    assert_eq!(plan["plan"]["made_by"], "llm:fake-planner");
    let shown = cwd.json(&["goal", "show", &id.to_string()]);
    assert_eq!(shown["spend"]["calls"], 1, "{shown}");
    assert_eq!(shown["spend"]["tokens_in"], 100);
    let human = cwd
        .cmd(&["goal", "show", &id.to_string()])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&human.stdout).contains("spent: $"),
        "goal show prints the spend"
    );
    let sent = &fake.server.received()[0];
    assert_eq!(sent.body["model"], "fake-planner");
    assert_eq!(sent.authorization.as_deref(), Some("Bearer sk-fake-secret"));
    assert!(sent.prompt().contains("Win ten customers"));
    // Nothing to do now: the goal is planned and its tasks are done. For a minute of planner
    // ticks every 50 ms, nobody asks the model anything.
    let before = fake.server.count();
    assert_eq!(before, 1);
    std::thread::sleep(Duration::from_secs(60));
    assert_eq!(
        fake.server.count(),
        before,
        "an idle engine made LLM requests"
    );
}

#[test]
fn bad_answers_leave_a_reason_and_no_task() {
    let cwd = Cwd::new();
    let fake = fake();
    let rockets =
        json!({"tasks": [{"key": "x", "kind": "launch_rockets", "title": "Go", "input": {}}]});
    fake.server.fallback(Some(Reply::json(&rockets)));
    let g = cwd.json(&["goal", "add", "Reach orbit"]);
    let id = g["id"].as_i64().unwrap();
    let _engine = up(&cwd, &fake, &[]);
    wait_for("the planning failure on the goal", 30, || {
        let shown = cwd.json(&["goal", "show", &id.to_string()]);
        shown.to_string().contains("launch_rockets")
    });
    let shown = cwd.json(&["goal", "show", &id.to_string()]);
    assert!(
        shown.to_string().contains("after one repair attempt"),
        "{shown}"
    );
    assert!(goal_tasks(&cwd, id, "launch_rockets").is_empty());
    assert!(goal_tasks(&cwd, id, "noop").is_empty());
    assert_eq!(
        fake.server.count(),
        2,
        "one answer, one repair, then it stops"
    );
    assert!(!shown.to_string().contains("sk-fake-secret"));
}

#[test]
fn a_day_budget_holds_with_two_processes_racing() {
    let cwd = Cwd::new();
    // Each call holds $0.01 (no price for the model) and costs $0.01 (reported by the server):
    // the day's $0.03 pays for exactly three plans, whoever asks.
    config(
        &cwd,
        "[planner]\ninterval_ms = 50\n[llm]\nunpriced_reserve_usd = 0.01\n[budgets]\nday_usd = 0.03\n",
    );
    let fake = fake();
    fake.server
        .fallback(Some(Reply::Costed(good_plan().to_string(), 0.01)));
    cwd.json(&["migrate"]);
    let ids: Vec<i64> = (0..8)
        .map(|i| {
            cwd.json(&["goal", "add", &format!("Goal {i}")])["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let _a = up(&cwd, &fake, &[]);
    let url = fake.server.base_url();
    let _b = spawn(
        &cwd,
        &["worker", "--roles", "strategist", "--concurrency", "4"],
        &[
            ("JUGGERNAUT_LLM_BASE_URL", url.as_str()),
            ("JUGGERNAUT_LLM_MODEL", "fake-planner"),
        ],
        false,
    );
    wait_for("every goal planned or stopped by the budget", 40, || {
        ids.iter().all(|id| {
            let shown = cwd.json(&["goal", "show", &id.to_string()]);
            let stopped = shown["goal"]["plan_error"]
                .as_str()
                .is_some_and(|e| e.contains("budget"));
            shown["goal"]["plan_version"] == 1 || stopped
        })
    });
    let planned = ids
        .iter()
        .filter(|id| cwd.json(&["goal", "show", &id.to_string()])["goal"]["plan_version"] == 1)
        .count();
    assert_eq!(planned, 3);
    assert_eq!(fake.server.count(), 3, "no request past the budget");
    let status = cwd.json(&["status"]);
    assert_eq!(status["spend_today"]["calls"], 3, "{status}");
    let spent = status["spend_today"]["settled_usd"].as_f64().unwrap();
    assert!((spent - 0.03).abs() < 1e-9, "{spent}");
}

#[test]
fn every_kind_of_bad_answer_leaves_a_reason_and_enqueues_nothing() {
    let cwd = Cwd::new();
    let fake = fake();
    config(
        &cwd,
        &format!(
            "[planner]\ninterval_ms = 50\n[llm.providers.fake]\nbase_url = \"{}\"\nmodel = \"m\"\ntimeout_secs = 1\nmax_retries = 0\n",
            fake.server.base_url()
        ),
    );
    let cycle = json!({"tasks": [
        {"key": "a", "kind": "noop", "title": "A", "input": {}, "depends_on": ["b"]},
        {"key": "b", "kind": "noop", "title": "B", "input": {}, "depends_on": ["a"]}]});
    fake.server.push(Reply::Status(500, None, "boom".into()));
    fake.server.push(Reply::Raw("{\"choices\": [".into()));
    fake.server.push(Reply::Hang(Duration::from_secs(3)));
    fake.server
        .push(Reply::Text("I would start by thinking hard.".into()));
    fake.server.push(Reply::json(&cycle));
    fake.server.fallback(Some(Reply::json(&json!({"tasks": [
        {"key": "x", "kind": "teleport", "title": "Go", "input": {}}]}))));
    let ids: Vec<String> = (0..5)
        .map(|i| cwd.json(&["goal", "add", &format!("Doomed {i}")])["id"].to_string())
        .collect();
    let listen = format!("127.0.0.1:{}", free_port());
    let _engine = spawn(&cwd, &["up", "--listen", &listen], &[], false);
    wait_for("a reason on every goal", 40, || {
        ids.iter()
            .all(|id| cwd.json(&["goal", "show", id])["goal"]["plan_error"].is_string())
    });
    let tasks = cwd.json(&["task", "list"]);
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["kind"] == "plan"),
        "only plan tasks: {tasks}"
    );
    for id in &ids {
        let goal = cwd.json(&["goal", "show", id]);
        assert_eq!(goal["goal"]["plan_version"], 0, "{goal}");
    }
    assert!(fake.server.count() >= 5);
}
