//! Picks and opens the store a URL names (the one place that chooses a backend). How much a
//! command may do to the database is its [`Access`]: only commands that create work create the
//! database, and commands that only read never change its schema.

use crate::exit::BadInput;
use juggernaut_handler::Registry;
use juggernaut_store::url::{Backend, redact};
use juggernaut_store::{Store, StoreOptions};
use juggernaut_store_postgres::PostgresStore;
use juggernaut_store_sqlite::SqliteStore;
use std::sync::Arc;

/// What a command may do to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Create the SQLite file (and its folder) if missing, and migrate: commands that add work
    /// (`up`, `worker`, `migrate`, `task enqueue`, `schedule add`).
    Create,
    /// The database must exist; migrate it: commands that change what is there (`task cancel`,
    /// `task retry`, `dlq requeue`, `schedule remove`).
    Existing,
    /// The database must exist at exactly this binary's schema; nothing is changed: commands
    /// that only read (`task list|show`, `dlq list`, `status`, `worker list`, `schedule list`).
    ReadOnly,
}

/// The built-in handlers that need no configuration (the benchmarks' registry). Commands use
/// [`crate::wiring::Wiring`], which adds `plan` and the kinds a configured LLM makes possible.
pub fn registry() -> anyhow::Result<Registry> {
    Registry::new(juggernaut_handlers::builtin(
        &juggernaut_handlers::Deps::default(),
    ))
    .map_err(anyhow::Error::from)
}

/// Opens the store `url` names with `access`.
pub async fn open(url: &str, access: Access) -> anyhow::Result<Arc<dyn Store>> {
    let store = connect(url, access, StoreOptions::default()).await?;
    let checked = match access {
        Access::Create | Access::Existing => store.migrate().await.map(|_| ()),
        Access::ReadOnly => store.check_current_schema().await,
    };
    if let Err(e) = checked {
        store.close().await;
        return Err(e.into());
    }
    Ok(store)
}

/// Connects without migrating or checking the schema (`migrate` reports what it applies).
pub async fn connect(
    url: &str,
    access: Access,
    options: StoreOptions,
) -> anyhow::Result<Arc<dyn Store>> {
    match Backend::from_url(url) {
        Some(Backend::Sqlite) if access == Access::Create => {
            Ok(Arc::new(SqliteStore::open(url, options).await?))
        }
        Some(Backend::Sqlite) => Ok(Arc::new(SqliteStore::open_existing(url, options).await?)),
        Some(Backend::Postgres) => Ok(Arc::new(PostgresStore::connect(url, options).await?)),
        None => Err(BadInput(format!(
            "unsupported database URL `{}`: use sqlite://PATH or postgres://HOST/DB",
            redact(url)
        ))
        .into()),
    }
}
