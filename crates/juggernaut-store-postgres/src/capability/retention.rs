//! [`Retention`] for PostgreSQL.

use crate::prune;
use crate::store::PostgresStore;
use async_trait::async_trait;
use juggernaut_store::{Retention, StoreResult};
use std::time::Duration;

#[async_trait]
impl Retention for PostgresStore {
    async fn prune_terminal(&self, older_than: Duration, actor: &str) -> StoreResult<u64> {
        prune::terminal(self, older_than, actor).await
    }
}
