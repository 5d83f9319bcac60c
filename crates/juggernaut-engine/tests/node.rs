//! Nodes end to end on one SQLite file: leadership, cron with two nodes, lost workers, shutdown.

use async_trait::async_trait;
use juggernaut_core::schedule::NewSchedule;
use juggernaut_core::worker::Role;
use juggernaut_core::{Evidence, NewTask, Origin, TaskKind, TaskStatus, WorkerId};
use juggernaut_engine::{Node, NodeConfig};
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, Registry, TaskContext};
use juggernaut_handlers::noop::{Noop, NoopInput};
use juggernaut_store::leadership::ENGINE as LEADERSHIP;
use juggernaut_store::prelude::*;
use juggernaut_store::{PageRequest, TaskFilter};
use juggernaut_testkit::{fresh_sqlite, fresh_sqlite_url, open_sqlite};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Hangs on its first attempt (as if its worker froze), finishes on later ones.
struct SlowFirst;

#[async_trait]
impl Handler for SlowFirst {
    fn kind(&self) -> &'static str {
        "slow_first"
    }
    fn description(&self) -> &'static str {
        "hangs on attempt 1"
    }
    fn input(&self) -> InputSpec {
        InputSpec::of::<NoopInput>()
    }
    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        if ctx.task.attempts == 1 {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Ok(Outcome::done(
            serde_json::json!({"attempt": ctx.task.attempts}),
            vec![Evidence::HandlerRun {
                handler: "slow_first".into(),
                lease_token: ctx.lease.token,
                duration_us: 1,
            }],
        ))
    }
    async fn verify(&self, _: &TaskContext, _: &Done) -> Result<(), String> {
        Ok(())
    }
}

fn registry() -> Registry {
    Registry::new(vec![Arc::new(Noop), Arc::new(SlowFirst)]).unwrap()
}

fn config(name: &str) -> NodeConfig {
    let reg = registry();
    let kinds: Vec<String> = reg.names().iter().map(|s| s.to_string()).collect();
    let mut c = NodeConfig::new(
        WorkerId::from(name),
        "test-host".into(),
        Role::ALL.to_vec(),
        &reg,
        &kinds,
        4,
    );
    c.heartbeat_interval = Duration::from_millis(200);
    c.leader.ttl = Duration::from_millis(800);
    c.leader.tick = Duration::from_millis(100);
    c.leader.watchdog_interval = Duration::from_millis(200);
    c.leader.worker_lost_after = Duration::from_millis(1000);
    c.dispatcher.poll_interval = Duration::from_millis(200);
    c.dispatcher.shutdown_grace = Duration::from_millis(300);
    c
}

fn start(
    store: &Arc<dyn Store>,
    c: NodeConfig,
) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let node = Node::new(store.clone(), registry(), c);
    let stop = CancellationToken::new();
    let s = stop.clone();
    (
        stop,
        tokio::spawn(async move { node.run(s).await.unwrap() }),
    )
}

