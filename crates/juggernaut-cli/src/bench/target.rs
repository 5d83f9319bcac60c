//! A fresh database per benchmark run: a new SQLite file in a temporary directory, or a new
//! PostgreSQL database that is dropped afterwards.

use juggernaut_store::url::Backend;
use juggernaut_store::{Store, StoreOptions};
use juggernaut_store_postgres::{PostgresStore, create_database, drop_database};
use juggernaut_store_sqlite::SqliteStore;
use std::sync::Arc;

/// The store under test and how to clean it up.
pub struct Target {
    pub backend: Backend,
    pub store: Arc<dyn Store>,
    /// The database's URL, for worker processes.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir { _dir: tempfile::TempDir },
    Database { admin: String, name: String },
}

impl Target {
    /// A fresh, migrated store.
    pub async fn fresh(backend: Backend, pg_admin: &str) -> anyhow::Result<Self> {
        let (store, cleanup, url): (Arc<dyn Store>, Cleanup, String) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir()?;
                let path = dir.path().join("bench.db");
                let url = format!("sqlite://{}", path.display());
                (
                    Arc::new(SqliteStore::open(&url, StoreOptions::default()).await?),
                    Cleanup::Dir { _dir: dir },
                    url,
                )
            }
            Backend::Postgres => {
                let name = format!("jg_bench_{:016x}", rand::random::<u64>());
                create_database(pg_admin, &name).await?;
                let url = with_database(pg_admin, &name);
                let store = PostgresStore::connect(&url, StoreOptions::default()).await?;
                (
                    Arc::new(store),
                    Cleanup::Database {
                        admin: pg_admin.to_owned(),
                        name,
                    },
                    url,
                )
            }
        };
        store.migrate().await?;
        Ok(Self {
            backend,
            store,
            url,
            cleanup,
        })
    }

    /// Closes the store and removes its database.
    pub async fn dispose(self) {
        self.store.close().await;
        if let Cleanup::Database { admin, name } = &self.cleanup
            && let Err(e) = drop_database(admin, name).await
        {
            eprintln!("warning: could not drop benchmark database {name}: {e}");
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            with_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
    }
}
