//! [`Admin`] for SQLite: one process, one clock.

use crate::error::db;
use crate::migrate;
use crate::store::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_store::url::Backend;
use juggernaut_store::{Admin, MigrationReport, StoreResult};

#[async_trait]
impl Admin for SqliteStore {
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

    async fn now(&self) -> StoreResult<DateTime<Utc>> {
        // One process, one clock; the query proves the database answers (readiness).
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(db("now"))?;
        Ok(Utc::now())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
