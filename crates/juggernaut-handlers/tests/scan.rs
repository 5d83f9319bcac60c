//! The error scan over a real SQLite store and a real dispatcher: failures the learnings saw
//! three times become one fix task each (an `agent` task for an `http` failure, a `code` task on
//! the failed task's repository for a `code` failure), a failure seen once does not, and a
//! second scan adds nothing while the fixes are under way (dedupe key `scan:FINGERPRINT`). The
//! verifier refuses evidence that names a learning that is not a repeated failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_core::learning::{NewLearning, Outcome, fingerprint};
use juggernaut_core::task::Origin;
use juggernaut_core::{NewTask, Task, TaskId, TaskKind, TaskStatus};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::Registry;
use juggernaut_handler::context::Handles;
use juggernaut_handlers::noop::Noop;
use juggernaut_handlers::scan::Scan;
use juggernaut_store::{PageRequest, Queue, Store, TaskFilter};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

async fn task(store: &Arc<dyn Store>, kind: &str, input: serde_json::Value) -> TaskId {
    let mut t = NewTask::new(TaskKind::new(kind).unwrap());
    t.input = input;
    store.enqueue(t).await.unwrap().task.id
}

/// Records `times` failures of `kind` with `error` (ids varying) taught by `task`.
async fn failed(store: &Arc<dyn Store>, kind: &str, error: &str, task: TaskId, times: u32) {
    for i in 0..times {
        let text = format!("{error} (request {})", 1000 + i);
        let l = NewLearning {
            fingerprint: fingerprint(kind, &text),
            kind: kind.into(),
            outcome: Outcome::Failed,
            title: format!("{kind} failed"),
            summary: text.clone(),
            tags: vec![],
            error: Some(text),
            tools: vec![],
            task,
            goal: None,
            at: chrono::Utc::now(),
        };
        let after = store.capture_cursor().await.unwrap();
        store
            .record_learnings(vec![l], after, after + 1, "test")
            .await
            .unwrap();
    }
}

async fn settled(store: &Arc<dyn Store>, id: TaskId) -> Task {
    for _ in 0..1500 {
        let t = store.get(id).await.unwrap().unwrap();
        if t.status.is_terminal() {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("task {id} did not finish");
}

async fn fixes(store: &Arc<dyn Store>) -> Vec<Task> {
    let page = PageRequest {
        before: None,
        limit: 100,
    };
    let all = store.list(&TaskFilter::default(), page).await.unwrap();
    all.items
        .into_iter()
        .filter(|t| t.origin == Origin::ErrorScan)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_become_one_fix_task_each() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    let code_input = json!({"repo_url": "https://git.example/shop.git", "title": "t",
        "description": "d", "test_command": "cargo test", "changes": []});
    let code_task = task(&store, "code", code_input).await;
    let http_task = task(&store, "http", json!({})).await;
    failed(&store, "http", "GET /orders answered 502", http_task, 3).await;
    failed(&store, "code", "tests failed: 2 of 31", code_task, 4).await;
    failed(&store, "shell", "exit 127: command not found", http_task, 1).await;

    let registry = Registry::new(vec![Arc::new(Scan::new(true)), Arc::new(Noop)]).unwrap();
    let mut cfg = DispatcherConfig::new("scan-test".into(), vec![TaskKind::new("scan").unwrap()]);
    cfg.poll_interval = Duration::from_millis(20);
    let queue: Arc<dyn Queue> = store.clone();
    let d = Dispatcher::new(queue, Handles::over(store.clone()), registry.clone(), cfg);
    let stop = CancellationToken::new();
    let s = stop.clone();
    let running = tokio::spawn(async move { d.run(s).await.unwrap() });

    let input = json!({"min_count": 3});
    registry.check_task("error_scan", &input).unwrap();
    assert!(
        registry
            .check_task("scan", &json!({"min_count": 1}))
            .is_err()
    );
    let first = task(&store, "scan", input.clone()).await;
    let first = settled(&store, first).await;
    assert_eq!(
        first.status,
        TaskStatus::Completed,
        "{:?}",
        first.last_error
    );
    assert_eq!(first.result.as_ref().unwrap()["found"], 2);
    let made = fixes(&store).await;
    assert_eq!(made.len(), 2, "{made:?}");
    let by_kind = |k: &str| made.iter().find(|t| t.kind.as_str() == k).unwrap();
    let agent = by_kind("agent");
    assert!(
        agent.input["instructions"]
            .as_str()
            .unwrap()
            .contains("GET /orders answered 502"),
        "{}",
        agent.input
    );
    let fp = fingerprint("http", "GET /orders answered 502 (request 1000)");
    assert_eq!(
        agent.dedupe_key.as_deref(),
        Some(format!("scan:{fp}:{http_task}").as_str())
    );
    let code = by_kind("code");
    assert_eq!(code.input["repo_url"], "https://git.example/shop.git");
    assert_eq!(code.input["test_command"], "cargo test");
    assert!(
        code.input["instructions"]
            .as_str()
            .unwrap()
            .contains("4 times")
    );

    let second = task(&store, "scan", input).await;
    let second = settled(&store, second).await;
    assert_eq!(second.status, TaskStatus::Completed);
    assert_eq!(
        fixes(&store).await.len(),
        2,
        "no second fix while one is open"
    );

    // A fix that ended does not make the scan fix the same failures again; a failure that comes
    // back (a new failing task) gets a new fix; a failing fix is left to people.
    store
        .cancel(agent.id, "test", "done by hand")
        .await
        .unwrap();
    let third = task(&store, "scan", json!({"min_count": 3})).await;
    assert_eq!(settled(&store, third).await.status, TaskStatus::Completed);
    assert_eq!(
        fixes(&store).await.len(),
        2,
        "the ended fix is not made again"
    );
    let again = task(&store, "http", json!({})).await;
    failed(&store, "http", "GET /orders answered 502", again, 1).await;
    let fourth = task(&store, "scan", json!({"min_count": 3})).await;
    assert_eq!(settled(&store, fourth).await.status, TaskStatus::Completed);
    assert_eq!(
        fixes(&store).await.len(),
        3,
        "the failure came back: a new fix"
    );
    let fix_ids: Vec<TaskId> = fixes(&store).await.iter().map(|t| t.id).collect();
    for id in &fix_ids {
        failed(&store, "agent", "agent gave up", *id, 3).await;
    }
    let fifth = task(&store, "scan", json!({"min_count": 3})).await;
    let fifth = settled(&store, fifth).await;
    assert_eq!(fifth.status, TaskStatus::Completed);
    assert_eq!(fixes(&store).await.len(), 3, "fixes do not breed fixes");
    assert_eq!(fifth.result.as_ref().unwrap()["fix_failures"], 1);

    let none = task(&store, "scan", json!({"min_count": 10})).await;
    let none = settled(&store, none).await;
    assert_eq!(
        none.status,
        TaskStatus::Completed,
        "nothing found is a scan done"
    );
    assert_eq!(none.result.as_ref().unwrap()["fixes"], json!([]));
    stop.cancel();
    running.await.unwrap();
    store.close().await;
}
