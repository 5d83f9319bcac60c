//! [`PostgresStore`]: the connection pools, the `LISTEN` task behind the work signal, and the
//! upkeep notes; the capabilities are implemented in `capability/`, one file each.

use crate::error::db;
use crate::upkeep::Upkeep;
use crate::{claim, migrate};
use juggernaut_store::url::{redact, scrub};
use juggernaut_store::{ClaimRequest, StoreError, StoreOptions, StoreResult};
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The channel enqueues notify and the work signal listens on.
pub const CHANNEL: &str = "juggernaut_tasks";

/// Connections in the pool: one per concurrent store call of a busy worker process.
const POOL_SIZE: u32 = 16;
/// How long connecting, or waiting for a free pooled connection, may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause before the listener reconnects after an error.
const LISTEN_RETRY: Duration = Duration::from_secs(1);

/// A task store in a PostgreSQL database.
pub struct PostgresStore {
    /// The URL it was opened with, redacted.
    url: String,
    pool: PgPool,
    /// One connection for `LISTEN`, opened when the work signal is first asked for.
    listen_pool: PgPool,
    pub(crate) options: StoreOptions,
    pub(crate) signal: Arc<Notify>,
    listener: Mutex<Option<JoinHandle<()>>>,
    /// Statistics and vacuum of `tasks`.
    upkeep: Upkeep,
}

impl PostgresStore {
    /// Connects to the database named by `url` (`postgres://user:pass@host:port/db`). Does not
    /// migrate. An unreachable server fails within a few seconds with [`StoreError::Connect`].
    pub async fn connect(url: &str, options: StoreOptions) -> StoreResult<Self> {
        let connect = crate::options::parse(url)?.application_name("juggernaut");
        let fail = |message: String| StoreError::Connect {
            url: redact(url),
            message: scrub(&message, url),
        };
        // One direct connection first: the pool would retry a refused connection until its
        // timeout and then report only "pool timed out"; this reports the server's own answer.
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&connect))
            .await
            .map_err(|_| fail(format!("no answer within {CONNECT_TIMEOUT:?}")))?
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.code().as_deref() == Some("3D000") => {
                    StoreError::Missing {
                        url: redact(url),
                        reason: format!(
                            "{}: create it first (`createdb`), or name another with --database-url",
                            scrub(d.message(), url)
                        ),
                    }
                }
                _ => fail(e.to_string()),
            })?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(CONNECT_TIMEOUT)
            // A liveness ping per acquire would double the round trips of one-statement calls;
            // a dead connection fails its statement instead, with a transient error.
            .test_before_acquire(false)
            .connect_lazy_with(connect.clone());
        let listen_pool = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_lazy_with(connect);
        Ok(Self {
            url: redact(url),
            pool,
            listen_pool,
            options,
            signal: Arc::new(Notify::new()),
            listener: Mutex::new(None),
            upkeep: Upkeep::default(),
        })
    }

    /// Begins a transaction (READ COMMITTED).
    pub(crate) async fn begin(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db("begin"))
    }

    /// The pool, for reads and one-statement writes (a statement is its own transaction).
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The schema version applied to this database.
    pub async fn schema_version(&self) -> StoreResult<i64> {
        migrate::database_version(&self.pool).await
    }

    /// The query plan PostgreSQL picks for `request`'s claim statement, as `EXPLAIN` prints it.
    /// Claims nothing. For checking that a large backlog is still read through the `tasks_ready`
    /// index.
    pub async fn explain_claim(&self, request: &ClaimRequest) -> StoreResult<String> {
        claim::explain(self, request).await
    }

    /// Notes `n` tasks made ready (see [`Upkeep::note_ready`]).
    pub(crate) fn note_ready(&self, n: u64) {
        self.upkeep.note_ready(&self.pool, n);
    }

    /// Notes `n` tasks claimed (see [`Upkeep::note_claimed`]).
    pub(crate) fn note_claimed(&self, n: u64) {
        self.upkeep.note_claimed(&self.pool, n);
    }

    /// The work signal, starting the `LISTEN` task the first time it is asked for.
    pub(crate) fn signal(&self) -> Arc<Notify> {
        let mut slot = self.listener_slot();
        if slot.is_none() {
            *slot = Some(tokio::spawn(listen(
                self.listen_pool.clone(),
                self.signal.clone(),
            )));
        }
        self.signal.clone()
    }

    /// Stops the listener and closes both pools.
    pub(crate) async fn shut(&self) {
        let task = self.listener_slot().take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
        self.listen_pool.close().await;
        self.pool.close().await;
    }

    /// The URL it was opened with, redacted.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    fn listener_slot(&self) -> MutexGuard<'_, Option<JoinHandle<()>>> {
        self.listener
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Ends a transaction: commits after `Ok`, rolls back after `Err`. Waiting for the rollback
/// matters: a dropped sqlx transaction only queues its `ROLLBACK`, and until that connection is
/// used again its row locks stay, so `SKIP LOCKED` claims would pass over those rows.
pub(crate) async fn finish<T>(
    tx: Transaction<'static, Postgres>,
    result: StoreResult<T>,
    operation: &'static str,
) -> StoreResult<T> {
    match result {
        Ok(value) => {
            tx.commit().await.map_err(db(operation))?;
            Ok(value)
        }
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

/// Wakes `signal` on every notification on [`CHANNEL`], for as long as the task runs. A lost
/// connection is re-established; notifications sent meanwhile are lost, so the signal fires once
/// after every (re)connect.
async fn listen(pool: PgPool, signal: Arc<Notify>) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    signal.notify_waiters();
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(_)) => signal.notify_waiters(),
                            // Connection lost and re-established (re-listening): catch up.
                            Ok(None) => signal.notify_waiters(),
                            Err(error) => {
                                tracing::warn!(%error, "work signal listener failed; reconnecting");
                                break;
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot LISTEN for the work signal"),
            },
            Err(error) => tracing::warn!(%error, "cannot connect the work signal listener"),
        }
        tokio::time::sleep(LISTEN_RETRY).await;
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        if let Some(task) = self.listener_slot().take() {
            task.abort();
        }
    }
}
