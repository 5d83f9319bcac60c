//! The policy gate through the binary: with a policy that holds `noop` for approval, a task
//! enqueued under `up` waits (and its risk is listed) instead of running; a killed and restarted
//! engine does not move it; `reject` cancels it and `task retry` asks again; only `approve`
//! lets it run. A policy naming an unknown kind keeps `up` from starting.

use crate::support::*;
use std::time::Duration;

const POLICY: &str = "[governance.policy.kinds]\nnoop = \"approval\"\n";

fn status(cwd: &Cwd, id: &str) -> String {
    cwd.json(&["task", "show", id])["task"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn until(cwd: &Cwd, id: &str, want: &str) {
    wait_for(&format!("task {id} {want}"), 30, || status(cwd, id) == want);
}

fn up(cwd: &Cwd) -> Engine {
    let port = free_port();
    let e = start_up(cwd, port);
    wait_for("the engine", 30, || http_get(port, "/healthz").is_some());
    e
}

#[test]
fn a_held_task_runs_only_after_a_person_approves_it_whatever_happens_meanwhile() {
    let cwd = Cwd::new();
    std::fs::write(cwd.dir.path().join("juggernaut.toml"), POLICY).unwrap();
    let engine = up(&cwd);
    let e = cwd.json(&["task", "enqueue", "noop", "--title", "held"]);
    let id = e["task"]["id"].as_i64().unwrap().to_string();
    until(&cwd, &id, "waiting_approval");
    let listed = cwd.json(&["approval", "list"]);
    let waiting = &listed.as_array().unwrap()[0]["waiting"];
    assert_eq!(waiting["assessment"]["level"], "low", "{waiting}");
    assert!(
        waiting["reason"].as_str().unwrap().contains("kind `noop`"),
        "{waiting}"
    );
    let shown = cwd.cmd(&["task", "show", &id]).output().unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(
        shown.contains("waiting for approval: needs approval by"),
        "{shown}"
    );
    // Killed mid-approval and started again: still waiting.
    drop(engine);
    let engine = up(&cwd);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(status(&cwd, &id), "waiting_approval");
    // Rejected, then retried: it asks again instead of running.
    let rejected = cwd
        .cmd(&["reject", &id, "--reason", "not now", "--as", "bob"])
        .output()
        .unwrap();
    assert!(rejected.status.success());
    assert_eq!(status(&cwd, &id), "cancelled");
    let retried = cwd.cmd(&["task", "retry", &id]).output().unwrap();
    assert!(retried.status.success());
    until(&cwd, &id, "waiting_approval");
    // Approved, it runs.
    let ok = cwd
        .cmd(&["approve", &id, "--reason", "fine", "--as", "alice"])
        .output()
        .unwrap();
    assert!(ok.status.success());
    until(&cwd, &id, "completed");
    drop(engine);
    let show = cwd.json(&["task", "show", &id]);
    let kinds: Vec<&str> = show["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    let asked = kinds
        .iter()
        .filter(|k| **k == "task.approval_requested")
        .count();
    assert_eq!(asked, 2, "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"task.completed"), "{kinds:?}");
}

#[test]
fn a_policy_naming_an_unknown_kind_keeps_up_from_starting() {
    let cwd = Cwd::new();
    let bad = "[governance.policy.kinds]\nnoopp = \"approval\"\n";
    std::fs::write(cwd.dir.path().join("juggernaut.toml"), bad).unwrap();
    fails_with(
        &cwd,
        &["up", "--listen", "127.0.0.1:0"],
        2,
        "kind `noopp` is not a kind this binary has",
    );
    let doctor = cwd.cmd(&["doctor"]).output().unwrap();
    let out = String::from_utf8_lossy(&doctor.stdout);
    assert!(out.contains("FAIL  policy"), "{out}");
}
