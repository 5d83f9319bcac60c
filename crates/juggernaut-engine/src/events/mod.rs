//! Typed engine events: the one stream of what the engine does. Everything notable is one
//! variant of [`EngineEvent`]; [`EventSink::emit`] logs it through `tracing` (JSON lines with
//! `JUGGERNAUT_LOG_FORMAT=json`), feeds the `/metrics` counters and histograms, and broadcasts it
//! to subscribers (a live view), so logs, metrics and live views never disagree.

use crate::metrics::Metrics;
use juggernaut_core::{FailureOutcome, GoalId, TaskId, WorkerId};
use serde::Serialize;
use std::sync::Arc;
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it misses some (it is told how
/// many it missed).
const BACKLOG: usize = 4096;

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EngineEvent {
    /// A dispatcher claimed a task.
    TaskClaimed {
        /// The task.
        task: TaskId,
        /// Its kind.
        kind: String,
        /// How long it had been ready (since its run time or creation), in milliseconds.
        waited_ms: u64,
    },
    /// A handler (and, for a done outcome, the verifier) finished an attempt.
    TaskRan {
        /// The task.
        task: TaskId,
        /// Its kind.
        kind: String,
        /// How long the handler and the verifier took, in milliseconds.
        run_ms: u64,
    },
    /// The store accepted a completion.
    TaskCompleted {
        /// The task.
        task: TaskId,
    },
    /// The store refused a result: a stale lease (fencing) or an unstorable completion.
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
    /// A handler parked its task: waiting for something outside, or for a person.
    TaskParked {
        /// The task.
        task: TaskId,
        /// `external` or `approval`.
        waiting: &'static str,
    },
    /// A batch of results was written.
    ResultsWritten {
        /// How many.
        count: usize,
        /// How long the writes took, in milliseconds.
        write_ms: u64,
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
    /// External waits whose check time came are ready to look again.
    ExternalsRechecked {
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
    /// The planner asked for a goal's next plan.
    PlanRequested {
        /// The goal.
        goal: GoalId,
        /// The `plan` task.
        task: TaskId,
    },
    /// A goal cannot be planned (no matching playbook and no LLM provider); it is looked at
    /// again after the planner's backoff.
    GoalNotPlannable {
        /// The goal.
        goal: GoalId,
        /// Why.
        reason: String,
    },
    /// The playbook that planned a goal changed: the goal will be planned again.
    ReplanRequested {
        /// The goal.
        goal: GoalId,
    },
    /// A proactive template proposed a task for a goal.
    TaskProposed {
        /// The goal.
        goal: Option<GoalId>,
        /// The task.
        task: TaskId,
    },
    /// The sampler read a goal's metric and recorded the value.
    MetricSampled {
        /// The goal.
        goal: GoalId,
        /// The value.
        value: f64,
    },
    /// A goal's metric cannot be read (reported when the reason changes, not every pass).
    MetricReadFailed {
        /// The goal.
        goal: GoalId,
        /// Why, naming the source.
        reason: String,
    },
    /// A reading met a goal's target: the goal is achieved.
    GoalAchieved {
        /// The goal.
        goal: GoalId,
        /// The reading.
        value: f64,
    },
    /// Active goals passed their deadline short of the target: they are missed.
    GoalsMissed {
        /// The goals.
        goals: Vec<GoalId>,
    },
    /// Old terminal tasks were pruned.
    TasksPruned {
        /// How many.
        count: u64,
    },
    /// The escalator raised a new escalation (raising an open one again only counts it).
    EscalationRaised {
        /// The escalation.
        escalation: juggernaut_core::EscalationId,
        /// Its dedupe key.
        key: String,
        /// What it is about.
        kind: juggernaut_core::EscalationKind,
        /// How urgent.
        level: juggernaut_core::EscalationLevel,
    },
    /// An escalation could not be sent through the notify channel; it is tried again on the next
    /// scan (reported once per escalation).
    EscalationNotSent {
        /// The escalation.
        escalation: juggernaut_core::EscalationId,
        /// Why.
        error: String,
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
pub const EVENT_NAMES: [&str; 27] = [
    "task_claimed",
    "task_ran",
    "task_completed",
    "result_refused",
    "attempt_failed",
    "task_parked",
    "results_written",
    "lease_lost",
    "leases_released",
    "leases_rescued",
    "worker_lost",
    "attempts_timed_out",
    "externals_rechecked",
    "schedule_fired",
    "schedule_skipped",
    "plan_requested",
    "goal_not_plannable",
    "replan_requested",
    "task_proposed",
    "metric_sampled",
    "metric_read_failed",
    "goal_achieved",
    "goals_missed",
    "tasks_pruned",
    "escalation_raised",
    "escalation_not_sent",
    "store_fault",
];

impl EngineEvent {
    /// The event's position in [`EVENT_NAMES`].
    pub fn index(&self) -> usize {
        match self {
            Self::TaskClaimed { .. } => 0,
            Self::TaskRan { .. } => 1,
            Self::TaskCompleted { .. } => 2,
            Self::ResultRefused { .. } => 3,
            Self::AttemptFailed { .. } => 4,
            Self::TaskParked { .. } => 5,
            Self::ResultsWritten { .. } => 6,
            Self::LeaseLost { .. } => 7,
            Self::LeasesReleased { .. } => 8,
            Self::LeasesRescued { .. } => 9,
            Self::WorkerLost { .. } => 10,
            Self::AttemptsTimedOut { .. } => 11,
            Self::ExternalsRechecked { .. } => 12,
            Self::ScheduleFired { .. } => 13,
            Self::ScheduleSkipped { .. } => 14,
            Self::PlanRequested { .. } => 15,
            Self::GoalNotPlannable { .. } => 16,
            Self::ReplanRequested { .. } => 17,
            Self::TaskProposed { .. } => 18,
            Self::MetricSampled { .. } => 19,
            Self::MetricReadFailed { .. } => 20,
            Self::GoalAchieved { .. } => 21,
            Self::GoalsMissed { .. } => 22,
            Self::TasksPruned { .. } => 23,
            Self::EscalationRaised { .. } => 24,
            Self::EscalationNotSent { .. } => 25,
            Self::StoreFault { .. } => 26,
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
                | Self::GoalNotPlannable { .. }
                | Self::MetricReadFailed { .. }
                | Self::GoalsMissed { .. }
                | Self::EscalationRaised { .. }
                | Self::EscalationNotSent { .. }
                | Self::StoreFault { .. }
        )
    }

    /// Per-task events of the hot path (and each metric reading), logged at `debug` only.
    fn is_per_task(&self) -> bool {
        matches!(
            self,
            Self::TaskClaimed { .. }
                | Self::TaskRan { .. }
                | Self::TaskCompleted { .. }
                | Self::ResultsWritten { .. }
                | Self::MetricSampled { .. }
        )
    }
}

/// Logs, counts and broadcasts events; cheap to clone and share.
#[derive(Debug, Clone)]
pub struct EventSink {
    metrics: Arc<Metrics>,
    live: broadcast::Sender<EngineEvent>,
}

impl Default for EventSink {
    fn default() -> Self {
        Self {
            metrics: Arc::new(Metrics::new()),
            live: broadcast::channel(BACKLOG).0,
        }
    }
}

impl EventSink {
    /// Logs `event`, feeds the metrics, and sends it to subscribers. Per-task events log at
    /// `debug`, so the hot path serialises nothing unless asked to (or watched).
    pub fn emit(&self, event: EngineEvent) {
        self.metrics.observe(&event);
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
        if self.live.receiver_count() > 0 {
            let _ = self.live.send(event);
        }
    }

    /// A live feed of the events emitted from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.live.subscribe()
    }

    /// How many of each event this process emitted, by name.
    pub fn counts(&self) -> Vec<(&'static str, u64)> {
        self.metrics.event_counts()
    }

    /// How many events named `name` this process emitted.
    pub fn count(&self, name: &str) -> u64 {
        self.counts()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, c)| c)
    }

    /// The metrics the events feed (for `/metrics`).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}

fn details(e: &EngineEvent) -> String {
    serde_json::to_string(e).unwrap_or_default()
}

#[cfg(test)]
mod tests;
