//! [`CostStore`] for PostgreSQL.

use crate::costs;
use crate::store::PostgresStore;
use async_trait::async_trait;
use juggernaut_store::{
    CostFilter, CostId, CostRecord, CostStore, Limits, Reservation, Spend, StoreResult, Usage,
};

#[async_trait]
impl CostStore for PostgresStore {
    async fn reserve(&self, r: &Reservation, limits: &Limits, actor: &str) -> StoreResult<CostId> {
        costs::reserve(self, r, limits, actor).await
    }

    async fn settle(&self, id: CostId, usage: &Usage, actor: &str) -> StoreResult<CostRecord> {
        costs::settle(self, id, usage, actor).await
    }

    async fn spend(&self, filter: &CostFilter) -> StoreResult<Spend> {
        costs::spend(self, filter).await
    }

    async fn costs(&self, filter: &CostFilter, limit: u32) -> StoreResult<Vec<CostRecord>> {
        costs::list(self, filter, limit).await
    }
}
