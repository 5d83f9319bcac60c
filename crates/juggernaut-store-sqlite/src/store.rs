//! [`SqliteStore`]: opening the file, the two pools, and the [`Store`] impl that delegates each
//! operation to its own module.

use crate::error::db;
use crate::{
    cancel, claim, complete, enqueue, fail, heartbeat, leader, migrate, prune, read, release,
    requeue, rescue, schedules, workers,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::schedule::{NewSchedule, Schedule};
use juggernaut_core::worker::WorkerState;
use juggernaut_core::{AuditEvent, FailureOutcome, NewTask, Task, TaskId, TaskStatus, WorkerId};
use juggernaut_store::store::StoreResult;
use juggernaut_store::url::{Backend, redact, scrub};
use juggernaut_store::{
    ClaimRequest, Completion, Coordination, Enqueued, Failure, LeaderInfo, LeaseRef, LostWorker,
    MigrationReport, Page, PageRequest, RescueReport, Schedules, Store, StoreError, StoreOptions,
    TaskFilter, WorkerRecord, WorkerRegistration,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// A task store in one SQLite file.
pub struct SqliteStore {
    /// The URL it was opened with, redacted.
    url: String,
    writer: SqlitePool,
    reader: SqlitePool,
    pub(crate) options: StoreOptions,
    pub(crate) signal: Arc<Notify>,
    /// When claims last promoted due tasks (µs); see [`crate::claim`].
    pub(crate) last_promote_us: std::sync::atomic::AtomicI64,
}

/// The file a `sqlite:` URL or plain path names.
fn path_of(url: &str) -> Result<PathBuf, StoreError> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return Err(StoreError::InvalidUrl {
            url: redact(url),
            reason: "name a database file (in-memory databases are not durable)".into(),
        });
    }
    Ok(PathBuf::from(path))
}

