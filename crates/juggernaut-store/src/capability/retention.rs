//! Retention: old terminal tasks go; their events stay, since the audit log is append-only and
//! outlives the tasks it describes.

use super::StoreResult;
use async_trait::async_trait;
use std::time::Duration;

/// Pruning of finished work.
#[async_trait]
pub trait Retention: Send + Sync {
    /// Deletes terminal tasks finished longer than `older_than` ago (with their dependency edges;
    /// never their events) and records one `tasks.pruned` event.
    async fn prune_terminal(&self, older_than: Duration, actor: &str) -> StoreResult<u64>;
}
