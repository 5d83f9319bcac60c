//! The details (`data`) of each audit event kind, typed. Both backends write these shapes (the
//! PostgreSQL hot paths build them in SQL; everything else serialises these structs), and the
//! conformance suite parses every event it reads with [`Payload::parse`], so a backend that
//! writes another shape fails the suite.

use juggernaut_core::{EventKind, GoalStatus, Origin, RiskLevel, TaskId, TaskKind};
use serde::{Deserialize, Serialize};

mod costs;
mod escalations;
mod experiments;
mod learnings;
mod reports;
mod tokens;
mod tools;

pub use costs::{CostReserved, CostSettled};
pub use escalations::EscalationEvent;
pub use experiments::ExperimentEvent;
pub use learnings::{LearningEvent, LearningsRecorded};
pub use reports::ReportEvent;
pub use tokens::TokenEvent;
pub use tools::ToolCalled;

/// `task.enqueued`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enqueued {
    /// The task's kind.
    pub kind: TaskKind,
    /// Where it came from.
    pub origin: Origin,
}

/// `task.claimed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claimed {
    /// The attempt this claim starts.
    pub attempt: i64,
    /// Its fencing token.
    pub lease_token: i64,
}

/// `lease.extended`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extended {
    /// Tasks whose leases were extended.
    pub tasks: Vec<TaskId>,
    /// Tasks whose leases were no longer current.
    pub lost: Vec<TaskId>,
    /// By how long.
    pub extend_ms: u64,
}

/// `task.completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Completed {
    /// The lease it completed under.
    pub lease_token: i64,
    /// Pieces of evidence.
    pub evidence: u64,
}

/// An attempt that ended without a completion: `task.retry_scheduled`, `task.dead`,
/// `task.failed`, `task.timed_out` (written by a failure report or the run-time limit) and
/// `task.rescued` (a lapsed lease or a lost worker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttemptEnded {
    /// What went wrong.
    pub error: String,
    /// The attempt that ended.
    pub attempt: i64,
    /// Who held it.
    pub holder: String,
    /// Whether retrying could help (failure reports).
    #[serde(default)]
    pub retryable: Option<bool>,
    /// The retry's delay (retries).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// The lease's token (rescues).
    #[serde(default)]
    pub lease_token: Option<i64>,
}

/// `task.cancelled`, `task.approved`, `task.rejected`: a person's reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Why.
    pub reason: String,
}

/// `task.blocked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blocked {
    /// The tasks whose death, failure or cancellation blocked it.
    pub because_of: Vec<TaskId>,
}

/// `task.unblocked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unblocked {
    /// The requeued task that unblocked it.
    pub requeued: TaskId,
}

/// `task.requeued`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requeued {
    /// Attempts before the requeue.
    pub previous_attempts: i64,
    /// The last error before it.
    pub last_error: Option<String>,
}

/// `task.released` and `task.verifying`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Released {
    /// The lease handed back, or held while the evidence is re-checked.
    pub lease_token: i64,
}

/// `task.awaiting_external` and `task.rechecked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct External {
    /// What it waits for.
    pub what: String,
}

/// `task.approval_requested`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequested {
    /// Why it needs approval.
    pub reason: String,
    /// How risky it is.
    pub risk: RiskLevel,
    /// The score and its factors: what an approval of this request covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<juggernaut_core::RiskAssessment>,
}

/// `worker.*`: the worker and what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerEvent {
    /// The worker.
    pub worker: String,
    /// Registration details, or the tasks a lost worker's loss handed back.
    pub details: serde_json::Value,
}

/// `leader.elected`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Elected {
    /// The leadership's name.
    pub leadership: String,
}

/// `schedule.added`, `schedule.removed`, `schedule.fired`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleEvent {
    /// The schedule's name.
    pub schedule: String,
    /// Its cron expression (added).
    #[serde(default)]
    pub cron: Option<String>,
    /// The fire time (fired).
    #[serde(default)]
    pub fire_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The task the fire created (fired).
    #[serde(default)]
    pub task: Option<TaskId>,
    /// The next fire time (fired).
    #[serde(default)]
    pub next: Option<chrono::DateTime<chrono::Utc>>,
}

/// `tasks.pruned`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pruned {
    /// Tasks deleted.
    pub count: u64,
    /// The retention window.
    pub older_than_s: u64,
}

/// `goal.added`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalEvent {
    /// The goal's title.
    pub title: String,
}

/// `goal.status_changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalChange {
    /// Before.
    pub from: GoalStatus,
    /// After.
    pub to: GoalStatus,
    /// Why.
    pub reason: String,
}

/// `goal.metric_recorded`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricReading {
    /// The value read.
    pub value: f64,
    /// Who read it.
    pub source: String,
}

/// `goal.planned`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Planned {
    /// The plan's version.
    pub version: i64,
    /// Who made it.
    pub made_by: String,
    /// The tasks it enqueued.
    pub tasks: Vec<TaskId>,
}

/// `goal.plan_failed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFailed {
    /// Why.
    pub error: String,
    /// What the model answered, when the failure was about its answer (clipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// How long planning is held back.
    pub retry_after_s: u64,
}

