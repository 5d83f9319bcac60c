//! The dispatcher end to end on a real SQLite file: runs, verifies, retries, wakes, shuts down.

use async_trait::async_trait;
use juggernaut_core::{NewTask, TaskKind, TaskStatus};
use juggernaut_engine::handler::{Handler, HandlerError, Outcome, TaskContext};
use juggernaut_engine::handlers::noop::Noop;
use juggernaut_engine::{DispatchStats, Dispatcher, DispatcherConfig, Registry};
use juggernaut_store::{Store, TaskFilter};
use juggernaut_testkit::fresh_sqlite;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Claims "done" without evidence, like the prototype's LLM handler.
struct Liar;

#[async_trait]
impl Handler for Liar {
    fn kind(&self) -> &'static str {
        "liar"
    }
    fn description(&self) -> &'static str {
        "says done, proves nothing"
    }
    async fn run(&self, _: &TaskContext) -> Result<Outcome, HandlerError> {
        Ok(Outcome {
            result: serde_json::json!({"status": "done"}),
            evidence: vec![],
        })
    }
    fn verify(&self, _: &TaskContext, _: &Outcome) -> Result<(), String> {
        Ok(())
    }
}

/// Fails for good.
struct Broken;

#[async_trait]
impl Handler for Broken {
    fn kind(&self) -> &'static str {
        "broken"
    }
    fn description(&self) -> &'static str {
        "always fails permanently"
    }
    async fn run(&self, _: &TaskContext) -> Result<Outcome, HandlerError> {
        Err(HandlerError::Permanent("input names no customer".into()))
    }
    fn verify(&self, _: &TaskContext, _: &Outcome) -> Result<(), String> {
        Ok(())
    }
}

fn registry() -> Registry {
    Registry::new(vec![Arc::new(Broken), Arc::new(Liar), Arc::new(Noop)]).unwrap()
}

fn start(
    store: &Arc<dyn Store>,
    poll: Duration,
) -> (
    Arc<DispatchStats>,
    CancellationToken,
    tokio::task::JoinHandle<()>,
) {
    let reg = registry();
    let mut cfg = DispatcherConfig::new("test-worker".into(), reg.all_kinds());
    cfg.poll_interval = poll;
    let d = Dispatcher::new(store.clone(), reg, cfg);
    let stats = d.stats();
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { d.run(s).await.unwrap() });
    (stats, stop, h)
}

async fn until(counter: &AtomicU64, n: u64) {
    tokio::time::timeout(Duration::from_secs(30), async {
        while DispatchStats::get(counter) < n {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("dispatcher made progress in time");
}

fn noops(n: usize) -> Vec<NewTask> {
    (0..n)
        .map(|_| NewTask::new(TaskKind::new("noop").unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_backlog_to_completion_with_evidence() {
    let store = fresh_sqlite().await;
    store.enqueue_batch(noops(300)).await.unwrap();
    let (stats, stop, h) = start(&store, Duration::from_secs(1));
    until(&stats.completed, 300).await;
    stop.cancel();
    h.await.unwrap();
    let done = TaskFilter {
        statuses: vec![TaskStatus::Completed],
        ..Default::default()
    };
    assert_eq!(store.count(&done).await.unwrap(), 300);
    let page = store.list(&done, Default::default()).await.unwrap();
    assert!(
        page.items
            .iter()
            .all(|t| t.evidence.len() == 1 && t.attempts == 1)
    );
    assert_eq!(DispatchStats::get(&stats.claimed), 300);
    assert_eq!(DispatchStats::get(&stats.refused), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_without_evidence_is_never_accepted() {
    let store = fresh_sqlite().await;
    let mut t = NewTask::new(TaskKind::new("liar").unwrap());
    t.max_attempts = 2;
    let id = store.enqueue(t).await.unwrap().task.id;
    let (stats, stop, h) = start(&store, Duration::from_millis(50));
    until(&stats.failed, 2).await;
    stop.cancel();
    h.await.unwrap();
    let task = store.get(id).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Dead);
    assert!(
        task.last_error
            .unwrap()
            .contains("verification failed: `liar` produced no evidence")
    );
    assert_eq!(DispatchStats::get(&stats.completed), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_failure_is_not_retried() {
    let store = fresh_sqlite().await;
    let id = store
        .enqueue(NewTask::new(TaskKind::new("broken").unwrap()))
        .await
        .unwrap()
        .task
        .id;
    let (stats, stop, h) = start(&store, Duration::from_millis(50));
    until(&stats.failed, 1).await;
    stop.cancel();
    h.await.unwrap();
    let task = store.get(id).await.unwrap().unwrap();
    assert_eq!((task.status, task.attempts), (TaskStatus::Failed, 1));
    assert_eq!(task.last_error.as_deref(), Some("input names no customer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_dispatcher_wakes_on_enqueue_not_on_poll() {
    let store = fresh_sqlite().await;
    let (stats, stop, h) = start(&store, Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(200)).await;
    store.enqueue_batch(noops(5)).await.unwrap();
    until(&stats.completed, 5).await;
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(5), h)
        .await
        .expect("shutdown promptly")
        .unwrap();
}
