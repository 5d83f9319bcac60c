//! A migrated SQLite store in a temporary directory that lives as long as the store.

use juggernaut_store::{Store, StoreOptions};
use juggernaut_store_sqlite::SqliteStore;
use std::sync::Arc;

/// A fresh, migrated SQLite store with test options; its directory is removed at process exit.
pub async fn fresh_sqlite() -> Arc<dyn Store> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.keep().join("juggernaut.db");
    let store = SqliteStore::open(path.to_str().unwrap(), StoreOptions::for_tests())
        .await
        .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    Arc::new(store)
}

/// The URL of a fresh, migrated SQLite file, for tests that open several stores on one database
/// (several nodes, several runtimes).
pub async fn fresh_sqlite_url() -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.keep().join("juggernaut.db");
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::open(&url, StoreOptions::for_tests())
        .await
        .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    store.close().await;
    url
}

/// Opens another store on an existing SQLite database (test options).
pub async fn open_sqlite(url: &str) -> Arc<dyn Store> {
    Arc::new(
        SqliteStore::open(url, StoreOptions::for_tests())
            .await
            .expect("open sqlite"),
    )
}
