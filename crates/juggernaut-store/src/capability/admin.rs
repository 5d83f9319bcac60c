//! Administration: which backend, the schema, the database clock, closing.

use super::StoreResult;
use crate::api::MigrationReport;
use crate::url::Backend;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// The store as a whole.
#[async_trait]
pub trait Admin: Send + Sync {
    /// Which backend this is.
    fn backend(&self) -> Backend;

    /// Applies pending schema migrations. Refuses a database migrated by a newer binary.
    async fn migrate(&self) -> StoreResult<MigrationReport>;

    /// Checks, without changing anything, that the database is at exactly this binary's schema
    /// version (for calls that must not migrate); the error says what to do.
    async fn check_current_schema(&self) -> StoreResult<()>;

    /// The database's clock (all nodes of a PostgreSQL deployment agree on it); answering it
    /// proves the database is reachable (readiness).
    async fn now(&self) -> StoreResult<DateTime<Utc>>;

    /// Closes connections.
    async fn close(&self);
}
