//! A migrated PostgreSQL store in a database of its own, created per test on the server
//! `DATABASE_URL` names (default `postgres://postgres@127.0.0.1:5432/postgres`) and dropped when
//! the store is closed, or, if the test panicked first, when its last handle drops. The wrapper
//! implements [`Store`] and [`Coordination`] by delegation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::schedule::{NewSchedule, Schedule};
use juggernaut_core::worker::WorkerState;
use juggernaut_core::{AuditEvent, FailureOutcome, NewTask, Task, TaskId, TaskStatus, WorkerId};
use juggernaut_store::store::StoreResult;
use juggernaut_store::url::Backend;
use juggernaut_store::{
    ClaimRequest, Completion, Coordination, Enqueued, Failure, LeaderInfo, LeaseRef, LostWorker,
    MigrationReport, Page, PageRequest, RescueReport, Schedules, Store, StoreError, StoreOptions,
    TaskFilter, WorkerRecord, WorkerRegistration,
};
use juggernaut_store_postgres::{PostgresStore, create_database, drop_database};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// The server's URL for creating and dropping test databases.
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = before_query.split('/').next().unwrap_or(before_query);
    format!("{scheme}://{authority}/{name}{query}")
}

/// A fresh, empty database; removed by [`TestDatabase::remove`] or, failing that, on drop.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    name: String,
    admin: String,
    removed: AtomicBool,
}

impl TestDatabase {
    /// Creates a database named `jg_test_<random hex>`.
    pub async fn create() -> Self {
        let admin = admin_url();
        let name = format!("jg_test_{:016x}", rand::random::<u64>());
        create_database(&admin, &name)
            .await
            .unwrap_or_else(|e| panic!("create test database {name}: {e}"));
        Self {
            url: with_database(&admin, &name),
            name,
            admin,
            removed: AtomicBool::new(false),
        }
    }

    /// Drops the database (disconnecting anyone still in it).
    pub async fn remove(&self) {
        if !self.removed.swap(true, Ordering::SeqCst) {
            drop_database(&self.admin, &self.name)
                .await
                .unwrap_or_else(|e| panic!("drop test database {}: {e}", self.name));
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.removed.load(Ordering::SeqCst) {
            return;
        }
        // Not closed: the test failed part way. Drop the database from a thread of its own,
        // since this may run inside (or during the shutdown of) the test's runtime.
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(drop_database(&admin, &name));
            }
        })
        .join();
    }
}

/// A [`PostgresStore`] whose `close` also drops its database.
pub struct TestPostgres {
    inner: PostgresStore,
    db: TestDatabase,
}

impl TestPostgres {
    /// A store on a fresh, migrated database, with test options.
    pub async fn create() -> Self {
        let db = TestDatabase::create().await;
        let inner = PostgresStore::connect(&db.url, StoreOptions::for_tests())
            .await
            .expect("connect to the test database");
        inner.migrate().await.expect("migrate the test database");
        Self { inner, db }
    }

    /// The store itself, for backend-specific calls.
    pub fn store(&self) -> &PostgresStore {
        &self.inner
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.db.url
    }
}

/// A fresh, migrated PostgreSQL store with test options; its database is dropped on `close`.
pub async fn fresh_postgres() -> Arc<dyn Store> {
    Arc::new(TestPostgres::create().await)
}

#[async_trait]
impl Store for TestPostgres {
    fn backend(&self) -> Backend {
        self.inner.backend()
    }

    async fn migrate(&self) -> StoreResult<MigrationReport> {
        self.inner.migrate().await
    }

    async fn check_current_schema(&self) -> StoreResult<()> {
        self.inner.check_current_schema().await
    }

    async fn enqueue_batch(&self, tasks: Vec<NewTask>) -> StoreResult<Vec<Enqueued>> {
        self.inner.enqueue_batch(tasks).await
    }

    async fn claim(&self, request: &ClaimRequest) -> StoreResult<Vec<Task>> {
        self.inner.claim(request).await
    }

    async fn heartbeat(
        &self,
        worker: &WorkerId,
        leases: &[LeaseRef],
        extend_by: Duration,
    ) -> StoreResult<Vec<LeaseRef>> {
        self.inner.heartbeat(worker, leases, extend_by).await
    }

    async fn complete_batch(
        &self,
        completions: Vec<Completion>,
    ) -> StoreResult<Vec<Result<(), StoreError>>> {
        self.inner.complete_batch(completions).await
    }

    async fn fail(&self, failure: Failure) -> StoreResult<FailureOutcome> {
        self.inner.fail(failure).await
    }

