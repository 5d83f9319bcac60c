//! Experiments as a person sees them: added from a spec (checked field by field; its
//! `experiment_step` kind must be available, and its follow-up templates must make tasks their
//! kinds accept for every variant), listed a page at a time newest first (of one status or all),
//! shown with their latest points and conclusion, and stopped with a reason while running.

use crate::{App, AppError};
use juggernaut_core::experiment::tasks::STEP_KIND;
use juggernaut_core::experiment::{
    Experiment, ExperimentId, ExperimentPoint, ExperimentSpec, ExperimentStatus,
};
use juggernaut_store::capability::experiments::check_limit;
use juggernaut_store::{ExperimentPage, MAX_EXPERIMENTS};
use serde::Serialize;

/// Most points an experiment's view shows (the newest).
pub const SHOWN_POINTS: u32 = 200;

/// One page of experiments, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentList {
    /// The experiments.
    pub items: Vec<Experiment>,
    /// Pass as the cursor for the next (older) page; `None` on the last page.
    pub next_cursor: Option<ExperimentId>,
}

/// An experiment with its newest points (latest iteration first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentDetail {
    /// The experiment (with its conclusion once concluded).
    #[serde(flatten)]
    pub experiment: Experiment,
    /// Its newest points, at most [`SHOWN_POINTS`].
    pub points: Vec<ExperimentPoint>,
}

impl App {
    /// Creates a running experiment as `actor`.
    pub async fn add_experiment(
        &self,
        spec: ExperimentSpec,
        actor: &str,
    ) -> Result<Experiment, AppError> {
        spec.check()?;
        self.registry.check(STEP_KIND)?;
        for template in [&spec.rollout, &spec.rollback].into_iter().flatten() {
            for v in &spec.variants {
                let (_, input) = template.about(&v.name);
                self.registry.check_task(template.kind.as_str(), &input)?;
            }
        }
        Ok(self.store.create_experiment(spec, actor).await?)
    }

    /// One page: of `status` or all, newest first, ids below `cursor`, at most `limit` (1-1000).
    pub async fn experiments(
        &self,
        status: Option<ExperimentStatus>,
        cursor: Option<ExperimentId>,
        limit: u32,
    ) -> Result<ExperimentList, AppError> {
        check_limit(limit)?;
        // One more than asked says whether there is a next page.
        let page = ExperimentPage {
            status,
            before: cursor,
            limit: limit.saturating_add(1).min(MAX_EXPERIMENTS),
        };
        let mut items = self.store.experiments(page).await?;
        // A full page of the largest size cannot look ahead: it gets a cursor (the next page
        // may be empty).
        let more = items.len() > limit as usize
            || (limit >= MAX_EXPERIMENTS && items.len() == limit as usize);
        items.truncate(limit as usize);
        let next_cursor = if more {
            items.last().map(|e| e.id)
        } else {
            None
        };
        Ok(ExperimentList { items, next_cursor })
    }

    /// One experiment with its newest points; an unknown id is [`AppError::NotFound`].
    pub async fn experiment(&self, id: ExperimentId) -> Result<ExperimentDetail, AppError> {
        let experiment = self.found(id).await?;
        let points = self.store.experiment_points(id, SHOWN_POINTS).await?;
        Ok(ExperimentDetail { experiment, points })
    }

    /// Stops a running experiment as `actor`, saying why; one that is not running is
    /// [`AppError::Conflict`].
    pub async fn stop_experiment(
        &self,
        id: ExperimentId,
        reason: &str,
        actor: &str,
    ) -> Result<Experiment, AppError> {
        juggernaut_core::experiment::check::check_reason(reason)?;
        let e = self.found(id).await?;
        if e.status != ExperimentStatus::Running {
            return Err(AppError::Conflict(format!(
                "experiment {id} is {}, not running: there is nothing to stop",
                e.status
            )));
        }
        Ok(self.store.stop_experiment(id, reason, actor).await?)
    }

    async fn found(&self, id: ExperimentId) -> Result<Experiment, AppError> {
        self.store.experiment(id).await?.ok_or_else(|| {
            AppError::NotFound(format!(
                "no experiment has id {id} (`juggernaut experiment list` shows them)"
            ))
        })
    }
}
