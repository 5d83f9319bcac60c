//! Tasks: what a worker runs. `NewTask` is what callers submit; `Task` is what the store returns.

use crate::error::DomainError;
use crate::evidence::Evidence;
use crate::ids::{GoalId, TaskId, WorkerId};
use crate::kind::TaskKind;
use crate::status::TaskStatus;
use crate::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Largest accepted task input, serialized.
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// Longest text a parked task keeps for what it waits for (the reason of an approval request).
pub const MAX_WAITING_BYTES: usize = 2000;
/// Default number of attempts before a task is dead-lettered.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// Bounds on `max_attempts`: every limit is finite.
pub const MAX_ATTEMPTS_LIMIT: u32 = 100;

/// Where a task came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Made by the LLM planner.
    Planner,
    /// Expanded from a playbook.
    Playbook,
    /// Fired by a cron schedule.
    Schedule,
    /// Proposed by proactive generation.
    Proactive,
    /// Made by the error scanner.
    ErrorScan,
    /// An experiment iteration.
    Experiment,
    /// Submitted by a person (CLI, API, dashboard).
    #[default]
    Human,
}

impl Origin {
    /// Every origin.
    pub const ALL: [Origin; 7] = [
        Self::Planner,
        Self::Playbook,
        Self::Schedule,
        Self::Proactive,
        Self::ErrorScan,
        Self::Experiment,
        Self::Human,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planner => "planner",
            Self::Playbook => "playbook",
            Self::Schedule => "schedule",
            Self::Proactive => "proactive",
            Self::ErrorScan => "error_scan",
            Self::Experiment => "experiment",
            Self::Human => "human",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Origin {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| DomainError::UnknownOrigin(s.to_owned()))
    }
}

/// A task to be enqueued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTask {
    /// Routes the task to its handler.
    pub kind: TaskKind,
    /// One line for humans.
    pub title: String,
    /// The handler's input.
    pub input: serde_json::Value,
    /// The goal it serves.
    pub goal_id: Option<GoalId>,
    /// The task that made it.
    pub parent_id: Option<TaskId>,
    /// Tasks that must complete first.
    pub depends_on: Vec<TaskId>,
    /// Higher runs first.
    pub priority: i32,
    /// Not before this time (`None`: now).
    pub run_at: Option<DateTime<Utc>>,
    /// Attempts before dead-lettering.
    pub max_attempts: u32,
    /// At most one non-terminal task per key; a duplicate returns the existing task.
    pub dedupe_key: Option<String>,
    /// Where it came from.
    pub origin: Origin,
}

impl NewTask {
    /// A task of `kind` with defaults: no input, priority 0, now, 5 attempts, human origin.
    pub fn new(kind: TaskKind) -> Self {
        Self {
            title: kind.as_str().to_owned(),
            kind,
            input: serde_json::Value::Object(Default::default()),
            goal_id: None,
            parent_id: None,
            depends_on: Vec::new(),
            priority: 0,
            run_at: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            dedupe_key: None,
            origin: Origin::Human,
        }
    }

    /// Checks the fields a store cannot check for itself.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |field, reason: String| Err(DomainError::InvalidField { field, reason });
        if self.title.is_empty() || self.title.len() > 500 {
            return bad("title", "must be 1-500 bytes".into());
        }
        text::check_text("title", &self.title)?;
        if !(1..=MAX_ATTEMPTS_LIMIT).contains(&self.max_attempts) {
            return bad(
                "max_attempts",
                format!("{} is outside 1-{MAX_ATTEMPTS_LIMIT}", self.max_attempts),
            );
        }
        if let Some(key) = &self.dedupe_key
            && (key.is_empty() || key.len() > 200)
        {
            return bad("dedupe_key", "must be 1-200 bytes".into());
        }
        if let Some(key) = &self.dedupe_key {
            text::check_text("dedupe_key", key)?;
        }
        let size = self.input.to_string().len();
        if size > MAX_INPUT_BYTES {
            return bad(
                "input",
                format!("{size} bytes is over the {MAX_INPUT_BYTES}-byte limit"),
            );
        }
        text::check_json("input", &self.input)
    }
}

