//! The dispatcher end to end on a real SQLite file: runs, verifies, retries, wakes, shuts down.

use async_trait::async_trait;
use juggernaut_core::{Evidence, NewTask, RiskLevel, TaskKind, TaskStatus, Waiting};
use juggernaut_engine::events::EventSink;
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::context::Handles;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, Registry, TaskContext};
use juggernaut_handlers::noop::{Noop, NoopInput, ran};
use juggernaut_store::{ChildTask, Queue, Store, TaskFilter};
use juggernaut_testkit::fresh_sqlite;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A test handler: its kind, and what its run returns (given the attempt's lease token).
struct Scripted {
    kind: &'static str,
    run: fn(&TaskContext) -> Result<Outcome, HandlerError>,
    verify_secs: u64,
}

#[async_trait]
impl Handler for Scripted {
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn description(&self) -> &'static str {
        "scripted for a test"
    }
    fn input(&self) -> InputSpec {
        InputSpec::of::<NoopInput>()
    }
    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        (self.run)(ctx)
    }
    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        tokio::time::sleep(Duration::from_secs(self.verify_secs)).await;
        ran(self.kind, ctx, done).or(Ok(()))
    }
    fn verify_timeout(&self) -> Duration {
        Duration::from_millis(300)
    }
}

fn run_record(kind: &str, ctx: &TaskContext) -> Vec<Evidence> {
    vec![Evidence::HandlerRun {
        handler: kind.into(),
        lease_token: ctx.lease.token,
        duration_us: 1,
    }]
}

fn scripted(
    kind: &'static str,
    run: fn(&TaskContext) -> Result<Outcome, HandlerError>,
) -> Arc<dyn Handler> {
    Arc::new(Scripted {
        kind,
        run,
        verify_secs: 0,
    })
}

fn registry() -> Registry {
    Registry::new(vec![
        scripted("approval", |_| {
            Ok(Outcome::NeedsApproval {
                reason: "merges to main".into(),
                risk: RiskLevel::High,
            })
        }),
        // Fails for good.
        scripted("broken", |_| {
            Err(HandlerError::Permanent("input names no customer".into()))
        }),
        scripted("external", |_| {
            Ok(Outcome::AwaitExternal {
                what: "pull request #3 merged".into(),
                check_after: Duration::from_secs(3600),
                progress: serde_json::json!({"pr": 3}),
            })
        }),
        // Claims "done" without evidence, like the prototype's LLM handler.
        scripted("liar", |_| {
            Ok(Outcome::done(serde_json::json!({"status": "done"}), vec![]))
        }),
        Arc::new(Noop),
        scripted("parent", |ctx| {
            let child = |title: &str, after| ChildTask {
                task: NewTask {
                    title: title.into(),
                    ..NewTask::new(TaskKind::new("noop").unwrap())
                },
                after,
            };
            Ok(Outcome::Spawn {
                done: Done {
                    result: serde_json::json!({}),
                    evidence: run_record("parent", ctx),
                },
                children: vec![child("first", vec![]), child("second", vec![0])],
            })
        }),
        scripted("throttled", |_| {
            Err(HandlerError::Retryable {
                message: "429 Too Many Requests".into(),
                retry_after: Some(Duration::from_secs(600)),
            })
        }),
        Arc::new(Scripted {
            kind: "slow_check",
            run: |ctx| {
                Ok(Outcome::done(
                    serde_json::json!({}),
                    run_record("slow_check", ctx),
                ))
            },
            verify_secs: 5,
        }),
    ])
    .unwrap()
}

fn start(
    store: &Arc<dyn Store>,
    poll: Duration,
) -> (EventSink, CancellationToken, tokio::task::JoinHandle<()>) {
    let reg = registry();
    let mut cfg = DispatcherConfig::new("test-worker".into(), reg.all_kinds());
    cfg.poll_interval = poll;
    let queue: Arc<dyn Queue> = store.clone();
    let d = Dispatcher::new(queue, Handles::over(store.clone()), reg, cfg);
    let events = d.events();
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { d.run(s).await.unwrap() });
    (events, stop, h)
}

