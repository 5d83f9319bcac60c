//! The experiments loop (leader only): every `interval`, each running experiment is moved on.
//! With no iteration yet, the first starts: its `experiment_step` tasks (one per variant) are
//! enqueued with the iteration, in one transaction that a second leader cannot repeat. Once
//! every variant has its point for the current iteration (or the maximum duration has passed),
//! the stopping rule is looked at on each variant's latest counts: a decision concludes the
//! experiment with its follow-up tasks (rollout of the winner, rollback of the losers) in one
//! transaction; otherwise the next iteration starts once `interval_secs` have passed since the
//! last one. Times come from the store's clock.

use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::{Idle, Loop};
use chrono::{DateTime, Utc};
use juggernaut_core::experiment::tasks::{follow_ups, steps};
use juggernaut_core::experiment::{Decision, Experiment, ExperimentStatus, decide};
use juggernaut_store::{ExperimentPage, MAX_EXPERIMENTS, Store, StoreError};
use std::time::Duration;

/// The experiments loop's settings.
#[derive(Debug, Clone)]
pub struct Experimenting {
    /// How often running experiments are looked at.
    pub interval: Duration,
}

impl Default for Experimenting {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(10),
        }
    }
}

/// What one look at an experiment did.
#[derive(Debug, Clone, PartialEq)]
pub enum Moved {
    /// An iteration started with this many new step tasks.
    Iterated(u32),
    /// It concluded with this many new follow-up tasks.
    Concluded(usize),
    /// Nothing to do yet: why.
    Waiting(String),
}

/// One pass over the running experiments.
pub async fn tick(store: &dyn Store, actor: &str, report: &Reporting) {
    let page = ExperimentPage {
        status: Some(ExperimentStatus::Running),
        before: None,
        limit: MAX_EXPERIMENTS,
    };
    let running = match store.experiments(page).await {
        Ok(r) => r,
        Err(e) => return unavailable(report, "experiments", e),
    };
    if running.is_empty() {
        return report.idle.idle(
            Loop::Experiments,
            Idle::NothingToDo,
            "no experiment is running".to_owned(),
        );
    }
    let mut waiting = Vec::new();
    let mut moved = false;
    for e in &running {
        match advance(store, e, actor).await {
            Ok(Moved::Waiting(why)) => waiting.push(format!("experiment {}: {why}", e.id)),
            Ok(_) => moved = true,
            Err(StoreError::Domain(refused)) => match raced(store, e).await {
                // Another leader moved it first, or it ended meanwhile: looked at next pass.
                true => moved = true,
                // The store refuses the move itself (a follow-up it will not enqueue): said,
                // not taken for progress.
                false => waiting.push(format!("experiment {}: cannot go on: {refused}", e.id)),
            },
            Err(err) => return unavailable(report, "advance_experiment", err),
        }
    }
    if moved {
        report.idle.busy(Loop::Experiments);
    } else {
        report.idle.idle(
            Loop::Experiments,
            Idle::WaitingForNextPass,
            juggernaut_core::text::clipped(&waiting.join("; "), 2000),
        );
    }
}

/// Moves one running experiment on.
pub async fn advance(store: &dyn Store, e: &Experiment, actor: &str) -> Result<Moved, StoreError> {
    let now = store.now().await?;
    if e.iteration == 0 && now < e.deadline() {
        return start(store, e, 1, actor).await;
    }
    let latest = store.latest_points(e.id).await?;
    let missing: Vec<&str> = e
        .spec
        .variants
        .iter()
        .filter(|v| {
            !latest
                .iter()
                .any(|p| p.variant == v.name && p.iteration >= e.iteration)
        })
        .map(|v| v.name.as_str())
        .collect();
    let past_deadline = now >= e.deadline();
    if !missing.is_empty() && !past_deadline {
        // A step that died is in the dead-letter queue (and escalated): `dlq requeue` runs it
        // again once its data source is fixed; until then, or the maximum duration, it waits.
        return Ok(Moved::Waiting(format!(
            "iteration {} waits for {} (a step task that died waits in the dead-letter queue)",
            e.iteration,
            missing.join(", ")
        )));
    }
    let counts: Vec<(String, u64, u64)> = latest
        .iter()
        .map(|p| (p.variant.clone(), p.successes, p.trials))
        .collect();
    match decide(&e.spec, &counts, past_deadline) {
        Decision::Conclude(c) => {
            let tasks = follow_ups(e, &c);
            let (_, made) = store.conclude_experiment(e.id, c, tasks, actor).await?;
            Ok(Moved::Concluded(made.iter().filter(|m| m.created).count()))
        }
        Decision::Continue(_) if due(e, now) => {
            start(store, e, e.iteration.saturating_add(1), actor).await
        }
        Decision::Continue(why) => Ok(Moved::Waiting(format!(
            "iteration {}: {why}; the next starts after {}s",
            e.iteration, e.spec.interval_secs
        ))),
    }
}

/// Whether the next iteration may start.
fn due(e: &Experiment, now: DateTime<Utc>) -> bool {
    let every = chrono::Duration::seconds(i64::try_from(e.spec.interval_secs).unwrap_or(i64::MAX));
    e.iterated_at.is_none_or(|at| now >= at + every)
}

async fn start(
    store: &dyn Store,
    e: &Experiment,
    iteration: u32,
    actor: &str,
) -> Result<Moved, StoreError> {
    let made = store
        .start_iteration(e.id, iteration, steps(e, iteration), actor)
        .await?;
    Ok(Moved::Iterated(
        made.iter().filter(|m| m.created).count() as u32
    ))
}

fn unavailable(report: &Reporting, operation: &'static str, error: StoreError) {
    report.idle.idle(
        Loop::Experiments,
        Idle::StoreUnavailable,
        format!("store unavailable: {error}"),
    );
    report.events.emit(EngineEvent::StoreFault {
        operation,
        error: error.to_string(),
    });
}

/// Whether `e` changed since it was read (another leader advanced, concluded or stopped it).
async fn raced(store: &dyn Store, e: &Experiment) -> bool {
    match store.experiment(e.id).await {
        Ok(Some(now)) => now.status != e.status || now.iteration != e.iteration,
        Ok(None) | Err(_) => true,
    }
}
