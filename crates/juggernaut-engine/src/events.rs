//! Typed engine events. Everything notable the engine does is one variant of [`EngineEvent`];
//! [`EventSink::emit`] logs it through `tracing` (JSON lines with `JUGGERNAUT_LOG_FORMAT=json`) and
//! counts it for `/metrics`, so logs and metrics never disagree about what happened.

use juggernaut_core::{FailureOutcome, TaskId, WorkerId};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EngineEvent {
    /// A dispatcher claimed tasks.
    TasksClaimed {
        /// How many.
        count: usize,
    },
    /// The store accepted a completion.
    TaskCompleted {
        /// The task.
        task: TaskId,
    },
    /// Fencing refused a completion or failure report (the lease was lost).
    ResultRefused {
        /// The task.
        task: TaskId,
        /// The store's reason.
        reason: String,
    },
    /// An attempt failed.
    AttemptFailed {
        /// The task.
        task: TaskId,
        /// The handler's or verifier's error.
        error: String,
        /// Retry, dead or failed.
        outcome: FailureOutcome,
    },
    /// Heartbeat found a lease gone; the handler was stopped.
    LeaseLost {
        /// The task.
        task: TaskId,
    },
    /// Unfinished tasks handed back at shutdown.
    LeasesReleased {
        /// How many.
        count: usize,
    },
    /// The watchdog took back expired leases.
    LeasesRescued {
        /// Back to ready.
        rescued: Vec<TaskId>,
        /// Out of attempts.
        dead: Vec<TaskId>,
    },
    /// The watchdog marked a silent worker lost and handed its tasks back.
    WorkerLost {
        /// The worker.
        worker: WorkerId,
        /// Back to ready.
        rescued: Vec<TaskId>,
        /// Out of attempts.
        dead: Vec<TaskId>,
    },
    /// Attempts ran past their run-time limit and were failed.
    AttemptsTimedOut {
        /// The tasks.
        tasks: Vec<TaskId>,
    },
    /// A cron schedule fired.
    ScheduleFired {
        /// The schedule.
        schedule: String,
        /// The task it created.
        task: TaskId,
    },
    /// A schedule cannot fire and is skipped (reported once per reason).
    ScheduleSkipped {
        /// The schedule.
        schedule: String,
        /// Why.
        reason: String,
    },
    /// Old terminal tasks were pruned.
    TasksPruned {
        /// How many.
        count: u64,
    },
    /// A store call failed; the loop will try again.
    StoreFault {
        /// The operation.
        operation: &'static str,
        /// The error.
        error: String,
    },
}

/// Every event name, in variant order (the metric label).
pub const EVENT_NAMES: [&str; 13] = [
    "tasks_claimed",
    "task_completed",
    "result_refused",
    "attempt_failed",
    "lease_lost",
    "leases_released",
    "leases_rescued",
    "worker_lost",
    "attempts_timed_out",
    "schedule_fired",
    "schedule_skipped",
    "tasks_pruned",
    "store_fault",
];

impl EngineEvent {
    fn index(&self) -> usize {
        match self {
            Self::TasksClaimed { .. } => 0,
            Self::TaskCompleted { .. } => 1,
            Self::ResultRefused { .. } => 2,
            Self::AttemptFailed { .. } => 3,
            Self::LeaseLost { .. } => 4,
            Self::LeasesReleased { .. } => 5,
            Self::LeasesRescued { .. } => 6,
            Self::WorkerLost { .. } => 7,
            Self::AttemptsTimedOut { .. } => 8,
            Self::ScheduleFired { .. } => 9,
            Self::ScheduleSkipped { .. } => 10,
            Self::TasksPruned { .. } => 11,
            Self::StoreFault { .. } => 12,
        }
    }

    /// The event's name.
    pub fn name(&self) -> &'static str {
        EVENT_NAMES[self.index()]
    }

    /// Whether an operator should notice it (logged at `warn`; the rest at `debug`/`info`).
    fn is_warning(&self) -> bool {
        matches!(
            self,
            Self::ResultRefused { .. }
                | Self::LeaseLost { .. }
                | Self::LeasesRescued { .. }
                | Self::WorkerLost { .. }
                | Self::AttemptsTimedOut { .. }
                | Self::ScheduleSkipped { .. }
                | Self::StoreFault { .. }
        )
    }

    fn is_per_task(&self) -> bool {
        matches!(self, Self::TasksClaimed { .. } | Self::TaskCompleted { .. })
    }
}

/// Logs and counts events; cheap to clone and share.
#[derive(Debug, Clone, Default)]
pub struct EventSink {
    counts: Arc<[AtomicU64; EVENT_NAMES.len()]>,
}

impl EventSink {
    /// Logs `event` and counts it. Per-task events log at `debug`, so the hot path serialises
    /// nothing unless asked to.
    pub fn emit(&self, event: EngineEvent) {
        self.counts[event.index()].fetch_add(1, Ordering::Relaxed);
        let name = event.name();
        if event.is_warning() {
            tracing::warn!(event = name, details = %details(&event));
        } else if event.is_per_task() {
            if tracing::enabled!(tracing::Level::DEBUG) {
                tracing::debug!(event = name, details = %details(&event));
            }
        } else {
            tracing::info!(event = name, details = %details(&event));
        }
    }

    /// How many of each event this process emitted, by name.
    pub fn counts(&self) -> Vec<(&'static str, u64)> {
        EVENT_NAMES
            .iter()
            .zip(self.counts.iter())
            .map(|(n, c)| (*n, c.load(Ordering::Relaxed)))
            .collect()
    }
}

fn details(e: &EngineEvent) -> String {
    serde_json::to_string(e).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_tags_and_counts_add_up() {
        let sink = EventSink::default();
        let events = [
            EngineEvent::TasksClaimed { count: 2 },
            EngineEvent::TaskCompleted { task: TaskId(1) },
            EngineEvent::TaskCompleted { task: TaskId(2) },
            EngineEvent::StoreFault {
                operation: "claim",
                error: "down".into(),
            },
        ];
        for e in events {
            let json = serde_json::to_value(&e).unwrap();
            assert_eq!(json["event"], e.name());
            sink.emit(e);
        }
        let counts: std::collections::BTreeMap<_, _> = sink.counts().into_iter().collect();
        assert_eq!(counts["task_completed"], 2);
        assert_eq!(counts["tasks_claimed"], 1);
        assert_eq!(counts["store_fault"], 1);
        assert_eq!(counts["worker_lost"], 0);
        assert_eq!(counts.len(), EVENT_NAMES.len());
    }
}
