//! What the planner's tests share: a real dispatcher serving only `plan` over a fresh SQLite
//! store (so the plan's own tasks stay ready to be looked at), waiting for a task to finish,
//! and a goal's `noop` tasks.

use juggernaut_core::{GoalId, Task, TaskId, TaskKind};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::context::Handles;
use juggernaut_handler::{Handler, Registry};
use juggernaut_planner::PlanHandler;
use juggernaut_store::{PageRequest, Queue, Store, TaskFilter};
use juggernaut_testkit::fresh_sqlite;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A fresh store and a dispatcher running `plan` (with the built-in handlers registered) on it;
/// cancel the token to stop it.
pub async fn serve_plan(plan: PlanHandler) -> (Arc<dyn Store>, CancellationToken) {
    let mut all = juggernaut_handlers::builtin(&juggernaut_handlers::Deps::default());
    all.push(Arc::new(plan) as Arc<dyn Handler>);
    let reg = Registry::new(all).unwrap();
    let store = fresh_sqlite().await;
    let mut cfg = DispatcherConfig::new("strategist".into(), vec![reg.check("plan").unwrap()]);
    cfg.poll_interval = Duration::from_millis(30);
    let queue: Arc<dyn Queue> = store.clone();
    let d = Dispatcher::new(queue, Handles::over(store.clone()), reg, cfg);
    let stop = CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move { d.run(s).await.unwrap() });
    (store, stop)
}

/// The task once it is finished (20 s at most).
pub async fn settled(store: &Arc<dyn Store>, id: TaskId) -> Task {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let t = store.get(id).await.unwrap().unwrap();
            if t.status.is_terminal() {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("task {id} did not finish in time"))
}

/// A goal's `noop` tasks: the tasks its plans made.
pub async fn noop_tasks(store: &Arc<dyn Store>, goal: GoalId) -> Vec<Task> {
    let f = TaskFilter {
        goal_id: Some(goal),
        kinds: vec![TaskKind::new("noop").unwrap()],
        ..Default::default()
    };
    let page = PageRequest {
        before: None,
        limit: 100,
    };
    store.list(&f, page).await.unwrap().items
}