/// What a parked task waits for: the answer to "what moves it next" for a task that is neither
/// running nor queued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Waiting {
    /// Something outside (a pull request under review): checked again at `check_at`, when the
    /// task runs again to look.
    External {
        /// What it waits for, for humans.
        what: String,
        /// When to look again.
        check_at: DateTime<Utc>,
    },
    /// A person's approval.
    Approval {
        /// Why it needs one.
        reason: String,
        /// How risky it is.
        risk: crate::risk::RiskLevel,
        /// The score and its factors, when the gate assessed it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assessment: Option<crate::risk::RiskAssessment>,
    },
}

impl Waiting {
    /// Checks the text fields (non-empty, storable).
    pub fn validate(&self) -> Result<(), DomainError> {
        let (field, text) = match self {
            Self::External { what, .. } => ("what", what),
            Self::Approval { reason, .. } => ("reason", reason),
        };
        if text.is_empty() || text.len() > MAX_WAITING_BYTES {
            return Err(DomainError::InvalidField {
                field,
                reason: format!("must be 1-{MAX_WAITING_BYTES} bytes"),
            });
        }
        text::check_text(field, text)
    }
}

/// The lease a running task is held under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The worker holding it.
    pub holder: WorkerId,
    /// The fencing token: a completion must carry it.
    pub token: i64,
    /// When it lapses unless extended.
    pub expires_at: DateTime<Utc>,
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Id.
    pub id: TaskId,
    /// Kind.
    pub kind: TaskKind,
    /// Title.
    pub title: String,
    /// Status.
    pub status: TaskStatus,
    /// Handler input.
    pub input: serde_json::Value,
    /// Goal.
    pub goal_id: Option<GoalId>,
    /// Parent task.
    pub parent_id: Option<TaskId>,
    /// Priority (higher first).
    pub priority: i32,
    /// Earliest run time.
    pub run_at: DateTime<Utc>,
    /// Attempts started so far.
    pub attempts: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// Present while running.
    pub lease: Option<Lease>,
    /// Dependencies not yet completed.
    pub pending_deps: u32,
    /// The handler's result once completed.
    pub result: Option<serde_json::Value>,
    /// Evidence accepted at completion; empty before.
    pub evidence: Vec<Evidence>,
    /// The last failed attempt's error.
    pub last_error: Option<String>,
    /// What moves it next while it is parked (`awaiting_external`, `waiting_approval`).
    pub waiting: Option<Waiting>,
    /// Dedupe key.
    pub dedupe_key: Option<String>,
    /// Origin.
    pub origin: Origin,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Reached a terminal status.
    pub finished_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop() -> NewTask {
        NewTask::new(TaskKind::new("noop").unwrap())
    }

    #[test]
    fn defaults_are_valid_and_finite() {
        let t = noop();
        assert!(t.validate().is_ok());
        assert_eq!(t.max_attempts, DEFAULT_MAX_ATTEMPTS);
        assert_eq!(t.title, "noop");
    }

    #[test]
    fn out_of_range_fields_are_named() {
        let mut t = noop();
        t.max_attempts = 0;
        assert!(
            t.validate()
                .unwrap_err()
                .to_string()
                .contains("max_attempts")
        );
        let mut t = noop();
        t.title = String::new();
        assert!(t.validate().unwrap_err().to_string().contains("title"));
        let mut t = noop();
        t.dedupe_key = Some(String::new());
        assert!(t.validate().unwrap_err().to_string().contains("dedupe_key"));
        let mut t = noop();
        t.input = serde_json::Value::String("x".repeat(MAX_INPUT_BYTES));
        assert!(t.validate().unwrap_err().to_string().contains("input"));
    }

    #[test]
    fn nul_is_refused_wherever_it_would_be_stored() {
        let mut t = noop();
        t.input = serde_json::json!({"a": "x\u{0}"});
        assert!(t.validate().unwrap_err().to_string().contains("`/a`"));
        let mut t = noop();
        t.title = "a\u{0}".into();
        assert!(t.validate().unwrap_err().to_string().contains("title"));
        let mut t = noop();
        t.dedupe_key = Some("\u{0}".into());
        assert!(t.validate().unwrap_err().to_string().contains("dedupe_key"));
    }

    #[test]
    fn origins_round_trip() {
        for o in Origin::ALL {
            assert_eq!(o.as_str().parse::<Origin>().unwrap(), o);
        }
        assert!("alien".parse::<Origin>().is_err());
    }
}
