//! `learning list|show|edit|retire`: `up`'s learner turns a dead task into a learning (its
//! error fingerprinted, its kind and error shown), which a person then reads, edits (kept),
//! retires and brings back, with JSON output and exit code 2 for unknown ids and bad input.

use crate::support::{Cwd, fails_with, free_port, spawn, wait_for};
use juggernaut_core::{NewTask, TaskKind};
use juggernaut_store::{ClaimRequest, Failure, LeaseRef};
use std::time::Duration;

/// A task of a kind nobody serves, dead after its one attempt.
async fn dead_task(cwd: &Cwd) {
    assert!(cwd.cmd(&["migrate"]).output().unwrap().status.success());
    let store = juggernaut_testkit::open_sqlite(&cwd.db_url()).await;
    let kind = TaskKind::new("fragile").unwrap();
    let t = NewTask {
        max_attempts: 1,
        ..NewTask::new(kind.clone())
    };
    store.enqueue(t).await.unwrap();
    let req = ClaimRequest {
        worker: "t".into(),
        kinds: vec![kind],
        limit: 1,
        lease: Duration::from_secs(30),
    };
    let claimed = store.claim(&req).await.unwrap();
    let f = Failure {
        lease: LeaseRef::of(&claimed[0]).unwrap(),
        error: "the disk /var/data is full (errno 28)".into(),
        retryable: true,
        retry_after: None,
    };
    store.fail(f).await.unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_learns_from_a_dead_task_and_a_person_curates_it() {
    let cwd = Cwd::new();
    dead_task(&cwd).await;
    let listen = format!("127.0.0.1:{}", free_port());
    let engine = spawn(&cwd, &["up", "--listen", &listen], &[], false);
    let c = Cwd {
        dir: tempfile::TempDir::new_in(cwd.dir.path()).unwrap(),
    };
    let db = cwd.db_url();
    let list = move || {
        let out = c
            .cmd(&["learning", "list", "--json", "--database-url", &db])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap_or_default()
    };
    let seen = tokio::task::spawn_blocking(move || {
        let mut found = serde_json::Value::Null;
        wait_for("the dead task's learning", 30, || {
            found = list();
            found.as_array().is_some_and(|a| !a.is_empty())
        });
        found
    });
    let items = seen.await.unwrap();
    drop(engine);
    let l = &items[0];
    assert_eq!(
        (l["kind"].as_str(), l["outcome"].as_str()),
        (Some("fragile"), Some("dead"))
    );
    assert!(
        l["error"]
            .as_str()
            .unwrap()
            .contains("disk /var/data is full"),
        "{l}"
    );
    assert_eq!(l["fingerprint"].as_str().unwrap().len(), 16);
    let id = l["id"].to_string();

    let human = cwd.cmd(&["learning", "list"]).output().unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(human.starts_with("ID"), "{human}");
    let filtered = cwd.json(&["learning", "list", "--kind", "noop"]);
    assert_eq!(filtered.as_array().unwrap().len(), 0);
    let shown = cwd.json(&["learning", "show", &id]);
    assert_eq!(shown["id"], l["id"]);
    let edited = cwd.json(&[
        "learning",
        "edit",
        &id,
        "--summary",
        "Free disk space first",
        "--tags",
        "disk, ops",
        "--as",
        "alice",
    ]);
    assert_eq!(edited["summary"], "Free disk space first");
    assert_eq!(edited["tags"], serde_json::json!(["disk", "ops"]));
    assert_eq!(edited["edited_by"], "alice");
    let retired = cwd.json(&["learning", "retire", &id, "--as", "alice"]);
    assert_eq!(retired["retired_by"], "alice");
    assert_eq!(cwd.json(&["learning", "list"]).as_array().unwrap().len(), 0);
    assert_eq!(
        cwd.json(&["learning", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let back = cwd.json(&["learning", "retire", &id, "--undo"]);
    assert!(back["retired_at"].is_null());

    fails_with(
        &cwd,
        &["learning", "show", "99999"],
        2,
        "no learning has id 99999",
    );
    fails_with(
        &cwd,
        &["learning", "retire", "99999"],
        2,
        "no learning has id 99999",
    );
    fails_with(
        &cwd,
        &["learning", "edit", &id],
        2,
        "give a summary, tags, or both",
    );
    fails_with(
        &cwd,
        &["learning", "edit", &id, "--summary", " "],
        2,
        "summary",
    );
    fails_with(
        &cwd,
        &["learning", "list", "--outcome", "won"],
        2,
        "outcome",
    );
    fails_with(&cwd, &["learning", "list", "--limit", "0"], 2, "");
    fails_with(&cwd, &["learning", "show", "x"], 2, "");
}