impl SqliteStore {
    /// Opens (creating it and its folder if needed) the database file named by `url`
    /// (`sqlite://path`, `sqlite:path` or a plain path). Does not migrate.
    pub async fn open(url: &str, options: StoreOptions) -> StoreResult<Self> {
        let path = path_of(url)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Connect {
                url: redact(url),
                message: format!("cannot create directory {}: {e}", dir.display()),
            })?;
        }
        Self::connect(url, &path, true, options).await
    }

    /// Opens the database file named by `url` only if it exists: creates nothing (for commands
    /// that read or change what is there). Does not migrate.
    pub async fn open_existing(url: &str, options: StoreOptions) -> StoreResult<Self> {
        let path = path_of(url)?;
        if !path.is_file() {
            return Err(StoreError::Missing {
                url: redact(url),
                reason: format!(
                    "{} does not exist: run `juggernaut migrate` or `juggernaut up` to create it, \
                     or name another with --database-url",
                    path.display()
                ),
            });
        }
        Self::connect(url, &path, false, options).await
    }

    async fn connect(
        url: &str,
        path: &std::path::Path,
        create: bool,
        options: StoreOptions,
    ) -> StoreResult<Self> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let fail = |e: sqlx::Error| StoreError::Connect {
            url: redact(url),
            message: scrub(&e.to_string(), url),
        };
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(connect.clone())
            .await
            .map_err(fail)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(connect)
            .await
            .map_err(fail)?;
        Ok(Self {
            url: redact(url),
            writer,
            reader,
            options,
            signal: Arc::new(Notify::new()),
            last_promote_us: std::sync::atomic::AtomicI64::new(0),
        })
    }

    /// Begins a write transaction that holds the write lock from its first statement.
    pub(crate) async fn write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("begin"))
    }

    /// The read pool.
    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// The schema version applied to this database.
    pub async fn schema_version(&self) -> StoreResult<i64> {
        migrate::database_version(&self.writer).await
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn migrate(&self) -> StoreResult<MigrationReport> {
        migrate::run(&self.writer).await
    }

    async fn check_current_schema(&self) -> StoreResult<()> {
        let database = migrate::database_version(&self.reader).await?;
        juggernaut_store::check_current(database, migrate::binary_version(), &self.url)
    }

    async fn enqueue_batch(&self, tasks: Vec<NewTask>) -> StoreResult<Vec<Enqueued>> {
        enqueue::run(self, tasks).await
    }

    async fn claim(&self, request: &ClaimRequest) -> StoreResult<Vec<Task>> {
        claim::run(self, request).await
    }

    async fn heartbeat(
        &self,
        worker: &WorkerId,
        leases: &[LeaseRef],
        extend_by: Duration,
    ) -> StoreResult<Vec<LeaseRef>> {
        heartbeat::run(self, worker, leases, extend_by).await
    }

    async fn complete_batch(
        &self,
        completions: Vec<Completion>,
    ) -> StoreResult<Vec<Result<(), StoreError>>> {
        complete::run(self, completions).await
    }

    async fn fail(&self, failure: Failure) -> StoreResult<FailureOutcome> {
        fail::run(self, failure).await
    }

    async fn cancel(&self, id: TaskId, actor: &str, reason: &str) -> StoreResult<Task> {
        cancel::run(self, id, actor, reason).await
    }

    async fn requeue(&self, id: TaskId, actor: &str) -> StoreResult<Task> {
        requeue::run(self, id, actor).await
    }

    async fn rescue_expired(&self, actor: &str) -> StoreResult<RescueReport> {
        rescue::run(self, actor).await
    }

    async fn get(&self, id: TaskId) -> StoreResult<Option<Task>> {
        read::get(self.reader(), id).await
    }

    async fn dependencies(&self, id: TaskId) -> StoreResult<Vec<TaskId>> {
        read::dependencies(self.reader(), id).await
    }

    async fn task_events(&self, id: TaskId) -> StoreResult<Vec<AuditEvent>> {
        read::events(self.reader(), id).await
    }

    async fn list(&self, filter: &TaskFilter, page: PageRequest) -> StoreResult<Page<Task>> {
        read::list(self.reader(), filter, page).await
    }

    async fn count(&self, filter: &TaskFilter) -> StoreResult<u64> {
        read::count(self.reader(), filter).await
    }

    async fn count_by_status(&self) -> StoreResult<Vec<(TaskStatus, u64)>> {
        read::count_by_status(self.reader()).await
    }

    async fn count_events(&self, kind: juggernaut_core::EventKind) -> StoreResult<u64> {
        read::count_events(self.reader(), kind).await
    }

    async fn work_signal(&self) -> StoreResult<Arc<Notify>> {
        Ok(self.signal.clone())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

#[async_trait]
impl Coordination for SqliteStore {
    async fn now(&self) -> StoreResult<DateTime<Utc>> {
        // One process, one clock; the query proves the database answers (readiness).
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(db("now"))?;
        Ok(Utc::now())
    }

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

    async fn try_lead(&self, name: &str, holder: &WorkerId, ttl: Duration) -> StoreResult<bool> {
        leader::try_lead(self, name, holder, ttl).await
    }

    async fn resign(&self, name: &str, holder: &WorkerId) -> StoreResult<()> {
        leader::resign(self, name, holder).await
    }

    async fn leader(&self, name: &str) -> StoreResult<Option<LeaderInfo>> {
        leader::leader(self, name).await
    }

    async fn release(&self, leases: &[LeaseRef], actor: &str) -> StoreResult<Vec<TaskId>> {
        release::release(self, leases, actor).await
    }

    async fn time_out_overdue(&self, limit: Duration, actor: &str) -> StoreResult<Vec<TaskId>> {
        release::time_out_overdue(self, limit, actor).await
    }

    async fn add_schedule(&self, schedule: NewSchedule, actor: &str) -> StoreResult<Schedule> {
        schedules::add(self, schedule, actor).await
    }

    async fn remove_schedule(&self, name: &str, actor: &str) -> StoreResult<bool> {
        schedules::remove(self, name, actor).await
    }

    async fn list_schedules(&self) -> StoreResult<Schedules> {
        schedules::list(self).await
    }

    async fn fire_schedule(
        &self,
        id: i64,
        fire_at: DateTime<Utc>,
        next: DateTime<Utc>,
        actor: &str,
    ) -> StoreResult<Option<TaskId>> {
        schedules::fire(self, id, fire_at, next, actor).await
    }

    async fn prune_terminal(&self, older_than: Duration, actor: &str) -> StoreResult<u64> {
        prune::terminal(self, older_than, actor).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms_name_files() {
        assert_eq!(path_of("sqlite://a/b.db").unwrap(), PathBuf::from("a/b.db"));
        assert_eq!(
            path_of("sqlite:x.db?mode=rwc").unwrap(),
            PathBuf::from("x.db")
        );
        assert_eq!(path_of("./y.db").unwrap(), PathBuf::from("./y.db"));
        assert!(path_of("sqlite::memory:").is_err());
        assert!(path_of("sqlite://").is_err());
    }
}
