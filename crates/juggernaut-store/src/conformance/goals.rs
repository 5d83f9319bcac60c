//! Goals: adding and listing, status moves, metric readings that achieve a goal, deadlines, the
//! one-query decision of which goals need a plan, and plans stored with their tasks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::TaskFilter;
use crate::capability::goals::{GoalFilter, NewPlan};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::goal::{Budget, MetricSource, MetricTarget};
use juggernaut_core::plan::{PlanGraph, PlanTask};
use juggernaut_core::{EventKind, GoalId, GoalStatus, NewGoal, NewTask, TaskStatus};
use std::time::Duration;

fn goal(title: &str, target: Option<f64>) -> NewGoal {
    NewGoal {
        target: target.map(|t| MetricTarget {
            source: MetricSource::Manual,
            target: t,
            unit: "USD".into(),
        }),
        tags: vec!["revenue".into()],
        ..NewGoal::titled(title)
    }
}

/// A plan of `n` noop tasks, each depending on the one before.
pub fn chain(goal_id: GoalId, version: i64, n: usize) -> NewPlan {
    let keys: Vec<String> = (0..n).map(|i| format!("step-{i}")).collect();
    let graph = PlanGraph {
        tasks: keys
            .iter()
            .enumerate()
            .map(|(i, k)| PlanTask {
                key: k.clone(),
                kind: "noop".into(),
                title: format!("step {i}"),
                input: serde_json::json!({}),
                depends_on: if i == 0 {
                    vec![]
                } else {
                    vec![keys[i - 1].clone()]
                },
                priority: 0,
                acceptance: vec![],
            })
            .collect(),
    };
    let tasks = (0..n)
        .map(|i| {
            let t = NewTask {
                title: format!("step {i}"),
                ..task("noop")
            };
            (t, if i == 0 { vec![] } else { vec![i - 1] })
        })
        .collect();
    NewPlan {
        goal_id,
        version,
        graph,
        made_by: "playbook:test".into(),
        tasks,
    }
}

/// Goals are added active, read back, listed by status and tag; a missing parent is refused.
pub async fn goals_are_added_read_and_listed(store: S) {
    let parent = store
        .add_goal(goal("Yearly", Some(100.0)), "owner")
        .await
        .unwrap();
    assert_eq!(
        (parent.status, parent.plan_version),
        (GoalStatus::Active, 0)
    );
    let child = NewGoal {
        parent_id: Some(parent.id),
        tags: vec!["leads".into()],
        ..goal("Quarterly", None)
    };
    let child = store.add_goal(child, "owner").await.unwrap();
    assert_eq!(store.get_goal(child.id).await.unwrap().unwrap(), child);
    let orphan = NewGoal {
        parent_id: Some(GoalId(999_999)),
        ..goal("Orphan", None)
    };
    assert!(matches!(
        store.add_goal(orphan, "owner").await,
        Err(StoreError::Domain(_))
    ));
    assert!(store.add_goal(goal("", None), "owner").await.is_err());
    let by_tag = GoalFilter {
        tag: Some("leads".into()),
        ..Default::default()
    };
    let listed = store.list_goals(&by_tag, 10).await.unwrap();
    assert_eq!(
        listed.iter().map(|g| g.id).collect::<Vec<_>>(),
        vec![child.id]
    );
    let under = GoalFilter {
        parent: Some(parent.id),
        ..Default::default()
    };
    assert_eq!(store.list_goals(&under, 10).await.unwrap().len(), 1);
    assert_eq!(
        store.list_goals(&GoalFilter::default(), 10).await.unwrap()[0].id,
        child.id
    );
    // A keyset cursor: only ids below it, newest first.
    let older = GoalFilter {
        before: Some(child.id),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_goals(&older, 10)
            .await
            .unwrap()
            .iter()
            .map(|g| g.id)
            .collect::<Vec<_>>(),
        vec![parent.id]
    );
    let events = all_events(&store).await;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::GoalAdded)
            .count(),
        2
    );
}

