//! The pruner: deletes terminal tasks older than the retention window.

use super::LeaderConfig;
use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::{Idle, Loop};
use juggernaut_core::WorkerId;
use juggernaut_store::Store;

/// One pass.
pub async fn tick(store: &dyn Store, id: &WorkerId, config: &LeaderConfig, report: &Reporting) {
    let idle = &report.idle;
    match store
        .prune_terminal(config.retention, &format!("pruner:{id}"))
        .await
    {
        Ok(n) => {
            if n > 0 {
                report.events.emit(EngineEvent::TasksPruned { count: n });
            }
            idle.idle(
                Loop::Pruner,
                Idle::WaitingForNextPass,
                format!(
                    "pruned {n}; next pass in {}s (retention {}d)",
                    config.prune_interval.as_secs(),
                    config.retention.as_secs() / 86_400
                ),
            );
        }
        Err(e) => idle.idle(
            Loop::Pruner,
            Idle::StoreUnavailable,
            format!("store unavailable: {e}"),
        ),
    }
}
