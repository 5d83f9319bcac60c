//! Workers and roles (SPEC §2): a role is a named set of task kinds a worker serves.

use crate::ids::WorkerId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A worker role. Each has default kinds; configuration may change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Does the work: code, shell, http, workflow, notify, agent.
    Executor,
    /// Plans and designs experiments.
    Strategist,
    /// Analysis, research, reports, scans.
    Analyst,
    /// Goal review and delegation.
    Orchestrator,
    /// Health and maintenance.
    Watchdog,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Self::Executor,
        Self::Strategist,
        Self::Analyst,
        Self::Orchestrator,
        Self::Watchdog,
    ];

    /// The kinds a role serves by default (SPEC §2).
    pub fn default_kinds(self) -> &'static [&'static str] {
        match self {
            Self::Executor => &[
                "code", "shell", "http", "workflow", "notify", "agent", "noop",
            ],
            Self::Strategist => &["plan", "experiment_step"],
            Self::Analyst => &["analysis", "research", "report", "scan"],
            Self::Orchestrator => &["goal_review"],
            Self::Watchdog => &["health", "maintenance"],
        }
    }
}

/// A worker's state in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerState {
    /// Heartbeating and claiming.
    Active,
    /// Finishing in-flight work, claiming nothing new.
    Draining,
    /// Stopped heartbeating; its tasks are handed back.
    Lost,
}

impl WorkerState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Draining => "draining",
            Self::Lost => "lost",
        }
    }
}

impl std::str::FromStr for WorkerState {
    type Err = crate::DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Active, Self::Draining, Self::Lost]
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| crate::DomainError::InvalidField {
                field: "worker state",
                reason: format!("unknown state `{s}` (known: active, draining, lost)"),
            })
    }
}

/// A registered worker process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worker {
    /// Unique name.
    pub id: WorkerId,
    /// Roles it runs.
    pub roles: Vec<Role>,
    /// Task kinds it serves.
    pub kinds: Vec<String>,
    /// Concurrent slots.
    pub concurrency: u32,
    /// Host name.
    pub host: String,
    /// Binary version.
    pub version: String,
    /// Last heartbeat.
    pub heartbeat_at: DateTime<Utc>,
    /// State.
    pub state: WorkerState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_state_names_round_trip_and_match_serde() {
        for w in [
            WorkerState::Active,
            WorkerState::Draining,
            WorkerState::Lost,
        ] {
            assert_eq!(w.as_str().parse::<WorkerState>().unwrap(), w);
            assert_eq!(
                serde_json::to_string(&w).unwrap(),
                format!("\"{}\"", w.as_str())
            );
        }
        assert!("asleep".parse::<WorkerState>().is_err());
    }

    #[test]
    fn every_role_serves_something_and_roles_do_not_overlap() {
        let mut seen = std::collections::HashSet::new();
        for r in Role::ALL {
            assert!(!r.default_kinds().is_empty());
            for k in r.default_kinds() {
                assert!(seen.insert(*k), "{k} in two roles");
            }
        }
    }
}
