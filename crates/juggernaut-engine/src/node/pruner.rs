//! The pruner: deletes terminal tasks older than the retention window.

use super::LeaderConfig;
use crate::idle::{IdleBoard, Loop};
use juggernaut_core::WorkerId;
use juggernaut_store::Store;

/// One pass.
pub async fn tick(store: &dyn Store, id: &WorkerId, config: &LeaderConfig, idle: &IdleBoard) {
    match store
        .prune_terminal(config.retention, &format!("pruner:{id}"))
        .await
    {
        Ok(n) => {
            if n > 0 {
                tracing::info!(pruned = n, "old terminal tasks pruned");
            }
            idle.idle(
                Loop::Pruner,
                format!(
                    "pruned {n}; next pass in {}s (retention {}d)",
                    config.prune_interval.as_secs(),
                    config.retention.as_secs() / 86_400
                ),
            );
        }
        Err(e) => idle.idle(Loop::Pruner, format!("store unavailable: {e}")),
    }
}
