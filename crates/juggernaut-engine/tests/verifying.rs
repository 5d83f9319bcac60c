//! The `verifying` state through a real dispatcher on SQLite: a kind whose check looks outside
//! shows `verifying` (in the store) while its check runs and ends `completed`; `noop`, whose run
//! record is its evidence, never enters it; a task whose lease is gone when its check would
//! begin is left to whoever has it now.

use async_trait::async_trait;
use juggernaut_core::{EventKind, Evidence, NewTask, TaskId, TaskKind, TaskStatus};
use juggernaut_engine::events::EventSink;
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::context::Handles;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, Registry, TaskContext};
use juggernaut_handlers::noop::{Noop, NoopInput, ran};
use juggernaut_store::{Queue, Store};
use juggernaut_testkit::fresh_sqlite;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// A kind whose check asks something outside: it waits until the test lets it go (and, with
/// `run_gate`, so does its run).
struct Gated {
    gate: Arc<Notify>,
    run_gate: Option<Arc<Notify>>,
}

#[async_trait]
impl Handler for Gated {
    fn kind(&self) -> &'static str {
        "gated"
    }
    fn description(&self) -> &'static str {
        "its check waits for the test"
    }
    fn input(&self) -> InputSpec {
        InputSpec::of::<NoopInput>()
    }
    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        if let Some(g) = &self.run_gate {
            g.notified().await;
        }
        Ok(Outcome::done(
            serde_json::json!({}),
            vec![Evidence::HandlerRun {
                handler: "gated".into(),
                lease_token: ctx.lease.token,
                duration_us: 1,
            }],
        ))
    }
    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        self.gate.notified().await;
        ran("gated", ctx, done)
    }
    fn verifies_outside(&self) -> bool {
        true
    }
}

/// Waits (up to 20 s) until task `id` has `status`.
async fn until_status(store: &Arc<dyn Store>, id: TaskId, status: TaskStatus) {
    tokio::time::timeout(Duration::from_secs(20), async {
        while store.get(id).await.unwrap().unwrap().status != status {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("task {id} did not become {status:?} in time"));
}

/// A dispatcher serving `gated` (as given) and `noop`; stop it with the token.
fn start(
    store: &Arc<dyn Store>,
    gated: Gated,
) -> (EventSink, CancellationToken, tokio::task::JoinHandle<()>) {
    let reg = Registry::new(vec![Arc::new(gated) as Arc<dyn Handler>, Arc::new(Noop)]).unwrap();
    let mut cfg = DispatcherConfig::new("checker".into(), reg.all_kinds());
    cfg.poll_interval = Duration::from_millis(50);
    let queue: Arc<dyn Queue> = store.clone();
    let d = Dispatcher::new(queue, Handles::over(store.clone()), reg, cfg);
    let events = d.events();
    let stop = CancellationToken::new();
    let s = stop.clone();
    (
        events,
        stop,
        tokio::spawn(async move { d.run(s).await.unwrap() }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_that_looks_outside_shows_verifying_until_it_ends() {
    let store = fresh_sqlite().await;
    let gate = Arc::new(Notify::new());
    let gated = Gated {
        gate: gate.clone(),
        run_gate: None,
    };
    let (_, stop, h) = start(&store, gated);

    let gated = store
        .enqueue(NewTask::new(TaskKind::new("gated").unwrap()))
        .await
        .unwrap()
        .task
        .id;
    let noop = store
        .enqueue(NewTask::new(TaskKind::new("noop").unwrap()))
        .await
        .unwrap()
        .task
        .id;
    until_status(&store, gated, TaskStatus::Verifying).await;
    let seen = store.get(gated).await.unwrap().unwrap();
    assert!(seen.lease.is_some(), "a verifying task keeps its lease");
    until_status(&store, noop, TaskStatus::Completed).await;
    // Still verifying: the check has not been let go.
    assert_eq!(
        store.get(gated).await.unwrap().unwrap().status,
        TaskStatus::Verifying
    );
    gate.notify_one();
    until_status(&store, gated, TaskStatus::Completed).await;
    stop.cancel();
    h.await.unwrap();

    let kinds: Vec<(EventKind, Option<TaskStatus>)> = store
        .task_events(gated)
        .await
        .unwrap()
        .iter()
        .map(|e| (e.kind, e.from_status))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventKind::TaskEnqueued, None),
            (EventKind::TaskClaimed, Some(TaskStatus::Ready)),
            (EventKind::TaskVerifying, Some(TaskStatus::Running)),
            (EventKind::TaskCompleted, Some(TaskStatus::Verifying)),
        ]
    );
    let noop_events = store.task_events(noop).await.unwrap();
    assert!(
        noop_events
            .iter()
            .all(|e| e.kind != EventKind::TaskVerifying),
        "noop is checked without entering verifying"
    );
    let done = noop_events.last().unwrap();
    assert_eq!(
        (done.kind, done.from_status),
        (EventKind::TaskCompleted, Some(TaskStatus::Running))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_lost_before_the_check_leaves_the_task_alone() {
    let store = fresh_sqlite().await;
    let run_gate = Arc::new(Notify::new());
    let gated = Gated {
        gate: Arc::new(Notify::new()),
        run_gate: Some(run_gate.clone()),
    };
    let (events, stop, h) = start(&store, gated);
    let id = store
        .enqueue(NewTask::new(TaskKind::new("gated").unwrap()))
        .await
        .unwrap()
        .task
        .id;
    until_status(&store, id, TaskStatus::Running).await;
    store.cancel(id, "ops", "not needed").await.unwrap();
    run_gate.notify_one();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.cancel();
    h.await.unwrap();
    let t = store.get(id).await.unwrap().unwrap();
    assert_eq!(t.status, TaskStatus::Cancelled);
    assert!(t.last_error.is_none(), "no failure was written");
    let kinds: Vec<EventKind> = store
        .task_events(id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds.last(), Some(&EventKind::TaskCancelled));
    assert!(!kinds.contains(&EventKind::TaskVerifying));
    assert_eq!(events.count("attempt_failed"), 0);
    assert_eq!(events.count("result_refused"), 0);
}
