//! Schema migrations, embedded in the binary. Version numbers match the PostgreSQL backend's.

use crate::error::db;
use juggernaut_store::{MigrationReport, StoreError};
use sqlx::SqlitePool;
use sqlx::migrate::Migrator;

/// The embedded migrations.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The newest version this binary knows.
pub fn binary_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The database's applied version (0 when never migrated).
pub async fn database_version(pool: &SqlitePool) -> Result<i64, StoreError> {
    let exists: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await
    .map_err(db("migrate"))?;
    if exists.is_none() {
        return Ok(0);
    }
    let v: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await
            .map_err(db("migrate"))?;
    Ok(v.unwrap_or(0))
}

/// Refuses a database migrated by a newer binary.
pub async fn check_not_newer(pool: &SqlitePool) -> Result<i64, StoreError> {
    let database = database_version(pool).await?;
    juggernaut_store::check_schema(database, binary_version())?;
    Ok(database)
}

/// Applies pending migrations.
pub async fn run(pool: &SqlitePool) -> Result<MigrationReport, StoreError> {
    let before = check_not_newer(pool).await?;
    MIGRATOR.run(pool).await.map_err(|e| StoreError::Database {
        operation: "migrate",
        message: e.to_string(),
        transient: false,
    })?;
    let after = database_version(pool).await?;
    let versions = MIGRATOR.iter().map(|m| m.version);
    Ok(MigrationReport::between(versions, before, after))
}
