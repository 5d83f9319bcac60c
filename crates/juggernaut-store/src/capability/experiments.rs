//! Experiments: created running, iterated (each iteration's `experiment_step` tasks enqueued in
//! the transaction that advances the iteration, so a second leader cannot start it twice),
//! their variants' counts recorded once per iteration (a retried step records nothing new),
//! concluded with their follow-up tasks enqueued in the same transaction (dedupe keys chosen by
//! the caller, so a rerun makes nothing twice), or stopped by a person. Every change writes its
//! `experiment.*` audit event in its transaction.

use super::StoreResult;
use crate::api::Enqueued;
use crate::error::StoreError;
use async_trait::async_trait;
use juggernaut_core::experiment::{
    Conclusion, Experiment, ExperimentId, ExperimentPoint, ExperimentSpec, ExperimentStatus,
};
use juggernaut_core::{DomainError, NewTask, TaskId};

/// Most experiments or points one call reads.
pub const MAX_EXPERIMENTS: u32 = 1000;

/// A page of experiments: newest first, ids below `before`, of one status or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExperimentPage {
    /// Only this status.
    pub status: Option<ExperimentStatus>,
    /// The last id of the previous page, or `None` for the newest.
    pub before: Option<ExperimentId>,
    /// Page size (1-1000; outside is refused).
    pub limit: u32,
}

/// A variant's counts read by an `experiment_step` task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPoint {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The iteration it was read for (1 up to the experiment's current one).
    pub iteration: u32,
    /// The variant (one of the spec's).
    pub variant: String,
    /// Successes so far.
    pub successes: u64,
    /// Trials so far (at least the successes).
    pub trials: u64,
    /// The task that read it.
    pub task_id: Option<TaskId>,
}

/// Refuses a limit outside 1-[`MAX_EXPERIMENTS`], naming it.
pub fn check_limit(limit: u32) -> StoreResult<()> {
    if (1..=MAX_EXPERIMENTS).contains(&limit) {
        return Ok(());
    }
    Err(refused(
        "limit",
        format!("{limit} is out of range: use 1 to {MAX_EXPERIMENTS}"),
    ))
}

/// A refusal of `field`.
pub fn refused(field: &'static str, reason: String) -> StoreError {
    StoreError::Domain(DomainError::InvalidField { field, reason })
}

/// The refusal for an unknown experiment.
pub fn no_experiment(id: ExperimentId) -> StoreError {
    refused(
        "experiment",
        format!("no experiment has id {id} (`juggernaut experiment list` shows them)"),
    )
}

/// The refusal for an experiment that is not running.
pub fn not_running(id: ExperimentId, status: ExperimentStatus) -> StoreError {
    refused(
        "experiment",
        format!("experiment {id} is {status}, not running"),
    )
}

/// Refuses a point that cannot belong to `e`: an unknown variant, an iteration not started,
/// more successes than trials, counts past `i64`.
pub fn check_point(e: &Experiment, p: &NewPoint) -> StoreResult<()> {
    if !e.spec.variants.iter().any(|v| v.name == p.variant) {
        return Err(refused(
            "variant",
            format!("experiment {} has no variant `{}`", e.id, p.variant),
        ));
    }
    if p.iteration == 0 || p.iteration > e.iteration {
        return Err(refused(
            "iteration",
            format!(
                "experiment {} is at iteration {}; {} was not started",
                e.id, e.iteration, p.iteration
            ),
        ));
    }
    if p.successes > p.trials || i64::try_from(p.trials).is_err() {
        return Err(refused(
            "successes",
            format!(
                "{} successes of {} trials: successes must not exceed trials",
                p.successes, p.trials
            ),
        ));
    }
    Ok(())
}

/// The experiments table and its points.
#[async_trait]
pub trait Experiments: Send + Sync {
    /// Creates a running experiment (iteration 0) from a checked spec with its
    /// `experiment.created` event. Refuses (nothing written) what [`ExperimentSpec::check`]
    /// refuses, a goal that does not exist, and a blank actor.
    async fn create_experiment(&self, spec: ExperimentSpec, actor: &str)
    -> StoreResult<Experiment>;

    /// One experiment.
    async fn experiment(&self, id: ExperimentId) -> StoreResult<Option<Experiment>>;

    /// One page, newest first; a limit outside 1-1000 is refused.
    async fn experiments(&self, page: ExperimentPage) -> StoreResult<Vec<Experiment>>;

    /// Starts iteration `iteration` of a running experiment at `iteration - 1` and enqueues
    /// `steps` (their origin is set to `experiment`), with an `experiment.iterated` event, in one
    /// transaction. Refuses (nothing written) an unknown experiment, one not running, and one at
    /// another iteration (another leader started it).
    async fn start_iteration(
        &self,
        id: ExperimentId,
        iteration: u32,
        steps: Vec<NewTask>,
        actor: &str,
    ) -> StoreResult<Vec<Enqueued>>;

    /// Records a variant's counts for an iteration with an `experiment.point_recorded` event;
    /// the first record of `(experiment, iteration, variant)` stands: recording it again returns
    /// the stored point and `false`, and writes nothing. Refuses what [`check_point`] refuses and
    /// an unknown experiment.
    async fn record_point(&self, p: NewPoint, actor: &str) -> StoreResult<(ExperimentPoint, bool)>;

    /// The points of an experiment, newest first (latest iteration first, then by variant), at
    /// most `limit` (1-1000).
    async fn experiment_points(
        &self,
        id: ExperimentId,
        limit: u32,
    ) -> StoreResult<Vec<ExperimentPoint>>;

    /// Each variant's latest point (at most one per variant), by variant name.
    async fn latest_points(&self, id: ExperimentId) -> StoreResult<Vec<ExperimentPoint>>;

    /// Concludes a running experiment with `conclusion` and enqueues `follow_ups` (their origin
    /// set to `experiment`; a dedupe key of a live task returns that task), with an
    /// `experiment.concluded` event naming them, in one transaction. Refuses (nothing written)
    /// an unknown experiment and one not running.
    async fn conclude_experiment(
        &self,
        id: ExperimentId,
        conclusion: Conclusion,
        follow_ups: Vec<NewTask>,
        actor: &str,
    ) -> StoreResult<(Experiment, Vec<Enqueued>)>;

    /// Stops a running experiment with a person's reason and an `experiment.stopped` event.
    /// Refuses an unknown experiment, one not running, a blank actor and a reason
    /// [`juggernaut_core::experiment::check::check_reason`] refuses.
    async fn stop_experiment(
        &self,
        id: ExperimentId,
        reason: &str,
        actor: &str,
    ) -> StoreResult<Experiment>;
}