/// `task.promoted` carries nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// An event's details, by kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Payload {
    /// `task.enqueued`.
    Enqueued(Enqueued),
    /// `task.promoted`.
    Empty(Empty),
    /// `task.claimed`.
    Claimed(Claimed),
    /// `lease.extended`.
    Extended(Extended),
    /// `task.completed`.
    Completed(Completed),
    /// Retry, dead, failed, timed out, rescued.
    AttemptEnded(AttemptEnded),
    /// Cancelled, approved, rejected.
    Reason(Reason),
    /// `task.blocked`.
    Blocked(Blocked),
    /// `task.unblocked`.
    Unblocked(Unblocked),
    /// `task.requeued`.
    Requeued(Requeued),
    /// `task.released`, `task.verifying`.
    Released(Released),
    /// `task.awaiting_external`, `task.rechecked`.
    External(External),
    /// `task.approval_requested`.
    ApprovalRequested(ApprovalRequested),
    /// `worker.*`.
    Worker(WorkerEvent),
    /// `leader.elected`.
    Elected(Elected),
    /// `schedule.*`.
    Schedule(ScheduleEvent),
    /// `tasks.pruned`.
    Pruned(Pruned),
    /// `goal.added`.
    Goal(GoalEvent),
    /// `goal.status_changed`.
    GoalChange(GoalChange),
    /// `goal.metric_recorded`.
    MetricReading(MetricReading),
    /// `goal.planned`.
    Planned(Planned),
    /// `goal.plan_failed`.
    PlanFailed(PlanFailed),
    /// `cost.reserved`.
    CostReserved(CostReserved),
    /// `cost.settled`.
    CostSettled(CostSettled),
    /// `tool.called`.
    ToolCalled(ToolCalled),
    /// `token.created`, `token.revoked`.
    Token(TokenEvent),
    /// `escalation.raised`, `escalation.acked`.
    Escalation(EscalationEvent),
    /// `learning.recorded`.
    LearningsRecorded(LearningsRecorded),
    /// `learning.edited`, `learning.retired`, `learning.unretired`.
    Learning(LearningEvent),
    /// `experiment.*`.
    Experiment(ExperimentEvent),
    /// `report.stored`.
    Report(ReportEvent),
}

impl Payload {
    /// Reads the details of an event of `kind`; an error says what does not match the shape.
    pub fn parse(kind: EventKind, data: &serde_json::Value) -> Result<Self, serde_json::Error> {
        use EventKind as K;
        let d = data.clone();
        Ok(match kind {
            K::TaskEnqueued => Self::Enqueued(serde_json::from_value(d)?),
            K::TaskPromoted => Self::Empty(serde_json::from_value(d)?),
            K::TaskClaimed => Self::Claimed(serde_json::from_value(d)?),
            K::LeaseExtended => Self::Extended(serde_json::from_value(d)?),
            K::TaskCompleted => Self::Completed(serde_json::from_value(d)?),
            K::TaskRetryScheduled
            | K::TaskDead
            | K::TaskFailed
            | K::TaskRescued
            | K::TaskTimedOut => Self::AttemptEnded(serde_json::from_value(d)?),
            K::TaskCancelled
            | K::TaskApproved
            | K::TaskRejected
            | K::GoalReplanRequested
            | K::GoalEdited => Self::Reason(serde_json::from_value(d)?),
            K::TaskBlocked => Self::Blocked(serde_json::from_value(d)?),
            K::TaskUnblocked => Self::Unblocked(serde_json::from_value(d)?),
            K::TaskRequeued => Self::Requeued(serde_json::from_value(d)?),
            K::TaskReleased | K::TaskVerifying => Self::Released(serde_json::from_value(d)?),
            K::TaskAwaitingExternal | K::TaskRechecked => {
                Self::External(serde_json::from_value(d)?)
            }
            K::TaskApprovalRequested => Self::ApprovalRequested(serde_json::from_value(d)?),
            K::WorkerRegistered | K::WorkerLost | K::WorkerRecovered | K::WorkerStopped => {
                Self::Worker(serde_json::from_value(d)?)
            }
            K::LeaderElected => Self::Elected(serde_json::from_value(d)?),
            K::ScheduleAdded | K::ScheduleRemoved | K::ScheduleFired => {
                Self::Schedule(serde_json::from_value(d)?)
            }
            K::TasksPruned => Self::Pruned(serde_json::from_value(d)?),
            K::GoalAdded => Self::Goal(serde_json::from_value(d)?),
            K::GoalStatusChanged => Self::GoalChange(serde_json::from_value(d)?),
            K::MetricRecorded => Self::MetricReading(serde_json::from_value(d)?),
            K::GoalPlanned => Self::Planned(serde_json::from_value(d)?),
            K::GoalPlanFailed => Self::PlanFailed(serde_json::from_value(d)?),
            K::CostReserved => Self::CostReserved(serde_json::from_value(d)?),
            K::CostSettled => Self::CostSettled(serde_json::from_value(d)?),
            K::ToolCalled => Self::ToolCalled(serde_json::from_value(d)?),
            K::TokenCreated | K::TokenRevoked => Self::Token(serde_json::from_value(d)?),
            K::EscalationRaised | K::EscalationAcked => {
                Self::Escalation(serde_json::from_value(d)?)
            }
            K::LearningRecorded => Self::LearningsRecorded(serde_json::from_value(d)?),
            K::LearningEdited | K::LearningRetired | K::LearningUnretired => {
                Self::Learning(serde_json::from_value(d)?)
            }
            K::ExperimentCreated
            | K::ExperimentIterated
            | K::ExperimentPointRecorded
            | K::ExperimentConcluded
            | K::ExperimentStopped => Self::Experiment(serde_json::from_value(d)?),
            K::ReportStored => Self::Report(serde_json::from_value(d)?),
        })
    }

    /// The details as stored.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
