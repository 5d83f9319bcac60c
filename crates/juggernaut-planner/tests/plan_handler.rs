//! The `plan` kind run by a real dispatcher over a fresh SQLite store: a playbook goal gets its
//! plan and tasks in one go, proven by the stored plan; a re-run makes nothing twice; a goal no
//! playbook matches, or whose task cap the plan would pass, fails with its reason on the goal and
//! nothing enqueued.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_core::plan::plan_task;
use juggernaut_core::{Evidence, GoalId, NewGoal, Origin, Task, TaskStatus};
use juggernaut_handler::Registry;
use juggernaut_planner::{PlanHandler, Playbooks};
use juggernaut_store::Store;
use std::sync::Arc;
use std::time::Duration;
use support::{noop_tasks, serve_plan, settled};
use tokio_util::sync::CancellationToken;

const BOOK: &str = r#"
[match]
tags = ["revenue"]
[[tasks]]
key = "a"
kind = "noop"
title = "A for {{ goal.title }}"
[[tasks]]
key = "b"
kind = "noop"
title = "B"
depends_on = ["a"]
"#;

struct Rig {
    store: Arc<dyn Store>,
    stop: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A dispatcher serving `plan` with the playbook above.
async fn rig() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("revenue.toml"), BOOK).unwrap();
    let catalog = Registry::new(juggernaut_handlers::builtin(
        &juggernaut_handlers::Deps::default(),
    ))
    .unwrap();
    let books = Arc::new(Playbooks::load(dir.path(), &catalog));
    assert!(books.errors.is_empty(), "{:?}", books.errors);
    let (store, stop) = serve_plan(PlanHandler::new(books, catalog, Duration::from_secs(60))).await;
    Rig {
        store,
        stop,
        _dir: dir,
    }
}

async fn plan_it(store: &Arc<dyn Store>, goal: GoalId) -> Task {
    let g = store.get_goal(goal).await.unwrap().unwrap();
    let id = store.enqueue(plan_task(&g).unwrap()).await.unwrap().task.id;
    settled(store, id).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_playbook_goal_gets_its_plan_and_tasks_at_once() {
    let rig = rig().await;
    let s = &rig.store;
    let spec = NewGoal {
        tags: vec!["revenue".into()],
        ..NewGoal::titled("Grow")
    };
    let g = s.add_goal(spec, "owner").await.unwrap();
    let t = plan_it(s, g.id).await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    let key = format!("{}:1", g.id);
    assert!(t.evidence.contains(&Evidence::Rows {
        table: "plans".into(),
        keys: vec![key]
    }));
    let plan = s.plan(g.id, 1).await.unwrap().unwrap();
    assert!(
        plan.made_by.starts_with("playbook:revenue@"),
        "{}",
        plan.made_by
    );
    let tasks = noop_tasks(s, g.id).await;
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| t.origin == Origin::Playbook));
    let a = tasks.iter().find(|t| t.title == "A for Grow").unwrap();
    let b = tasks.iter().find(|t| t.title == "B").unwrap();
    assert_eq!(b.pending_deps, 1, "b waits for a");
    assert_eq!(
        a.dedupe_key.as_deref(),
        Some(format!("goal:{}:a", g.id).as_str())
    );
    assert_eq!(t.result.unwrap()["tasks"], serde_json::json!(plan.task_ids));
    // Asked again for the same version (a re-run after a crash): the stored plan, nothing new.
    let again = s.enqueue(plan_task(&g).unwrap()).await.unwrap().task.id;
    assert_eq!(settled(s, again).await.status, TaskStatus::Completed);
    assert_eq!(noop_tasks(s, g.id).await.len(), 2);
    assert_eq!(s.plans(g.id, 10).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_goal_that_cannot_be_planned_keeps_the_reason_and_gets_no_task() {
    let rig = rig().await;
    let s = &rig.store;
    let g = s
        .add_goal(NewGoal::titled("Juggle"), "owner")
        .await
        .unwrap();
    let t = plan_it(s, g.id).await;
    assert_eq!(t.status, TaskStatus::Failed);
    let failure = s.planning_failure(g.id).await.unwrap().unwrap();
    assert!(
        failure.error.contains("no playbook matches"),
        "{}",
        failure.error
    );
    assert!(failure.retry_at.is_some(), "held back");
    assert!(noop_tasks(s, g.id).await.is_empty());
    // Over its task cap: refused by the store, reason on the goal, nothing enqueued.
    let capped = NewGoal {
        tags: vec!["revenue".into()],
        budget: juggernaut_core::goal::Budget {
            money_usd: None,
            max_tasks: Some(1),
        },
        ..NewGoal::titled("Small")
    };
    let c = s.add_goal(capped, "owner").await.unwrap();
    assert_eq!(plan_it(s, c.id).await.status, TaskStatus::Failed);
    let failure = s.planning_failure(c.id).await.unwrap().unwrap();
    assert!(
        failure.error.contains("at most 1 tasks"),
        "{}",
        failure.error
    );
    assert!(noop_tasks(s, c.id).await.is_empty());
    assert_eq!(s.get_goal(c.id).await.unwrap().unwrap().plan_version, 0);
}
