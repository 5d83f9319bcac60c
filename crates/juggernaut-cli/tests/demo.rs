//! `juggernaut demo` end to end through the binary, on SQLite (the default) and on PostgreSQL:
//! every task of the demo's plans completes with evidence, the reports exist with the hashes
//! their evidence records, the webhook sink got the messages, and a re-run replaces the folder
//! while a folder the demo did not make is refused; with an LLM configured (the fake server), one
//! more goal is planned by the LLM and its `agent` task completes on the calls it cites.

use crate::support::Cwd;
use juggernaut_testkit::postgres::TestDatabase;
use sha2_check::sha256_hex;
use std::path::Path;

mod sha2_check {
    /// SHA-256 of a file through `sha256sum` (coreutils), independent of the code under test.
    pub fn sha256_hex(path: &std::path::Path) -> String {
        let out = std::process::Command::new("sha256sum")
            .arg(path)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    }
}

/// Checks what a finished demo left in `dir` and in the task list `tasks`.
fn check(dir: &Path, tasks: &serde_json::Value, stdout: &str) {
    let tasks = tasks.as_array().unwrap();
    assert!(tasks.len() >= 10, "{tasks:#?}");
    for t in tasks {
        assert_eq!(t["status"], "completed", "{t:#}");
        let evidence = t["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty(), "{t:#}");
        for e in evidence.iter().filter(|e| e["type"] == "file") {
            let file = dir.join("workspaces").join(e["path"].as_str().unwrap());
            assert_eq!(
                sha256_hex(&file),
                e["sha256"].as_str().unwrap(),
                "{}",
                file.display()
            );
        }
    }
    let kinds: Vec<&str> = tasks.iter().map(|t| t["kind"].as_str().unwrap()).collect();
    for kind in [
        "plan",
        "analysis",
        "workflow",
        "report",
        "notify",
        "experiment_step",
    ] {
        assert!(kinds.contains(&kind), "no {kind} task in {kinds:?}");
    }
    let revenue = std::fs::read_to_string(
        walk(&dir.join("workspaces"), "revenue.md").expect("the revenue report"),
    )
    .unwrap();
    assert!(
        revenue.contains("| month | invoices | revenue |"),
        "{revenue}"
    );
    let calls =
        std::fs::read_to_string(walk(&dir.join("workspaces"), "call-list.csv").unwrap()).unwrap();
    assert!(
        calls.starts_with("invoice,customer,city,due_on,amount\n") && calls.lines().count() > 5
    );
    assert!(
        stdout.contains("messages received by the demo's webhook sink: 3"),
        "{stdout}"
    );
    // The executive report, with its charts, in the demo folder.
    let page = std::fs::read_to_string(dir.join("executive-report.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(
        page.matches("<svg").count() >= 2,
        "a goal's progress and the spend: {page}"
    );
    let md = std::fs::read_to_string(dir.join("executive-report.md")).unwrap();
    assert!(
        md.starts_with("# Executive report: the demo's first run\n"),
        "{md}"
    );
    // Its own stored report follows the one the plan's `report` task stored.
    assert!(stdout.contains("executive report 2 (stored;"), "{stdout}");
    assert!(
        md.contains("Quote form: instant quote vs callback"),
        "the experiment: {md}"
    );
    // The experiment concluded with a winner, and its rollout ran.
    assert!(
        stdout.contains("verdict: winner, winner: instant_quote"),
        "{stdout}"
    );
    let rollout = tasks
        .iter()
        .find(|t| t["title"] == "Roll out the instant_quote quote form")
        .expect("the rollout task");
    assert_eq!(rollout["kind"], "notify");
}

/// `experiment list --json`: the demo's experiment, concluded with its winner.
fn check_experiments(listed: &serde_json::Value) {
    let list = listed.as_array().unwrap();
    assert_eq!(list.len(), 1, "{listed:#}");
    assert_eq!(list[0]["status"], "concluded");
    assert_eq!(list[0]["conclusion"]["verdict"], "winner");
    assert_eq!(list[0]["conclusion"]["winner"], "instant_quote");
}

fn walk(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let p = e.path();
        if p.is_dir() {
            if let Some(found) = walk(&p, name) {
                return Some(found);
            }
        } else if p.file_name().is_some_and(|n| n == name) {
            return Some(p);
        }
    }
    None
}

#[test]
fn the_demo_runs_to_completion_on_sqlite_and_every_task_carries_evidence() {
    let cwd = Cwd::new();
    let out = cwd.cmd(&["demo", "--dir", "d"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = cwd.dir.path().join("d");
    let mut list = assert_cmd::Command::cargo_bin("juggernaut").unwrap();
    let listed = list
        .current_dir(&dir)
        .env_remove("JUGGERNAUT_DATABASE_URL")
        .args(["task", "list", "--json", "--limit", "100"])
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    check(
        &dir,
        &serde_json::from_slice(&listed.stdout).unwrap(),
        &stdout,
    );
    let experiments = assert_cmd::Command::cargo_bin("juggernaut")
        .unwrap()
        .current_dir(&dir)
        .env_remove("JUGGERNAUT_DATABASE_URL")
        .args(["experiment", "list", "--json"])
        .output()
        .unwrap();
    check_experiments(&serde_json::from_slice(&experiments.stdout).unwrap());
    // A re-run replaces its own folder; a folder it did not make is refused.
    assert!(
        cwd.cmd(&["demo", "--dir", "d"])
            .output()
            .unwrap()
            .status
            .success()
    );
    std::fs::create_dir(cwd.dir.path().join("mine")).unwrap();
    std::fs::write(cwd.dir.path().join("mine/keep.txt"), "x").unwrap();
    let refused = cwd.cmd(&["demo", "--dir", "mine"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(cwd.dir.path().join("mine/keep.txt").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_runs_on_postgres() {
    let db = TestDatabase::create().await;
    let cwd = Cwd::new();
    let out = cwd
        .cmd(&["--database-url", &db.url, "demo", "--dir", "d"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tasks = cwd.json(&["--database-url", &db.url, "task", "list", "--limit", "100"]);
    check(&cwd.dir.path().join("d"), &tasks, &stdout);
    check_experiments(&cwd.json(&["--database-url", &db.url, "experiment", "list"]));
    db.remove().await;
}

#[test]
fn with_an_llm_the_demo_also_plans_by_llm_and_runs_an_agent_on_evidence() {
    use juggernaut_testkit::fake_llm::{FakeLlm, Reply};
    use serde_json::json;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let llm = rt.block_on(FakeLlm::start());
    let plan = json!({"tasks": [{
        "key": "emergencies", "kind": "agent", "title": "Count emergency call-outs per city",
        "input": {"instructions": "Count emergency jobs per city in the plumbing data source.",
                  "tools": ["sql_query"]}
    }]});
    llm.push(Reply::json(&plan));
    llm.push(Reply::ToolCalls(vec![(
        "sql_query".into(),
        json!({"source": "plumbing", "query": "SELECT c.city, COUNT(*) AS n FROM jobs j JOIN customers c ON c.id = j.customer_id WHERE j.kind = 'emergency' GROUP BY c.city"}),
    )]));
    llm.push(Reply::CiteToolResults(
        "Emergency call-outs per city are counted:".into(),
    ));
    let cwd = Cwd::new();
    let out = cwd
        .cmd(&["demo", "--dir", "d"])
        .env("JUGGERNAUT_LLM_BASE_URL", llm.base_url())
        .env("JUGGERNAUT_LLM_MODEL", "fake-model")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("4 goals"), "{stdout}");
    let mut list = assert_cmd::Command::cargo_bin("juggernaut").unwrap();
    let listed = list
        .current_dir(cwd.dir.path().join("d"))
        .env_remove("JUGGERNAUT_DATABASE_URL")
        .args(["task", "list", "--json", "--kind", "agent"])
        .output()
        .unwrap();
    let agents: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let agent = &agents[0];
    assert_eq!(agent["status"], "completed", "{agent:#}");
    assert!(
        agent["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "tool_call"),
        "{agent:#}"
    );
    // The agent was shown the real query result before it answered.
    let third = llm.received()[2].body.to_string();
    assert!(
        third.contains("Springfield") || third.contains("Riverton"),
        "{third}"
    );
}
