//! Coordination between worker processes: the worker registry, leader election for the singleton
//! loops, graceful hand-back, run-time limits, cron schedules, and pruning. Every backend
//! implements it next to [`crate::Store`]; the conformance suite covers it too.

use crate::api::LeaseRef;
use crate::error::StoreError;
use crate::store::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::schedule::{NewSchedule, Schedule};
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

/// Who leads a singleton loop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaderInfo {
    /// The leadership's name (`engine`).
    pub name: String,
    /// The leader.
    pub holder: WorkerId,
    /// Since when.
    pub acquired_at: DateTime<Utc>,
    /// Until when, unless renewed.
    pub expires_at: DateTime<Utc>,
}

/// The stored schedules: those that can fire, and the rows this binary cannot use (written by an
/// older binary or by hand), each with why. One bad row never hides the others.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Schedules {
    /// Schedules that can fire, by name.
    pub valid: Vec<Schedule>,
    /// Rows that cannot fire, by name.
    pub invalid: Vec<BadSchedule>,
}

/// A stored schedule that cannot fire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadSchedule {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Why it cannot fire.
    pub reason: String,
}

impl Schedules {
    /// Sorts a row read from the store into valid or invalid: `read` is the row as a schedule,
    /// or the reason it could not be read.
    pub fn push(&mut self, id: i64, name: String, read: Result<Schedule, StoreError>) {
        let reason = match read {
            Ok(s) => match s.problem() {
                None => return self.valid.push(s),
                Some(p) => p.to_string(),
            },
            Err(e) => e.to_string(),
        };
        self.invalid.push(BadSchedule { id, name, reason });
    }
}

/// Coordination operations; see the module doc.
#[async_trait]
pub trait Coordination: Send + Sync {
    /// The database's clock (all nodes of a PostgreSQL deployment agree on it).
    async fn now(&self) -> StoreResult<DateTime<Utc>>;

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

    /// Takes or renews the leadership `name` for `ttl`; true if `holder` leads now.
    async fn try_lead(&self, name: &str, holder: &WorkerId, ttl: Duration) -> StoreResult<bool>;

    /// Gives up the leadership if `holder` has it.
    async fn resign(&self, name: &str, holder: &WorkerId) -> StoreResult<()>;

    /// The current leader, if the leadership is held and not expired.
    async fn leader(&self, name: &str) -> StoreResult<Option<LeaderInfo>>;

    /// Hands running tasks back unfinished (graceful shutdown): `ready` at once, and the attempt
    /// does not count. Returns the tasks released; stale leases are skipped.
    async fn release(&self, leases: &[LeaseRef], actor: &str) -> StoreResult<Vec<TaskId>>;

    /// Fails the current attempt of tasks running longer than `limit` (retry or dead-letter).
    async fn time_out_overdue(&self, limit: Duration, actor: &str) -> StoreResult<Vec<TaskId>>;

    /// Adds a cron schedule; its first fire time is the first after now.
    async fn add_schedule(&self, schedule: NewSchedule, actor: &str) -> StoreResult<Schedule>;

    /// Removes a schedule by name; false if there was none.
    async fn remove_schedule(&self, name: &str, actor: &str) -> StoreResult<bool>;

    /// Every schedule, by name, sorted into those that can fire and those that cannot.
    async fn list_schedules(&self) -> StoreResult<Schedules>;

    /// Fires schedule `id` for `fire_at` if that is still its next fire time: moves it to `next`
    /// and enqueues its task, in one transaction. `None` if another node fired it first.
    async fn fire_schedule(
        &self,
        id: i64,
        fire_at: DateTime<Utc>,
        next: DateTime<Utc>,
        actor: &str,
    ) -> StoreResult<Option<TaskId>>;

    /// Deletes terminal tasks (and their events) finished longer than `older_than` ago.
    async fn prune_terminal(&self, older_than: Duration, actor: &str) -> StoreResult<u64>;
}
