//! Decisions on known counts, and the spec's checks.

use super::*;
use crate::DomainError;
use crate::experiment::{
    ConversionMetric, Experiment, ExperimentId, ExperimentStatus, FollowUp, Variant,
};
use serde_json::json;

fn spec() -> ExperimentSpec {
    ExperimentSpec {
        name: "Checkout button".into(),
        hypothesis: "A green button converts better".into(),
        goal_id: None,
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
            query: "SELECT SUM(bought), COUNT(*) FROM visits WHERE variant = {{variant}}".into(),
        },
        min_sample: 500,
        max_duration_secs: 86_400,
        interval_secs: 60,
        rule: StoppingRule::Bayesian {
            alpha: 0.05,
            max_loss: 0.005,
        },
        rollout: Some(FollowUp {
            kind: crate::TaskKind::new("noop").unwrap(),
            title: "Roll out {{variant}}".into(),
            input: json!({"variant": "{{variant}}"}),
        }),
        rollback: None,
    }
}

fn counts(c: &[(&str, u64, u64)]) -> Vec<(String, u64, u64)> {
    c.iter()
        .map(|(n, s, t)| ((*n).to_owned(), *s, *t))
        .collect()
}

fn conclusion(d: Decision) -> Conclusion {
    match d {
        Decision::Conclude(c) => c,
        Decision::Continue(why) => panic!("not concluded: {why}"),
    }
}

#[test]
fn a_clear_treatment_wins_and_the_control_loses_to_nobody() {
    let c = conclusion(decide(
        &spec(),
        &counts(&[("blue", 100, 1000), ("green", 160, 1000)]),
        false,
    ));
    assert_eq!(c.verdict, Verdict::Winner);
    assert_eq!(c.winner.as_deref(), Some("green"));
    assert!(c.losers.is_empty(), "the control is never rolled back");
    let green = &c.stats[1];
    assert!(green.p_beats_control.unwrap() > 0.999 && green.expected_loss < 0.001);
    assert!(c.stats[0].p_beats_control.is_none());
    let c = conclusion(decide(
        &spec(),
        &counts(&[("blue", 160, 1000), ("green", 100, 1000)]),
        false,
    ));
    assert_eq!(
        (c.winner.as_deref(), c.losers),
        (Some("blue"), vec!["green".to_owned()])
    );
}

#[test]
fn small_samples_close_calls_and_mismatches_continue() {
    let d = decide(
        &spec(),
        &counts(&[("blue", 10, 100), ("green", 30, 100)]),
        false,
    );
    assert!(
        matches!(d, Decision::Continue(ref w) if w.contains("`blue` has 100 of the 500")),
        "{d:?}"
    );
    let d = decide(
        &spec(),
        &counts(&[("blue", 100, 1000), ("green", 110, 1000)]),
        false,
    );
    assert!(
        matches!(d, Decision::Continue(ref w) if w.contains("no variant is ahead")),
        "{d:?}"
    );
    let d = decide(
        &spec(),
        &counts(&[("blue", 100, 1000), ("green", 200, 1400)]),
        false,
    );
    assert!(
        matches!(d, Decision::Continue(ref w) if w.contains("allocation")),
        "{d:?}"
    );
    let d = decide(&spec(), &counts(&[("blue", 10, 5), ("green", 1, 5)]), false);
    assert!(
        matches!(d, Decision::Continue(ref w) if w.contains("10 successes of 5")),
        "{d:?}"
    );
}

#[test]
fn equal_large_arms_show_no_difference_and_the_deadline_ends_the_rest() {
    let d = decide(
        &spec(),
        &counts(&[("blue", 10_000, 100_000), ("green", 10_010, 100_000)]),
        false,
    );
    let c = conclusion(d);
    assert_eq!(c.verdict, Verdict::NoDifference);
    assert_eq!(c.losers, vec!["green".to_owned()]);
    let c = conclusion(decide(&spec(), &counts(&[("blue", 10, 100)]), true));
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(c.reason.contains("maximum duration"), "{}", c.reason);
    assert!(c.winner.is_none() && c.losers.is_empty());
}

