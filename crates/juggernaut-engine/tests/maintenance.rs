//! The built-in `maintenance` kind run by a real dispatcher over a fresh SQLite store: it takes
//! back expired leases, prunes old terminal tasks, proves it with evidence, and refuses bad input
//! for good.

use juggernaut_core::{Evidence, NewTask, Task, TaskId, TaskKind, TaskStatus, WorkerId};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::Registry;
use juggernaut_handler::context::Handles;
use juggernaut_store::{ClaimRequest, Queue, Store};
use juggernaut_testkit::fresh_sqlite;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A dispatcher serving every built-in kind; stop it with the token.
fn start(store: &Arc<dyn Store>) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let reg = Registry::new(juggernaut_handlers::builtin(
        &juggernaut_handlers::Deps::default(),
    ))
    .unwrap();
    let mut cfg = DispatcherConfig::new("maintainer".into(), reg.all_kinds());
    cfg.poll_interval = Duration::from_millis(50);
    let queue: Arc<dyn Queue> = store.clone();
    let d = Dispatcher::new(queue, Handles::over(store.clone()), reg, cfg);
    let stop = CancellationToken::new();
    let s = stop.clone();
    (stop, tokio::spawn(async move { d.run(s).await.unwrap() }))
}

fn task(kind: &str, input: serde_json::Value) -> NewTask {
    let mut t = NewTask::new(TaskKind::new(kind).unwrap());
    t.input = input;
    t
}

/// Waits (up to 20 s) until task `id` has `status`.
async fn until_status(store: &Arc<dyn Store>, id: TaskId, status: TaskStatus) -> Task {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let t = store.get(id).await.unwrap().unwrap();
            if t.status == status {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("task {id} did not become {status:?} in time"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_rescues_expired_leases_and_prunes_old_terminal_tasks() {
    let store = fresh_sqlite().await;
    let (stop, h) = start(&store);
    let old = store
        .enqueue(task("noop", serde_json::json!({})))
        .await
        .unwrap()
        .task
        .id;
    until_status(&store, old, TaskStatus::Completed).await;
    // A task of a kind nobody here serves, held by a worker that vanished with a short lease.
    let orphan = store
        .enqueue(task("orphan", serde_json::json!({})))
        .await
        .unwrap()
        .task
        .id;
    let held = store
        .claim(&ClaimRequest {
            worker: WorkerId("vanished".into()),
            kinds: vec![TaskKind::new("orphan").unwrap()],
            limit: 1,
            lease: Duration::from_millis(10),
        })
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    // Let the completed task age past a one-second retention (and the orphan's lease lapse).
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let id = store
        .enqueue(task(
            "maintenance",
            serde_json::json!({"retention_secs": 1}),
        ))
        .await
        .unwrap()
        .task
        .id;
    let done = until_status(&store, id, TaskStatus::Completed).await;
    stop.cancel();
    h.await.unwrap();

    assert_eq!(
        done.result.clone().unwrap(),
        serde_json::json!({"rescued": [orphan.0], "dead": [], "pruned": 1}),
        "{done:?}"
    );
    assert!(store.get(old).await.unwrap().is_none(), "old task pruned");
    assert_eq!(
        store.get(orphan).await.unwrap().unwrap().status,
        TaskStatus::Ready
    );
    // The verifier matched the run record's lease token against the attempt's before completing.
    assert!(
        done.evidence
            .iter()
            .any(|e| matches!(e, Evidence::HandlerRun { handler, .. } if handler == "maintenance"))
    );
    assert!(done.evidence.contains(&Evidence::MetricPoints {
        metric: "tasks_pruned".into(),
        count: 1,
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_with_bad_input_fails_for_good_naming_the_field() {
    let store = fresh_sqlite().await;
    let (stop, h) = start(&store);
    let fraction = store
        .enqueue(task(
            "maintenance",
            serde_json::json!({"retention_days": 1.5}),
        ))
        .await
        .unwrap()
        .task
        .id;
    let negative = store
        .enqueue(task(
            "maintenance",
            serde_json::json!({"retention_days": -1}),
        ))
        .await
        .unwrap()
        .task
        .id;
    for id in [fraction, negative] {
        let t = until_status(&store, id, TaskStatus::Failed).await;
        assert_eq!(t.attempts, 1, "not retried: {t:?}");
        let error = t.last_error.unwrap_or_default();
        assert!(error.contains("`retention_days`"), "{error}");
    }
    stop.cancel();
    h.await.unwrap();
}
