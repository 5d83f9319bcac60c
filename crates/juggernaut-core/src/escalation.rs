//! Escalations: something a person should look at (a stuck task, repeated failures, a new dead
//! letter, a stale or expired approval, an exhausted budget, a goal at risk). Each has a level,
//! a dedupe key (raising the same key again while it is open counts it instead of making a new
//! one), and stays open until a person acknowledges it. Here are the types and their checks; the
//! store keeps them and the engine's escalator raises them.

use crate::error::DomainError;
use crate::ids::{GoalId, TaskId};
use crate::text::check_text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest dedupe key, in bytes.
pub const MAX_KEY: usize = 200;
/// Longest message, in bytes.
pub const MAX_MESSAGE: usize = 2000;
/// Longest acknowledgement note, in bytes.
pub const MAX_NOTE: usize = 2000;

/// How urgent an escalation is; ordered from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    /// Worth knowing.
    Info,
    /// Needs a look soon.
    Warning,
    /// Needs a person now.
    Critical,
}

impl EscalationLevel {
    /// Every level, least urgent first.
    pub const ALL: [EscalationLevel; 3] = [Self::Info, Self::Warning, Self::Critical];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for EscalationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EscalationLevel {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| DomainError::InvalidField {
                field: "level",
                reason: format!("unknown level `{s}` (known: info, warning, critical)"),
            })
    }
}

/// What an escalation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationKind {
    /// A task ready (or due) for long without being claimed.
    StuckTask,
    /// A kind's attempts failed many times in the last hour.
    RepeatedFailures,
    /// A task went `dead`.
    DeadLetter,
    /// A task waits for approval for long.
    StaleApproval,
    /// An approval was not decided in time and expired.
    ApprovalExpired,
    /// The day's or a goal's money budget is spent.
    BudgetExhausted,
    /// A goal is unlikely to reach its target by its deadline.
    GoalAtRisk,
}

impl EscalationKind {
    /// Every kind.
    pub const ALL: [EscalationKind; 7] = [
        Self::StuckTask,
        Self::RepeatedFailures,
        Self::DeadLetter,
        Self::StaleApproval,
        Self::ApprovalExpired,
        Self::BudgetExhausted,
        Self::GoalAtRisk,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StuckTask => "stuck_task",
            Self::RepeatedFailures => "repeated_failures",
            Self::DeadLetter => "dead_letter",
            Self::StaleApproval => "stale_approval",
            Self::ApprovalExpired => "approval_expired",
            Self::BudgetExhausted => "budget_exhausted",
            Self::GoalAtRisk => "goal_at_risk",
        }
    }
}

impl fmt::Display for EscalationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EscalationKind {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| DomainError::InvalidField {
                field: "kind",
                reason: format!(
                    "unknown escalation kind `{s}` (known: {})",
                    Self::ALL.map(|k| k.as_str()).join(", ")
                ),
            })
    }
}

/// Identifies one escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EscalationId(pub i64);

impl fmt::Display for EscalationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An escalation to raise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEscalation {
    /// The dedupe key (1-200 bytes, no control characters): one open escalation per key.
    pub key: String,
    /// What it is about.
    pub kind: EscalationKind,
    /// How urgent.
    pub level: EscalationLevel,
    /// The task it concerns, if any.
    pub task_id: Option<TaskId>,
    /// The goal it concerns, if any.
    pub goal_id: Option<GoalId>,
    /// What a person should know (1-2000 bytes, storable text).
    pub message: String,
}

impl NewEscalation {
    /// Refuses a blank, overlong or control-character key and a blank, overlong or unstorable
    /// message.
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |field, reason: String| Err(DomainError::InvalidField { field, reason });
        if self.key.trim().is_empty() {
            return bad("key", "an escalation needs a dedupe key".into());
        }
        if self.key.len() > MAX_KEY {
            return bad("key", format!("at most {MAX_KEY} bytes"));
        }
        if self.key.chars().any(char::is_control) {
            return bad("key", "no control characters".into());
        }
        if self.message.trim().is_empty() {
            return bad("message", "an escalation needs a message".into());
        }
        if self.message.len() > MAX_MESSAGE {
            return bad("message", format!("at most {MAX_MESSAGE} bytes"));
        }
        check_text("message", &self.message)
    }
}

/// Refuses an acknowledgement note the store cannot keep (at most 2000 bytes, no NUL; it may be
/// empty).
pub fn check_note(note: &str) -> Result<(), DomainError> {
    if note.len() > MAX_NOTE {
        return Err(DomainError::InvalidField {
            field: "note",
            reason: format!("at most {MAX_NOTE} bytes"),
        });
    }
    check_text("note", note)
}

/// A stored escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    /// Its id.
    pub id: EscalationId,
    /// The dedupe key.
    pub key: String,
    /// What it is about.
    pub kind: EscalationKind,
    /// How urgent: the highest level it was raised at while open.
    pub level: EscalationLevel,
    /// The task it concerns.
    pub task_id: Option<TaskId>,
    /// The goal it concerns.
    pub goal_id: Option<GoalId>,
    /// The latest message it was raised with.
    pub message: String,
    /// Times raised while open (1 when created).
    pub count: u32,
    /// When it was first raised.
    pub first_at: DateTime<Utc>,
    /// When it was last raised.
    pub last_at: DateTime<Utc>,
    /// When a person acknowledged it (open until then).
    pub acked_at: Option<DateTime<Utc>>,
    /// Who acknowledged it.
    pub acked_by: Option<String>,
    /// What they noted.
    pub ack_note: Option<String>,
    /// When it was sent through the notify channel.
    pub notified_at: Option<DateTime<Utc>>,
}

impl Escalation {
    /// Whether it waits for a person.
    pub fn is_open(&self) -> bool {
        self.acked_at.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(key: &str, message: &str) -> NewEscalation {
        NewEscalation {
            key: key.into(),
            kind: EscalationKind::DeadLetter,
            level: EscalationLevel::Warning,
            task_id: None,
            goal_id: None,
            message: message.into(),
        }
    }

    #[test]
    fn names_round_trip_match_serde_and_levels_order() {
        for k in EscalationKind::ALL {
            assert_eq!(k.as_str().parse::<EscalationKind>().unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for l in EscalationLevel::ALL {
            assert_eq!(l.as_str().parse::<EscalationLevel>().unwrap(), l);
            assert_eq!(serde_json::to_value(l).unwrap(), l.as_str());
        }
        assert!(EscalationLevel::Info < EscalationLevel::Warning);
        assert!(EscalationLevel::Warning < EscalationLevel::Critical);
        assert!("loud".parse::<EscalationLevel>().is_err());
        assert!("oops".parse::<EscalationKind>().is_err());
    }

    #[test]
    fn keys_and_messages_are_checked() {
        assert!(new("dead:1", "task 1 is dead").check().is_ok());
        assert!(new(&"k".repeat(MAX_KEY), "m").check().is_ok());
        for (bad, field) in [
            (new(" ", "m"), "key"),
            (new(&"k".repeat(MAX_KEY + 1), "m"), "key"),
            (new("a\nb", "m"), "key"),
            (new("k", ""), "message"),
            (new("k", &"m".repeat(MAX_MESSAGE + 1)), "message"),
            (new("k", "a\0b"), "message"),
        ] {
            match bad.check() {
                Err(DomainError::InvalidField { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{other:?}"),
            }
        }
        assert!(check_note("").is_ok());
        assert!(check_note("a\0").is_err());
        assert!(check_note(&"n".repeat(MAX_NOTE + 1)).is_err());
    }
}