#[test]
fn specs_are_checked_by_field() {
    assert!(spec().check().is_ok());
    let field = |s: ExperimentSpec| match s.check() {
        Err(DomainError::InvalidField { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    let mut s = spec();
    s.variants[1].control = true;
    assert_eq!(field(s), "variants.control");
    let mut s = spec();
    s.variants[1].name = "Green'; --".into();
    assert_eq!(field(s), "variants.name");
    let mut s = spec();
    s.variants.truncate(1);
    assert_eq!(field(s), "variants");
    let mut s = spec();
    s.metric.query = "SELECT 1, 2".into();
    assert_eq!(field(s), "metric.query");
    let mut s = spec();
    s.rule = StoppingRule::Bayesian {
        alpha: 0.5,
        max_loss: 0.01,
    };
    assert_eq!(field(s), "rule.alpha");
    let mut s = spec();
    s.min_sample = 0;
    assert_eq!(field(s), "min_sample");
    let mut s = spec();
    s.max_duration_secs = 5;
    assert_eq!(field(s), "max_duration_secs");
    let mut s = spec();
    s.variants[0].weight = f64::NAN;
    assert_eq!(field(s), "variants.weight");
}

#[test]
fn queries_and_follow_ups_name_the_variant() {
    let s = spec();
    assert_eq!(
        s.metric.query_for("green"),
        "SELECT SUM(bought), COUNT(*) FROM visits WHERE variant = 'green'"
    );
    let (title, input) = s.rollout.unwrap().about("green");
    assert_eq!(
        (title.as_str(), input),
        ("Roll out green", json!({"variant": "green"}))
    );
}

#[test]
fn steps_and_follow_ups_are_keyed_per_experiment() {
    let mut s = spec();
    s.rollback = Some(FollowUp {
        kind: crate::TaskKind::new("noop").unwrap(),
        title: "Roll back {{variant}}".into(),
        input: json!({}),
    });
    let e = crate::experiment::Experiment {
        id: crate::experiment::ExperimentId(7),
        spec: s,
        status: crate::experiment::ExperimentStatus::Running,
        iteration: 0,
        started_at: chrono::Utc::now(),
        iterated_at: None,
        ended_at: None,
        conclusion: None,
        stop_reason: None,
        created_by: "cli".into(),
    };
    let steps = crate::experiment::tasks::steps(&e, 2);
    let keys: Vec<_> = steps.iter().filter_map(|t| t.dedupe_key.clone()).collect();
    assert_eq!(keys, ["experiment:7:2:blue", "experiment:7:2:green"]);
    assert_eq!(
        steps[1].input,
        json!({"experiment": 7, "iteration": 2, "variant": "green"})
    );
    let won = conclusion(decide(
        &e.spec,
        &counts(&[("blue", 100, 1000), ("green", 160, 1000)]),
        false,
    ));
    let f = crate::experiment::tasks::follow_ups(&e, &won);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].title.as_str(), f[0].dedupe_key.as_deref()),
        ("Roll out green", Some("experiment:7:rollout:green"))
    );
    let lost = conclusion(decide(
        &e.spec,
        &counts(&[("blue", 160, 1000), ("green", 100, 1000)]),
        false,
    ));
    let f = crate::experiment::tasks::follow_ups(&e, &lost);
    assert_eq!(
        f.len(),
        1,
        "the control wins: no rollout, the loser rolled back"
    );
    assert_eq!(
        f[0].dedupe_key.as_deref(),
        Some("experiment:7:rollback:green")
    );
}

#[test]
fn a_follow_up_title_never_outgrows_a_task_title() {
    let long = "v".repeat(64);
    let mut s = spec();
    s.variants[1].name = long.clone();
    if let Some(r) = s.rollout.as_mut() {
        r.title = "{{variant}}".repeat(36);
    }
    let e = Experiment {
        id: ExperimentId(1),
        spec: s,
        status: ExperimentStatus::Running,
        iteration: 1,
        started_at: chrono::Utc::now(),
        iterated_at: None,
        ended_at: None,
        conclusion: None,
        stop_reason: None,
        created_by: "t".into(),
    };
    let c = Conclusion {
        verdict: Verdict::Winner,
        winner: Some(long),
        losers: vec!["blue".into()],
        reason: "test".into(),
        stats: vec![],
    };
    let tasks = crate::experiment::tasks::follow_ups(&e, &c);
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0].title.len() <= 500, "{}", tasks[0].title.len());
    tasks[0].validate().unwrap();
}
