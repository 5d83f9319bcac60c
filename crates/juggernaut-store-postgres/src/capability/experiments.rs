//! [`Experiments`] for PostgreSQL.

use crate::store::PostgresStore;
use crate::{experiment_runs as runs, experiments as exp};
use async_trait::async_trait;
use juggernaut_core::NewTask;
use juggernaut_core::experiment::{
    Conclusion, Experiment, ExperimentId, ExperimentPoint, ExperimentSpec,
};
use juggernaut_store::{Enqueued, ExperimentPage, Experiments, NewPoint, StoreResult};

#[async_trait]
impl Experiments for PostgresStore {
    async fn create_experiment(
        &self,
        spec: ExperimentSpec,
        actor: &str,
    ) -> StoreResult<Experiment> {
        exp::create(self, spec, actor).await
    }

    async fn experiment(&self, id: ExperimentId) -> StoreResult<Option<Experiment>> {
        exp::get(self, id).await
    }

    async fn experiments(&self, page: ExperimentPage) -> StoreResult<Vec<Experiment>> {
        exp::list(self, page).await
    }

    async fn start_iteration(
        &self,
        id: ExperimentId,
        iteration: u32,
        steps: Vec<NewTask>,
        actor: &str,
    ) -> StoreResult<Vec<Enqueued>> {
        runs::start_iteration(self, id, iteration, steps, actor).await
    }

    async fn record_point(&self, p: NewPoint, actor: &str) -> StoreResult<(ExperimentPoint, bool)> {
        runs::record_point(self, p, actor).await
    }

    async fn experiment_points(
        &self,
        id: ExperimentId,
        limit: u32,
    ) -> StoreResult<Vec<ExperimentPoint>> {
        runs::points(self, id, limit).await
    }

    async fn latest_points(&self, id: ExperimentId) -> StoreResult<Vec<ExperimentPoint>> {
        runs::latest(self, id).await
    }

    async fn conclude_experiment(
        &self,
        id: ExperimentId,
        conclusion: Conclusion,
        follow_ups: Vec<NewTask>,
        actor: &str,
    ) -> StoreResult<(Experiment, Vec<Enqueued>)> {
        runs::conclude(self, id, conclusion, follow_ups, actor).await
    }

    async fn stop_experiment(
        &self,
        id: ExperimentId,
        reason: &str,
        actor: &str,
    ) -> StoreResult<Experiment> {
        exp::stop(self, id, reason, actor).await
    }
}
