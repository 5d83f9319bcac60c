//! Retention: old terminal tasks go, with their events.

use super::StoreResult;
use async_trait::async_trait;
use std::time::Duration;

/// Pruning of finished work.
#[async_trait]
pub trait Retention: Send + Sync {
    /// Deletes terminal tasks (and their events) finished longer than `older_than` ago.
    async fn prune_terminal(&self, older_than: Duration, actor: &str) -> StoreResult<u64>;
}
