//! Experiments: created running (for a goal that exists), read, listed newest first by status,
//! stopped once; an iteration starts once with its step tasks (origin `experiment`), even when
//! two leaders race; a point is recorded once per iteration and variant (a repeat returns the
//! first), bad points are refused; a conclusion is written once with its follow-up tasks; every
//! change has its typed event.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::capability::experiments::{ExperimentPage, NewPoint};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::experiment::{
    Conclusion, ConversionMetric, ExperimentId, ExperimentSpec, ExperimentStatus, FollowUp,
    StoppingRule, Variant, Verdict,
};
use juggernaut_core::{DomainError, EventKind, GoalId, NewGoal, Origin};

fn spec(goal: Option<GoalId>) -> ExperimentSpec {
    ExperimentSpec {
        name: "Button colour".into(),
        hypothesis: "Green converts better".into(),
        goal_id: goal,
        variants: vec![
            Variant {
                name: "blue".into(),
                weight: 1.0,
                control: true,
            },
            Variant {
                name: "green".into(),
                weight: 1.0,
                control: false,
            },
        ],
        metric: ConversionMetric {
            source: "shop".into(),
            query: "SELECT 1, 2 WHERE {{variant}} = 'x'".into(),
        },
        min_sample: 10,
        max_duration_secs: 3600,
        interval_secs: 60,
        rule: StoppingRule::Bayesian {
            alpha: 0.05,
            max_loss: 0.01,
        },
        rollout: Some(FollowUp {
            kind: kind("noop"),
            title: "Roll out {{variant}}".into(),
            input: serde_json::json!({}),
        }),
        rollback: None,
    }
}

fn field_of(err: StoreError) -> &'static str {
    match err {
        StoreError::Domain(DomainError::InvalidField { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn page(
    status: Option<ExperimentStatus>,
    before: Option<ExperimentId>,
    limit: u32,
) -> ExperimentPage {
    ExperimentPage {
        status,
        before,
        limit,
    }
}

async fn kinds_of_events(store: &S) -> Vec<EventKind> {
    all_events(store)
        .await
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.as_str().starts_with("experiment."))
        .collect()
}

fn point(e: ExperimentId, iteration: u32, variant: &str, s: u64, t: u64) -> NewPoint {
    NewPoint {
        experiment: e,
        iteration,
        variant: variant.into(),
        successes: s,
        trials: t,
        task_id: None,
    }
}

/// Create (a missing goal refused), read, list by status page by page, stop once.
pub async fn experiments_are_created_listed_and_stopped(store: S) {
    let goal = store
        .add_goal(NewGoal::titled("Sell more"), "o")
        .await
        .unwrap();
    let err = store
        .create_experiment(spec(Some(GoalId(goal.id.0 + 100))), "cli")
        .await;
    assert_eq!(field_of(err.unwrap_err()), "goal_id");
    let mut bad = spec(None);
    bad.variants[0].control = false;
    assert_eq!(
        field_of(store.create_experiment(bad, "cli").await.unwrap_err()),
        "variants.control"
    );
    let a = store
        .create_experiment(spec(Some(goal.id)), "cli")
        .await
        .unwrap();
    let b = store.create_experiment(spec(None), "cli").await.unwrap();
    assert_eq!(
        (a.status, a.iteration, a.created_by.as_str()),
        (ExperimentStatus::Running, 0, "cli")
    );
    assert_eq!(store.experiment(a.id).await.unwrap().unwrap(), a);
    assert!(
        store
            .experiment(ExperimentId(b.id.0 + 9))
            .await
            .unwrap()
            .is_none()
    );
    let first = store.experiments(page(None, None, 1)).await.unwrap();
    assert_eq!(first.iter().map(|e| e.id).collect::<Vec<_>>(), [b.id]);
    let next = store.experiments(page(None, Some(b.id), 10)).await.unwrap();
    assert_eq!(next.iter().map(|e| e.id).collect::<Vec<_>>(), [a.id]);
    assert_eq!(
        field_of(store.experiments(page(None, None, 0)).await.unwrap_err()),
        "limit"
    );
    let stopped = store
        .stop_experiment(a.id, "wrong audience", "ann")
        .await
        .unwrap();
    assert_eq!(stopped.status, ExperimentStatus::Stopped);
    assert_eq!(stopped.stop_reason.as_deref(), Some("wrong audience"));
    assert!(stopped.ended_at.is_some());
    assert_eq!(
        field_of(
            store
                .stop_experiment(a.id, "again", "ann")
                .await
                .unwrap_err()
        ),
        "experiment"
    );
    assert_eq!(
        field_of(store.stop_experiment(b.id, " ", "ann").await.unwrap_err()),
        "reason"
    );
    let running = store
        .experiments(page(Some(ExperimentStatus::Running), None, 10))
        .await
        .unwrap();
    assert_eq!(running.iter().map(|e| e.id).collect::<Vec<_>>(), [b.id]);
    let stopped = store
        .experiments(page(Some(ExperimentStatus::Stopped), None, 10))
        .await
        .unwrap();
    assert_eq!(stopped.iter().map(|e| e.id).collect::<Vec<_>>(), [a.id]);
    use EventKind::*;
    assert_eq!(
        kinds_of_events(&store).await,
        [ExperimentCreated, ExperimentCreated, ExperimentStopped]
    );
    let created = all_events(&store)
        .await
        .into_iter()
        .find(|e| e.kind == ExperimentCreated)
        .unwrap();
    assert_eq!(created.goal_id, Some(goal.id));
}

/// Iterations start once with their steps, points are kept once, a conclusion once with its
/// follow-ups.
pub async fn experiment_iterations_points_and_conclusions_happen_once(store: S) {
    let e = store.create_experiment(spec(None), "cli").await.unwrap();
    let steps = |i: u32| {
        vec![
            keyed("noop", &format!("x:{i}:blue")),
            keyed("noop", &format!("x:{i}:green")),
        ]
    };
    assert_eq!(
        field_of(
            store
                .start_iteration(e.id, 2, steps(2), "l")
                .await
                .unwrap_err()
        ),
        "iteration"
    );
    let made = store.start_iteration(e.id, 1, steps(1), "l").await.unwrap();
    assert_eq!(made.len(), 2);
    assert!(
        made.iter()
            .all(|q| q.created && q.task.origin == Origin::Experiment)
    );
    assert_eq!(
        field_of(
            store
                .start_iteration(e.id, 1, steps(1), "l")
                .await
                .unwrap_err()
        ),
        "iteration"
    );
    assert_eq!(store.experiment(e.id).await.unwrap().unwrap().iteration, 1);
    let (p, created) = store
        .record_point(point(e.id, 1, "blue", 3, 10), "w")
        .await
        .unwrap();
    assert!(created && p.successes == 3 && p.trials == 10);
    let (again, created) = store
        .record_point(point(e.id, 1, "blue", 9, 10), "w")
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again, p);
    for (bad, field) in [
        (point(e.id, 1, "red", 1, 2), "variant"),
        (point(e.id, 2, "blue", 1, 2), "iteration"),
        (point(e.id, 1, "green", 3, 2), "successes"),
    ] {
        assert_eq!(
            field_of(store.record_point(bad, "w").await.unwrap_err()),
            field
        );
    }
    store.start_iteration(e.id, 2, steps(2), "l").await.unwrap();
    store
        .record_point(point(e.id, 2, "blue", 5, 20), "w")
        .await
        .unwrap();
    store
        .record_point(point(e.id, 1, "green", 4, 10), "w")
        .await
        .unwrap();
    let latest = store.latest_points(e.id).await.unwrap();
    let seen: Vec<_> = latest
        .iter()
        .map(|p| (p.variant.as_str(), p.iteration, p.trials))
        .collect();
    assert_eq!(seen, [("blue", 2, 20), ("green", 1, 10)]);
    let all = store.experiment_points(e.id, 10).await.unwrap();
    assert_eq!(
        all.iter().map(|p| p.iteration).collect::<Vec<_>>(),
        [2, 1, 1]
    );
    let conclusion = Conclusion {
        verdict: Verdict::Winner,
        winner: Some("green".into()),
        losers: vec![],
        reason: "green is better".into(),
        stats: vec![],
    };
    let follow = vec![keyed("noop", &format!("experiment:{}:rollout:green", e.id))];
    let (done, tasks) = store
        .conclude_experiment(e.id, conclusion.clone(), follow.clone(), "l")
        .await
        .unwrap();
    assert_eq!(done.status, ExperimentStatus::Concluded);
    assert_eq!(done.conclusion.as_ref(), Some(&conclusion));
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].task.origin, Origin::Experiment);
    let err = store
        .conclude_experiment(e.id, conclusion, follow, "l")
        .await
        .unwrap_err();
    assert_eq!(field_of(err), "experiment");
    assert_eq!(
        field_of(
            store
                .start_iteration(e.id, 3, steps(3), "l")
                .await
                .unwrap_err()
        ),
        "experiment"
    );
    // A late step of an earlier iteration may still record what it read.
    store
        .record_point(point(e.id, 2, "green", 6, 20), "w")
        .await
        .unwrap();
    use EventKind::*;
    assert_eq!(
        kinds_of_events(&store).await,
        [
            ExperimentCreated,
            ExperimentIterated,
            ExperimentPointRecorded,
            ExperimentIterated,
            ExperimentPointRecorded,
            ExperimentPointRecorded,
            ExperimentConcluded,
            ExperimentPointRecorded,
        ]
    );
    let concluded = all_events(&store)
        .await
        .into_iter()
        .find(|x| x.kind == ExperimentConcluded)
        .unwrap();
    assert_eq!(
        concluded.data["tasks"],
        serde_json::json!([tasks[0].task.id])
    );
}

