//! The worker registry: processes register, heartbeat with their idle reasons, and deregister;
//! silent ones are marked lost and their running tasks handed back.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::worker::{Role, WorkerState};
use juggernaut_core::{TaskId, WorkerId};
use serde::Serialize;
use std::time::Duration;

/// What a worker process registers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkerRegistration {
    /// Unique name.
    pub id: WorkerId,
    /// Roles it runs.
    pub roles: Vec<Role>,
    /// Kinds it claims.
    pub kinds: Vec<String>,
    /// Slots.
    pub concurrency: u32,
    /// Host name.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// Binary version.
    pub version: String,
}

/// A registered worker with what it is doing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkerRecord {
    /// As registered.
    pub registration: WorkerRegistration,
    /// Its state.
    pub state: WorkerState,
    /// When it registered.
    pub started_at: DateTime<Utc>,
    /// Its last heartbeat.
    pub heartbeat_at: DateTime<Utc>,
    /// Tasks it holds leases on.
    pub in_flight: Vec<TaskId>,
    /// Why each of its loops is idle, if it is (loop name → reason).
    pub idle: serde_json::Value,
}

/// A worker found silent, and what happened to its tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LostWorker {
    /// The worker.
    pub id: WorkerId,
    /// Its tasks sent back to `ready`.
    pub rescued: Vec<TaskId>,
    /// Its tasks out of attempts, now `dead`.
    pub dead: Vec<TaskId>,
}

/// The worker registry.
#[async_trait]
pub trait Workers: Send + Sync {
    /// Registers (or re-registers) a worker as `active`.
    async fn register_worker(&self, worker: &WorkerRegistration) -> StoreResult<()>;

    /// Records a heartbeat with the worker's state and idle reasons. A worker that was marked
    /// lost becomes active again (its old leases stay fenced).
    async fn worker_heartbeat(
        &self,
        id: &WorkerId,
        state: WorkerState,
        idle: &serde_json::Value,
    ) -> StoreResult<()>;

    /// Removes a worker that shut down cleanly.
    async fn deregister_worker(&self, id: &WorkerId) -> StoreResult<()>;

    /// Marks workers silent for longer than `silent_for` as lost and hands their running tasks
    /// back (`ready`, or `dead` when out of attempts) without waiting for their leases to lapse.
    async fn mark_lost_workers(
        &self,
        silent_for: Duration,
        actor: &str,
    ) -> StoreResult<Vec<LostWorker>>;

    /// Every registered worker.
    async fn list_workers(&self) -> StoreResult<Vec<WorkerRecord>>;
}
