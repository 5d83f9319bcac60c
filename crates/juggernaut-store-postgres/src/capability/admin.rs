//! [`Admin`] for PostgreSQL: the database clock is every machine's clock.

use crate::store::PostgresStore;
use crate::{migrate, time};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_store::url::Backend;
use juggernaut_store::{Admin, MigrationReport, StoreResult};

#[async_trait]
impl Admin for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn migrate(&self) -> StoreResult<MigrationReport> {
        migrate::run(self.pool()).await
    }

    async fn check_current_schema(&self) -> StoreResult<()> {
        let database = migrate::database_version(self.pool()).await?;
        juggernaut_store::check_current(database, migrate::binary_version(), self.url())
    }

    async fn now(&self) -> StoreResult<DateTime<Utc>> {
        time::now(self).await
    }

    async fn close(&self) {
        self.shut().await;
    }
}
