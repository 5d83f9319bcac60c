//! The watchdog: expired leases back to ready, silent workers marked lost with their tasks
//! handed back, attempts past their run-time limit failed, external waits whose check time came
//! made ready to look again.

use super::LeaderConfig;
use super::leader::Reporting;
use crate::events::EngineEvent;
use crate::idle::{Idle, Loop};
use juggernaut_core::WorkerId;
use juggernaut_store::Store;

/// One pass.
pub async fn tick(store: &dyn Store, id: &WorkerId, config: &LeaderConfig, report: &Reporting) {
    match pass(store, id, config, report).await {
        Ok(true) => report.idle.busy(Loop::Watchdog),
        Ok(false) => report.idle.idle(
            Loop::Watchdog,
            Idle::NothingToDo,
            "nothing to do: no expired leases, silent workers, overdue attempts or due external checks",
        ),
        Err(e) => {
            report.idle.idle(
                Loop::Watchdog,
                Idle::StoreUnavailable,
                format!("store unavailable: {e}"),
            );
            let error = e.to_string();
            report.events.emit(EngineEvent::StoreFault {
                operation: "watchdog",
                error,
            });
        }
    }
}

/// Runs the three checks; true if any of them acted.
async fn pass(
    store: &dyn Store,
    id: &WorkerId,
    config: &LeaderConfig,
    report: &Reporting,
) -> Result<bool, juggernaut_store::StoreError> {
    let actor = format!("watchdog:{id}");
    let mut acted = false;
    let r = store.rescue_expired(&actor).await?;
    if !r.rescued.is_empty() || !r.dead.is_empty() {
        report.events.emit(EngineEvent::LeasesRescued {
            rescued: r.rescued,
            dead: r.dead,
        });
        acted = true;
    }
    for w in store
        .mark_lost_workers(config.worker_lost_after, &actor)
        .await?
    {
        let (worker, rescued, dead) = (w.id, w.rescued, w.dead);
        report.events.emit(EngineEvent::WorkerLost {
            worker,
            rescued,
            dead,
        });
        acted = true;
    }
    let tasks = store.time_out_overdue(config.max_run, &actor).await?;
    if !tasks.is_empty() {
        report.events.emit(EngineEvent::AttemptsTimedOut { tasks });
        acted = true;
    }
    let tasks = store.recheck_external(&actor).await?;
    if !tasks.is_empty() {
        report
            .events
            .emit(EngineEvent::ExternalsRechecked { tasks });
        acted = true;
    }
    Ok(acted)
}
