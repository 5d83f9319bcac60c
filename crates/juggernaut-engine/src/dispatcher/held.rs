//! The leases a dispatcher holds: each claimed task from its claim until its result is written
//! or its lease handed back, with the token that stops its handler and whether the handler has
//! finished. The lease keeper extends them all; only a task still running can lose its lease in a
//! way that matters (a finished one's result is fenced when written).

use juggernaut_core::TaskId;
use juggernaut_store::LeaseRef;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// One held lease.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    /// The lease.
    pub lease: LeaseRef,
    /// Stops the task's handler.
    pub cancel: CancellationToken,
    /// Whether the handler has finished (its result queued or being written).
    pub finished: bool,
}

/// In-flight tasks (buffered, running, or finished and unwritten), by id.
pub(crate) type InFlight = Arc<Mutex<HashMap<TaskId, Held>>>;

/// Records that the attempt under `lease` has finished (not a later attempt of the same task
/// this worker may hold by now, should that lease have lapsed).
pub(crate) fn mark_finished(inflight: &InFlight, lease: LeaseRef) {
    if let Ok(mut map) = inflight.lock()
        && let Some(held) = map.get_mut(&lease.task_id)
        && held.lease == lease
    {
        held.finished = true;
    }
}

/// Forgets the attempts under `leases`, once their results are written (a later attempt of the
/// same task is kept).
pub(crate) fn forget(inflight: &InFlight, leases: impl IntoIterator<Item = LeaseRef>) {
    if let Ok(mut map) = inflight.lock() {
        for lease in leases {
            if map.get(&lease.task_id).is_some_and(|h| h.lease == lease) {
                map.remove(&lease.task_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(token: i64) -> LeaseRef {
        LeaseRef {
            task_id: TaskId(7),
            token,
        }
    }

    #[test]
    fn an_earlier_attempt_never_touches_a_later_one() {
        let inflight: InFlight = Arc::default();
        let later = Held {
            lease: lease(2),
            cancel: CancellationToken::new(),
            finished: false,
        };
        inflight.lock().unwrap().insert(TaskId(7), later);
        mark_finished(&inflight, lease(1));
        forget(&inflight, [lease(1)]);
        let map = inflight.lock().unwrap();
        let held = map
            .get(&TaskId(7))
            .expect("the later attempt is still held");
        assert!(!held.finished);
        drop(map);
        mark_finished(&inflight, lease(2));
        assert!(inflight.lock().unwrap()[&TaskId(7)].finished);
        forget(&inflight, [lease(2)]);
        assert!(inflight.lock().unwrap().is_empty());
    }
}