    async fn cancel(&self, id: TaskId, actor: &str, reason: &str) -> StoreResult<Task> {
        self.inner.cancel(id, actor, reason).await
    }

    async fn requeue(&self, id: TaskId, actor: &str) -> StoreResult<Task> {
        self.inner.requeue(id, actor).await
    }

    async fn rescue_expired(&self, actor: &str) -> StoreResult<RescueReport> {
        self.inner.rescue_expired(actor).await
    }

    async fn get(&self, id: TaskId) -> StoreResult<Option<Task>> {
        self.inner.get(id).await
    }

    async fn dependencies(&self, id: TaskId) -> StoreResult<Vec<TaskId>> {
        self.inner.dependencies(id).await
    }

    async fn task_events(&self, id: TaskId) -> StoreResult<Vec<AuditEvent>> {
        self.inner.task_events(id).await
    }

    async fn list(&self, filter: &TaskFilter, page: PageRequest) -> StoreResult<Page<Task>> {
        self.inner.list(filter, page).await
    }

    async fn count(&self, filter: &TaskFilter) -> StoreResult<u64> {
        self.inner.count(filter).await
    }

    async fn count_by_status(&self) -> StoreResult<Vec<(TaskStatus, u64)>> {
        self.inner.count_by_status().await
    }

    async fn count_events(&self, kind: juggernaut_core::EventKind) -> StoreResult<u64> {
        self.inner.count_events(kind).await
    }

    async fn work_signal(&self) -> StoreResult<Arc<Notify>> {
        self.inner.work_signal().await
    }

    async fn close(&self) {
        self.inner.close().await;
        self.db.remove().await;
    }
}

#[async_trait]
impl Coordination for TestPostgres {
    async fn now(&self) -> StoreResult<DateTime<Utc>> {
        self.inner.now().await
    }

    async fn register_worker(&self, worker: &WorkerRegistration) -> StoreResult<()> {
        self.inner.register_worker(worker).await
    }

    async fn worker_heartbeat(
        &self,
        id: &WorkerId,
        state: WorkerState,
        idle: &serde_json::Value,
    ) -> StoreResult<()> {
        self.inner.worker_heartbeat(id, state, idle).await
    }

    async fn deregister_worker(&self, id: &WorkerId) -> StoreResult<()> {
        self.inner.deregister_worker(id).await
    }

    async fn mark_lost_workers(
        &self,
        silent_for: Duration,
        actor: &str,
    ) -> StoreResult<Vec<LostWorker>> {
        self.inner.mark_lost_workers(silent_for, actor).await
    }

    async fn list_workers(&self) -> StoreResult<Vec<WorkerRecord>> {
        self.inner.list_workers().await
    }

    async fn try_lead(&self, name: &str, holder: &WorkerId, ttl: Duration) -> StoreResult<bool> {
        self.inner.try_lead(name, holder, ttl).await
    }

    async fn resign(&self, name: &str, holder: &WorkerId) -> StoreResult<()> {
        self.inner.resign(name, holder).await
    }

    async fn leader(&self, name: &str) -> StoreResult<Option<LeaderInfo>> {
        self.inner.leader(name).await
    }

    async fn release(&self, leases: &[LeaseRef], actor: &str) -> StoreResult<Vec<TaskId>> {
        self.inner.release(leases, actor).await
    }

    async fn time_out_overdue(&self, limit: Duration, actor: &str) -> StoreResult<Vec<TaskId>> {
        self.inner.time_out_overdue(limit, actor).await
    }

    async fn add_schedule(&self, schedule: NewSchedule, actor: &str) -> StoreResult<Schedule> {
        self.inner.add_schedule(schedule, actor).await
    }

    async fn remove_schedule(&self, name: &str, actor: &str) -> StoreResult<bool> {
        self.inner.remove_schedule(name, actor).await
    }

    async fn list_schedules(&self) -> StoreResult<Schedules> {
        self.inner.list_schedules().await
    }

    async fn fire_schedule(
        &self,
        id: i64,
        fire_at: DateTime<Utc>,
        next: DateTime<Utc>,
        actor: &str,
    ) -> StoreResult<Option<TaskId>> {
        self.inner.fire_schedule(id, fire_at, next, actor).await
    }

    async fn prune_terminal(&self, older_than: Duration, actor: &str) -> StoreResult<u64> {
        self.inner.prune_terminal(older_than, actor).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_swapped_in_the_url() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "jg_x"),
            "postgres://u:p@h:5432/jg_x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "jg_x"), "postgres://h/jg_x");
        assert_eq!(
            with_database("postgresql://h/db", "jg_x"),
            "postgresql://h/jg_x"
        );
    }
}
