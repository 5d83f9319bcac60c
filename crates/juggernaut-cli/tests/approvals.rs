//! `approval list`, `approve` and `reject` on the default embedded database, with a task parked
//! in `waiting_approval` through the store as a handler asking for approval would.

use crate::support::{Cwd, fails_with};
use juggernaut_core::{RiskLevel, TaskKind};
use juggernaut_store::{ApprovalRequest, ClaimRequest, LeaseRef};
use std::time::Duration;

/// Enqueues a `noop` task through the CLI and parks it waiting for approval.
async fn parked(cwd: &Cwd, title: &str, reason: &str) -> String {
    let e = cwd.json(&["task", "enqueue", "noop", "--title", title]);
    let id = e["task"]["id"].as_i64().unwrap();
    let store = juggernaut_testkit::open_sqlite(&cwd.db_url()).await;
    let claimed = store
        .claim(&ClaimRequest {
            worker: "t".into(),
            kinds: vec![TaskKind::new("noop").unwrap()],
            limit: 1,
            lease: Duration::from_secs(30),
        })
        .await
        .unwrap();
    assert_eq!(claimed[0].id.0, id);
    let ask = ApprovalRequest {
        lease: LeaseRef::of(&claimed[0]).unwrap(),
        reason: reason.into(),
        risk: RiskLevel::High,
        assessment: None,
    };
    store.request_approval(ask).await.unwrap();
    store.close().await;
    id.to_string()
}

/// The audit event of `kind` in `task show --json`.
fn event(cwd: &Cwd, id: &str, kind: &str) -> serde_json::Value {
    let show = cwd.json(&["task", "show", id]);
    let events = show["events"].as_array().unwrap();
    let found = events.iter().find(|e| e["kind"] == kind);
    found
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} in {events:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_lists_approves_and_rejects_waiting_tasks() {
    let cwd = Cwd::new();
    let first = parked(&cwd, "merge it", "merges to main").await;
    let second = parked(&cwd, "drop it\u{1b}[31m", "deletes a\nbranch").await;

    let list = cwd.json(&["approval", "list"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["id"].to_string(), first);
    assert_eq!(items[1]["status"], "waiting_approval");
    assert_eq!(items[1]["waiting"]["reason"], "merges to main");
    assert_eq!(items[1]["waiting"]["risk"], "high");
    let human = cwd.cmd(&["approval", "list"]).output().unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(human.starts_with("ID"), "{human}");
    assert!(human.contains("merges to main"), "{human}");
    assert!(human.contains("deletes a\\nbranch"), "{human}");
    assert!(!human.contains('\u{1b}'), "{human}");
    let one = cwd.json(&["approval", "list", "--limit", "1"]);
    assert_eq!(one.as_array().unwrap().len(), 1);

    let approved = cwd
        .cmd(&["approve", &first, "--json"])
        .env("JUGGERNAUT_ACTOR", "alice")
        .output()
        .unwrap();
    assert!(approved.status.success());
    let approved: serde_json::Value = serde_json::from_slice(&approved.stdout).unwrap();
    assert!(
        ["pending", "ready"].contains(&approved["status"].as_str().unwrap()),
        "{approved}"
    );
    assert_eq!(event(&cwd, &first, "task.approved")["actor"], "alice");

    fails_with(&cwd, &["reject", &second], 2, "--reason");
    fails_with(&cwd, &["reject", &second, "--reason", " "], 2, "reason");
    let rejected = cwd.json(&["reject", &second, "--reason", "too risky", "--as", "bob"]);
    assert_eq!(rejected["status"], "cancelled");
    let e = event(&cwd, &second, "task.rejected");
    assert_eq!(
        (&e["actor"], &e["data"]["reason"]),
        (&"bob".into(), &"too risky".into())
    );

    fails_with(
        &cwd,
        &["approve", &second],
        2,
        "is cancelled, not waiting_approval",
    );
    fails_with(&cwd, &["approve", "999"], 2, "999");
    assert_eq!(cwd.json(&["approval", "list"]), serde_json::json!([]));
}

#[test]
fn the_identity_falls_back_to_the_os_user() {
    let cwd = Cwd::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let id = rt.block_on(parked(&cwd, "t", "why"));
    let out = cwd
        .cmd(&["approve", &id])
        .env_remove("JUGGERNAUT_ACTOR")
        .env("USER", "carol")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("approved by carol"), "{stdout}");
    assert_eq!(event(&cwd, &id, "task.approved")["actor"], "carol");
}
