//! Keeps leases alive while handlers run: every third of the lease it extends all in-flight
//! leases in one call, and cancels the handlers whose lease the store no longer honours.

use super::InFlight;
use crate::events::{EngineEvent, EventSink};
use juggernaut_core::WorkerId;
use juggernaut_store::{LeaseRef, Queue};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs until `stop` is cancelled.
pub async fn run(
    queue: Arc<dyn Queue>,
    worker: WorkerId,
    lease: Duration,
    inflight: InFlight,
    events: EventSink,
    stop: CancellationToken,
) {
    let period = lease / 3;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(period) => {}
        }
        let held: Vec<LeaseRef> = match inflight.lock() {
            Ok(map) => map.values().map(|(l, _)| *l).collect(),
            Err(_) => return,
        };
        if held.is_empty() {
            continue;
        }
        match queue.heartbeat(&worker, &held, lease).await {
            Ok(kept) => lose(&held, &kept, &inflight, &events),
            Err(e) => events.emit(EngineEvent::StoreFault {
                operation: "heartbeat",
                error: e.to_string(),
            }),
        }
    }
}

/// Cancels handlers whose leases were not extended and are still in flight.
fn lose(held: &[LeaseRef], kept: &[LeaseRef], inflight: &InFlight, events: &EventSink) {
    let Ok(mut map) = inflight.lock() else { return };
    for l in held.iter().filter(|l| !kept.contains(l)) {
        if let Some((current, cancel)) = map.get(&l.task_id)
            && current == l
        {
            events.emit(EngineEvent::LeaseLost { task: l.task_id });
            cancel.cancel();
            map.remove(&l.task_id);
        }
    }
}
