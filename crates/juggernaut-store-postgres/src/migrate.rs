//! Schema migrations, embedded in the binary (version numbers match the SQLite backend's), and the
//! database lifecycle: creating and dropping whole databases for tests and benchmark runs.

use crate::error::db;
use juggernaut_store::url::{redact, scrub};
use juggernaut_store::{MigrationReport, StoreError};
use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection, PgPool};

/// The embedded migrations.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The newest version this binary knows.
pub fn binary_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The database's applied version (0 when never migrated).
pub async fn database_version(pool: &PgPool) -> Result<i64, StoreError> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await
        .map_err(db("migrate"))?;
    if !exists {
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
pub async fn check_not_newer(pool: &PgPool) -> Result<i64, StoreError> {
    let database = database_version(pool).await?;
    juggernaut_store::check_schema(database, binary_version())?;
    Ok(database)
}

/// Applies pending migrations. Concurrent callers are serialised by the migrator's advisory lock.
pub async fn run(pool: &PgPool) -> Result<MigrationReport, StoreError> {
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

/// A database name safe to splice into DDL: 1-63 of `[a-z0-9_]`, not starting with a digit.
fn checked_name(name: &str) -> Result<&str, StoreError> {
    let ok = (1..=63).contains(&name.len())
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(StoreError::Domain(
            juggernaut_core::DomainError::InvalidField {
                field: "database name",
                reason: format!(
                    "`{name}` must be 1-63 of a-z, 0-9 and _, not starting with a digit"
                ),
            },
        ))
    }
}

async fn admin(admin_url: &str) -> Result<PgConnection, StoreError> {
    let options = crate::options::parse(admin_url)?;
    PgConnection::connect_with(&options)
        .await
        .map_err(|e| StoreError::Connect {
            url: redact(admin_url),
            message: scrub(&e.to_string(), admin_url),
        })
}

/// Creates the empty database `name` on the server `admin_url` points at (any database there).
pub async fn create_database(admin_url: &str, name: &str) -> Result<(), StoreError> {
    let name = checked_name(name)?;
    let mut conn = admin(admin_url).await?;
    let done = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .map_err(db("create database"));
    let _ = conn.close().await;
    done.map(|_| ())
}

/// Drops the database `name` if it exists, disconnecting its sessions first.
pub async fn drop_database(admin_url: &str, name: &str) -> Result<(), StoreError> {
    let name = checked_name(name)?;
    let mut conn = admin(admin_url).await?;
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .map_err(db("drop database"));
    let _ = conn.close().await;
    done.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_reach_ddl() {
        assert!(checked_name("jg_test_0af3").is_ok());
        for bad in [
            "",
            "Upper",
            "1abc",
            "a\"; DROP",
            "with space",
            &"a".repeat(64),
        ] {
            assert!(checked_name(bad).is_err(), "{bad}");
        }
        assert!(binary_version() >= 1);
    }
}
