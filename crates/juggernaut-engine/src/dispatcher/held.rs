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

/// Records that `task`'s handler has finished.
pub(crate) fn mark_finished(inflight: &InFlight, task: TaskId) {
    if let Ok(mut map) = inflight.lock()
        && let Some(held) = map.get_mut(&task)
    {
        held.finished = true;
    }
}