/// Waits until the dispatcher emitted `n` events named `name`.
async fn until(events: &EventSink, name: &str, n: u64) {
    tokio::time::timeout(Duration::from_secs(30), async {
        while events.count(name) < n {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("dispatcher made progress in time");
}

fn one(kind: &str) -> NewTask {
    NewTask::new(TaskKind::new(kind).unwrap())
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
    let (events, stop, h) = start(&store, Duration::from_secs(1));
    until(&events, "task_completed", 300).await;
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
    assert_eq!(events.count("task_claimed"), 300);
    assert_eq!(events.count("task_ran"), 300);
    assert_eq!(events.count("result_refused"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_without_evidence_is_never_accepted() {
    let store = fresh_sqlite().await;
    let mut t = NewTask::new(TaskKind::new("liar").unwrap());
    t.max_attempts = 2;
    let id = store.enqueue(t).await.unwrap().task.id;
    let (events, stop, h) = start(&store, Duration::from_millis(50));
    until(&events, "attempt_failed", 2).await;
    stop.cancel();
    h.await.unwrap();
    let task = store.get(id).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Dead);
    assert!(
        task.last_error
            .unwrap()
            .contains("verification failed: `liar` produced no evidence")
    );
    assert_eq!(events.count("task_completed"), 0);
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
    let (events, stop, h) = start(&store, Duration::from_millis(50));
    until(&events, "attempt_failed", 1).await;
    stop.cancel();
    h.await.unwrap();
    let task = store.get(id).await.unwrap().unwrap();
    assert_eq!((task.status, task.attempts), (TaskStatus::Failed, 1));
    assert_eq!(task.last_error.as_deref(), Some("input names no customer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_dispatcher_wakes_on_enqueue_not_on_poll() {
    let store = fresh_sqlite().await;
    let (events, stop, h) = start(&store, Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(200)).await;
    store.enqueue_batch(noops(5)).await.unwrap();
    until(&events, "task_completed", 5).await;
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(5), h)
        .await
        .expect("shutdown promptly")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_children_are_enqueued_with_the_parents_completion() {
    let store = fresh_sqlite().await;
    let parent = store.enqueue(one("parent")).await.unwrap().task.id;
    let (events, stop, h) = start(&store, Duration::from_millis(50));
    until(&events, "task_completed", 3).await;
    stop.cancel();
    h.await.unwrap();
    let all = store
        .list(&TaskFilter::default(), Default::default())
        .await
        .unwrap()
        .items;
    let kids: Vec<_> = all.iter().filter(|t| t.parent_id == Some(parent)).collect();
    assert_eq!(kids.len(), 2);
    assert!(kids.iter().all(|k| k.status == TaskStatus::Completed));
    let second = kids.iter().find(|k| k.title == "second").unwrap();
    let first = kids.iter().find(|k| k.title == "first").unwrap();
    assert_eq!(store.dependencies(second.id).await.unwrap(), vec![first.id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_outcomes_leave_the_task_waiting_on_what_moves_it() {
    let store = fresh_sqlite().await;
    let ext = store.enqueue(one("external")).await.unwrap().task.id;
    let ask = store.enqueue(one("approval")).await.unwrap().task.id;
    let (events, stop, h) = start(&store, Duration::from_millis(50));
    until(&events, "task_parked", 2).await;
    stop.cancel();
    h.await.unwrap();
    let e = store.get(ext).await.unwrap().unwrap();
    assert_eq!(e.status, TaskStatus::AwaitingExternal);
    assert!(
        matches!(e.waiting, Some(Waiting::External { ref what, .. }) if what == "pull request #3 merged")
    );
    assert_eq!(e.result, Some(serde_json::json!({"pr": 3})));
    let a = store.get(ask).await.unwrap().unwrap();
    assert_eq!(a.status, TaskStatus::WaitingApproval);
    assert!(matches!(
        a.waiting,
        Some(Waiting::Approval {
            risk: RiskLevel::High,
            ..
        })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_and_a_slow_verifier_are_honoured() {
    let store = fresh_sqlite().await;
    let throttled = store.enqueue(one("throttled")).await.unwrap().task.id;
    let slow = store.enqueue(one("slow_check")).await.unwrap().task.id;
    let (events, stop, h) = start(&store, Duration::from_millis(50));
    until(&events, "attempt_failed", 2).await;
    stop.cancel();
    h.await.unwrap();
    let t = store.get(throttled).await.unwrap().unwrap();
    assert_eq!(t.status, TaskStatus::Pending);
    assert!(
        (t.run_at - chrono::Utc::now()).num_seconds() > 500,
        "waits as told"
    );
    let s = store.get(slow).await.unwrap().unwrap();
    let error = s.last_error.unwrap_or_default();
    assert!(
        error.contains("verification failed: the check took longer than"),
        "{error}"
    );
}