/// Pause, resume and cancel move as allowed; anything else is refused and audited nowhere.
pub async fn goal_status_moves_only_as_allowed(store: S) {
    let g = store.add_goal(goal("G", None), "owner").await.unwrap();
    let p = store
        .set_goal_status(g.id, GoalStatus::Paused, "owner", "holiday")
        .await
        .unwrap();
    assert_eq!(p.status, GoalStatus::Paused);
    assert!(
        store
            .set_goal_status(g.id, GoalStatus::Achieved, "owner", "x")
            .await
            .is_err()
    );
    store
        .set_goal_status(g.id, GoalStatus::Active, "owner", "back")
        .await
        .unwrap();
    store
        .set_goal_status(g.id, GoalStatus::Cancelled, "owner", "dropped")
        .await
        .unwrap();
    let err = store
        .set_goal_status(g.id, GoalStatus::Active, "owner", "again")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot become active"), "{err}");
    let changes = all_events(&store)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::GoalStatusChanged)
        .count();
    assert_eq!(changes, 3);
}

/// Readings form a series; the one that meets the target achieves the goal; deadlines miss.
pub async fn readings_achieve_and_deadlines_miss(store: S) {
    let g = store
        .add_goal(goal("Revenue", Some(100.0)), "owner")
        .await
        .unwrap();
    let r = store.record_metric(g.id, 40.0, "cli").await.unwrap();
    assert!(!r.achieved);
    assert_eq!((r.goal.current, r.goal.progress()), (Some(40.0), Some(0.4)));
    assert!(store.record_metric(g.id, f64::NAN, "cli").await.is_err());
    let r = store.record_metric(g.id, 120.0, "sampler").await.unwrap();
    assert!(r.achieved);
    assert_eq!(r.goal.status, GoalStatus::Achieved);
    let series = store.metric_series(g.id, 100).await.unwrap();
    let values: Vec<f64> = series.iter().map(|p| p.value).collect();
    assert_eq!(values, vec![40.0, 120.0]);
    assert_eq!(store.metric_series(g.id, 1).await.unwrap()[0].value, 120.0);
    let late = NewGoal {
        deadline: Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
        ..goal("Late", Some(10.0))
    };
    let late = store.add_goal(late, "owner").await.unwrap();
    assert_eq!(store.mark_missed("sampler").await.unwrap(), vec![late.id]);
    assert_eq!(
        store.get_goal(late.id).await.unwrap().unwrap().status,
        GoalStatus::Missed
    );
    assert!(store.mark_missed("sampler").await.unwrap().is_empty());
}