async fn eventually<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cron_fires_once_per_tick_with_two_nodes() {
    let store = fresh_sqlite().await;
    let s = NewSchedule {
        name: "every-second".into(),
        cron: "* * * * * *".into(),
        kind: TaskKind::new("noop").unwrap(),
        title: "tick".into(),
        input: serde_json::json!({}),
        priority: 0,
        max_attempts: 3,
    };
    store.add_schedule(s, "test").await.unwrap();
    let (a, ha) = start(&store, config("a"));
    let (b, hb) = start(&store, config("b"));
    tokio::time::sleep(Duration::from_millis(3500)).await;
    a.cancel();
    b.cancel();
    ha.await.unwrap();
    hb.await.unwrap();
    let scheduled = TaskFilter {
        kinds: vec![TaskKind::new("noop").unwrap()],
        ..Default::default()
    };
    let tasks = store
        .list(
            &scheduled,
            PageRequest {
                before: None,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .items;
    assert!(
        tasks.len() >= 2,
        "fired at least twice in 3.5 s: {}",
        tasks.len()
    );
    assert!(tasks.iter().all(|t| t.origin == Origin::Schedule));
    let keys: HashSet<_> = tasks.iter().map(|t| t.dedupe_key.clone()).collect();
    assert_eq!(keys.len(), tasks.len(), "no fire time created two tasks");
    let fired: Vec<i64> = tasks
        .iter()
        .map(|t| {
            t.dedupe_key
                .as_ref()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(
        fired.iter().all(|ms| ms % 1000 == 0),
        "fire times are whole seconds"
    );
    // The newest fire may land as the nodes stop claiming; every earlier one must have run.
    let newest = fired.iter().max().copied();
    let ran_before_stop = tasks
        .iter()
        .zip(&fired)
        .filter(|(_, ms)| Some(**ms) != newest)
        .all(|(t, _)| t.status == TaskStatus::Completed);
    assert!(ran_before_stop, "the nodes ran what fired");
}

/// A schedule row that today's checks refuse (written by an older binary or by hand) is reported
/// once and skipped; the other schedules keep firing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_schedule_that_cannot_fire_is_reported_once_and_skipped() {
    let url = fresh_sqlite_url().await;
    let store = open_sqlite(&url).await;
    for name in ["good", "poison"] {
        let s = NewSchedule {
            name: name.into(),
            cron: "* * * * * *".into(),
            kind: TaskKind::new("noop").unwrap(),
            title: name.into(),
            input: serde_json::json!({}),
            priority: 0,
            max_attempts: 3,
        };
        store.add_schedule(s, "test").await.unwrap();
    }
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("UPDATE schedules SET max_attempts = 0 WHERE name = 'poison'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let node = Node::new(store.clone(), registry(), config("a"));
    let events = node.events();
    let idle = node.idle_board();
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { node.run(s).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let scheduler_idle = idle.to_json()["scheduler"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    stop.cancel();
    h.await.unwrap();
    let counts: std::collections::BTreeMap<_, _> = events.counts().into_iter().collect();
    assert_eq!(
        counts["schedule_skipped"], 1,
        "reported once, not every tick"
    );
    assert!(
        counts["schedule_fired"] >= 2,
        "the good schedule kept firing"
    );
    assert_eq!(counts["store_fault"], 0, "no fault loop");
    assert!(
        scheduler_idle.contains("1 invalid schedule(s) skipped"),
        "{scheduler_idle}"
    );
    let titles: HashSet<String> = store
        .list(&TaskFilter::default(), PageRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(titles, HashSet::from(["good".to_owned()]));
}

/// Runs a node on its own runtime with its own store, so that shutting the runtime down kills
/// everything the node started, as a process death would.
fn start_mortal(url: &str, c: NodeConfig) -> tokio::runtime::Runtime {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let url = url.to_owned();
    rt.spawn(async move {
        let store = open_sqlite(&url).await;
        let _ = Node::new(store, registry(), c)
            .run(CancellationToken::new())
            .await;
    });
    rt
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leadership_moves_when_the_leader_dies_and_its_task_is_rerun() {
    let url = fresh_sqlite_url().await;
    let store = open_sqlite(&url).await;
    let a = start_mortal(&url, config("a"));
    eventually("a leads", 5, || async {
        store
            .leader(LEADERSHIP)
            .await
            .unwrap()
            .is_some_and(|l| l.holder.0 == "a")
    })
    .await;
    let t = store
        .enqueue(NewTask::new(TaskKind::new("slow_first").unwrap()))
        .await
        .unwrap()
        .task;
    eventually("a runs the task", 5, || async {
        store.get(t.id).await.unwrap().unwrap().status == TaskStatus::Running
    })
    .await;
    a.shutdown_background(); // a dies: no release, no resignation, no deregistration
    let died = tokio::time::Instant::now();
    let (b, hb) = start(&store, config("b"));
    eventually("b takes over", 5, || async {
        store
            .leader(LEADERSHIP)
            .await
            .unwrap()
            .is_some_and(|l| l.holder.0 == "b")
    })
    .await;
    eventually("the task is re-run and completed", 10, || async {
        store.get(t.id).await.unwrap().unwrap().status == TaskStatus::Completed
    })
    .await;
    assert!(
        died.elapsed() < Duration::from_secs(10),
        "recovered in {:?}",
        died.elapsed()
    );
    let done = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(done.attempts, 2);
    assert_eq!(done.result.unwrap()["attempt"], 2);
    let workers = store.list_workers().await.unwrap();
    assert!(workers.iter().any(
        |w| w.registration.id.0 == "a" && w.state == juggernaut_core::worker::WorkerState::Lost
    ));
    b.cancel();
    hb.await.unwrap();
    assert!(
        store
            .list_workers()
            .await
            .unwrap()
            .iter()
            .all(|w| w.registration.id.0 != "b"),
        "b deregistered"
    );
    assert!(
        store.leader(LEADERSHIP).await.unwrap().is_none(),
        "b resigned"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn graceful_shutdown_hands_unfinished_work_back() {
    let store = fresh_sqlite().await;
    let (a, ha) = start(&store, config("a"));
    let t = store
        .enqueue(NewTask::new(TaskKind::new("slow_first").unwrap()))
        .await
        .unwrap()
        .task;
    eventually("a runs the task", 5, || async {
        store.get(t.id).await.unwrap().unwrap().status == TaskStatus::Running
    })
    .await;
    eventually("idle reasons published", 5, || async {
        let idle = store.list_workers().await.unwrap()[0].idle.clone();
        idle.get("scheduler").is_some_and(|r| r == "no schedules")
            && idle
                .get("watchdog")
                .is_some_and(|r| r.as_str().unwrap_or("").starts_with("nothing to do"))
    })
    .await;
    a.cancel();
    tokio::time::timeout(Duration::from_secs(5), ha)
        .await
        .expect("stops within the grace")
        .unwrap();
    let after = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(
        (after.status, after.attempts),
        (TaskStatus::Ready, 0),
        "released; the attempt does not count"
    );
}
