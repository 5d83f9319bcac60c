//! A migrated PostgreSQL store in a database of its own, created per test on the server
//! `DATABASE_URL` names (default `postgres://postgres@127.0.0.1:5432/postgres`) and dropped by its
//! guard (or the wrapper's `close`), or, if the test panicked first, when the guard drops.

use async_trait::async_trait;
use juggernaut_store::conformance::Guard;
use juggernaut_store::{Admin, Store, StoreOptions};
use juggernaut_store_postgres::{PostgresStore, create_database, drop_database};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The server's URL for creating and dropping test databases.
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = before_query.split('/').next().unwrap_or(before_query);
    format!("{scheme}://{authority}/{name}{query}")
}

/// A fresh, empty database; removed by [`TestDatabase::remove`] or, failing that, on drop.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    name: String,
    admin: String,
    removed: AtomicBool,
}

impl TestDatabase {
    /// Creates a database named `jg_test_<random hex>`.
    pub async fn create() -> Self {
        let admin = admin_url();
        let name = format!("jg_test_{:016x}", rand::random::<u64>());
        create_database(&admin, &name)
            .await
            .unwrap_or_else(|e| panic!("create test database {name}: {e}"));
        Self {
            url: with_database(&admin, &name),
            name,
            admin,
            removed: AtomicBool::new(false),
        }
    }

    /// Drops the database (disconnecting anyone still in it).
    pub async fn remove(&self) {
        if !self.removed.swap(true, Ordering::SeqCst) {
            drop_database(&self.admin, &self.name)
                .await
                .unwrap_or_else(|e| panic!("drop test database {}: {e}", self.name));
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.removed.load(Ordering::SeqCst) {
            return;
        }
        // Not closed: the test failed part way. Drop the database from a thread of its own,
        // since this may run inside (or during the shutdown of) the test's runtime.
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(drop_database(&admin, &name));
            }
        })
        .join();
    }
}

/// A [`PostgresStore`] on a database of its own: it derefs to the store, and its `close` also
/// drops the database.
pub struct TestPostgres {
    inner: PostgresStore,
    db: TestDatabase,
}

impl TestPostgres {
    /// A store on a fresh, migrated database, with test options.
    pub async fn create() -> Self {
        let db = TestDatabase::create().await;
        let inner = PostgresStore::connect(&db.url, StoreOptions::for_tests())
            .await
            .expect("connect to the test database");
        inner.migrate().await.expect("migrate the test database");
        Self { inner, db }
    }

    /// The store itself.
    pub fn store(&self) -> &PostgresStore {
        &self.inner
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.db.url
    }

    /// Closes the store and drops its database.
    pub async fn close(&self) {
        self.inner.close().await;
        self.db.remove().await;
    }
}

impl std::ops::Deref for TestPostgres {
    type Target = PostgresStore;
    fn deref(&self) -> &PostgresStore {
        &self.inner
    }
}

/// A fresh, migrated PostgreSQL store with test options, and the database's guard (dropped by
/// [`Guard::dispose`], or on drop if a test panicked first).
pub async fn fresh_postgres() -> (Arc<dyn Store>, TestDatabase) {
    let db = TestDatabase::create().await;
    let store = PostgresStore::connect(&db.url, StoreOptions::for_tests())
        .await
        .expect("connect to the test database");
    store.migrate().await.expect("migrate the test database");
    (Arc::new(store), db)
}

#[async_trait]
impl Guard for TestDatabase {
    async fn dispose(self) {
        self.remove().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_swapped_in_the_url() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "jg_x"),
            "postgres://u:p@h:5432/jg_x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "jg_x"), "postgres://h/jg_x");
        assert_eq!(
            with_database("postgresql://h/db", "jg_x"),
            "postgresql://h/jg_x"
        );
    }
}