/// A plan is stored with its tasks (under the goal, depending in order), once per version; a
/// stale version, an inactive goal and a passed task cap are refused.
pub async fn plans_are_stored_with_their_tasks_once(store: S) {
    let g = store.add_goal(goal("G", None), "owner").await.unwrap();
    let plan = store
        .store_plan(chain(g.id, 1, 3), "planner")
        .await
        .unwrap();
    assert_eq!((plan.version, plan.task_ids.len()), (1, 3));
    let again = store
        .store_plan(chain(g.id, 1, 3), "planner")
        .await
        .unwrap();
    assert_eq!(again, plan, "re-storing a version is a no-op");
    let tasks = store
        .list(
            &TaskFilter {
                goal_id: Some(g.id),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(tasks.items.len(), 3);
    let last = store.get(plan.task_ids[2]).await.unwrap().unwrap();
    assert_eq!(
        (last.status, last.goal_id),
        (TaskStatus::Pending, Some(g.id))
    );
    assert_eq!(
        store.dependencies(last.id).await.unwrap(),
        vec![plan.task_ids[1]]
    );
    let stale = store
        .store_plan(chain(g.id, 3, 1), "planner")
        .await
        .unwrap_err();
    assert!(stale.to_string().contains("at plan version 1"), "{stale}");
    assert_eq!(store.get_goal(g.id).await.unwrap().unwrap().plan_version, 1);
    assert_eq!(store.plans(g.id, 10).await.unwrap(), vec![plan]);
    let capped = NewGoal {
        budget: Budget {
            money_usd: None,
            max_tasks: Some(2),
        },
        ..goal("Capped", None)
    };
    let capped = store.add_goal(capped, "owner").await.unwrap();
    let over = store
        .store_plan(chain(capped.id, 1, 3), "planner")
        .await
        .unwrap_err();
    assert!(over.to_string().contains("at most 2 tasks"), "{over}");
    store
        .set_goal_status(capped.id, GoalStatus::Paused, "owner", "x")
        .await
        .unwrap();
    let paused = store
        .store_plan(chain(capped.id, 1, 1), "planner")
        .await
        .unwrap_err();
    assert!(paused.to_string().contains("not active"), "{paused}");
}

/// Which goals need a plan: never planned; not while a task is open; again once a task ended or
/// the metric moved; not while backing off after a failure.
pub async fn goals_to_plan_follows_what_changed(store: S) {
    let none = Duration::ZERO;
    let ids = |v: Vec<juggernaut_core::Goal>| v.into_iter().map(|g| g.id).collect::<Vec<_>>();
    let g = store
        .add_goal(goal("G", Some(1000.0)), "owner")
        .await
        .unwrap();
    let paused = store.add_goal(goal("Paused", None), "owner").await.unwrap();
    store
        .set_goal_status(paused.id, GoalStatus::Paused, "owner", "x")
        .await
        .unwrap();
    assert_eq!(
        ids(store.goals_to_plan(10, none).await.unwrap()),
        vec![g.id]
    );
    store
        .store_plan(chain(g.id, 1, 1), "planner")
        .await
        .unwrap();
    assert!(
        store.goals_to_plan(10, none).await.unwrap().is_empty(),
        "its task is open"
    );
    let held = claim(&store, "w", 1).await;
    store.complete(done(&held[0])).await.unwrap();
    sleep(Duration::from_millis(5)).await;
    assert_eq!(
        ids(store.goals_to_plan(10, none).await.unwrap()),
        vec![g.id],
        "a task ended"
    );
    assert!(
        store
            .goals_to_plan(10, Duration::from_secs(3600))
            .await
            .unwrap()
            .is_empty(),
        "not so soon"
    );
    store
        .store_plan(chain(g.id, 2, 1), "planner")
        .await
        .unwrap();
    let held = claim(&store, "w", 1).await;
    store
        .cancel(held[0].id, "owner", "not needed")
        .await
        .unwrap();
    store
        .plan_failed(
            g.id,
            "no playbook matches",
            Some("{\"tasks\": oops"),
            Duration::from_secs(3600),
            "planner",
        )
        .await
        .unwrap();
    assert!(
        store.goals_to_plan(10, none).await.unwrap().is_empty(),
        "backing off"
    );
    let after = store.get_goal(g.id).await.unwrap().unwrap();
    assert_eq!(after.plan_error.as_deref(), Some("no playbook matches"));
    let failure = store.planning_failure(g.id).await.unwrap().unwrap();
    assert_eq!(failure.error, "no playbook matches");
    assert_eq!(failure.raw.as_deref(), Some("{\"tasks\": oops"));
    assert!(failure.retry_at.is_some());
    store
        .plan_failed(g.id, "retry now", None, Duration::ZERO, "planner")
        .await
        .unwrap();
    assert_eq!(
        ids(store.goals_to_plan(10, none).await.unwrap()),
        vec![g.id]
    );
    store
        .store_plan(chain(g.id, 3, 1), "planner")
        .await
        .unwrap();
    assert_eq!(
        store.get_goal(g.id).await.unwrap().unwrap().plan_error,
        None
    );
}

/// A goal whose plan came from a playbook that changed is marked once; others are left alone.
pub async fn edited_playbooks_mark_their_goals_once(store: S) {
    let mut ids = Vec::new();
    // `playbook:old` was stored before plans recorded fingerprints: taken as current.
    for made_by in ["playbook:a@1", "playbook:b@1", "llm:model", "playbook:old"] {
        let g = store.add_goal(goal(made_by, None), "owner").await.unwrap();
        let plan = NewPlan {
            made_by: made_by.into(),
            ..chain(g.id, 1, 1)
        };
        store.store_plan(plan, "planner").await.unwrap();
        ids.push(g.id);
    }
    let current = vec!["playbook:a@1".to_owned(), "playbook:b@2".to_owned()];
    let marked = store.replan_outdated(&current, "planner").await.unwrap();
    assert_eq!(marked, vec![ids[1]], "only b's playbook changed");
    assert!(
        store
            .replan_outdated(&current, "planner")
            .await
            .unwrap()
            .is_empty(),
        "a goal already marked is left alone"
    );
    let events = store
        .events_after(juggernaut_core::ids::EventId(0), 1000)
        .await
        .unwrap();
    let asked: Vec<_> = events
        .iter()
        .filter(|e| e.kind == EventKind::GoalReplanRequested)
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].goal_id, Some(ids[1]));
    let too_many: Vec<String> = (0..1001).map(|i| format!("playbook:{i}")).collect();
    assert!(matches!(
        store.replan_outdated(&too_many, "planner").await,
        Err(StoreError::Domain(_))
    ));
}
