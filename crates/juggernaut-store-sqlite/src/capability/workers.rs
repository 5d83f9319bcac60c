//! [`Workers`] for SQLite.

use crate::store::SqliteStore;
use crate::workers;
use async_trait::async_trait;
use juggernaut_core::WorkerId;
use juggernaut_core::worker::WorkerState;
use juggernaut_store::{LostWorker, StoreResult, WorkerRecord, WorkerRegistration, Workers};
use std::time::Duration;

#[async_trait]
impl Workers for SqliteStore {
    async fn register_worker(&self, worker: &WorkerRegistration) -> StoreResult<()> {
        workers::register(self, worker).await
    }

    async fn worker_heartbeat(
        &self,
        id: &WorkerId,
        state: WorkerState,
        idle: &serde_json::Value,
    ) -> StoreResult<()> {
        workers::heartbeat(self, id, state, idle).await
    }

    async fn deregister_worker(&self, id: &WorkerId) -> StoreResult<()> {
        workers::deregister(self, id).await
    }

    async fn mark_lost_workers(
        &self,
        silent_for: Duration,
        actor: &str,
    ) -> StoreResult<Vec<LostWorker>> {
        let lost = workers::mark_lost(self, silent_for, actor).await?;
        if lost.iter().any(|w| !w.rescued.is_empty()) {
            self.signal.notify_waiters();
        }
        Ok(lost)
    }

    async fn list_workers(&self) -> StoreResult<Vec<WorkerRecord>> {
        workers::list(self).await
    }
}
