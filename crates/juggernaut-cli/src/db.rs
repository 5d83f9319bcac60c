//! Picks and opens the store a URL names, and migrates it.

use crate::cli::DEFAULT_DATABASE_URL;
use crate::exit::BadInput;
use juggernaut_store::url::{Backend, redact};
use juggernaut_store::{Store, StoreOptions};
use juggernaut_store_postgres::PostgresStore;
use juggernaut_store_sqlite::SqliteStore;
use std::sync::Arc;

/// The URL to use: the flag or environment, else the default SQLite file.
pub fn url_or_default(url: Option<&str>) -> &str {
    url.unwrap_or(DEFAULT_DATABASE_URL)
}

/// Opens the store `url` names, without migrating.
pub async fn open(url: &str, options: StoreOptions) -> anyhow::Result<Arc<dyn Store>> {
    match Backend::from_url(url) {
        Some(Backend::Sqlite) => Ok(Arc::new(SqliteStore::open(url, options).await?)),
        Some(Backend::Postgres) => Ok(Arc::new(PostgresStore::connect(url, options).await?)),
        None => Err(BadInput(format!(
            "unsupported database URL `{}`: use sqlite://PATH or postgres://HOST/DB",
            redact(url)
        ))
        .into()),
    }
}

/// Opens and migrates the store: every command works on a fresh machine without a separate
/// `migrate` step, and refuses a database migrated by a newer binary.
pub async fn open_migrated(url: Option<&str>) -> anyhow::Result<Arc<dyn Store>> {
    let store = open(url_or_default(url), StoreOptions::default()).await?;
    store.migrate().await?;
    Ok(store)
}
