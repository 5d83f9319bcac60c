//! Idle reasons: each loop keeps its current reason for doing nothing (or none while it works),
//! so that `juggernaut status` and `/metrics` can say why the engine is quiet instead of a log
//! line per tick.

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
}

impl Loop {
    /// The loop's name in status and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dispatcher => "dispatcher",
            Self::Leader => "leader",
            Self::Watchdog => "watchdog",
            Self::Scheduler => "scheduler",
            Self::Pruner => "pruner",
        }
    }
}

/// The current idle reason of every loop of this process.
#[derive(Debug, Clone, Default)]
pub struct IdleBoard {
    reasons: Arc<Mutex<BTreeMap<Loop, String>>>,
}

impl IdleBoard {
    /// Sets `l`'s reason (the loop is idle).
    pub fn idle(&self, l: Loop, reason: impl Into<String>) {
        if let Ok(mut m) = self.reasons.lock() {
            m.insert(l, reason.into());
        }
    }

    /// Clears `l`'s reason (the loop is working).
    pub fn busy(&self, l: Loop) {
        if let Ok(mut m) = self.reasons.lock() {
            m.remove(&l);
        }
    }

    /// Every current reason, by loop name.
    pub fn snapshot(&self) -> BTreeMap<&'static str, String> {
        match self.reasons.lock() {
            Ok(m) => m.iter().map(|(l, r)| (l.as_str(), r.clone())).collect(),
            Err(_) => BTreeMap::new(),
        }
    }

    /// The snapshot as a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.snapshot()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_set_and_cleared_per_loop() {
        let b = IdleBoard::default();
        b.idle(Loop::Dispatcher, "no ready tasks of kinds noop");
        b.idle(Loop::Scheduler, "no schedules");
        b.busy(Loop::Scheduler);
        assert_eq!(
            b.to_json(),
            serde_json::json!({"dispatcher": "no ready tasks of kinds noop"})
        );
    }
}
