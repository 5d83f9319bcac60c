//! A playbook's `[experiment]`: checked on load (a goal given, a bad rule, a follow-up its kind
//! refuses are each named), and started once for the goal the playbook plans, however often
//! the goal is planned while it runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_core::experiment::ExperimentStatus;
use juggernaut_core::plan::plan_task;
use juggernaut_core::{GoalId, NewGoal, TaskStatus};
use juggernaut_handler::Registry;
use juggernaut_planner::{PlanHandler, Playbooks};
use juggernaut_store::{ExperimentPage, Store};
use std::sync::Arc;
use std::time::Duration;
use support::{noop_tasks, serve_plan, settled};

const BOOK: &str = r#"
[match]
tags = ["leads"]
[[tasks]]
key = "a"
kind = "noop"
title = "A for {{ goal.title }}"
[experiment]
name = "Quote form"
hypothesis = "An instant price converts better than a callback"
min_sample = 500
max_duration_secs = 86400
variants = [{ name = "callback", control = true }, { name = "instant" }]
metric = { source = "shop", query = "SELECT SUM(c), COUNT(*) FROM v WHERE variant = {{variant}}" }
rule = { type = "bayesian", alpha = 0.05, max_loss = 0.002 }
rollout = { kind = "noop", title = "Roll out {{variant}}" }
"#;

fn catalog() -> Registry {
    Registry::new(juggernaut_handlers::builtin(
        &juggernaut_handlers::Deps::default(),
    ))
    .unwrap()
}

fn load(text: &str) -> Playbooks {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leads.toml"), text).unwrap();
    Playbooks::load(dir.path(), &catalog())
}

#[test]
fn a_playbooks_experiment_is_checked_on_load() {
    let books = load(BOOK);
    assert!(books.errors.is_empty(), "{:?}", books.errors);
    let spec = books.books[0].experiment.as_ref().unwrap();
    assert_eq!((spec.name.as_str(), spec.goal_id), ("Quote form", None));
    for (bad, says) in [
        (
            BOOK.replace("min_sample = 500", "min_sample = 500\ngoal_id = 3"),
            "`goal_id`",
        ),
        (BOOK.replace("alpha = 0.05", "alpha = 0.5"), "rule.alpha"),
        (
            BOOK.replace(
                "kind = \"noop\", title = \"Roll",
                "kind = \"phone\", title = \"Roll",
            ),
            "`rollout`",
        ),
    ] {
        let books = load(&bad);
        let err = books
            .errors
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            err.contains("[experiment]") && err.contains(says),
            "{says}: {err}"
        );
    }
}

async fn plan(store: &Arc<dyn Store>, goal: GoalId) {
    let g = store.get_goal(goal).await.unwrap().unwrap();
    let id = store.enqueue(plan_task(&g).unwrap()).await.unwrap().task.id;
    let t = settled(store, id).await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_experiment_starts_once_for_the_goal_it_plans() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leads.toml"), BOOK).unwrap();
    let books = Arc::new(Playbooks::load(dir.path(), &catalog()));
    let (store, stop) =
        serve_plan(PlanHandler::new(books, catalog(), Duration::from_secs(60))).await;
    let goal = NewGoal {
        tags: vec!["leads".into()],
        ..NewGoal::titled("Win more leads")
    };
    let g = store.add_goal(goal, "owner").await.unwrap();
    plan(&store, g.id).await;
    plan(&store, g.id).await;
    let page = ExperimentPage {
        status: None,
        before: None,
        limit: 10,
    };
    let all = store.experiments(page).await.unwrap();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].spec.goal_id, Some(g.id));
    assert_eq!(all[0].status, ExperimentStatus::Running);
    assert!(
        all[0].created_by.starts_with("planner:task "),
        "{}",
        all[0].created_by
    );
    assert!(
        !noop_tasks(&store, g.id).await.is_empty(),
        "the plans' tasks are there too"
    );
    store
        .stop_experiment(all[0].id, "enough", "owner")
        .await
        .unwrap();
    plan(&store, g.id).await;
    let after = store.experiments(page).await.unwrap();
    assert_eq!(
        after.len(),
        1,
        "an ended experiment is not started again: {after:#?}"
    );
    stop.cancel();
}
