//! [`Leadership`] for PostgreSQL.

use crate::leader;
use crate::store::PostgresStore;
use async_trait::async_trait;
use juggernaut_core::WorkerId;
use juggernaut_store::{LeaderInfo, Leadership, StoreResult};
use std::time::Duration;

#[async_trait]
impl Leadership for PostgresStore {
    async fn try_lead(&self, name: &str, holder: &WorkerId, ttl: Duration) -> StoreResult<bool> {
        leader::try_lead(self, name, holder, ttl).await
    }

    async fn resign(&self, name: &str, holder: &WorkerId) -> StoreResult<()> {
        leader::resign(self, name, holder).await
    }

    async fn leader(&self, name: &str) -> StoreResult<Option<LeaderInfo>> {
        leader::leader(self, name).await
    }
}
