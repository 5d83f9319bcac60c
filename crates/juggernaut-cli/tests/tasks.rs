//! The task and dlq commands on the default embedded database.

use crate::support::Cwd;
use juggernaut_store::prelude::*;
use juggernaut_store::{ClaimRequest, Failure, LeaseRef, StoreOptions};
use juggernaut_store_sqlite::SqliteStore;
use std::time::Duration;

#[test]
fn enqueue_list_show_cancel_with_json_shapes() {
    let cwd = Cwd::new();
    let e = cwd.json(&[
        "task",
        "enqueue",
        "noop",
        "--title",
        "hello",
        "--input",
        r#"{"a":1}"#,
        "--goal",
        "3",
    ]);
    assert_eq!(e["created"], true);
    let id = e["task"]["id"].as_i64().unwrap();
    assert!(cwd.db_path().exists(), "default SQLite file created");
    let list = cwd.json(&["task", "list"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 1);
    for key in ["id", "kind", "status", "goal_id", "attempts"] {
        assert!(!items[0][key].is_null(), "task JSON has {key}");
    }
    assert_eq!(items[0]["evidence"], serde_json::json!([]));
    assert_eq!(items[0]["status"], "ready");
    assert_eq!(items[0]["goal_id"], 3);
    let filtered = cwd.json(&["task", "list", "--status", "completed"]);
    assert_eq!(filtered, serde_json::json!([]));
    let show = cwd.json(&["task", "show", &id.to_string()]);
    assert_eq!(show["events"][0]["kind"], "task.enqueued");
    let human = cwd
        .cmd(&["task", "show", &id.to_string()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&human.stdout).contains("task.enqueued"));
    let cancelled = cwd.json(&["task", "cancel", &id.to_string(), "--reason", "test"]);
    assert_eq!(cancelled["status"], "cancelled");
    let again = cwd.json(&["task", "retry", &id.to_string()]);
    assert_eq!(again["status"], "pending");
}

#[test]
fn dedupe_key_returns_the_existing_task() {
    let cwd = Cwd::new();
    let a = cwd.json(&["task", "enqueue", "noop", "--dedupe-key", "k"]);
    let b = cwd.json(&["task", "enqueue", "noop", "--dedupe-key", "k"]);
    assert_eq!(a["task"]["id"], b["task"]["id"]);
    assert_eq!(b["created"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_tasks_are_listed_and_requeued() {
    let cwd = Cwd::new();
    let e = cwd.json(&["task", "enqueue", "noop", "--max-attempts", "1"]);
    let id = e["task"]["id"].as_i64().unwrap();
    let store = SqliteStore::open(&cwd.db_url(), StoreOptions::default())
        .await
        .unwrap();
    let claimed = store
        .claim(&ClaimRequest {
            worker: "t".into(),
            kinds: vec![juggernaut_core::TaskKind::new("noop").unwrap()],
            limit: 1,
            lease: Duration::from_secs(30),
        })
        .await
        .unwrap();
    let lease = LeaseRef::of(&claimed[0]).unwrap();
    store
        .fail(Failure {
            lease,
            error: "boom".into(),
            retryable: true,
            retry_after: None,
        })
        .await
        .unwrap();
    store.close().await;
    let dead = cwd.json(&["dlq", "list"]);
    assert_eq!(dead.as_array().unwrap().len(), 1);
    assert_eq!(dead[0]["id"], id);
    let requeued = cwd.json(&["dlq", "requeue", &id.to_string()]);
    assert_eq!(requeued[0]["status"], "pending");
    assert_eq!(cwd.json(&["dlq", "list"]), serde_json::json!([]));
    let not_dead = cwd
        .cmd(&["dlq", "requeue", &id.to_string()])
        .output()
        .unwrap();
    assert_eq!(not_dead.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_dead.stderr).contains("not dead"));
}

#[test]
fn migrate_reports_version_and_is_idempotent() {
    let cwd = Cwd::new();
    let versions: Vec<i64> = juggernaut_store_sqlite::MIGRATOR
        .iter()
        .map(|m| m.version)
        .collect();
    let first = cwd.json(&["migrate"]);
    assert_eq!(first["applied"], serde_json::json!(versions));
    let second = cwd.json(&["migrate"]);
    assert_eq!(second["applied"], serde_json::json!([]));
    assert_eq!(second["version"], *versions.last().unwrap());
}