/// Two leaders starting the same iteration: one starts it, its steps are enqueued once.
pub async fn experiment_iterations_start_once_under_concurrency(store: S) {
    let e = store.create_experiment(spec(None), "cli").await.unwrap();
    let run = |s: S| async move {
        s.start_iteration(e.id, 1, vec![keyed("noop", "c:1:blue")], "l")
            .await
    };
    let (x, y) = tokio::join!(
        tokio::spawn(run(store.clone())),
        tokio::spawn(run(store.clone()))
    );
    let oks = [x.unwrap(), y.unwrap()]
        .into_iter()
        .filter(Result::is_ok)
        .count();
    assert_eq!(oks, 1);
    assert_eq!(store.experiment(e.id).await.unwrap().unwrap().iteration, 1);
}

/// Every experiment event once, for the audit suite: created, iterated, a point, concluded,
/// and another stopped.
pub async fn exercise(store: &S) {
    let e = store.create_experiment(spec(None), "cli").await.unwrap();
    store
        .start_iteration(e.id, 1, vec![], "leader")
        .await
        .unwrap();
    store
        .record_point(point(e.id, 1, "blue", 1, 2), "w")
        .await
        .unwrap();
    let conclusion = Conclusion {
        verdict: Verdict::Inconclusive,
        winner: None,
        losers: vec![],
        reason: "the maximum duration passed".into(),
        stats: vec![],
    };
    store
        .conclude_experiment(e.id, conclusion, vec![], "leader")
        .await
        .unwrap();
    let other = store.create_experiment(spec(None), "cli").await.unwrap();
    store
        .stop_experiment(other.id, "not needed", "owner")
        .await
        .unwrap();
}
