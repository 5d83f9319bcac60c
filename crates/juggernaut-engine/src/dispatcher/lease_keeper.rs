//! Keeps leases alive while handlers run: every third of the lease it extends all in-flight
//! leases in one call, and cancels the handlers whose lease the store no longer honours.

use super::held::InFlight;
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
            Ok(map) => map.values().map(|h| h.lease).collect(),
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

/// Cancels handlers whose leases were not extended and that are still running or waiting to
/// run. A finished attempt is left alone: its result may have been written while the extension
/// was asked for (the completion, not a loss, is why it was not extended), and if the lease was
/// really lost, the fenced write refuses the result.
fn lose(held: &[LeaseRef], kept: &[LeaseRef], inflight: &InFlight, events: &EventSink) {
    let Ok(mut map) = inflight.lock() else { return };
    for l in held.iter().filter(|l| !kept.contains(l)) {
        if let Some(h) = map.get(&l.task_id)
            && h.lease == *l
            && !h.finished
        {
            events.emit(EngineEvent::LeaseLost { task: l.task_id });
            h.cancel.cancel();
            map.remove(&l.task_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatcher::held::Held;
    use juggernaut_core::TaskId;

    fn held(id: i64, finished: bool) -> (TaskId, Held) {
        let lease = LeaseRef {
            task_id: TaskId(id),
            token: 1,
        };
        let cancel = CancellationToken::new();
        (
            lease.task_id,
            Held {
                lease,
                cancel,
                finished,
            },
        )
    }

    #[test]
    fn only_a_running_attempt_loses_its_lease() {
        let inflight: InFlight = Arc::default();
        let (running, finished) = (held(1, false), held(2, true));
        let leases = [running.1.lease, finished.1.lease];
        let (running_cancel, finished_cancel) =
            (running.1.cancel.clone(), finished.1.cancel.clone());
        inflight.lock().unwrap().extend([running, finished]);
        let events = EventSink::default();
        lose(&leases, &[], &inflight, &events);
        assert_eq!(events.count("lease_lost"), 1);
        assert!(running_cancel.is_cancelled());
        assert!(
            !finished_cancel.is_cancelled(),
            "a finished attempt's result may just have been written: not a lost lease"
        );
        let map = inflight.lock().unwrap();
        assert!(!map.contains_key(&TaskId(1)));
        assert!(
            map.contains_key(&TaskId(2)),
            "the completer forgets it once written"
        );
    }
}
