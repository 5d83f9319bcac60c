//! [`SqliteStore`]: opening the file and its two pools (one writer, several readers); the
//! capabilities are implemented in `capability/`, one file each.

use crate::error::db;
use crate::migrate;
use juggernaut_store::url::{redact, scrub};
use juggernaut_store::{StoreError, StoreOptions, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// A task store in one SQLite file.
pub struct SqliteStore {
    /// The URL it was opened with, redacted.
    pub(crate) url: String,
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
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
