//! Idle reasons: each loop keeps its current reason for doing nothing (or none while it works),
//! so that `juggernaut status` and `/metrics` can say why the engine is quiet instead of a log
//! line per tick. A reason is a code from a small closed set ([`Idle`], the metric's label, so
//! the number of series stays bounded) and a sentence for humans (in `status`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The loops that report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Loop {
    /// Claims and runs tasks.
    Dispatcher,
    /// Leader election.
    Leader,
    /// Expired leases, lost workers, overdue tasks.
    Watchdog,
    /// Cron schedules.
    Scheduler,
    /// Retention.
    Pruner,
    /// Goals that need a plan.
    Planner,
    /// Goals' metrics, read into their series.
    Sampler,
    /// Tasks proposed by proactive templates.
    Proactive,
    /// Escalations raised and sent.
    Escalator,
    /// Approvals waiting, and their timeouts.
    Approvals,
    /// Learnings captured from tasks' ends.
    Learner,
    /// Running experiments: iterations and conclusions.
    Experiments,
}

impl Loop {
    /// Every loop.
    pub const ALL: [Loop; 12] = [
        Self::Dispatcher,
        Self::Leader,
        Self::Watchdog,
        Self::Scheduler,
        Self::Pruner,
        Self::Planner,
        Self::Sampler,
        Self::Proactive,
        Self::Escalator,
        Self::Approvals,
        Self::Learner,
        Self::Experiments,
    ];

    /// The loop's name in status and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dispatcher => "dispatcher",
            Self::Leader => "leader",
            Self::Watchdog => "watchdog",
            Self::Scheduler => "scheduler",
            Self::Pruner => "pruner",
            Self::Planner => "planner",
            Self::Sampler => "sampler",
            Self::Proactive => "proactive",
            Self::Escalator => "escalator",
            Self::Approvals => "approvals",
            Self::Learner => "learner",
            Self::Experiments => "experiments",
        }
    }
}

/// Why a loop is idle: the closed set of metric labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Idle {
    /// Nothing ready of the kinds this worker serves.
    NoReadyTasks,
    /// The worker serves no kind that has a handler.
    NoKinds,
    /// The store does not answer.
    StoreUnavailable,
    /// Stopping: no new work.
    ShuttingDown,
    /// Another node leads.
    FollowingLeader,
    /// Nobody leads right now; this node tries again.
    LeadershipFree,
    /// Leader-only loop on a node that does not lead.
    NotLeader,
    /// The loop looked and found nothing to do.
    NothingToDo,
    /// Waiting for the next schedule's fire time.
    WaitingForSchedule,
    /// No schedule that can fire.
    NoSchedules,
    /// Waiting for the next periodic pass.
    WaitingForNextPass,
    /// No goal is active.
    NoOpenGoals,
    /// Active goals need a plan, but none can be planned (no matching playbook, no LLM).
    CannotPlan,
    /// Some goals' metrics cannot be read (a data source fails, or answers no number).
    MetricsUnreadable,
    /// Escalations are recorded but not sent: no notify channel is configured.
    NoNotifyChannel,
    /// Tasks wait for a person's approval.
    WaitingForApproval,
}

impl Idle {
    /// Every code, in label order.
    pub const ALL: [Idle; 16] = [
        Self::NoReadyTasks,
        Self::NoKinds,
        Self::StoreUnavailable,
        Self::ShuttingDown,
        Self::FollowingLeader,
        Self::LeadershipFree,
        Self::NotLeader,
        Self::NothingToDo,
        Self::WaitingForSchedule,
        Self::NoSchedules,
        Self::WaitingForNextPass,
        Self::NoOpenGoals,
        Self::CannotPlan,
        Self::MetricsUnreadable,
        Self::NoNotifyChannel,
        Self::WaitingForApproval,
    ];

    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoReadyTasks => "no_ready_tasks",
            Self::NoKinds => "no_kinds",
            Self::StoreUnavailable => "store_unavailable",
            Self::ShuttingDown => "shutting_down",
            Self::FollowingLeader => "following_leader",
            Self::LeadershipFree => "leadership_free",
            Self::NotLeader => "not_leader",
            Self::NothingToDo => "nothing_to_do",
            Self::WaitingForSchedule => "waiting_for_schedule",
            Self::NoSchedules => "no_schedules",
            Self::WaitingForNextPass => "waiting_for_next_pass",
            Self::NoOpenGoals => "no_open_goals",
            Self::CannotPlan => "cannot_plan",
            Self::MetricsUnreadable => "metrics_unreadable",
            Self::NoNotifyChannel => "no_notify_channel",
            Self::WaitingForApproval => "waiting_for_approval",
        }
    }
}

/// The current idle reason of every loop of this process.
#[derive(Debug, Clone, Default)]
pub struct IdleBoard {
    reasons: Arc<Mutex<BTreeMap<Loop, (Idle, String)>>>,
}

impl IdleBoard {
    /// Sets `l`'s reason (the loop is idle): its code and a sentence.
    pub fn idle(&self, l: Loop, code: Idle, text: impl Into<String>) {
        if let Ok(mut m) = self.reasons.lock() {
            m.insert(l, (code, text.into()));
        }
    }

    /// Clears `l`'s reason (the loop is working).
    pub fn busy(&self, l: Loop) {
        if let Ok(mut m) = self.reasons.lock() {
            m.remove(&l);
        }
    }

    /// Every current reason: loop name, code, sentence.
    pub fn snapshot(&self) -> Vec<(&'static str, Idle, String)> {
        match self.reasons.lock() {
            Ok(m) => m
                .iter()
                .map(|(l, (c, t))| (l.as_str(), *c, t.clone()))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The sentences as a JSON object by loop name (what `status` shows).
    pub fn to_json(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = self
            .snapshot()
            .into_iter()
            .map(|(l, _, t)| (l.to_owned(), t.into()))
            .collect();
        serde_json::Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_set_and_cleared_per_loop() {
        let b = IdleBoard::default();
        b.idle(
            Loop::Dispatcher,
            Idle::NoReadyTasks,
            "no ready tasks of kinds noop",
        );
        b.idle(Loop::Scheduler, Idle::NoSchedules, "no schedules");
        b.busy(Loop::Scheduler);
        assert_eq!(
            b.to_json(),
            serde_json::json!({"dispatcher": "no ready tasks of kinds noop"})
        );
        assert_eq!(b.snapshot()[0].1, Idle::NoReadyTasks);
    }

    #[test]
    fn codes_are_unique_label_values() {
        let mut seen = std::collections::HashSet::new();
        for c in Idle::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
        }
    }
}
