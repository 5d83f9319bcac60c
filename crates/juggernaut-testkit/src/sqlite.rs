//! A migrated SQLite store in a fresh file per test. The files live under one folder of the
//! system's temporary directory; each test run first removes what runs older than an hour left
//! behind (a store handed out as `Arc<dyn Store>` cannot take its directory with it on drop).

use juggernaut_store::{Admin, Store, StoreOptions};
use juggernaut_store_sqlite::SqliteStore;
use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

static SWEEP: Once = Once::new();

/// A new directory for one test's database.
fn test_dir() -> PathBuf {
    let base = std::env::temp_dir().join("juggernaut-tests");
    std::fs::create_dir_all(&base).expect("test base dir");
    SWEEP.call_once(|| sweep(&base, Duration::from_secs(3600)));
    tempfile::Builder::new()
        .prefix("db-")
        .tempdir_in(&base)
        .expect("temp dir")
        .keep()
}

/// Removes directories under `base` older than `age`.
fn sweep(base: &std::path::Path, age: Duration) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|elapsed| elapsed > age);
        if old {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A fresh, migrated SQLite store with test options.
pub async fn fresh_sqlite() -> Arc<dyn Store> {
    let path = test_dir().join("juggernaut.db");
    let store = SqliteStore::open(path.to_str().unwrap(), StoreOptions::for_tests())
        .await
        .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    Arc::new(store)
}

/// A fresh, migrated SQLite store and its (empty) guard, for the conformance suite.
pub async fn sqlite_fixture() -> (Arc<dyn Store>, ()) {
    (fresh_sqlite().await, ())
}

/// The URL of a fresh, migrated SQLite file, for tests that open several stores on one database
/// (several nodes, several runtimes).
pub async fn fresh_sqlite_url() -> String {
    let path = test_dir().join("juggernaut.db");
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
