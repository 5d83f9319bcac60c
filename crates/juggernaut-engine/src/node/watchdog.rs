//! The watchdog: expired leases back to ready, silent workers marked lost with their tasks
//! handed back, attempts past their run-time limit failed.

use super::LeaderConfig;
use crate::idle::{IdleBoard, Loop};
use juggernaut_core::WorkerId;
use juggernaut_store::Store;

/// One pass.
pub async fn tick(store: &dyn Store, id: &WorkerId, config: &LeaderConfig, idle: &IdleBoard) {
    let actor = format!("watchdog:{id}");
    let mut acted = false;
    match store.rescue_expired(&actor).await {
        Ok(r) if !r.rescued.is_empty() || !r.dead.is_empty() => {
            tracing::warn!(rescued = ?r.rescued, dead = ?r.dead, "expired leases taken back");
            acted = true;
        }
        Ok(_) => {}
        Err(e) => return idle.idle(Loop::Watchdog, format!("store unavailable: {e}")),
    }
    match store
        .mark_lost_workers(config.worker_lost_after, &actor)
        .await
    {
        Ok(lost) if !lost.is_empty() => {
            for w in &lost {
                tracing::warn!(worker = %w.id, rescued = ?w.rescued, dead = ?w.dead, "worker lost; its tasks were handed back");
            }
            acted = true;
        }
        Ok(_) => {}
        Err(e) => return idle.idle(Loop::Watchdog, format!("store unavailable: {e}")),
    }
    match store.time_out_overdue(config.max_run, &actor).await {
        Ok(ids) if !ids.is_empty() => {
            tracing::warn!(tasks = ?ids, limit_s = config.max_run.as_secs(), "attempts ran past their limit");
            acted = true;
        }
        Ok(_) => {}
        Err(e) => return idle.idle(Loop::Watchdog, format!("store unavailable: {e}")),
    }
    if acted {
        idle.busy(Loop::Watchdog);
    } else {
        idle.idle(
            Loop::Watchdog,
            "nothing to do: no expired leases, silent workers or overdue attempts",
        );
    }
}
