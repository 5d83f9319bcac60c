//! The append-only audit log: one event per state change, written in the same transaction.

use crate::ids::{EventId, GoalId, TaskId};
use crate::status::TaskStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// A task was created.
    #[serde(rename = "task.enqueued")]
    TaskEnqueued,
    /// Dependencies met and `run_at` reached.
    #[serde(rename = "task.promoted")]
    TaskPromoted,
    /// A worker took a lease.
    #[serde(rename = "task.claimed")]
    TaskClaimed,
    /// A worker extended the leases it holds.
    #[serde(rename = "lease.extended")]
    LeaseExtended,
    /// The attempt finished and its evidence is being re-checked (`running` → `verifying`).
    #[serde(rename = "task.verifying")]
    TaskVerifying,
    /// Completed with evidence.
    #[serde(rename = "task.completed")]
    TaskCompleted,
    /// A failed attempt, to be retried after a backoff.
    #[serde(rename = "task.retry_scheduled")]
    TaskRetryScheduled,
    /// Out of attempts: dead-lettered.
    #[serde(rename = "task.dead")]
    TaskDead,
    /// Failed for good.
    #[serde(rename = "task.failed")]
    TaskFailed,
    /// Lease expired; sent back to `ready`.
    #[serde(rename = "task.rescued")]
    TaskRescued,
    /// Cancelled.
    #[serde(rename = "task.cancelled")]
    TaskCancelled,
    /// A dependency died; the task is blocked.
    #[serde(rename = "task.blocked")]
    TaskBlocked,
    /// The blocking dependency was requeued.
    #[serde(rename = "task.unblocked")]
    TaskUnblocked,
    /// Sent back from `dead`, `failed` or `cancelled`.
    #[serde(rename = "task.requeued")]
    TaskRequeued,
    /// Handed back unfinished by its worker (shutdown); the attempt does not count.
    #[serde(rename = "task.released")]
    TaskReleased,
    /// Ran past its run-time limit; the attempt failed.
    #[serde(rename = "task.timed_out")]
    TaskTimedOut,
    /// The handler parked the task until something outside happens.
    #[serde(rename = "task.awaiting_external")]
    TaskAwaitingExternal,
    /// The time to look again came; the task is ready for its handler to look.
    #[serde(rename = "task.rechecked")]
    TaskRechecked,
    /// The task asks a person for approval.
    #[serde(rename = "task.approval_requested")]
    TaskApprovalRequested,
    /// A person approved.
    #[serde(rename = "task.approved")]
    TaskApproved,
    /// A person rejected.
    #[serde(rename = "task.rejected")]
    TaskRejected,
    /// A goal was added.
    #[serde(rename = "goal.added")]
    GoalAdded,
    /// A goal was paused, resumed, cancelled, achieved or missed.
    #[serde(rename = "goal.status_changed")]
    GoalStatusChanged,
    /// A goal's metric was read.
    #[serde(rename = "goal.metric_recorded")]
    MetricRecorded,
    /// A plan was stored and its tasks enqueued.
    #[serde(rename = "goal.planned")]
    GoalPlanned,
    /// Planning a goal failed; it is retried later.
    #[serde(rename = "goal.plan_failed")]
    GoalPlanFailed,
    /// The playbook that made a goal's plan changed; the goal is looked at again.
    #[serde(rename = "goal.replan_requested")]
    GoalReplanRequested,
    /// A person changed a goal's title, description, target, deadline, budget or tags.
    #[serde(rename = "goal.edited")]
    GoalEdited,
    /// Money was reserved in the cost ledger before a paid call.
    #[serde(rename = "cost.reserved")]
    CostReserved,
    /// A reservation was replaced by what the call cost.
    #[serde(rename = "cost.settled")]
    CostSettled,
    /// A tool call ended and was recorded in the tool-call ledger.
    #[serde(rename = "tool.called")]
    ToolCalled,
    /// An API token was created (its secret is never in the event).
    #[serde(rename = "token.created")]
    TokenCreated,
    /// An API token was revoked.
    #[serde(rename = "token.revoked")]
    TokenRevoked,
    /// An escalation was raised (a new record; raising an open one again only counts it).
    #[serde(rename = "escalation.raised")]
    EscalationRaised,
    /// A person acknowledged an escalation.
    #[serde(rename = "escalation.acked")]
    EscalationAcked,
    /// An executive report was stored.
    #[serde(rename = "report.stored")]
    ReportStored,
    /// An experiment was created (it runs from then on).
    #[serde(rename = "experiment.created")]
    ExperimentCreated,
    /// An experiment's next iteration started with its step tasks.
    #[serde(rename = "experiment.iterated")]
    ExperimentIterated,
    /// A variant's counts were recorded for an iteration.
    #[serde(rename = "experiment.point_recorded")]
    ExperimentPointRecorded,
    /// An experiment concluded (winner, no difference, or inconclusive) with its follow-ups.
    #[serde(rename = "experiment.concluded")]
    ExperimentConcluded,
    /// A person stopped an experiment.
    #[serde(rename = "experiment.stopped")]
    ExperimentStopped,
    /// The capture recorded a batch of learnings (new ones and ones seen again).
    #[serde(rename = "learning.recorded")]
    LearningRecorded,
    /// A person edited a learning's summary or tags.
    #[serde(rename = "learning.edited")]
    LearningEdited,
    /// A person retired a learning (kept out of prompts).
    #[serde(rename = "learning.retired")]
    LearningRetired,
    /// A person brought a retired learning back.
    #[serde(rename = "learning.unretired")]
    LearningUnretired,
    /// A worker process registered.
    #[serde(rename = "worker.registered")]
    WorkerRegistered,
    /// A worker stopped heartbeating; its tasks were handed back.
    #[serde(rename = "worker.lost")]
    WorkerLost,
    /// A worker marked lost heartbeated again.
    #[serde(rename = "worker.recovered")]
    WorkerRecovered,
    /// A worker shut down cleanly.
    #[serde(rename = "worker.stopped")]
    WorkerStopped,
    /// A worker became the leader of the singleton loops.
    #[serde(rename = "leader.elected")]
    LeaderElected,
    /// A cron schedule was added.
    #[serde(rename = "schedule.added")]
    ScheduleAdded,
    /// A cron schedule was removed.
    #[serde(rename = "schedule.removed")]
    ScheduleRemoved,
    /// A cron schedule fired and created its task.
    #[serde(rename = "schedule.fired")]
    ScheduleFired,
    /// Old terminal tasks were pruned.
    #[serde(rename = "tasks.pruned")]
    TasksPruned,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 54] = [
        Self::TaskEnqueued,
        Self::TaskPromoted,
        Self::TaskClaimed,
        Self::LeaseExtended,
        Self::TaskVerifying,
        Self::TaskCompleted,
        Self::TaskRetryScheduled,
        Self::TaskDead,
        Self::TaskFailed,
        Self::TaskRescued,
        Self::TaskCancelled,
        Self::TaskBlocked,
        Self::TaskUnblocked,
        Self::TaskRequeued,
        Self::TaskReleased,
        Self::TaskTimedOut,
        Self::TaskAwaitingExternal,
        Self::TaskRechecked,
        Self::TaskApprovalRequested,
        Self::TaskApproved,
        Self::TaskRejected,
        Self::GoalAdded,
        Self::GoalStatusChanged,
        Self::MetricRecorded,
        Self::GoalPlanned,
        Self::GoalPlanFailed,
        Self::GoalReplanRequested,
        Self::GoalEdited,
        Self::CostReserved,
        Self::CostSettled,
        Self::ToolCalled,
        Self::TokenCreated,
        Self::TokenRevoked,
        Self::EscalationRaised,
        Self::EscalationAcked,
        Self::ReportStored,
        Self::ExperimentCreated,
        Self::ExperimentIterated,
        Self::ExperimentPointRecorded,
        Self::ExperimentConcluded,
        Self::ExperimentStopped,
        Self::LearningRecorded,
        Self::LearningEdited,
        Self::LearningRetired,
        Self::LearningUnretired,
        Self::WorkerRegistered,
        Self::WorkerLost,
        Self::WorkerRecovered,
        Self::WorkerStopped,
        Self::LeaderElected,
        Self::ScheduleAdded,
        Self::ScheduleRemoved,
        Self::ScheduleFired,
        Self::TasksPruned,
    ];

    /// The stored name, such as `task.claimed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TaskEnqueued => "task.enqueued",
            Self::TaskPromoted => "task.promoted",
            Self::TaskClaimed => "task.claimed",
            Self::LeaseExtended => "lease.extended",
            Self::TaskVerifying => "task.verifying",
            Self::TaskCompleted => "task.completed",
            Self::TaskRetryScheduled => "task.retry_scheduled",
            Self::TaskDead => "task.dead",
            Self::TaskFailed => "task.failed",
            Self::TaskRescued => "task.rescued",
            Self::TaskCancelled => "task.cancelled",
            Self::TaskBlocked => "task.blocked",
            Self::TaskUnblocked => "task.unblocked",
            Self::TaskRequeued => "task.requeued",
            Self::TaskReleased => "task.released",
            Self::TaskTimedOut => "task.timed_out",
            Self::TaskAwaitingExternal => "task.awaiting_external",
            Self::TaskRechecked => "task.rechecked",
            Self::TaskApprovalRequested => "task.approval_requested",
            Self::TaskApproved => "task.approved",
            Self::TaskRejected => "task.rejected",
            Self::GoalAdded => "goal.added",
            Self::GoalStatusChanged => "goal.status_changed",
            Self::MetricRecorded => "goal.metric_recorded",
            Self::GoalPlanned => "goal.planned",
            Self::GoalPlanFailed => "goal.plan_failed",
            Self::GoalReplanRequested => "goal.replan_requested",
            Self::GoalEdited => "goal.edited",
            Self::CostReserved => "cost.reserved",
            Self::CostSettled => "cost.settled",
            Self::ToolCalled => "tool.called",
            Self::TokenCreated => "token.created",
            Self::TokenRevoked => "token.revoked",
            Self::EscalationRaised => "escalation.raised",
            Self::EscalationAcked => "escalation.acked",
            Self::ReportStored => "report.stored",
            Self::ExperimentCreated => "experiment.created",
            Self::ExperimentIterated => "experiment.iterated",
            Self::ExperimentPointRecorded => "experiment.point_recorded",
            Self::ExperimentConcluded => "experiment.concluded",
            Self::ExperimentStopped => "experiment.stopped",
            Self::LearningRecorded => "learning.recorded",
            Self::LearningEdited => "learning.edited",
            Self::LearningRetired => "learning.retired",
            Self::LearningUnretired => "learning.unretired",
            Self::WorkerRegistered => "worker.registered",
            Self::WorkerLost => "worker.lost",
            Self::WorkerRecovered => "worker.recovered",
            Self::WorkerStopped => "worker.stopped",
            Self::LeaderElected => "leader.elected",
            Self::ScheduleAdded => "schedule.added",
            Self::ScheduleRemoved => "schedule.removed",
            Self::ScheduleFired => "schedule.fired",
            Self::TasksPruned => "tasks.pruned",
        }
    }

    /// Parses a stored name; `None` for a name this binary does not know.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Monotonic id.
    pub id: EventId,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
    /// The task it concerns, if any.
    pub task_id: Option<TaskId>,
    /// The goal it concerns, if any.
    pub goal_id: Option<GoalId>,
    /// Status before, for a transition.
    pub from_status: Option<TaskStatus>,
    /// Status after, for a transition.
    pub to_status: Option<TaskStatus>,
    /// Who did it: a worker id, `cli`, `rescue`, ...
    pub actor: String,
    /// Details (lease token, error, reason).
    pub data: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
        assert_eq!(EventKind::parse("task.exploded"), None);
    }
}
